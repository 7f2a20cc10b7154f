package flusso

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// ChiaviRipetute lists the keys written more than once in the same object
// of a JSON line, by their path ("componenti[1].codice_fiscale"), in
// order; nil when none (or when the line is not JSON: the decoder reports
// that). encoding/json would silently keep the last value, also for the
// idempotence key: a line with a repeated key is rejected instead.
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
				if viste[chiave] {
					out = append(out, p)
				}
				viste[chiave] = true
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
