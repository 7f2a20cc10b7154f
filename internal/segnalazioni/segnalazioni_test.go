package segnalazioni

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/schede"
	"github.com/cartella/cartella/web/ui"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const notaDiario = "Colloquio riservato: la signora riferisce problemi di salute del figlio"

var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

type fixture struct {
	pool   *pgxpool.Pool
	svc    *Service
	now    time.Time
	people map[string]authz.Principal
	caso   uuid.UUID
	madre  uuid.UUID
	figlio uuid.UUID
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.New(t)
	acc := accesso.NewService(pool)
	if err := demo.Load(ctx, acc, nil); err != nil {
		t.Fatal(err)
	}
	reg := registro.NewService(pool, registro.ChiaveDiProva())
	cs := casi.NewService(pool, reg)
	f := &fixture{pool: pool, people: map[string]authz.Principal{}, now: time.Date(2026, 10, 20, 9, 0, 0, 0, calendario.Roma)}
	clock := func() time.Time { return f.now }
	cs.SetClock(clock)
	f.svc = NewService(pool, reg, cs)
	f.svc.SetClock(clock)
	for _, a := range demo.Accounts {
		ps, err := acc.PrincipalsByCF(ctx, a.CodiceFiscale())
		if err != nil {
			t.Fatal(err)
		}
		f.people[a.Username] = ps[0]
	}
	cm := f.people["casemanager"]
	fx := fixtures.New(t, pool)
	fx.Casi = cs
	c := fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-SEG-1", DataDomanda: fixtures.Data("2026-06-01"), DataPAD: fixtures.Data("2026-06-10"),
		CaseManager: cm, Stato: casi.Monitoraggio, Membri: []fixtures.Membro{
			fixtures.Componente("BNCLRA86A41A944X", "Bianchi", "Laura", "F", "1986-01-01", "richiedente"),
			fixtures.Componente("BNCMRC16A01A944X", "Bianchi", "Marco", "M", "2016-01-01", "figlio"),
		}})
	f.caso, f.madre, f.figlio = c.ID, c.Persone[0], c.Persone[1]
	fx.Nota(cm, f.caso, "2026-10-01", notaDiario)
	return f
}

func (f *fixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) valida() Input {
	return Input{Tipo: "mancata_presentazione", PersonaID: f.madre.String(), DataEvento: "2026-10-05", DataAccertamento: "2026-10-06",
		Descrizione: "Convocata con raccomandata per il 5/10 alle 10:00, non si è presentata.\nNessun giustificato motivo comunicato.",
		Allegati:    []File{{Nome: `C:\Documenti\verbale.pdf`, Dati: pdf}}}
}

func (f *fixture) crea(t *testing.T, invia bool) uuid.UUID {
	t.Helper()
	id, err := f.svc.Crea(context.Background(), f.people["casemanager"], f.caso, f.valida(), invia, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) dettaglio(t *testing.T, id uuid.UUID) Segnalazione {
	t.Helper()
	sc, err := f.svc.Dettaglio(context.Background(), f.people["casemanager"], f.caso, id, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	return sc.Segnalazione
}

func (f *fixture) passaggi(t *testing.T, id uuid.UUID) string {
	t.Helper()
	rows, err := f.pool.Query(context.Background(), `SELECT da || '>' || a FROM segnalazione_stato WHERE segnalazione_id = $1 ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func ver(n int) string { return strconv.Itoa(n) }

// A draft with errors is refused field by field, in Italian, and nothing
// is saved; once corrected it is saved as a bozza with its attachment, its
// first state recorded, the write in the registro.
func TestBozzaConErroriPoiSalvata(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	_, err := f.svc.Crea(ctx, cm, f.caso, Input{}, false, registro.Voce{})
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("empty form: %v", err)
	}
	for k, want := range map[string]string{
		"tipo": "Scegli il tipo di evento", "persona_id": "Scegli il componente", "data_evento": "Indica la data dell'evento",
		"data_accertamento": "Indica la data in cui", "descrizione": "Descrivi il fatto",
	} {
		if !strings.Contains(fe[k], want) {
			t.Errorf("%s: %q, want %q", k, fe[k], want)
		}
	}
	in := f.valida()
	in.DataEvento, in.DataAccertamento = "2026-10-06", "2026-10-05"
	in.Allegati = append(in.Allegati, File{Nome: "note.txt", Dati: []byte("testo semplice")}, File{Nome: "grande.pdf", Dati: append(append([]byte{}, pdf...), make([]byte, MaxAllegato)...)})
	_, err = f.svc.Crea(ctx, cm, f.caso, in, false, registro.Voce{})
	if !errors.As(err, &fe) || fe["data_accertamento"] != "La data dell'accertamento non può precedere quella dell'evento." ||
		!strings.Contains(fe["allegati"], "«note.txt» non è un PDF, un JPEG o un PNG") || !strings.Contains(fe["allegati"], "«grande.pdf» supera i 10 MB") {
		t.Fatalf("dates and files: %v", fe)
	}
	in = f.valida()
	in.DataEvento, in.DataAccertamento = "2026-10-21", "2026-10-22"
	if _, err = f.svc.Crea(ctx, cm, f.caso, in, false, registro.Voce{}); !errors.As(err, &fe) ||
		fe["data_evento"] != "La data dell'evento non può essere futura." || fe["data_accertamento"] != "La data dell'accertamento non può essere futura." {
		t.Fatalf("future dates: %v", err)
	}
	if n := f.count(t, `SELECT count(*) FROM segnalazione`); n != 0 {
		t.Fatalf("%d segnalazioni saved by refused forms", n)
	}

	id := f.crea(t, false)
	sg := f.dettaglio(t, id)
	if sg.Stato != Bozza || sg.Numero != 1 || sg.Componente != "Bianchi Laura" || len(sg.Allegati) != 1 ||
		sg.Allegati[0].Nome != "verbale.pdf" || sg.Allegati[0].Mime != "application/pdf" || sg.Tipo.Riferimento != "D.L. 48/2023, art. 8, comma 6, lettera a)" {
		t.Fatalf("saved: %+v", sg)
	}
	if got := f.passaggi(t, id); got != ">bozza" {
		t.Errorf("states %q", got)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE azione = 'scrittura' AND oggetto_tipo = 'segnalazione' AND oggetto_id = $1 AND caso_id = $2`,
		id.String(), f.caso.String()); n != 1 {
		t.Errorf("%d registro records of the write", n)
	}
	e, err := f.svc.Elenco(ctx, cm, f.caso, registro.Voce{})
	if err != nil || len(e.Segnalazioni) != 1 || e.Segnalazioni[0].Stato != Bozza {
		t.Fatalf("elenco: %v %+v", err, e.Segnalazioni)
	}
	a, err := f.svc.Allegato(ctx, cm, f.caso, id, sg.Allegati[0].ID, registro.Voce{})
	if err != nil || !bytes.Equal(a.Dati, pdf) {
		t.Fatalf("download: %v", err)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE azione = 'esportazione' AND oggetto_tipo = 'segnalazione_allegato'`); n != 1 {
		t.Errorf("%d records of the download", n)
	}
	// Annulling a draft; it is kept, with its state change.
	if err := f.svc.Annulla(ctx, cm, f.caso, id, ver(sg.Versione), "Doppione", registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if got := f.passaggi(t, id); got != ">bozza bozza>annullata" {
		t.Errorf("states %q", got)
	}
}

func render(t *testing.T, d Decisione) string {
	t.Helper()
	var b strings.Builder
	if err := decisionePage(ui.Shell{}, d, formDecisione{}).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The whole way: sent to approval, refused with a motivo, corrected (a
// stale versione refused), sent again, approved, exported; the coordinatore
// sees only the decision's fields; the file is downloadable again, the same
// bytes; every state change kept.
func TestApprovazioneEdEsportazione(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	cm, co := f.people["casemanager"], f.people["coordinatore"]
	id := f.crea(t, true)
	sg := f.dettaglio(t, id)
	if sg.Stato != InApprovazione {
		t.Fatalf("stato %s", sg.Stato)
	}

	c, err := f.svc.Coda(ctx, co, 1, registro.Voce{})
	if err != nil || len(c.Righe) != 1 || c.Righe[0].ID != id || c.Righe[0].Comune != "Casalecchio di Reno" {
		t.Fatalf("coda: %v %+v", err, c.Righe)
	}
	letture := `SELECT count(*) FROM registro_accessi WHERE azione = 'lettura' AND oggetto_tipo = 'segnalazione' AND oggetto_id = $1`
	prima := f.count(t, letture, id.String())
	d, err := f.svc.Decisione(ctx, co, id, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	page := render(t, d)
	for _, want := range []string{"Bianchi Laura", "BNCLRA86A41A944X", "Mancata presentazione ai servizi", "D.L. 48/2023, art. 8, comma 6, lettera a)",
		"Decadenza dal beneficio", "05/10/2026", "06/10/2026", "non si è presentata", "verbale.pdf", "INPS-SEG-1", "Casalecchio di Reno"} {
		if !strings.Contains(page, want) {
			t.Errorf("decision page lacks %q", want)
		}
	}
	for _, not := range []string{notaDiario, "Bianchi Marco", "BNCMRC16A01A944X"} {
		if strings.Contains(page, not) {
			t.Errorf("decision page shows %q", not)
		}
	}
	if n := f.count(t, letture, id.String()); n != prima+1 {
		t.Errorf("%d records of the coordinatore's read", n)
	}

	var fe httpx.FieldErrors
	if err := f.svc.Respingi(ctx, co, id, ver(d.Versione), "  ", registro.Voce{}); !errors.As(err, &fe) || fe["motivo"] == "" {
		t.Fatalf("refusal without motivo: %v", err)
	}
	if err := f.svc.Respingi(ctx, co, id, ver(d.Versione), "Manca la data della convocazione.", registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	sg = f.dettaglio(t, id)
	if sg.Stato != Respinta || sg.MotivoRifiuto != "Manca la data della convocazione." {
		t.Fatalf("after refusal: %s %q", sg.Stato, sg.MotivoRifiuto)
	}
	in := FromSegnalazione(sg)
	in.Descrizione = "Convocata con raccomandata del 28/9 per il 5/10 alle 10:00, non si è presentata."
	stale := in
	stale.Versione = ver(sg.Versione - 1)
	if err := f.svc.Modifica(ctx, cm, f.caso, id, stale, true, registro.Voce{}); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale edit: %v", err)
	}
	if err := f.svc.Modifica(ctx, cm, f.caso, id, in, true, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	d, err = f.svc.Decisione(ctx, co, id, registro.Voce{})
	if err != nil || d.Stato != InApprovazione || !strings.Contains(d.Descrizione, "raccomandata del 28/9") {
		t.Fatalf("resent: %v %s", err, d.Stato)
	}
	if err := f.svc.Approva(ctx, co, id, ver(d.Versione-1), registro.Voce{}); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale approval: %v", err)
	}
	f.now = f.now.Add(time.Hour)
	if err := f.svc.Approva(ctx, co, id, ver(d.Versione), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Approva(ctx, co, id, ver(d.Versione+1), registro.Voce{}); !errors.Is(err, ErrStato) {
		t.Fatalf("approving twice: %v", err)
	}

	f.now = f.now.Add(time.Hour)
	inv, err := f.svc.Esporta(ctx, co, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	coordCF := demoCF(t, "coordinatore")
	want := fmt.Sprintf(`{"versione_tracciato":1,"id_invio":%d,"id_segnalazione":"%s","numero":"S-000001","id_rettificata":null,`+
		`"id_domanda":"INPS-SEG-1","misura":"ADI","codice_fiscale":"BNCLRA86A41A944X","codice_evento":"mancata_presentazione",`+
		`"riferimento_normativo":"D.L. 48/2023, art. 8, comma 6, lettera a)","effetto":"decadenza","data_evento":"2026-10-05",`+
		`"data_accertamento":"2026-10-06","comune_istat":"037011","ambito":"ATS-DEMO",`+
		`"descrizione":"Convocata con raccomandata del 28/9 per il 5/10 alle 10:00, non si è presentata.","impegno":"",`+
		`"allegati":[{"nome":"verbale.pdf","mime":"application/pdf","dimensione":%d,"sha256":"%x"}],`+
		`"approvata_da":"%s","approvata_il":"2026-10-20T08:00:00Z"}`+"\n", inv.ID, id, len(pdf), sha256.Sum256(pdf), coordCF)
	if string(inv.Contenuto) != want {
		t.Errorf("export file:\n%s\nwant:\n%s", inv.Contenuto, want)
	}
	if inv.NomeFile != fmt.Sprintf("segnalazioni-ATS-DEMO-%06d.jsonl", inv.ID) || inv.Numero != 1 {
		t.Errorf("batch %q %d", inv.NomeFile, inv.Numero)
	}
	sg = f.dettaglio(t, id)
	if sg.Stato != Inviata || sg.InvioID == nil || *sg.InvioID != inv.ID {
		t.Fatalf("after export: %s", sg.Stato)
	}
	again, err := f.svc.FileInvio(ctx, co, inv.ID, registro.Voce{})
	sum := sha256.Sum256(again.Contenuto)
	if err != nil || !bytes.Equal(again.Contenuto, inv.Contenuto) || hex.EncodeToString(sum[:]) != again.SHA256Hex() {
		t.Fatalf("download again: %v", err)
	}
	if _, err := f.svc.Esporta(ctx, co, registro.Voce{}); !errors.Is(err, ErrNienteDaInviare) {
		t.Fatalf("second export: %v", err)
	}
	ii, err := f.svc.Invii(ctx, co, registro.Voce{})
	if err != nil || len(ii.Invii) != 1 || ii.DaInviare != 0 {
		t.Fatalf("invii: %v %+v", err, ii)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE azione = 'esportazione' AND oggetto_tipo = 'segnalazione_invio'`); n != 2 {
		t.Errorf("%d records of the export and the download", n)
	}
	if got := f.passaggi(t, id); got != ">bozza bozza>in_approvazione in_approvazione>respinta respinta>in_approvazione in_approvazione>approvata approvata>inviata" {
		t.Errorf("states %q", got)
	}
	// What was sent is frozen, and its history append-only.
	if _, err := f.pool.Exec(ctx, `UPDATE segnalazione SET descrizione = 'altro' WHERE id = $1`, id); err == nil {
		t.Error("the database let a sent segnalazione change")
	}
	if _, err := f.pool.Exec(ctx, `DELETE FROM segnalazione_stato WHERE segnalazione_id = $1`, id); err == nil {
		t.Error("the database let the history be deleted")
	}
}

func demoCF(t *testing.T, username string) string {
	a, ok := demo.AccountByUsername(username)
	if !ok {
		t.Fatal(username)
	}
	return a.CodiceFiscale()
}

// A sent segnalazione is rectified by a new one linked to it, starting from
// its data and attachments; once the rectification is approved and sent,
// the export carries the rectified id and the original is rettificata.
func TestRettifica(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	cm, co := f.people["casemanager"], f.people["coordinatore"]
	id := f.crea(t, true)
	if err := f.svc.Approva(ctx, co, id, ver(f.dettaglio(t, id).Versione), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Rettifica(ctx, cm, f.caso, id, ver(f.dettaglio(t, id).Versione), registro.Voce{}); !errors.Is(err, ErrStato) {
		t.Fatalf("rectifying an unsent one: %v", err)
	}
	if _, err := f.svc.Esporta(ctx, co, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	orig := f.dettaglio(t, id)
	r, err := f.svc.Rettifica(ctx, cm, f.caso, id, ver(orig.Versione), registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Rettifica(ctx, cm, f.caso, id, ver(orig.Versione), registro.Voce{}); !errors.Is(err, ErrStato) {
		t.Fatalf("a second rectification: %v", err)
	}
	rs := f.dettaglio(t, r)
	if rs.Stato != Bozza || rs.RettificaDi == nil || *rs.RettificaDi != id || rs.Numero != 2 || len(rs.Allegati) != 1 || rs.Descrizione != orig.Descrizione {
		t.Fatalf("rectification: %+v", rs)
	}
	if o := f.dettaglio(t, id); o.Stato != Inviata || o.RettificataDa == nil || *o.RettificataDa != r {
		t.Fatalf("original while rectified: %s", o.Stato)
	}
	in := FromSegnalazione(rs)
	in.DataEvento = "2026-10-04"
	if err := f.svc.Modifica(ctx, cm, f.caso, r, in, true, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	d, err := f.svc.Decisione(ctx, co, r, registro.Voce{})
	if err != nil || d.RettificaDi == nil || d.RettificaDi.Numero != 1 {
		t.Fatalf("decision on the rectification: %v", err)
	}
	if page := render(t, d); !strings.Contains(page, "Segnalazione rettificata: S-000001") {
		t.Error("the decision page does not show what is rectified")
	}
	if err := f.svc.Approva(ctx, co, r, ver(d.Versione), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	inv, err := f.svc.Esporta(ctx, co, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(inv.Contenuto), `"id_rettificata":"`+id.String()+`"`) || !strings.Contains(string(inv.Contenuto), `"data_evento":"2026-10-04"`) {
		t.Errorf("rectification's line: %s", inv.Contenuto)
	}
	if got := f.passaggi(t, id); !strings.HasSuffix(got, "approvata>inviata inviata>rettificata") {
		t.Errorf("original's states %q", got)
	}
	if got := f.passaggi(t, r); got != ">bozza bozza>in_approvazione in_approvazione>approvata approvata>inviata" {
		t.Errorf("rectification's states %q", got)
	}
}

// Another case manager, a coordinatore of another ambito or comune, and the
// case manager on the coordinatore's side reach nothing (404, recorded).
func TestAmbitoDiRiga(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	id := f.crea(t, true)
	cm2 := f.people["casemanager2"]
	if _, err := f.svc.Elenco(ctx, cm2, f.caso, registro.Voce{}); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("casemanager2 list: %v", err)
	}
	if _, err := f.svc.Dettaglio(ctx, cm2, f.caso, id, registro.Voce{}); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("casemanager2 detail: %v", err)
	}
	if err := f.svc.Annulla(ctx, cm2, f.caso, id, "2", "", registro.Voce{}); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("casemanager2 annul: %v", err)
	}
	if _, err := f.svc.Crea(ctx, cm2, f.caso, f.valida(), false, registro.Voce{}); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("casemanager2 create: %v", err)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE azione = 'accesso_negato'`); n != 4 {
		t.Errorf("%d refusals recorded", n)
	}
	if _, err := f.svc.Coda(ctx, f.people["casemanager"], 1, registro.Voce{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("case manager's queue: %v", err)
	}

	a, _ := fixtures.New(t, f.pool).Ambito("ATS-ALTRO", "Altro ambito")
	altro := a.ID
	co := f.people["coordinatore"]
	estraneo := co
	estraneo.AmbitoID, estraneo.Domain = &altro, "ambito:"+strconv.FormatInt(altro, 10)
	var zola int64
	if err := f.pool.QueryRow(ctx, `SELECT id FROM comune WHERE codice_istat = '037060'`).Scan(&zola); err != nil {
		t.Fatal(err)
	}
	diZola := co
	diZola.ComuneID = &zola
	for name, p := range map[string]authz.Principal{"another ambito": estraneo, "comune of Zola": diZola} {
		if _, err := f.svc.Decisione(ctx, p, id, registro.Voce{}); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: decision %v", name, err)
		}
		if err := f.svc.Approva(ctx, p, id, ver(f.dettaglio(t, id).Versione), registro.Voce{}); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: approve %v", name, err)
		}
		if c, err := f.svc.Coda(ctx, p, 1, registro.Voce{}); err != nil || len(c.Righe) != 0 {
			t.Errorf("%s: queue %v %d", name, err, len(c.Righe))
		}
		if _, err := f.svc.Esporta(ctx, p, registro.Voce{}); !errors.Is(err, ErrNienteDaInviare) {
			t.Errorf("%s: export %v", name, err)
		}
	}
	// A draft is the case manager's only.
	bozza := f.crea(t, false)
	if _, err := f.svc.Decisione(ctx, co, bozza, registro.Voce{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("coordinatore reads a draft: %v", err)
	}
}

// An impegno of the signed patto can be named for the tipo about impegni;
// the coordinatore then sees that impegno's text, and not the patto.
func TestImpegnoDelPatto(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	contenuto := fmt.Sprintf(`{"obiettivi":[{"id":"o1","titolo":"Obiettivo riservato del patto"}],
		"impegni":[{"id":"imp-1","area":"lavoro","persona_id":"%s","descrizione":"Frequentare il corso di italiano","frequenza":"due volte a settimana","scadenza":"2026-12-31"}]}`, f.madre)
	if err := pgx.BeginFunc(ctx, f.pool, func(tx pgx.Tx) error { // a signed patto, version 1
		v, err := schede.NuovaBozza(ctx, tx, f.caso, schede.Patto, json.RawMessage(contenuto), cm.OperatoreID)
		if err != nil {
			return err
		}
		_, err = schede.Finalizza(ctx, tx, f.caso, schede.Patto, v.Revisione, json.RawMessage(contenuto), "", cm.OperatoreID, nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	m, err := f.svc.Nuova(ctx, cm, f.caso, registro.Voce{})
	if err != nil || len(m.Impegni) != 1 {
		t.Fatalf("impegni offered: %v %+v", err, m.Impegni)
	}
	in := f.valida()
	in.ImpegnoID = "imp-1"
	var fe httpx.FieldErrors
	if _, err := f.svc.Crea(ctx, cm, f.caso, in, false, registro.Voce{}); !errors.As(err, &fe) || fe["impegno_id"] == "" {
		t.Fatalf("impegno with another tipo: %v", err)
	}
	in.Tipo = "impegni_non_rispettati"
	id, err := f.svc.Crea(ctx, cm, f.caso, in, true, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.svc.Decisione(ctx, f.people["coordinatore"], id, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	page := render(t, d)
	if !strings.Contains(page, "Frequentare il corso di italiano (due volte a settimana), entro il 31/12/2026") || strings.Contains(page, "Obiettivo riservato") {
		t.Errorf("decision page: impegno %q", d.ImpegnoTesto)
	}
}
