package casi_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/registro"
)

func (f *elencoFixture) comuneID(t *testing.T, istat string) string {
	t.Helper()
	var id int64
	if err := f.pool.QueryRow(context.Background(), `SELECT id FROM comune WHERE codice_istat = $1`, istat).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(id, 10)
}

func (f *elencoFixture) conta(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func membroApertura(cognome, nome, sesso string, nascita time.Time, rel string) casi.ComponenteApertura {
	return casi.ComponenteApertura{
		CodiceFiscale: codicefiscale.Compute(cognome, nome, nascita, sesso, "A944"), Cognome: cognome, Nome: nome, Sesso: sesso,
		DataNascita: nascita.Format("2006-01-02"), Cittadinanza: "ITA", Relazione: rel, InScala: true,
	}
}

// aperturaValida is a family of two with an ADI domanda whose PAD was
// signed ten days before the fixture's today, and two blank rows.
func (f *elencoFixture) aperturaValida(t *testing.T, istat string) casi.Apertura {
	in := casi.NuovaApertura(4)
	in.Misura, in.IDDomanda = "ADI", "INPS-MAN-1"
	in.DataDomanda, in.DataPAD = f.now.AddDate(0, 0, -40).Format("2006-01-02"), f.now.AddDate(0, 0, -10).Format("2006-01-02")
	in.ComuneID, in.Indirizzo, in.Telefono = f.comuneID(t, istat), "Via Porrettana 1, Casalecchio di Reno", "051 123456"
	in.Componenti[0] = membroApertura("Verdi", "Giulia", "F", time.Date(1984, 3, 9, 0, 0, 0, 0, time.UTC), "richiedente")
	in.Componenti[1] = membroApertura("Verdi", "Tommaso", "M", time.Date(2015, 7, 1, 0, 0, 0, 0, time.UTC), "figlio")
	in.Componenti[1].Disabilita = true
	return in
}

// A case manager opening a case becomes its case manager: the case is
// 'assegnato', manual, with its history, its assignment period, its
// deadlines and a registro record, and it is in their list.
func TestApriCaseManager(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	out, errs, err := f.svc.Apri(ctx, cm, f.aperturaValida(t, casalecchio), registro.Voce{})
	if err != nil || len(errs) > 0 {
		t.Fatalf("apri: %v %v", errs, err)
	}
	if !out.Assegnato || !strings.HasPrefix(out.Codice, "C-") {
		t.Errorf("outcome: %+v", out)
	}
	sc, err := f.svc.Scheda(ctx, cm, out.ID, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	c := sc.Caso
	if c.Stato != casi.Assegnato || c.Origine != "manuale" || c.CaseManagerID == nil || *c.CaseManagerID != cm.OperatoreID || c.IDDomanda != "INPS-MAN-1" {
		t.Errorf("case: %+v", c)
	}
	if len(sc.Membri) != 2 || !sc.Membri[1].Disabilita || sc.Membri[1].Eta(sc.Oggi) != 11 {
		t.Errorf("members: %+v", sc.Membri)
	}
	if sc.Scadenze.T120.Scadenza == nil || !sc.Scadenze.T120.Scadenza.Equal(f.now.AddDate(0, 0, 110).Truncate(24*time.Hour)) {
		t.Errorf("T120 from the PAD: %v", sc.Scadenze.T120.Scadenza)
	}
	if n := f.conta(t, `SELECT count(*) FROM caso_assegnazione WHERE caso_id = $1 AND case_manager_id = $2 AND al IS NULL`, out.ID, cm.OperatoreID); n != 1 {
		t.Errorf("assignment periods: %d", n)
	}
	if n := f.conta(t, `SELECT count(*) FROM caso_storico WHERE caso_id = $1 AND evento IN ('aperto', 'assegnato')`, out.ID); n != 2 {
		t.Errorf("history events: %d", n)
	}
	if n := f.conta(t, `SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND azione = 'scrittura' AND dettaglio LIKE 'apertura manuale%'`, out.ID.String()); n != 1 {
		t.Errorf("registro: %d", n)
	}
	e, err := f.svc.ElencoCaseManager(ctx, cm, casi.FiltroElenco{Q: "verdi"}, registro.Voce{})
	if err != nil || len(e.Casi) != 1 || e.Casi[0].ID != out.ID {
		t.Errorf("in the list: %+v %v", e.Casi, err)
	}
	// The same domanda cannot be opened twice.
	_, errs, err = f.svc.Apri(ctx, cm, f.aperturaValida(t, casalecchio), registro.Voce{})
	if err != nil || !strings.Contains(errs["id_domanda"], "già nella cartella") {
		t.Errorf("same domanda again: %v %v", errs, err)
	}
}

// The form's errors come back per field, in Italian, from the same checks
// as the flow, and nothing is written.
func TestApriErrors(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	in := f.aperturaValida(t, casalecchio)
	in.DataPAD = ""
	in.Componenti[0].CodiceFiscale = in.Componenti[0].CodiceFiscale[:15] + "X"
	if in.Componenti[0].CodiceFiscale == codicefiscale.Compute("Verdi", "Giulia", time.Date(1984, 3, 9, 0, 0, 0, 0, time.UTC), "F", "A944") {
		in.Componenti[0].CodiceFiscale = in.Componenti[0].CodiceFiscale[:15] + "Y"
	}
	in.Componenti[1].Cognome = ""
	in.Componenti[3].Nome = "Solo un nome" // a row with something typed counts
	in.Telefono = "abc"
	_, errs, err := f.svc.Apri(ctx, cm, in, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"c0_codice_fiscale": "carattere di controllo errato",
		"c1_cognome":        "Componente 2, cognome: campo obbligatorio",
		"data_pad":          "obbligatoria per ADI",
		"telefono":          "Telefono non valido",
		"c3_codice_fiscale": "Componente 3, codice fiscale: campo obbligatorio",
		"c3_relazione":      "campo obbligatorio",
	} {
		if !strings.Contains(errs[k], want) {
			t.Errorf("%s: %q, want it to contain %q (all: %v)", k, errs[k], want, errs)
		}
	}
	if _, ok := errs["c2_codice_fiscale"]; ok {
		t.Errorf("a blank row was checked: %v", errs)
	}
	// Another comune than the case manager's.
	_, errs, _ = f.svc.Apri(ctx, cm, f.aperturaValida(t, zola), registro.Voce{})
	if !strings.Contains(errs["comune"], "Comune") {
		t.Errorf("comune out of scope: %v", errs)
	}
	// No richiedente.
	in = f.aperturaValida(t, casalecchio)
	in.Componenti[0].Relazione = "coniuge"
	_, errs, _ = f.svc.Apri(ctx, cm, in, registro.Voce{})
	if !strings.Contains(errs["componenti"], "richiedente") {
		t.Errorf("without richiedente: %v", errs)
	}
	if n := f.conta(t, `SELECT count(*) FROM caso`); n != 0 {
		t.Errorf("%d cases written", n)
	}
	if n := f.conta(t, `SELECT count(*) FROM persona`); n != 0 {
		t.Errorf("%d persons written", n)
	}
}

// A coordinatore's case waits on the board; a presa in carico without a
// measure has no domanda INPS; a person already known is reused, unless
// the name typed is another.
func TestApriCoordinatoreSenzaMisura(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	ctx := context.Background()
	co := f.people["coordinatore"]
	first, errs, err := f.svc.Apri(ctx, co, f.aperturaValida(t, zola), registro.Voce{})
	if err != nil || len(errs) > 0 {
		t.Fatalf("apri: %v %v", errs, err)
	}
	var stato string
	var cm *uuid.UUID
	if err := f.pool.QueryRow(ctx, `SELECT stato, case_manager_id FROM caso WHERE id = $1`, first.ID).Scan(&stato, &cm); err != nil {
		t.Fatal(err)
	}
	if first.Assegnato || stato != "ricevuto" || cm != nil {
		t.Errorf("coordinatore's case: %s %v", stato, cm)
	}
	in := f.aperturaValida(t, casalecchio)
	in.Misura, in.IDDomanda, in.DataDomanda, in.DataPAD = "ALTRO", "", "", ""
	in.Componenti[1] = casi.ComponenteApertura{InScala: true}
	out, errs, err := f.svc.Apri(ctx, co, in, registro.Voce{})
	if err != nil || len(errs) > 0 {
		t.Fatalf("senza misura: %v %v", errs, err)
	}
	var idDomanda *string
	if err := f.pool.QueryRow(ctx, `SELECT d.id_domanda FROM caso c JOIN domanda d ON d.id = c.domanda_id WHERE c.id = $1`, out.ID).Scan(&idDomanda); err != nil || idDomanda != nil {
		t.Errorf("senza misura: id domanda %v %v", idDomanda, err)
	}
	if n := f.conta(t, `SELECT count(*) FROM persona`); n != 2 {
		t.Errorf("persons: %d, want the richiedente reused", n)
	}
	in = f.aperturaValida(t, casalecchio)
	in.IDDomanda = "INPS-MAN-2"
	in.Componenti[0].Nome = "Giulio" // the same letters in the code as Giulia
	in.Componenti[0].CodiceFiscale = codicefiscale.Compute("Verdi", "Giulia", time.Date(1984, 3, 9, 0, 0, 0, 0, time.UTC), "F", "A944")
	_, errs, _ = f.svc.Apri(ctx, co, in, registro.Voce{})
	if !strings.Contains(errs["c0_codice_fiscale"], "già registrato") {
		t.Errorf("same CF, another name: %v", errs)
	}
	in.Componenti[0].Nome = "Giuliana" // letters the code does not have
	_, errs, _ = f.svc.Apri(ctx, co, in, registro.Voce{})
	if !strings.Contains(errs["c0_codice_fiscale"], "non corrisponde a cognome e nome") {
		t.Errorf("CF and names apart: %v", errs)
	}
	if _, _, err := f.svc.Apri(ctx, f.people["amministratore"], in, registro.Voce{}); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("amministratore: %v", err)
	}
}

func (f *elencoFixture) versione(t *testing.T, id uuid.UUID) int {
	return f.conta(t, `SELECT versione FROM caso WHERE id = $1`, id)
}

// Closing keeps the state the case was in, and reopening returns to it;
// both are in the history; a stale version is a conflict; another case
// manager is refused and the refusal recorded.
func TestChiudiRiapri(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	id := f.caso(t, 1, "Bianchi", "Laura", casalecchio, "casemanager", f.now.AddDate(0, 0, -30))
	if _, err := f.pool.Exec(ctx, `UPDATE caso SET stato = 'convocato', aperto_il = $2 WHERE id = $1`, id, f.now.AddDate(0, 0, -30)); err != nil {
		t.Fatal(err)
	}
	v := f.versione(t, id)
	oggi := f.now.Format("2006-01-02")
	if errs, _ := f.svc.Chiudi(ctx, cm, id, casi.Chiusura{Motivo: "Boh", Data: "2099-01-01", Versione: v}, registro.Voce{}); errs["motivo"] == "" || errs["data"] == "" {
		t.Errorf("bad form: %v", errs)
	}
	if _, err := f.svc.Chiudi(ctx, cm, id, casi.Chiusura{Motivo: "Rinuncia", Data: oggi, Versione: v - 1}, registro.Voce{}); !errors.Is(err, casi.ErrConflict) {
		t.Errorf("stale version: %v", err)
	}
	if _, err := f.svc.Chiudi(ctx, f.people["casemanager2"], id, casi.Chiusura{Motivo: "Rinuncia", Data: oggi, Versione: v}, registro.Voce{}); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("casemanager2: %v", err)
	}
	if n := f.conta(t, `SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND azione = 'accesso_negato'`, id.String()); n != 1 {
		t.Errorf("refusal recorded %d times", n)
	}
	errs, err := f.svc.Chiudi(ctx, cm, id, casi.Chiusura{Motivo: "Rinuncia", Data: oggi, Nota: "Il nucleo rinuncia.", Versione: v}, registro.Voce{})
	if err != nil || len(errs) > 0 {
		t.Fatalf("chiudi: %v %v", errs, err)
	}
	if _, err := f.svc.Chiudi(ctx, cm, id, casi.Chiusura{Motivo: "Rinuncia", Data: oggi, Versione: v + 1}, registro.Voce{}); !errors.Is(err, casi.ErrChiuso) {
		t.Errorf("closing a closed case: %v", err)
	}
	aperti, _ := f.svc.ElencoCaseManager(ctx, cm, casi.FiltroElenco{}, registro.Voce{})
	chiusi, _ := f.svc.ElencoCaseManager(ctx, cm, casi.FiltroElenco{Chiusi: true}, registro.Voce{})
	if len(aperti.Casi) != 0 || len(chiusi.Casi) != 1 || chiusi.Casi[0].MotivoChiusura != "Rinuncia" {
		t.Errorf("lists after closing: %d open, %+v", len(aperti.Casi), chiusi.Casi)
	}
	if errs, _ := f.svc.Riapri(ctx, cm, id, casi.Riapertura{Motivo: " ", Versione: v + 1}, registro.Voce{}); errs["motivo"] == "" {
		t.Errorf("reopening without a reason: %v", errs)
	}
	if _, err := f.svc.Riapri(ctx, cm, id, casi.Riapertura{Motivo: "Ripensamento", Versione: v}, registro.Voce{}); !errors.Is(err, casi.ErrConflict) {
		t.Errorf("stale version on reopening: %v", err)
	}
	errs, err = f.svc.Riapri(ctx, cm, id, casi.Riapertura{Motivo: "Il nucleo ci ripensa", Versione: v + 1}, registro.Voce{})
	if err != nil || len(errs) > 0 {
		t.Fatalf("riapri: %v %v", errs, err)
	}
	st, err := f.svc.StoricoDelCaso(ctx, cm, id, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Caso.Stato != casi.Convocato || st.Caso.ChiusoIl != nil || st.Caso.Versione != v+2 {
		t.Errorf("reopened: %s %v v%d", st.Caso.Stato, st.Caso.ChiusoIl, st.Caso.Versione)
	}
	if len(st.Eventi) < 2 || st.Eventi[0].Evento != "riaperto" || st.Eventi[0].A != "convocato" || st.Eventi[0].Nota != "Il nucleo ci ripensa" ||
		st.Eventi[1].Evento != "chiuso" || st.Eventi[1].Da != "convocato" || !strings.Contains(st.Eventi[1].Nota, "Rinuncia") {
		t.Errorf("history: %+v", st.Eventi)
	}
	if _, err := f.svc.Riapri(ctx, cm, id, casi.Riapertura{Motivo: "Di nuovo", Versione: v + 2}, registro.Voce{}); !errors.Is(err, casi.ErrGiaAperto) {
		t.Errorf("reopening an open case: %v", err)
	}
}

// The case manager records that a member is a victim of gender violence:
// the T90 becomes exempt; a stale version is refused.
func TestAggiornaCondizioni(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	id := f.caso(t, 1, "Bianchi", "Laura", casalecchio, "casemanager", f.now.AddDate(0, 0, -30))
	var persona uuid.UUID
	if err := f.pool.QueryRow(ctx, `SELECT nc.persona_id FROM caso c JOIN nucleo_componente nc ON nc.nucleo_id = c.nucleo_id WHERE c.id = $1`, id).Scan(&persona); err != nil {
		t.Fatal(err)
	}
	if _, err := f.inc.RegistraIncontro(ctx, cm, id, incontri.NuovoIncontro{Tipo: "primo_incontro", Data: calendario.Data(f.now.AddDate(0, 0, -5)),
		Luogo: "Sportello sociale", Presenze: map[uuid.UUID]incontri.PresenzaInput{persona: {Stato: "presente"}}}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.AggiornaAl(ctx, f.pool, id, f.now); err != nil {
		t.Fatal(err)
	}
	if d := leggi(t, f.pool, id); d.t90Sta != "in_corso" {
		t.Fatalf("T90 before: %s", d.t90Sta)
	}
	v := f.versione(t, id)
	if errs, _ := f.svc.AggiornaCondizioni(ctx, cm, id, persona, casi.Condizioni{InviatoCPIIl: "2099-01-01", Versione: v}, registro.Voce{}); errs["inviato_cpi_il"] == "" {
		t.Errorf("future CPI date: %v", errs)
	}
	if _, err := f.svc.AggiornaCondizioni(ctx, cm, id, persona, casi.Condizioni{VittimaViolenza: true, Versione: v - 1}, registro.Voce{}); !errors.Is(err, casi.ErrConflict) {
		t.Errorf("stale version: %v", err)
	}
	if _, err := f.svc.AggiornaCondizioni(ctx, cm, id, uuid.New(), casi.Condizioni{VittimaViolenza: true, Versione: v}, registro.Voce{}); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("not a member: %v", err)
	}
	errs, err := f.svc.AggiornaCondizioni(ctx, cm, id, persona, casi.Condizioni{VittimaViolenza: true, Versione: v}, registro.Voce{})
	if err != nil || len(errs) > 0 {
		t.Fatalf("aggiorna: %v %v", errs, err)
	}
	if d := leggi(t, f.pool, id); d.t90Sta != "esente" {
		t.Errorf("T90 after: %s, want esente", d.t90Sta)
	}
	if f.versione(t, id) != v+1 {
		t.Errorf("version not bumped")
	}
	if n := f.conta(t, `SELECT count(*) FROM caso_storico WHERE caso_id = $1 AND evento = 'componente' AND nota LIKE '%violenza di genere: no → sì%'`, id); n != 1 {
		t.Errorf("history: %d", n)
	}
	if n := f.conta(t, `SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND azione = 'scrittura' AND oggetto_tipo = 'componente'`, id.String()); n != 1 {
		t.Errorf("registro: %d", n)
	}
}

// Opening a case never tells that a domanda or a codice fiscale is held in
// another ambito (issue 20, point 7): the words are those said when nothing
// is held anywhere but the data do not fit.
func TestApriNonRivelaAltriAmbiti(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	ctx := context.Background()
	co := f.people["coordinatore"]
	if _, err := f.pool.Exec(ctx, `WITH a AS (INSERT INTO ambito (codice, denominazione) VALUES ('ATS-ALTRO', 'Altro ambito') RETURNING id)
		INSERT INTO comune (codice_istat, codice_catastale, denominazione, provincia, regione, ambito_id)
		SELECT '999001', 'Z998', 'Altrove', 'RM', 'Lazio', a.id FROM a`); err != nil {
		t.Fatal(err)
	}
	// A household of the other ambito: Verdi Giulio, with the code of
	// Verdi Giulia (the same letters), domanda INPS-ALTROVE.
	cf := f.aperturaValida(t, casalecchio).Componenti[0].CodiceFiscale
	if _, err := f.pool.Exec(ctx, `
		WITH n AS (INSERT INTO nucleo DEFAULT VALUES RETURNING id),
		     p AS (INSERT INTO persona (codice_fiscale, cognome, nome, sesso, data_nascita) VALUES ($1, 'Verdi', 'Giulio', 'F', '1984-03-09') RETURNING id),
		     c1 AS (INSERT INTO nucleo_componente (nucleo_id, persona_id, relazione) SELECT n.id, p.id, 'richiedente' FROM n, p),
		     d AS (INSERT INTO domanda (misura, id_domanda, nucleo_id, data_domanda, data_pad)
		           SELECT 'ADI', 'INPS-ALTROVE', n.id, current_date - 10, current_date FROM n RETURNING id, nucleo_id)
		INSERT INTO caso (domanda_id, nucleo_id, ambito_id, comune_id, stato)
		SELECT d.id, d.nucleo_id, co.ambito_id, co.id, 'ricevuto' FROM d, comune co WHERE co.codice_istat = '999001'`, cf); err != nil {
		t.Fatal(err)
	}
	// Same codice fiscale, the name typed differs from the other ambito's.
	_, errs, err := f.svc.Apri(ctx, co, f.aperturaValida(t, casalecchio), registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if msg := errs["c0_codice_fiscale"]; strings.Contains(msg, "già") || !strings.Contains(msg, "non corrisponde a cognome e nome") {
		t.Errorf("CF held elsewhere under another name: %q", msg)
	}
	// The other ambito's domanda.
	in := f.aperturaValida(t, casalecchio)
	in.IDDomanda = "INPS-ALTROVE"
	in.Componenti[0].CodiceFiscale = codicefiscale.Compute("Verdi", "Giulia", time.Date(1984, 3, 9, 0, 0, 0, 0, time.UTC), "F", "H501")
	_, errs, _ = f.svc.Apri(ctx, co, in, registro.Voce{})
	if msg := errs["id_domanda"]; msg != casi.MsgDomandaNonApribile {
		t.Errorf("domanda held elsewhere: %q", msg)
	}
	if all := fmt.Sprint(errs); strings.Contains(all, "Altro") || strings.Contains(all, "Altrove") || strings.Contains(all, "già") {
		t.Errorf("the other ambito is hinted at: %v", errs)
	}
	if n := f.conta(t, `SELECT count(*) FROM caso c JOIN comune co ON co.id = c.comune_id WHERE co.codice_istat <> '999001'`); n != 0 {
		t.Errorf("%d cases written", n)
	}
}
