package flusso

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/codicefiscale"
)

// The schema that explains refused lines must describe the same fields, of
// the same JSON types, as the structs the decoder fills.
func TestSchemaComeRigaJSON(t *testing.T) {
	var confronta func(nome string, typ reflect.Type, schema map[string]campoJSON)
	confronta = func(nome string, typ reflect.Type, schema map[string]campoJSON) {
		var campi []string
		for f := range typ.Fields() {
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			campi = append(campi, tag)
			c, ok := schema[tag]
			if !ok {
				t.Errorf("%s.%s: not in the schema", nome, tag)
				continue
			}
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			var want tipoJSON
			switch ft.Kind() {
			case reflect.String:
				want = tTesto
			case reflect.Bool:
				want = tBooleano
			case reflect.Int:
				want = tIntero
			case reflect.Struct:
				want = tOggetto
				confronta(nome+"."+tag, ft, c.campi)
			case reflect.Slice:
				want = tLista
				confronta(nome+"."+tag, ft.Elem(), c.campi)
			}
			if c.tipo != want {
				t.Errorf("%s.%s: schema type %d, struct type %d", nome, tag, c.tipo, want)
			}
		}
		for k := range schema {
			if !slices.Contains(campi, k) {
				t.Errorf("%s.%s: in the schema, not in the struct", nome, k)
			}
		}
	}
	confronta("riga", reflect.TypeFor[rigaJSON](), schemaNucleo)
}

// Each omocodia level replaces one more digit, from the right, and stays a
// valid code of the same person.
func TestOmocodia(t *testing.T) {
	const cf = "RSSMRA80A01H501U"
	if got := omocodia(cf, 2); got != "RSSMRA80A01H5LMX" { // the example of internal/codicefiscale's tests
		t.Errorf("omocodia(2) = %s", got)
	}
	visti := map[string]bool{}
	for livello := 0; livello <= len(posizioniOmocodia); livello++ {
		got := omocodia(cf, livello)
		lettere := 0
		for _, i := range posizioniOmocodia {
			if got[i] > '9' {
				lettere++
			}
		}
		nascita, sesso, _ := codicefiscale.BirthDate(got)
		if err := codicefiscale.Validate(got); err != nil || lettere != livello || visti[got] || sesso != "M" ||
			!codicefiscale.Consistent(got, nascita, "M") || nascita.Format(time.DateOnly) != "1980-01-01" ||
			codicefiscale.Luogo(got) != "H501" {
			t.Errorf("omocodia(%d) = %s: %v, %d letters, born %v %s", livello, got, codicefiscale.Validate(got), lettere, nascita, sesso)
		}
		visti[got] = true
	}
}
