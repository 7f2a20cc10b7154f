package importazioni_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/flusso"
)

// importaContando imports data and returns the import's id, its counters
// (inseriti, aggiornati, invariati, scartati) and its rejected lines.
func (f *fixture) importaContando(t *testing.T, data []byte) (int64, [4]int, []flusso.Scarto) {
	t.Helper()
	imp := f.importa(t, data)
	if imp.ByteLetti != int64(len(data)) || imp.Percentuale() != 100 {
		t.Errorf("progress at the end: %d of %d bytes", imp.ByteLetti, len(data))
	}
	return imp.ID, contatori(imp), f.scarti(t, imp.ID)
}

// Import of the nuclei flow: every valid household becomes a case, every
// bad line is reported with its reason, importing the same file again
// changes nothing, a changed household is updated with its composition
// history, and a household of a comune outside the ambito is refused.
func TestImportaNuclei(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var buf bytes.Buffer
	if err := flusso.Genera(&buf, 2000, flusso.Opzioni{Seme: 7, Oggi: f.oggi, Comuni: comuniDemo}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// Line 2001: a comune of another ambito (Bologna); line 2002: broken JSON.
	var other map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &other)
	other["id_domanda"], other["comune_residenza"] = "INPS-ALTRO-1", "037006"
	b, _ := json.Marshal(other)
	data := strings.Join(append(lines, string(b), `{"id_domanda": "INPS-ROTTO"`), "\n") + "\n"

	_, c, scarti := f.importaContando(t, []byte(data))
	if c != [4]int{2000, 0, 0, 2} {
		t.Errorf("first import: inseriti, aggiornati, invariati, scartati = %v", c)
	}
	if len(scarti) != 2 || scarti[0].Riga != 2001 || !strings.Contains(scarti[0].Motivo, "non appartenente all'ambito") || scarti[1].Riga != 2002 {
		t.Errorf("rejections: %+v", scarti)
	}
	if n := f.count(t, `SELECT count(*) FROM caso`); n != 2000 {
		t.Errorf("%d cases", n)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'caso' AND azione = 'scrittura'`); n != 2000 {
		t.Errorf("%d case writes in the registro, want one per household", n)
	}
	persone := f.count(t, `SELECT count(*) FROM persona`)

	_, c, _ = f.importaContando(t, []byte(data))
	if c != [4]int{0, 0, 2000, 2} {
		t.Errorf("same file again: %v", c)
	}
	if n := f.count(t, `SELECT count(*) FROM caso`); n != 2000 || f.count(t, `SELECT count(*) FROM persona`) != persone {
		t.Errorf("re-import duplicated rows: %d cases", n)
	}

	// The first household loses its last member and gets a new PAD.
	var h map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &h)
	comps := h["componenti"].([]any)
	if len(comps) < 2 {
		t.Skip("first generated household has one member")
	}
	h["componenti"] = comps[:len(comps)-1]
	nb, _ := json.Marshal(h)
	_, c, _ = f.importaContando(t, append(nb, '\n'))
	if c != [4]int{0, 1, 0, 0} {
		t.Errorf("changed household: %v", c)
	}
	if n := f.count(t, `SELECT count(*) FROM nucleo_componente nc JOIN domanda d ON d.nucleo_id = nc.nucleo_id
		WHERE d.id_domanda = $1 AND nc.al IS NOT NULL`, h["id_domanda"]); n != 1 {
		t.Errorf("members who left, in the history: %d", n)
	}
	if n := f.count(t, `SELECT count(*) FROM caso_storico s JOIN caso c ON c.id = s.caso_id JOIN domanda d ON d.id = c.domanda_id
		WHERE d.id_domanda = $1 AND s.evento = 'aggiornato'`, h["id_domanda"]); n != 1 {
		t.Errorf("update event: %d", n)
	}
}

// TestImport100k measures the import of 100,000 new households, then of the
// same file again (all unchanged). It runs only with CASI_PERF=1
// (CASI_PERF_N for another number of households):
//
//	CASI_PERF=1 go test -count=1 -run TestImport100k -v ./internal/importazioni
func TestImport100k(t *testing.T) {
	t.Parallel()
	if os.Getenv("CASI_PERF") == "" {
		t.Skip("set CASI_PERF=1 to measure the import of 100,000 households")
	}
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("CASI_PERF_N")); err == nil && v > 0 {
		n = v
	}
	f := setup(t)
	var buf bytes.Buffer
	if err := flusso.Genera(&buf, n, flusso.Opzioni{Seme: 11, Oggi: f.oggi, Comuni: comuniDemo}); err != nil {
		t.Fatal(err)
	}
	for _, run := range []string{"first import", "same file again"} {
		start := time.Now()
		_, c, _ := f.importaContando(t, buf.Bytes())
		t.Logf("%s: %d MB, %s, inseriti/aggiornati/invariati/scartati %v", run, buf.Len()>>20, time.Since(start).Round(time.Millisecond), c)
	}
}

// Chunks are written two at a time; a chunk that shares a person with one
// still being written waits for it, so the outcome is the sequential one: a
// person imported in an earlier chunk who is also a member of a new
// household of a later chunk is the same persona, in both households.
func TestImportaNucleiInParallelo(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var buf bytes.Buffer
	if err := flusso.Genera(&buf, 2500, flusso.Opzioni{Seme: 5, Oggi: f.oggi, Comuni: comuniDemo}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var h10, h1100, h2100 map[string]any
	for _, x := range []struct {
		i int
		h *map[string]any
	}{{10, &h10}, {1100, &h1100}, {2100, &h2100}} {
		if err := json.Unmarshal([]byte(lines[x.i]), x.h); err != nil {
			t.Fatal(err)
		}
	}
	// Lines 1101 and 2101 (second and third chunks): their first member is
	// line 11's.
	condiviso := h10["componenti"].([]any)[0].(map[string]any)
	for i, h := range map[int]map[string]any{1100: h1100, 2100: h2100} {
		h["componenti"].([]any)[0] = condiviso
		b, _ := json.Marshal(h)
		lines[i] = string(b)
	}
	_, c, scarti := f.importaContando(t, []byte(strings.Join(lines, "\n")+"\n"))
	if c != [4]int{2500, 0, 0, 0} || len(scarti) != 0 {
		t.Fatalf("inseriti, aggiornati, invariati, scartati = %v; rejections %+v", c, scarti)
	}
	if n := f.count(t, `SELECT count(*) FROM caso`); n != 2500 {
		t.Errorf("%d cases, want 2500", n)
	}
	if n := f.count(t, `SELECT count(*) FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE p.codice_fiscale = $1 AND nc.al IS NULL`, condiviso["codice_fiscale"]); n != 3 {
		t.Errorf("the shared person is in %d households, want 3", n)
	}
}
