package accesso_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

var consentito = registro.Voce{Esito: registro.Consentito}

// ministero is the amministratore di sistema of the demo data.
func (f *fixture) ministero(t *testing.T) authz.Principal {
	t.Helper()
	acc, _ := demo.AccountByUsername("ministero")
	ps, err := f.svc.PrincipalsByCF(context.Background(), acc.CodiceFiscale())
	if err != nil || len(ps) != 1 || ps[0].Ruolo != authz.AmministratoreSistema {
		t.Fatalf("ministero: %+v, %v", ps, err)
	}
	return ps[0]
}

// loadComuni inserts comuni belonging to no ambito, as `cartella import
// comuni` leaves them.
func (f *fixture) loadComuni(t *testing.T) {
	t.Helper()
	_, err := f.pool.Exec(context.Background(), `
		INSERT INTO comune (codice_istat, codice_catastale, denominazione, provincia, regione) VALUES
		('037006', 'A944', 'Bologna', 'BO', 'Emilia-Romagna'),
		('037054', 'H945', 'San Lazzaro di Savena', 'BO', 'Emilia-Romagna'),
		('016065', 'C337', 'Castro', 'BG', 'Lombardia'),
		('075096', 'M261', 'Castro', 'LE', 'Puglia')`)
	if err != nil {
		t.Fatal(err)
	}
}

func fieldErr(t *testing.T, err error, field, want string) {
	t.Helper()
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("want field errors on %s, got %v", field, err)
	}
	if !strings.Contains(fe[field], want) {
		t.Errorf("%s: %q, want it to mention %q (all: %v)", field, fe[field], want, fe)
	}
}

func (f *fixture) newAmbito(t *testing.T, p authz.Principal, codice string) int64 {
	t.Helper()
	id, err := f.svc.AddAmbito(context.Background(), p, accesso.Ambito{Codice: codice, Denominazione: "Ambito " + codice, EnteCapofila: "Comune di Bologna"}, consentito)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// The amministratore di sistema creates an ambito; every invalid field has
// its Italian message, and a codice already used is refused.
func TestAddAmbito(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	p := f.ministero(t)
	good := accesso.Ambito{Codice: " ats-bo-01 ", Denominazione: "Ambito di Bologna", EnteCapofila: "Comune di Bologna"}
	for _, tc := range []struct {
		name  string
		edit  func(*accesso.Ambito)
		field string
		want  string
	}{
		{"empty codice", func(a *accesso.Ambito) { a.Codice = "" }, "codice", "Indica il codice"},
		{"codice too short", func(a *accesso.Ambito) { a.Codice = "X" }, "codice", "da 2 a 32"},
		{"codice with spaces", func(a *accesso.Ambito) { a.Codice = "ATS BO" }, "codice", "senza spazi"},
		{"codice too long", func(a *accesso.Ambito) { a.Codice = strings.Repeat("A", 33) }, "codice", "da 2 a 32"},
		{"demo codice taken", func(a *accesso.Ambito) { a.Codice = "ats-demo" }, "codice", "Esiste già"},
		{"short denominazione", func(a *accesso.Ambito) { a.Denominazione = " A " }, "denominazione", "da 2 a 200"},
		{"long denominazione", func(a *accesso.Ambito) { a.Denominazione = strings.Repeat("à", 201) }, "denominazione", "da 2 a 200"},
		{"no ente capofila", func(a *accesso.Ambito) { a.EnteCapofila = "" }, "ente_capofila", "ente capofila"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := good
			tc.edit(&a)
			_, err := f.svc.AddAmbito(ctx, p, a, consentito)
			fieldErr(t, err, tc.field, tc.want)
		})
	}
	id, err := f.svc.AddAmbito(ctx, p, good, consentito)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := f.svc.SchedaAmbito(ctx, p, id, consentito)
	if err != nil || sc.Ambito.Codice != "ATS-BO-01" || sc.Ambito.Denominazione != "Ambito di Bologna" || len(sc.Comuni) != 0 {
		t.Fatalf("created ambito: %+v, %v", sc, err)
	}
	_, err = f.svc.AddAmbito(ctx, p, good, consentito)
	fieldErr(t, err, "codice", "Esiste già un ambito con il codice ATS-BO-01")

	rows, next, err := f.svc.ListAmbiti(ctx, p, accesso.FiltroAmbiti{Q: "bologna"}, consentito)
	if err != nil || len(rows) != 1 || next || rows[0].Ambito.ID != id {
		t.Errorf("search by denominazione: %+v, %v", rows, err)
	}
	rows, _, _ = f.svc.ListAmbiti(ctx, p, accesso.FiltroAmbiti{}, consentito)
	if len(rows) != 2 || rows[1].Ambito.Codice != demo.AmbitoCodice || rows[1].NumComuni != 3 || len(rows[1].Amministratori) != 1 ||
		rows[1].Amministratori[0].Operatore.Cognome != "Amministri" {
		t.Errorf("list: %+v", rows)
	}
	var audited int
	_ = f.pool.QueryRow(ctx, `SELECT count(*) FROM registro_accessi WHERE azione = 'scrittura' AND oggetto_tipo = 'ambito' AND oggetto_id = $1`, itoa(id)).Scan(&audited)
	if audited != 1 {
		t.Errorf("%d register records for the creation, want 1", audited)
	}
	_ = f.pool.QueryRow(ctx, `SELECT count(*) FROM registro_accessi WHERE azione = 'lettura' AND oggetto_tipo IN ('ambito', 'ambiti')`).Scan(&audited)
	if audited != 3 {
		t.Errorf("%d register records for the readings, want 3", audited)
	}
}

func TestListAmbitiPages(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	p := f.ministero(t)
	for i := 0; i < accesso.PageSize+2; i++ {
		f.newAmbito(t, p, "ATS-"+itoa(int64(100+i)))
	}
	rows, next, err := f.svc.ListAmbiti(ctx, p, accesso.FiltroAmbiti{}, consentito)
	if err != nil || len(rows) != accesso.PageSize || !next {
		t.Fatalf("page 1: %d rows, next %v, %v", len(rows), next, err)
	}
	rows, next, _ = f.svc.ListAmbiti(ctx, p, accesso.FiltroAmbiti{Pagina: 2}, consentito)
	if len(rows) != 3 || next {
		t.Errorf("page 2: %d rows, next %v", len(rows), next)
	}
}

// Comuni are added by ISTAT code or by name among those loaded; a shared
// name asks for the ISTAT code; a comune of another ambito is refused
// naming that ambito.
func TestAddComune(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	p := f.ministero(t)
	f.loadComuni(t)
	id := f.newAmbito(t, p, "ATS-BO")

	c, err := f.svc.AddComune(ctx, p, id, "037006", consentito)
	if err != nil || c.Denominazione != "Bologna" {
		t.Fatalf("by ISTAT code: %+v, %v", c, err)
	}
	if c, err = f.svc.AddComune(ctx, p, id, "  san LAZZARO di savena ", consentito); err != nil || c.CodiceISTAT != "037054" {
		t.Fatalf("by name: %+v, %v", c, err)
	}
	_, err = f.svc.AddComune(ctx, p, id, "Castro", consentito)
	fieldErr(t, err, "comune", "Indica il codice ISTAT")
	fieldErr(t, err, "comune", "075096")
	if _, err = f.svc.AddComune(ctx, p, id, "075096", consentito); err != nil {
		t.Fatalf("homonym by ISTAT code: %v", err)
	}
	_, err = f.svc.AddComune(ctx, p, id, "Bologna", consentito)
	fieldErr(t, err, "comune", "già parte di questo ambito")
	_, err = f.svc.AddComune(ctx, p, id, "Casalecchio di Reno", consentito)
	fieldErr(t, err, "comune", "Ambito Territoriale Demo")
	_, err = f.svc.AddComune(ctx, p, id, "Atlantide", consentito)
	fieldErr(t, err, "comune", "Nessun comune")
	_, err = f.svc.AddComune(ctx, p, id, "999999", consentito)
	fieldErr(t, err, "comune", "Nessun comune con codice ISTAT 999999")
	_, err = f.svc.AddComune(ctx, p, id, " ", consentito)
	fieldErr(t, err, "comune", "Indica")
	if _, err := f.svc.AddComune(ctx, p, 999999, "037006", consentito); !errors.Is(err, accesso.ErrAmbitoNotFound) {
		t.Errorf("unknown ambito: %v", err)
	}

	sc, err := f.svc.SchedaAmbito(ctx, p, id, consentito)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range sc.Comuni {
		names = append(names, c.Denominazione+" "+c.Provincia)
	}
	if strings.Join(names, ", ") != "Bologna BO, Castro LE, San Lazzaro di Savena BO" {
		t.Errorf("comuni of the ambito: %v", names)
	}
	var audited int
	_ = f.pool.QueryRow(ctx, `SELECT count(*) FROM registro_accessi WHERE azione = 'scrittura' AND dettaglio LIKE 'comune aggiunto:%'`).Scan(&audited)
	if audited != 3 {
		t.Errorf("%d register records for the comuni added, want 3", audited)
	}
}

// A comune leaves its ambito only when no role in force is scoped to it.
func TestRemoveComune(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	p := f.ministero(t)
	demoID := *f.admin.AmbitoID
	err := f.svc.RemoveComune(ctx, p, demoID, f.comuni[0].ID, consentito)
	fieldErr(t, err, "comune_rimuovi", "non può essere rimosso")
	fieldErr(t, err, "comune_rimuovi", "Case manager: 1")

	// Sasso Marconi has no operator: it can go, and then be added elsewhere.
	sasso := f.comuni[1]
	if sasso.Denominazione != "Sasso Marconi" {
		t.Fatalf("demo comuni order: %+v", f.comuni)
	}
	if err := f.svc.RemoveComune(ctx, p, demoID, sasso.ID, consentito); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RemoveComune(ctx, p, demoID, sasso.ID, consentito); !errors.Is(err, accesso.ErrComuneNotFound) {
		t.Errorf("removing it twice: %v", err)
	}
	other := f.newAmbito(t, p, "ATS-ALTRO")
	if _, err := f.svc.AddComune(ctx, p, other, sasso.CodiceISTAT, consentito); err != nil {
		t.Errorf("adding the removed comune to another ambito: %v", err)
	}

	// A role ended yesterday no longer holds the comune: once every demo
	// account of Zola Predosa has left, it can be removed.
	zola := f.comuni[2]
	yesterday := time.Now().AddDate(0, 0, -1).Format("2006-01-02")
	for _, u := range []string{"casemanager2", "coordcontrolli2", "respcontrolli2"} {
		err = f.svc.RemoveComune(ctx, p, demoID, zola.ID, consentito)
		fieldErr(t, err, "comune_rimuovi", "Zola Predosa")
		acc, _ := demo.AccountByUsername(u)
		ps, _ := f.svc.PrincipalsByCF(ctx, acc.CodiceFiscale())
		sc, _ := f.svc.SchedaOperatore(ctx, f.admin, ps[0].OperatoreID, consentito)
		if err := f.svc.EndRuolo(ctx, f.admin, ps[0].OperatoreID, sc.Versione, ps[0].RuoloID, yesterday, "Trasferito", consentito); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.RemoveComune(ctx, p, demoID, zola.ID, consentito); err != nil {
		t.Errorf("after the role ended: %v", err)
	}
}

// The amministratore di ambito accredited by the Ministry signs in as such;
// a codice fiscale already accredited anywhere is refused; the amministratore
// can be suspended, reactivated and revoked, with history and hook.
func TestAccreditAmministratore(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	p := f.ministero(t)
	id := f.newAmbito(t, p, "ATS-BO")
	an := anagrafica("Bianchi", "Laura", nascita, "F")
	today := time.Now().Format("2006-01-02")

	bad := an
	bad.DataNascita = "1988-05-18"
	_, err := f.svc.AccreditAmministratore(ctx, p, id, bad, today, consentito)
	fieldErr(t, err, "codice_fiscale", "non corrisponde")
	_, err = f.svc.AccreditAmministratore(ctx, p, id, an, "ieri", consentito)
	fieldErr(t, err, "dal", "data di inizio")
	cm, _ := demo.AccountByUsername("casemanager")
	taken := accesso.Anagrafica{CodiceFiscale: cm.CodiceFiscale(), Nome: cm.Nome, Cognome: cm.Cognome, DataNascita: cm.Nascita.Format("2006-01-02"),
		ComuneNascita: "Bologna", Genere: cm.Genere, Email: "giulia@comune.example.it"}
	_, err = f.svc.AccreditAmministratore(ctx, p, id, taken, today, consentito)
	fieldErr(t, err, "codice_fiscale", "incompatibile con altri ruoli")
	if _, err := f.svc.AccreditAmministratore(ctx, p, 999999, an, today, consentito); !errors.Is(err, accesso.ErrAmbitoNotFound) {
		t.Errorf("unknown ambito: %v", err)
	}

	opID, err := f.svc.AccreditAmministratore(ctx, p, id, an, today, consentito)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := f.svc.PrincipalsByCF(ctx, an.CodiceFiscale)
	if err != nil || len(ps) != 1 || ps[0].Ruolo != authz.AmministratoreAmbito || ps[0].AmbitoID == nil || *ps[0].AmbitoID != id ||
		ps[0].Ambito != "Ambito ATS-BO" || ps[0].Domain != "ambito:"+itoa(id) {
		t.Fatalf("principals of the new amministratore: %+v, %v", ps, err)
	}
	_, err = f.svc.AccreditAmministratore(ctx, p, id, an, today, consentito)
	fieldErr(t, err, "codice_fiscale", "incompatibile con altri ruoli")
	// The new amministratore manages their ambito, which has no other operator
	// yet (the amministratore is not listed among the operators they manage).
	if rows, _, err := f.svc.ListOperatori(ctx, ps[0], accesso.Filtro{}, consentito); err != nil || len(rows) != 0 {
		t.Errorf("the new amministratore's operators: %+v, %v", rows, err)
	}

	ver := func() int {
		sc, err := f.svc.SchedaAmbito(ctx, p, id, consentito)
		if err != nil || len(sc.Amministratori) != 1 {
			t.Fatalf("amministratori: %+v, %v", sc.Amministratori, err)
		}
		return sc.Amministratori[0].Versione
	}
	// Only an amministratore of this ambito: not an ordinary operator, not another ambito's.
	if err := f.svc.ChangeStatoAmministratore(ctx, p, id, ps[0].OperatoreID, ver(), accesso.Sospendi, today, "x", consentito); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.PrincipalsByCF(ctx, an.CodiceFiscale); !errors.Is(err, accesso.ErrNotAccredited) {
		t.Errorf("suspended amministratore still accredited: %v", err)
	}
	if err := f.svc.ChangeStatoAmministratore(ctx, p, id, opID, ver()-1, accesso.Riattiva, today, "Rientro", consentito); !errors.Is(err, accesso.ErrConflict) {
		t.Errorf("stale version: %v", err)
	}
	if err := f.svc.ChangeStatoAmministratore(ctx, p, id, opID, ver(), accesso.Riattiva, today, "Rientro", consentito); err != nil {
		t.Fatal(err)
	}
	cmPs, _ := f.svc.PrincipalsByCF(ctx, cm.CodiceFiscale())
	demoID := *f.admin.AmbitoID
	if err := f.svc.ChangeStatoAmministratore(ctx, p, demoID, cmPs[0].OperatoreID, 1, accesso.Sospendi, today, "x", consentito); !errors.Is(err, accesso.ErrOperatoreNotFound) {
		t.Errorf("suspending a case manager from the ambiti screens: %v", err)
	}
	if err := f.svc.ChangeStatoAmministratore(ctx, p, demoID, opID, ver(), accesso.Sospendi, today, "x", consentito); !errors.Is(err, accesso.ErrOperatoreNotFound) {
		t.Errorf("through another ambito: %v", err)
	}
	if err := f.svc.ChangeStatoAmministratore(ctx, p, id, opID, ver(), accesso.Revoca, today, "Fine incarico", consentito); err != nil {
		t.Fatal(err)
	}
	err = f.svc.ChangeStatoAmministratore(ctx, p, id, opID, ver(), accesso.Riattiva, today, "Errore", consentito)
	fieldErr(t, err, "azione", "definitiva")

	sc, _ := f.svc.SchedaAmbito(ctx, p, id, consentito)
	if a := sc.Amministratori[0]; a.Operatore.Stato != "revocato" || a.Motivo != "Fine incarico" {
		t.Errorf("amministratore after revocation: %+v", a)
	}
	rows, err := f.pool.Query(ctx, `SELECT azione, autore_id FROM operatore_storico WHERE operatore_id = $1 ORDER BY id`, opID)
	if err != nil {
		t.Fatal(err)
	}
	var history []string
	for rows.Next() {
		var azione string
		var autore *uuid.UUID
		if err := rows.Scan(&azione, &autore); err != nil {
			t.Fatal(err)
		}
		if autore == nil || *autore != p.OperatoreID {
			t.Errorf("%s by %v, want the amministratore di sistema", azione, autore)
		}
		history = append(history, azione)
	}
	if strings.Join(history, ",") != "accreditamento,sospendi,riattiva,revoca" {
		t.Errorf("history: %v", history)
	}
	if strings.Join(f.events, ",") != "attivo,sospeso,attivo,revocato" {
		t.Errorf("change hook: %v", f.events)
	}
	var audited int
	_ = f.pool.QueryRow(ctx, `SELECT count(*) FROM registro_accessi WHERE azione = 'scrittura' AND oggetto_tipo = 'operatore' AND oggetto_id = $1`, opID.String()).Scan(&audited)
	if audited != 4 {
		t.Errorf("%d register records for the amministratore, want 4", audited)
	}
}

// Nobody but the amministratore di sistema: not even an amministratore di
// ambito.
func TestAmbitiForbidden(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	id := *f.admin.AmbitoID
	for _, username := range []string{"amministratore", "coordinatore", "casemanager", "operatoreats"} {
		acc, _ := demo.AccountByUsername(username)
		ps, _ := f.svc.PrincipalsByCF(ctx, acc.CodiceFiscale())
		p := ps[0]
		for name, err := range map[string]error{
			"list":   func() error { _, _, err := f.svc.ListAmbiti(ctx, p, accesso.FiltroAmbiti{}, consentito); return err }(),
			"scheda": func() error { _, err := f.svc.SchedaAmbito(ctx, p, id, consentito); return err }(),
			"add": func() error {
				_, err := f.svc.AddAmbito(ctx, p, accesso.Ambito{Codice: "ATS-X"}, consentito)
				return err
			}(),
			"comune": func() error { _, err := f.svc.AddComune(ctx, p, id, "037006", consentito); return err }(),
			"remove": f.svc.RemoveComune(ctx, p, id, f.comuni[0].ID, consentito),
			"accredit": func() error {
				_, err := f.svc.AccreditAmministratore(ctx, p, id, anagrafica("Bianchi", "Laura", nascita, "F"), "2026-01-01", consentito)
				return err
			}(),
			"stato": f.svc.ChangeStatoAmministratore(ctx, p, id, f.admin.OperatoreID, 1, accesso.Sospendi, time.Now().Format("2006-01-02"), "x", consentito),
		} {
			if !errors.Is(err, httpx.ErrForbidden) {
				t.Errorf("%s as %s: %v, want forbidden", name, username, err)
			}
		}
	}
	ps, _ := f.svc.PrincipalsByCF(ctx, f.admin.CodiceFiscale)
	if len(ps) != 1 || ps[0].Ruolo != authz.AmministratoreAmbito {
		t.Errorf("the amministratore was changed: %+v", ps)
	}
}
