package schede

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Differenza is one field that differs between two contents.
type Differenza struct {
	Percorso string // the field's path, e.g. "aree.economica.bisogno" or "componenti[RSSMRA80A01H501U].percorso"
	Campo    string // its label, from the owner's etichetta
	Prima    string // "" when the field was absent
	Dopo     string // "" when the field was removed
}

// Differenze compares two JSON contents field by field, in a stable order
// (the path's). Objects nest with ".", array elements are keyed by their
// "id", "codice" or "codice_fiscale" member when they have one (so a list
// reordered is not a change), by position otherwise. etichetta labels a
// path (nil: the path itself).
func Differenze(prima, dopo []byte, etichetta func(string) string) ([]Differenza, error) {
	a, err := appiattisci(prima)
	if err != nil {
		return nil, err
	}
	b, err := appiattisci(dopo)
	if err != nil {
		return nil, err
	}
	paths := map[string]bool{}
	for p := range a {
		paths[p] = true
	}
	for p := range b {
		paths[p] = true
	}
	ordered := make([]string, 0, len(paths))
	for p := range paths {
		ordered = append(ordered, p)
	}
	sort.Strings(ordered)
	var out []Differenza
	for _, p := range ordered {
		if a[p] == b[p] {
			continue
		}
		d := Differenza{Percorso: p, Campo: p, Prima: a[p], Dopo: b[p]}
		if etichetta != nil {
			d.Campo = etichetta(p)
		}
		out = append(out, d)
	}
	return out, nil
}

func appiattisci(doc []byte) (map[string]string, error) {
	out := map[string]string{}
	if len(bytes.TrimSpace(doc)) == 0 {
		return out, nil
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("schede: contenuto non valido: %w", err)
	}
	piatto("", v, out)
	return out, nil
}

func piatto(prefix string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			piatto(p, e, out)
		}
	case []any:
		for i, e := range x {
			piatto(prefix+"["+chiave(e, i)+"]", e, out)
		}
	case nil:
		// absent and null are the same to a reader
	case bool:
		if x {
			out[prefix] = "sì"
		} else {
			out[prefix] = "no"
		}
	case json.Number:
		out[prefix] = x.String()
	case string:
		if x != "" {
			out[prefix] = x
		}
	default:
		out[prefix] = fmt.Sprint(x)
	}
}

// chiave identifies an array element: its id-like member, or its position.
func chiave(e any, i int) string {
	if m, ok := e.(map[string]any); ok {
		for _, k := range []string{"id", "codice", "codice_fiscale", "persona_id"} {
			if s, ok := m[k].(string); ok && s != "" {
				return s
			}
		}
	}
	if s, ok := e.(string); ok && !strings.ContainsAny(s, "[]") && s != "" {
		return s // a set of codes: the code is its own key
	}
	return strconv.Itoa(i)
}
