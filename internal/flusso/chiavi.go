package flusso

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode"
)

// ChiaviRipetute lists the keys written more than once in the same object
// of a JSON line, by their path ("componenti[1].codice_fiscale"), in
// order; nil when none (or when the line is not JSON: the decoder reports
// that). encoding/json would silently keep the last value, also for the
// idempotence key: a line with a repeated key is rejected instead. Keys are
// compared as encoding/json matches them to fields, regardless of case
// ("id_domanda" and "ID_DOMANDA" fill the same field).
func ChiaviRipetute(line []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var out []string
	var cammina func(percorso string) bool
	cammina = func(percorso string) bool {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return true
		}
		switch d {
		case '{':
			viste := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return false
				}
				chiave, _ := k.(string)
				p := chiave
				if percorso != "" {
					p = percorso + "." + chiave
				}
				if viste[piega(chiave)] {
					out = append(out, p)
				}
				viste[piega(chiave)] = true
				if !cammina(p) {
					return false
				}
			}
		case '[':
			for i := 0; dec.More(); i++ {
				if !cammina(percorso + "[" + strconv.Itoa(i+1) + "]") {
					return false
				}
			}
		}
		_, err = dec.Token() // the closing delimiter
		return err == nil
	}
	cammina("")
	return out
}

// piega folds a key as encoding/json does when it matches a key to a
// field (Unicode simple folding: "K", "k" and the Kelvin sign are one): each
// rune becomes the smallest of its folding orbit.
func piega(s string) string {
	return strings.Map(func(r rune) rune {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		return m
	}, s)
}
