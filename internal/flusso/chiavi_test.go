package flusso

import (
	"slices"
	"testing"
)

func TestChiaviRipetute(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		riga string
		want []string
	}{
		{`{"a":1,"b":2}`, nil},
		{`{"id_domanda":"X-1","misura":"ADI","id_domanda":"X-2"}`, []string{"id_domanda"}},
		{`{"componenti":[{"cf":"A"},{"cf":"B","cf":"C"}]}`, []string{"componenti[2].cf"}},
		{`{"contatti":{"email":"a","email":"b"},"x":[1,[2,3]],"x":0}`, []string{"contatti.email", "x"}},
		// encoding/json fills the same field whatever the case: one key.
		{`{"id_domanda":"X-1","ID_DOMANDA":"X-2"}`, []string{"ID_DOMANDA"}},
		{`{"k":1,"K":2}`, []string{"K"}}, // the Kelvin sign folds to k
		{`{"a":`, nil},                   // not JSON: the decoder's reason
	} {
		if got := ChiaviRipetute([]byte(c.riga)); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.riga, got, c.want)
		}
	}
}
