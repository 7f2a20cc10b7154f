package accesso_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

type fixture struct {
	pool   *pgxpool.Pool
	svc    *accesso.Service
	admin  authz.Principal // amministratore di ambito of the demo ambito
	comuni []accesso.Comune
	events []string
}

func setup(t *testing.T) *fixture {
	t.Helper()
	pool := dbtest.New(t)
	svc := accesso.NewService(pool)
	f := &fixture{pool: pool, svc: svc}
	svc.SetAudit(registro.NewService(pool, registro.ChiaveDiProva()), func(_ context.Context, id uuid.UUID, stato string) {
		f.events = append(f.events, stato)
	})
	ctx := context.Background()
	if err := demo.Load(ctx, svc, nil); err != nil {
		t.Fatal(err)
	}
	acc, _ := demo.AccountByUsername("amministratore")
	ps, err := svc.PrincipalsByCF(ctx, acc.CodiceFiscale())
	if err != nil {
		t.Fatal(err)
	}
	f.admin = ps[0]
	if f.comuni, err = svc.ComuniAmbito(ctx, f.admin); err != nil {
		t.Fatal(err)
	}
	return f
}

func anagrafica(cognome, nome string, birth time.Time, sex string) accesso.Anagrafica {
	return accesso.Anagrafica{
		CodiceFiscale: strings.ToLower(codicefiscale.Compute(cognome, nome, birth, sex, "A944")),
		Nome:          nome, Cognome: cognome, DataNascita: birth.Format("2006-01-02"), ComuneNascita: "Bologna",
		Genere: sex, Email: strings.ToLower(nome) + "@comune.example.it", Telefono: "+39 051 123456",
	}
}

func (f *fixture) comune(i int) string { return itoa(f.comuni[i].ID) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var nascita = time.Date(1988, 5, 17, 0, 0, 0, 0, time.UTC)

// An accredited case manager can sign in at once, in the comune given.
func TestAccreditCaseManager(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	an := anagrafica("Esposito", "Marta", nascita, "F")
	id, err := f.svc.AccreditOperatore(ctx, f.admin, an, accesso.NuovoRuolo{
		Ruolo: string(authz.CaseManager), ComuneID: f.comune(2), Fondo: accesso.Fondi[0], Dal: "2026-01-01"}, registro.Voce{Esito: registro.Consentito})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := f.svc.PrincipalsByCF(ctx, "TINIT-"+strings.ToUpper(an.CodiceFiscale))
	if err != nil || len(ps) != 1 || ps[0].Ruolo != authz.CaseManager || ps[0].Ambito != "Comune di "+f.comuni[2].Denominazione {
		t.Fatalf("principals after accreditation: %+v, %v", ps, err)
	}
	sc, err := f.svc.SchedaOperatore(ctx, f.admin, id, registro.Voce{Esito: registro.Consentito})
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Storico) != 1 || !strings.Contains(sc.Storico[0].Descrizione, "Accreditato come Case manager") || sc.Storico[0].Autore != f.admin.NomeCompleto() {
		t.Errorf("history: %+v", sc.Storico)
	}
	if len(f.events) != 1 {
		t.Errorf("change hook called %d times", len(f.events))
	}
	var audited int
	_ = f.pool.QueryRow(ctx, `SELECT count(*) FROM registro_accessi WHERE azione = 'scrittura' AND oggetto_id = $1`, id.String()).Scan(&audited)
	if audited != 1 {
		t.Errorf("%d register records for the accreditation, want 1", audited)
	}
}

// Every invalid field gets its own Italian message; nothing is written.
func TestAccreditValidation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	good := anagrafica("Esposito", "Marta", nascita, "F")
	ruolo := accesso.NuovoRuolo{Ruolo: string(authz.CaseManager), ComuneID: f.comune(0), Fondo: accesso.Fondi[0], Dal: "2026-01-01"}
	existing, _ := demo.AccountByUsername("casemanager")
	for _, tc := range []struct {
		name  string
		edit  func(*accesso.Anagrafica, *accesso.NuovoRuolo)
		field string
		want  string
	}{
		{"bad check character", func(a *accesso.Anagrafica, _ *accesso.NuovoRuolo) { a.CodiceFiscale = a.CodiceFiscale[:15] + "a" }, "codice_fiscale", "carattere di controllo"},
		{"cf not matching birth date", func(a *accesso.Anagrafica, _ *accesso.NuovoRuolo) { a.DataNascita = "1988-05-18" }, "codice_fiscale", "non corrisponde"},
		{"cf not matching sex", func(a *accesso.Anagrafica, _ *accesso.NuovoRuolo) { a.Genere = "M" }, "codice_fiscale", "non corrisponde"},
		{"already accredited", func(a *accesso.Anagrafica, _ *accesso.NuovoRuolo) {
			a.CodiceFiscale, a.DataNascita, a.Genere = existing.CodiceFiscale(), existing.Nascita.Format("2006-01-02"), existing.Genere
		}, "codice_fiscale", "già accreditato"},
		// An amministratore's codice fiscale (or one held in another
		// ambito) gets one message that names neither.
		{"an amministratore's cf", func(a *accesso.Anagrafica, _ *accesso.NuovoRuolo) {
			adm, _ := demo.AccountByUsername("ministero")
			a.CodiceFiscale, a.DataNascita, a.Genere, a.Nome, a.Cognome = adm.CodiceFiscale(), adm.Nascita.Format("2006-01-02"), adm.Genere, adm.Nome, adm.Cognome
		}, "codice_fiscale", accesso.NonAccreditabile},
		{"missing name", func(a *accesso.Anagrafica, _ *accesso.NuovoRuolo) { a.Nome = " " }, "nome", "Indica il nome"},
		{"bad email", func(a *accesso.Anagrafica, _ *accesso.NuovoRuolo) { a.Email = "marta@" }, "email", "e-mail valido"},
		{"future birth", func(a *accesso.Anagrafica, _ *accesso.NuovoRuolo) { a.DataNascita = "2090-01-01" }, "data_nascita", "non è plausibile"},
		{"case manager without comune", func(_ *accesso.Anagrafica, r *accesso.NuovoRuolo) { r.ComuneID = "" }, "comune_id", "comune di competenza"},
		{"comune of another ambito", func(_ *accesso.Anagrafica, r *accesso.NuovoRuolo) { r.ComuneID = "999999" }, "comune_id", "comune dell'ambito"},
		{"amministratore role", func(_ *accesso.Anagrafica, r *accesso.NuovoRuolo) { r.Ruolo = string(authz.AmministratoreAmbito) }, "ruolo", "Scegli il ruolo"},
		{"ATS with comune", func(_ *accesso.Anagrafica, r *accesso.NuovoRuolo) { r.Ruolo = string(authz.OperatoreATS) }, "comune_id", "intero ambito"},
		{"unknown fund", func(_ *accesso.Anagrafica, r *accesso.NuovoRuolo) { r.Fondo = "Tesoretto" }, "fondo", "fondo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, r := good, ruolo
			tc.edit(&a, &r)
			_, err := f.svc.AccreditOperatore(ctx, f.admin, a, r, registro.Voce{Esito: registro.Consentito})
			var fe httpx.FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("want field errors, got %v", err)
			}
			if !strings.Contains(fe[tc.field], tc.want) {
				t.Errorf("%s: %q, want it to mention %q (all: %v)", tc.field, fe[tc.field], tc.want, fe)
			}
		})
	}
	var n int
	_ = f.pool.QueryRow(ctx, `SELECT count(*) FROM operatore`).Scan(&n)
	if n != len(demo.Accounts) {
		t.Errorf("%d operators after refused accreditations, want %d", n, len(demo.Accounts))
	}
}

// An amministratore manages only their own ambito, and no other role may
// manage operators at all.
func TestScope(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	other, _, err := f.svc.CreateAmbito(ctx, accesso.Ambito{Codice: "ATS-ALTRO", Denominazione: "Altro ambito"},
		[]accesso.Comune{{CodiceISTAT: "037006", CodiceCatastale: "A944", Denominazione: "Bologna", Provincia: "BO", Regione: "Emilia-Romagna"}})
	if err != nil {
		t.Fatal(err)
	}
	amb := other.ID
	otherAdmin := f.admin
	otherAdmin.AmbitoID = &amb
	cm, _ := demo.AccountByUsername("casemanager")
	ps, _ := f.svc.PrincipalsByCF(ctx, cm.CodiceFiscale())
	if _, _, err := f.svc.ListOperatori(ctx, ps[0], accesso.Filtro{}, registro.Voce{Esito: registro.Consentito}); err == nil {
		t.Error("a case manager listed operators")
	}
	rows, _, err := f.svc.ListOperatori(ctx, otherAdmin, accesso.Filtro{}, registro.Voce{Esito: registro.Consentito})
	if err != nil || len(rows) != 0 {
		t.Errorf("the other ambito's amministratore sees %d operators, %v", len(rows), err)
	}
	if _, err := f.svc.SchedaOperatore(ctx, otherAdmin, ps[0].OperatoreID, registro.Voce{Esito: registro.Consentito}); !errors.Is(err, accesso.ErrOperatoreNotFound) {
		t.Errorf("another ambito's operator: %v, want not found", err)
	}
}

func TestListFiltersAndPages(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	for i := 0; i < 30; i++ {
		birth := nascita.AddDate(0, 0, i)
		an := anagrafica("Rossi", "Anna", birth, "F")
		if _, err := f.svc.AccreditOperatore(ctx, f.admin, an, accesso.NuovoRuolo{Ruolo: string(authz.ResponsabileControlli),
			ComuneID: f.comune(1), Fondo: accesso.Fondi[1], Dal: "2026-01-01"}, registro.Voce{Esito: registro.Consentito}); err != nil {
			t.Fatal(err)
		}
	}
	list := func(fl accesso.Filtro) ([]accesso.RigaOperatore, bool) {
		rows, next, err := f.svc.ListOperatori(ctx, f.admin, fl, registro.Voce{Esito: registro.Consentito})
		if err != nil {
			t.Fatal(err)
		}
		return rows, next
	}
	rows, next := list(accesso.Filtro{})
	if len(rows) != accesso.PageSize || !next {
		t.Fatalf("page 1: %d rows, next %v", len(rows), next)
	}
	rows, next = list(accesso.Filtro{Pagina: 2})
	if len(rows) != 30+len(demo.Accounts)-2-accesso.PageSize || next {
		t.Errorf("page 2: %d rows, next %v", len(rows), next) // ministero has no ambito; amministratore is not listed
	}
	if rows, _ := list(accesso.Filtro{Q: "ferrari giulia"}); len(rows) != 1 || rows[0].Operatore.Cognome != "Ferrari" {
		t.Errorf("search by surname and name: %d rows", len(rows))
	}
	if rows, _ := list(accesso.Filtro{Ruolo: string(authz.ResponsabileControlli), ComuneID: f.comuni[1].ID}); len(rows) != accesso.PageSize {
		t.Errorf("filter by role and comune: %d rows", len(rows))
	}
	if rows, _ := list(accesso.Filtro{Stato: "sospeso"}); len(rows) != 0 {
		t.Errorf("filter by state: %d rows", len(rows))
	}
}

// Suspension ends access at once; reactivation restores it; revocation is
// final. Each change is in the history with its date and reason.
func TestSuspendReactivateRevoke(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	cm, _ := demo.AccountByUsername("casemanager")
	ps, _ := f.svc.PrincipalsByCF(ctx, cm.CodiceFiscale())
	id := ps[0].OperatoreID
	ver := func() int {
		sc, err := f.svc.SchedaOperatore(ctx, f.admin, id, registro.Voce{Esito: registro.Consentito})
		if err != nil {
			t.Fatal(err)
		}
		return sc.Versione
	}
	today := time.Now().Format("2006-01-02")
	if err := f.svc.ChangeStato(ctx, f.admin, id, ver(), accesso.Sospendi, today, "Congedo", registro.Voce{Esito: registro.Consentito}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.PrincipalsByCF(ctx, cm.CodiceFiscale()); !errors.Is(err, accesso.ErrNotAccredited) {
		t.Errorf("suspended operator still accredited: %v", err)
	}
	if err := f.svc.ChangeStato(ctx, f.admin, id, ver(), accesso.Riattiva, today, "Rientro", registro.Voce{Esito: registro.Consentito}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.PrincipalsByCF(ctx, cm.CodiceFiscale()); err != nil {
		t.Errorf("reactivated operator: %v", err)
	}
	if err := f.svc.ChangeStato(ctx, f.admin, id, ver(), accesso.Revoca, today, "Fine incarico", registro.Voce{Esito: registro.Consentito}); err != nil {
		t.Fatal(err)
	}
	err := f.svc.ChangeStato(ctx, f.admin, id, ver(), accesso.Riattiva, today, "Errore", registro.Voce{Esito: registro.Consentito})
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe["azione"], "definitiva") {
		t.Errorf("reactivating a revoked operator: %v", err)
	}
	sc, _ := f.svc.SchedaOperatore(ctx, f.admin, id, registro.Voce{Esito: registro.Consentito})
	if len(sc.Storico) != 3 || !strings.Contains(sc.Storico[0].Descrizione, "revocato") || !strings.Contains(sc.Storico[0].Descrizione, "Fine incarico") {
		t.Errorf("history: %+v", sc.Storico)
	}
	if strings.Join(f.events, ",") != "sospeso,attivo,revocato" {
		t.Errorf("change hook: %v", f.events)
	}
	err = f.svc.ChangeStato(ctx, f.admin, id, ver(), accesso.Sospendi, time.Now().AddDate(0, 0, 3).Format("2006-01-02"), "x", registro.Voce{Esito: registro.Consentito})
	if !errors.As(err, &fe) {
		t.Errorf("future date: %v", err)
	}
}

// Roles: add one, refuse a duplicate, end one with date and reason.
func TestRoles(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	cm, _ := demo.AccountByUsername("casemanager")
	ps, _ := f.svc.PrincipalsByCF(ctx, cm.CodiceFiscale())
	id := ps[0].OperatoreID
	sc, _ := f.svc.SchedaOperatore(ctx, f.admin, id, registro.Voce{Esito: registro.Consentito})
	add := accesso.NuovoRuolo{Ruolo: string(authz.CoordinatorePaIS), Fondo: accesso.Fondi[0], Dal: "2026-01-01"}
	if err := f.svc.AddRuolo(ctx, f.admin, id, sc.Versione, add, registro.Voce{Esito: registro.Consentito}); err != nil {
		t.Fatal(err)
	}
	if ps, _ := f.svc.PrincipalsByCF(ctx, cm.CodiceFiscale()); len(ps) != 2 || !ps[0].AltriRuoli {
		t.Fatalf("after adding a role: %+v", ps)
	}
	sc, _ = f.svc.SchedaOperatore(ctx, f.admin, id, registro.Voce{Esito: registro.Consentito})
	err := f.svc.AddRuolo(ctx, f.admin, id, sc.Versione, add, registro.Voce{Esito: registro.Consentito})
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe["ruolo"], "già questo ruolo") {
		t.Errorf("duplicate role: %v", err)
	}
	var cmRole int64
	for _, r := range sc.Ruoli {
		if r.Ruolo == authz.CaseManager {
			cmRole = r.ID
		}
	}
	yesterday := time.Now().AddDate(0, 0, -1).Format("2006-01-02")
	if err := f.svc.EndRuolo(ctx, f.admin, id, sc.Versione, cmRole, yesterday, "Trasferita", registro.Voce{Esito: registro.Consentito}); err != nil {
		t.Fatal(err)
	}
	ps, _ = f.svc.PrincipalsByCF(ctx, cm.CodiceFiscale())
	if len(ps) != 1 || ps[0].Ruolo != authz.CoordinatorePaIS {
		t.Errorf("after ending the case manager role: %+v", ps)
	}
}

// Two amministratori open the same operator; the second save is refused
// with ErrConflict instead of silently overwriting the first.
func TestConcurrentEditConflict(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	cm, _ := demo.AccountByUsername("casemanager")
	ps, _ := f.svc.PrincipalsByCF(ctx, cm.CodiceFiscale())
	id := ps[0].OperatoreID
	sc, _ := f.svc.SchedaOperatore(ctx, f.admin, id, registro.Voce{Esito: registro.Consentito})
	an := accesso.Anagrafica{CodiceFiscale: cm.CodiceFiscale(), Nome: cm.Nome, Cognome: cm.Cognome,
		DataNascita: cm.Nascita.Format("2006-01-02"), ComuneNascita: "Bologna", Genere: cm.Genere, Email: "primo@comune.example.it"}
	if err := f.svc.UpdateAnagrafica(ctx, f.admin, id, sc.Versione, an, registro.Voce{Esito: registro.Consentito}); err != nil {
		t.Fatal(err)
	}
	an.Email = "secondo@comune.example.it"
	if err := f.svc.UpdateAnagrafica(ctx, f.admin, id, sc.Versione, an, registro.Voce{Esito: registro.Consentito}); !errors.Is(err, accesso.ErrConflict) {
		t.Fatalf("stale save: %v, want ErrConflict", err)
	}
	sc2, _ := f.svc.SchedaOperatore(ctx, f.admin, id, registro.Voce{Esito: registro.Consentito})
	if sc2.Operatore.Email != "primo@comune.example.it" {
		t.Errorf("the first save was overwritten: %s", sc2.Operatore.Email)
	}
	if !strings.Contains(sc2.Storico[0].Descrizione, "e-mail da «giulia") && !strings.Contains(sc2.Storico[0].Descrizione, "e-mail da «casemanager") {
		t.Errorf("history of the change: %q", sc2.Storico[0].Descrizione)
	}
}

// The amministratore di ambito is managed by the amministratore di sistema:
// not listed on /admin/operatori, not reachable there by id, and their
// codice fiscale cannot be accredited again with another role.
func TestAmministratoriNotManagedAsOperators(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	ok := registro.Voce{Esito: registro.Consentito}
	rows, _, err := f.svc.ListOperatori(ctx, f.admin, accesso.Filtro{Q: f.admin.Cognome}, ok)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Operatore.ID == f.admin.OperatoreID {
			t.Error("the amministratore di ambito is listed among the operators")
		}
	}
	if _, err := f.svc.SchedaOperatore(ctx, f.admin, f.admin.OperatoreID, ok); !errors.Is(err, accesso.ErrOperatoreNotFound) {
		t.Errorf("scheda of the amministratore: %v, want not found", err)
	}
	if err := f.svc.ChangeStato(ctx, f.admin, f.admin.OperatoreID, 1, "sospendi", "2026-01-01", "prova", ok); !errors.Is(err, accesso.ErrOperatoreNotFound) {
		t.Errorf("suspending the amministratore from /admin/operatori: %v, want not found", err)
	}
	acc, _ := demo.AccountByUsername("amministratore")
	an := anagrafica(acc.Cognome, acc.Nome, acc.Nascita, acc.Genere)
	an.CodiceFiscale = acc.CodiceFiscale()
	_, err = f.svc.AccreditOperatore(ctx, f.admin, an, accesso.NuovoRuolo{Ruolo: string(authz.CaseManager), ComuneID: f.comune(0),
		Fondo: accesso.Fondi[0], Dal: "2026-01-01"}, ok)
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe["codice_fiscale"], "non è compatibile") {
		t.Errorf("accrediting the amministratore as case manager: %v", err)
	}
}
