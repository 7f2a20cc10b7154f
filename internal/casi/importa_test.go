package casi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/flusso"
	"github.com/cartella/cartella/internal/registro"
)

func (f *elencoFixture) importa(t *testing.T, data []byte) (int64, [4]int, []flusso.Scarto) {
	t.Helper()
	ctx := context.Background()
	amb := *f.people["coordinatore"].AmbitoID
	id, err := f.svc.NuovaImportazione(ctx, amb, nil, "nuclei.jsonl", int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	imp, err := f.svc.Importa(ctx, id, amb, nil, bytes.NewReader(data), registro.Voce{Indirizzo: "test"})
	if err != nil || imp.Stato != "completata" {
		t.Fatalf("import: %+v %v", imp, err)
	}
	if imp.ByteLetti != int64(len(data)) || imp.Percentuale() != 100 {
		t.Errorf("progress at the end: %d of %d bytes", imp.ByteLetti, len(data))
	}
	sc, err := f.svc.Scarti(ctx, id, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return id, [4]int{imp.Inseriti, imp.Aggiornati, imp.Invariati, imp.Scartati}, sc
}

func (f *elencoFixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Import of the nuclei flow: every valid household becomes a case, every
// bad line is reported with its reason, importing the same file again
// changes nothing, a changed household is updated with its composition
// history, and a household of a comune outside the ambito is refused.
func TestImportaNuclei(t *testing.T) {
	f := elencoSetup(t)
	var buf bytes.Buffer
	if err := flusso.Genera(&buf, 2000, flusso.Opzioni{Seme: 7, Oggi: f.now, Comuni: []string{casalecchio, zola, "037057"}}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// Line 2001: a comune of another ambito (Bologna); line 2002: broken JSON.
	var other map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &other)
	other["id_domanda"], other["comune_residenza"] = "INPS-ALTRO-1", "037006"
	b, _ := json.Marshal(other)
	file := strings.Join(append(lines, string(b), `{"id_domanda": "INPS-ROTTO"`), "\n") + "\n"

	_, c, scarti := f.importa(t, []byte(file))
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

	_, c, _ = f.importa(t, []byte(file))
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
	_, c, _ = f.importa(t, append(nb, '\n'))
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
