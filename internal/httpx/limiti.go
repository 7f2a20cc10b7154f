package httpx

import (
	"fmt"
	"net/url"
	"path"
	"unicode/utf8"
)

// Limite is the maximum length, in characters (not bytes), of one free-text
// field of a module's forms. Campo is the field's name; a * in it stands for
// any part of a name (a member's or a row's id), as in path.Match.
type Limite struct {
	Campo string
	Max   int
}

// Limiti are the free-text fields of one module's forms with their maximum
// lengths: the module checks them on the server (Controlla) and puts each
// Max on its input as maxlength. docs/formats/limiti.md lists them all, and
// a test in internal/app keeps that table true.
type Limiti struct {
	Modulo string
	Campi  []Limite
}

// Max is the limit of campo (0: none declared).
func (l Limiti) Max(campo string) int {
	for _, x := range l.Campi {
		if x.Campo == campo {
			return x.Max
		}
		if ok, _ := path.Match(x.Campo, campo); ok {
			return x.Max
		}
	}
	return 0
}

// Controlla adds to errs (allocating it when nil) the message of every
// field of form longer than its limit, and returns errs. The message
// replaces another one of the same field: it is the first thing to correct.
func (l Limiti) Controlla(errs FieldErrors, form url.Values) FieldErrors {
	for k, vs := range form {
		max := l.Max(k)
		if max == 0 {
			continue
		}
		for _, v := range vs {
			errs = MaxTesto(errs, k, v, max)
		}
	}
	return errs
}

// MaxTesto adds to errs (allocating it when nil) the message of campo when
// valore is longer than max characters, and returns errs.
func MaxTesto(errs FieldErrors, campo, valore string, max int) FieldErrors {
	if n := utf8.RuneCountInString(valore); n > max {
		if errs == nil {
			errs = FieldErrors{}
		}
		errs[campo] = MessaggioLunghezza(max, n)
	}
	return errs
}

// MessaggioLunghezza is the message shown next to a field of n characters
// whose limit is max.
func MessaggioLunghezza(max, n int) string {
	return fmt.Sprintf("Al massimo %d caratteri: ne hai scritti %d.", max, n)
}
