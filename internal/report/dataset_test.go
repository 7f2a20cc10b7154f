package report

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
)

// baseFinta has n cases "c0001"…, two columns.
type baseFinta struct{ n int }

func (baseFinta) ColonneBase() []string                               { return []string{"comune", "misura"} }
func (b baseFinta) ContaDataset(context.Context, Filtro) (int, error) { return b.n, nil }
func (b baseFinta) ScorriDataset(_ context.Context, _ Filtro, n int, fn func([]CasoDataset) error) error {
	var lotto []CasoDataset
	for i := 1; i <= b.n; i++ {
		lotto = append(lotto, CasoDataset{ID: fmt.Sprintf("c%04d", i), Valori: []string{"=Comune", "ADI"}})
		if len(lotto) == n {
			if err := fn(lotto); err != nil {
				return err
			}
			lotto = lotto[:0]
		}
	}
	if len(lotto) > 0 {
		return fn(lotto)
	}
	return nil
}

// fornitoreFinto knows the even cases only.
type fornitoreFinto struct{ lotti int }

func (*fornitoreFinto) ColonneDataset() []string { return []string{"incontri", "primo_incontro"} }
func (f *fornitoreFinto) ValoriDataset(_ context.Context, _ Filtro, casi []string) (map[string][]string, error) {
	f.lotti++
	m := map[string][]string{}
	for _, c := range casi {
		if c[len(c)-1]%2 == 0 {
			m[c] = []string{"2", "05/03/2026"}
		}
	}
	return m, nil
}

// The dataset joins the base and the modules batch by batch: the modules'
// columns after the base's, empty for a case a module does not know; the
// pseudonym replaces the id; a text that would start a formula is
// neutralised.
func TestScriviDataset(t *testing.T) {
	var buf bytes.Buffer
	s, err := NuovoScrittore(&buf, CSV)
	if err != nil {
		t.Fatal(err)
	}
	fo := &fornitoreFinto{}
	n, err := ScriviDataset(context.Background(), s, baseFinta{n: LottoDataset + 3}, []FornitoreDataset{fo}, []byte("chiave"), Filtro{}, nil)
	if err != nil || s.Chiudi() != nil {
		t.Fatal(err)
	}
	if n != LottoDataset+3 || fo.lotti != 2 {
		t.Errorf("%d rows in %d batches", n, fo.lotti)
	}
	righe := strings.Split(strings.TrimPrefix(buf.String(), "\ufeff"), "\r\n")
	if righe[0] != "id_pseudonimo;comune;misura;incontri;primo_incontro" {
		t.Errorf("header %q", righe[0])
	}
	p1, p2 := Pseudonimo([]byte("chiave"), "c0001"), Pseudonimo([]byte("chiave"), "c0002")
	if righe[1] != p1+";'=Comune;ADI;;" || righe[2] != p2+";'=Comune;ADI;2;05/03/2026" {
		t.Errorf("rows %q %q", righe[1], righe[2])
	}
	if strings.Contains(buf.String(), "c0001") {
		t.Error("the case id is in the file")
	}
}

// Neutralizza: the characters that start a formula, and only them.
func TestNeutralizza(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+39 333": "'+39 333", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "Bologna": "Bologna", "": "", "<5": "<5", "n.d.": "n.d."} {
		if got := Neutralizza(in); got != want {
			t.Errorf("Neutralizza(%q) = %q, want %q", in, got, want)
		}
	}
}
