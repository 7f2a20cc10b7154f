package assegnazioni_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/assegnazioni"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// altroAmbito creates a second ambito (Bologna, and two comuni named
// Castro in two provinces), a coordinatore PaIS of it, and a comune of no
// ambito; it returns the coordinatore and the comuni by ISTAT code.
func (f *elencoFixture) altroAmbito(t *testing.T) (authz.Principal, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	acc := accesso.NewService(f.pool)
	amb, comuni, err := acc.CreateAmbito(ctx, accesso.Ambito{Codice: "ATS-BO", Denominazione: "Ambito di Bologna"}, []accesso.Comune{
		{CodiceISTAT: "037006", CodiceCatastale: "A944", Denominazione: "Bologna", Provincia: "BO", Regione: "Emilia-Romagna"},
		{CodiceISTAT: "016065", CodiceCatastale: "C337", Denominazione: "Castro", Provincia: "BG", Regione: "Lombardia"},
		{CodiceISTAT: "075096", CodiceCatastale: "M261", Denominazione: "Castro", Provincia: "LE", Regione: "Puglia"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, c := range comuni {
		ids[c.CodiceISTAT] = c.ID
	}
	senza := f.fx.Comune(accesso.Comune{CodiceISTAT: "099001", CodiceCatastale: "Z999", Denominazione: "Comune Senza Ambito",
		Provincia: "RN", Regione: "Emilia-Romagna"}).ID
	ids["099001"] = senza
	for _, istat := range []string{casalecchio, zola} {
		var id int64
		if err := f.pool.QueryRow(ctx, `SELECT id FROM comune WHERE codice_istat = $1`, istat).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[istat] = id
	}
	nascita := time.Date(1979, 5, 3, 0, 0, 0, 0, time.UTC)
	op := accesso.Operatore{CodiceFiscale: codicefiscale.Compute("Bolognesi", "Elena", nascita, "F", "A944"),
		Nome: "Elena", Cognome: "Bolognesi", Genere: "F", DataNascita: &nascita, AmbitoID: &amb.ID}
	if _, err := acc.Accredit(ctx, op, []accesso.Assegnazione{{Ruolo: authz.CoordinatorePaIS, AmbitoID: &amb.ID}}); err != nil {
		t.Fatal(err)
	}
	ps, err := acc.PrincipalsByCF(ctx, op.CodiceFiscale)
	if err != nil || len(ps) != 1 {
		t.Fatalf("coordinatore of the other ambito: %v %v", ps, err)
	}
	return ps[0], ids
}

func (f *elencoFixture) registro(t *testing.T, caso uuid.UUID, azione, esito string) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM registro_accessi
		WHERE caso_id = $1 AND oggetto_tipo = 'trasferimento' AND azione = $2 AND esito = $3`, caso.String(), azione, esito).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Within the ambito: the case moves from Casalecchio to Zola Predosa, loses
// its case manager (who no longer finds it in their list) and goes back to
// "ricevuto"; the coordinatore still sees it, da assegnare, with the event
// in its history and the closed assignment period; the write is recorded.
func TestTrasferisciNellAmbito(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	ctx := context.Background()
	_, ids := f.altroAmbito(t)
	coord, cm := f.people["coordinatore"], f.people["casemanager"]
	v := registro.Voce{}
	id := f.caso(t, 1, "Neri", "Paola", casalecchio, "", f.now.AddDate(0, 0, -20))
	if es, err := f.svc.Assegna(ctx, coord, cm.OperatoreID, []assegnazioni.Richiesta{{CasoID: id, Versione: 1}}, "", v); err != nil || !es[0].OK {
		t.Fatalf("assign: %+v %v", es, err)
	}
	if e, _ := f.casi.ElencoCaseManager(ctx, cm, casi.FiltroElenco{}, v); len(e.Casi) != 1 {
		t.Fatalf("casemanager's list before: %d cases", len(e.Casi))
	}
	an, err := f.svc.AnagraficaCaso(ctx, coord, id, v)
	if err != nil {
		t.Fatal(err)
	}

	tr, err := f.svc.Trasferisci(ctx, coord, id, an.Caso.Versione, ids[zola], "  Il nucleo si è trasferito a Zola Predosa  ", v)
	if err != nil {
		t.Fatal(err)
	}
	if !tr.InScope || tr.Da != "Casalecchio di Reno (Ambito Territoriale Demo)" || tr.A != "Zola Predosa (Ambito Territoriale Demo)" {
		t.Errorf("outcome: %+v", tr)
	}
	an2, err := f.svc.AnagraficaCaso(ctx, coord, id, v)
	if err != nil {
		t.Fatalf("the coordinatore of the ambito lost the case: %v", err)
	}
	c := an2.Caso
	if c.Comune != "Zola Predosa" || c.CaseManagerID != nil || c.AssegnatoIl != nil || c.Stato != casi.Ricevuto || c.Versione != an.Caso.Versione+1 {
		t.Errorf("case after transfer: comune %s, cm %v, stato %s, versione %d", c.Comune, c.CaseManagerID, c.Stato, c.Versione)
	}
	if len(an2.Storico) == 0 || an2.Storico[0].Evento != "trasferito" || an2.Storico[0].Da != tr.Da || an2.Storico[0].A != tr.A ||
		an2.Storico[0].Nota != "Il nucleo si è trasferito a Zola Predosa" {
		t.Errorf("history: %+v", an2.Storico)
	}
	if len(an2.Assegnazioni) != 1 || an2.Assegnazioni[0].Al == nil {
		t.Errorf("the assignment period is not closed: %+v", an2.Assegnazioni)
	}
	b, err := f.svc.BoardCoordinatore(ctx, coord, assegnazioni.FiltroBoard{DaAssegnare: true, ComuneID: ids[zola]}, v)
	if err != nil || len(b.Casi) != 1 || b.Casi[0].ID != id {
		t.Errorf("board da assegnare in Zola: %+v %v", b.Casi, err)
	}
	if e, _ := f.casi.ElencoCaseManager(ctx, cm, casi.FiltroElenco{}, v); len(e.Casi) != 0 {
		t.Errorf("the former case manager still lists %d cases", len(e.Casi))
	}
	if _, err := f.casi.Access(ctx, cm, id, v); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("the former case manager still reaches the case: %v", err)
	}
	// casemanager2, case manager in Zola, may now be given the case.
	if es, err := f.svc.Assegna(ctx, coord, f.people["casemanager2"].OperatoreID, []assegnazioni.Richiesta{{CasoID: id, Versione: c.Versione}}, "", v); err != nil || !es[0].OK {
		t.Errorf("assignment in the new comune: %+v %v", es, err)
	}
	if n := f.registro(t, id, registro.Scrittura, registro.Consentito); n != 1 {
		t.Errorf("%d transfer writes in the registro, want 1", n)
	}
}

// To another ambito: a case already convocato keeps its state with no case
// manager; the source coordinatore no longer reaches it, the coordinatore
// of the destination finds it on their board, da assegnare, with the event.
func TestTrasferisciAdAltroAmbito(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	ctx := context.Background()
	coordBO, ids := f.altroAmbito(t)
	coord := f.people["coordinatore"]
	v := registro.Voce{}
	id := f.caso(t, 1, "Neri", "Paola", casalecchio, "casemanager", f.now.AddDate(0, 0, -20))
	if _, err := f.pool.Exec(ctx, `UPDATE caso SET stato = 'convocato' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AnagraficaCaso(ctx, coordBO, id, v); !errors.Is(err, casi.ErrNotFound) {
		t.Fatalf("the other ambito's coordinatore reached the case before the transfer: %v", err)
	}
	tr, err := f.svc.Trasferisci(ctx, coord, id, 1, ids["037006"], "Cambio di residenza", v)
	if err != nil {
		t.Fatal(err)
	}
	if tr.InScope || tr.A != "Bologna (Ambito di Bologna)" {
		t.Errorf("outcome: %+v", tr)
	}
	if _, err := f.svc.AnagraficaCaso(ctx, coord, id, v); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("the source coordinatore still reaches the case: %v", err)
	}
	if b, _ := f.svc.BoardCoordinatore(ctx, coord, assegnazioni.FiltroBoard{}, v); len(b.Casi) != 0 {
		t.Errorf("the source board still lists %d cases", len(b.Casi))
	}
	b, err := f.svc.BoardCoordinatore(ctx, coordBO, assegnazioni.FiltroBoard{DaAssegnare: true}, v)
	if err != nil || len(b.Casi) != 1 || b.Casi[0].ID != id || b.Casi[0].Stato != casi.Convocato || b.Casi[0].Comune != "Bologna" {
		t.Fatalf("destination board: %+v %v", b.Casi, err)
	}
	an, err := f.svc.AnagraficaCaso(ctx, coordBO, id, v)
	if err != nil || len(an.Storico) == 0 || an.Storico[0].Evento != "trasferito" ||
		an.Storico[0].Da != "Casalecchio di Reno (Ambito Territoriale Demo)" || an.Storico[0].Nota != "Cambio di residenza" {
		t.Errorf("destination anagrafica: %+v %v", an.Storico, err)
	}
	// The rule of 000005 still holds for a case never transferred.
	other := f.caso(t, 2, "Gialli", "Ugo", casalecchio, "", f.now.AddDate(0, 0, -20))
	if _, err := f.pool.Exec(ctx, `UPDATE caso SET stato = 'convocato' WHERE id = $1`, other); err == nil {
		t.Error("a case never transferred was left convocato without a case manager")
	}
}

// Refusals: only the coordinatore of the case's scope, on an open case at
// the versione shown, to another comune of some ambito, with a motivo.
func TestTrasferisciRifiuti(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	ctx := context.Background()
	coordBO, ids := f.altroAmbito(t)
	coord := f.people["coordinatore"]
	v := registro.Voce{}
	id := f.caso(t, 1, "Neri", "Paola", casalecchio, "casemanager", f.now.AddDate(0, 0, -20))
	chiuso := f.caso(t, 2, "Gialli", "Ugo", casalecchio, "casemanager", f.now.AddDate(0, 0, -20))
	if _, err := f.pool.Exec(ctx, `UPDATE caso SET stato = 'chiuso', chiuso_il = '2026-11-01', motivo_chiusura = 'Rinuncia' WHERE id = $1`, chiuso); err != nil {
		t.Fatal(err)
	}
	zolaCoord := coord
	zolaID := ids[zola]
	zolaCoord.ComuneID = &zolaID

	for _, tc := range []struct {
		name   string
		p      authz.Principal
		caso   uuid.UUID
		ver    int
		comune int64
		motivo string
		want   error
		field  string // the FieldErrors key and text expected
		text   string
	}{
		{"case manager", f.people["casemanager"], id, 1, ids[zola], "m", casi.ErrNotFound, "", ""},
		{"coordinatore of another ambito", coordBO, id, 1, ids[zola], "m", casi.ErrNotFound, "", ""},
		{"coordinatore of another comune", zolaCoord, id, 1, ids["037006"], "m", casi.ErrNotFound, "", ""},
		{"stale versione", coord, id, 0, ids[zola], "m", casi.ErrConflict, "", ""},
		{"closed case", coord, chiuso, 1, ids[zola], "m", casi.ErrChiuso, "", ""},
		{"same comune", coord, id, 1, ids[casalecchio], "m", nil, "comune", "Il caso è già del comune di Casalecchio di Reno"},
		{"comune of no ambito", coord, id, 1, ids["099001"], "m", nil, "comune", "non appartiene a un ambito"},
		{"no comune", coord, id, 1, 0, "m", nil, "comune", "Indica il comune di destinazione"},
		{"empty motivo", coord, id, 1, ids[zola], "   ", nil, "motivo", "Scrivi il motivo del trasferimento."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.Trasferisci(ctx, tc.p, tc.caso, tc.ver, tc.comune, tc.motivo, v)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Errorf("got %v, want %v", err, tc.want)
				}
				return
			}
			var fe httpx.FieldErrors
			if !errors.As(err, &fe) || !strings.Contains(fe[tc.field], tc.text) {
				t.Errorf("got %v (%v), want %s: %q", err, fe, tc.field, tc.text)
			}
		})
	}
	var comune int64
	var cm *uuid.UUID
	var ver int
	if err := f.pool.QueryRow(ctx, `SELECT comune_id, case_manager_id, versione FROM caso WHERE id = $1`, id).Scan(&comune, &cm, &ver); err != nil {
		t.Fatal(err)
	}
	if comune != ids[casalecchio] || cm == nil || ver != 1 {
		t.Errorf("a refused transfer changed the case: comune %d, cm %v, versione %d", comune, cm, ver)
	}
	if n := f.registro(t, id, registro.Negato, registro.Rifiutato); n != 3 {
		t.Errorf("%d refusals recorded, want 3 (one per principal out of scope)", n)
	}
	if n := f.registro(t, id, registro.Scrittura, registro.Consentito); n != 0 {
		t.Errorf("%d transfers recorded, want 0", n)
	}
}

// The destination typed is resolved by ISTAT code or by name, with the
// provincia to tell homonyms apart; comuni of no ambito are not offered.
func TestCercaComuni(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	ctx := context.Background()
	f.altroAmbito(t)
	for testo, want := range map[string][]string{
		"037060":           {"Zola Predosa"},
		"  zola   predosa": {"Zola Predosa"},
		"ZOLA":             {"Zola Predosa"},
		"castro":           {"Castro (BG)", "Castro (LE)"},
		"Castro (le)":      {"Castro (LE)"},
		"comune senza":     nil,
		"099001":           nil,
		"nessuno":          nil,
		"%":                nil,
		"":                 nil,
	} {
		got, err := f.svc.CercaComuni(ctx, testo)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range got {
			n := c.Denominazione
			if c.Denominazione == "Castro" {
				n += " (" + c.Provincia + ")"
			}
			names = append(names, n)
		}
		if strings.Join(names, ",") != strings.Join(want, ",") {
			t.Errorf("%q: %v, want %v", testo, names, want)
		}
	}
	if got, _ := f.svc.CercaComuni(ctx, "037011"); len(got) != 1 || got[0].Label() != "Casalecchio di Reno (BO) · 037011 · Ambito Territoriale Demo" {
		t.Errorf("label: %+v", got)
	}
}
