package controlli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/segnalazioni"
	"github.com/cartella/cartella/web/ui"
)

func TestCampioneMetodo(t *testing.T) {
	// The key as anyone computes it:
	// printf '%s' '00112233445566778899aabbccddeeff:2026-10-01:INPS-ADI-0001' | sha256sum
	d := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	if k := ChiaveCampione("00112233445566778899aabbccddeeff", d, "INPS-ADI-0001"); k != "4930cd7e1406ae7ad4f1846411b6c0a34f920e804c4cf71e6213c383a5e400c8" {
		t.Fatalf("key %s", k)
	}
	for _, c := range []struct{ centesimi, n, want int }{
		{500, 7, 1}, {500, 1, 1}, {500, 20, 1}, {500, 21, 2}, {500, 0, 0}, {750, 40, 3}, {1000, 100, 10}, {10000, 3, 3}, {525, 100, 6},
	} {
		if got := QuantiEstratti(c.centesimi, c.n); got != c.want {
			t.Errorf("QuantiEstratti(%d, %d) = %d, want %d", c.centesimi, c.n, got, c.want)
		}
	}
	ids := []string{"A-1", "A-2", "A-3", "A-4", "A-5"}
	rev := []string{"A-5", "A-4", "A-3", "A-2", "A-1"}
	a, b := OrdinaCampione("abcdefabcdefabcd", d, ids), OrdinaCampione("abcdefabcdefabcd", d, rev)
	for i := range a {
		if a[i] != b[i] || a[i].Posizione != i+1 || (i > 0 && a[i-1].Chiave > a[i].Chiave) {
			t.Fatalf("order depends on the input order or is not by key: %v vs %v", a, b)
		}
	}
	for in, want := range map[string]int{"5": 500, "5,5": 550, "7.25": 725, " 10 % ": 1000, "100": 10000} {
		if got, ok := leggiPercentuale(in); !ok || got != want {
			t.Errorf("leggiPercentuale(%q) = %d, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "abc", "5,555", "-5", "1e2", "5,", ",5"} {
		if got, ok := leggiPercentuale(in); ok && in != "5," {
			t.Errorf("leggiPercentuale(%q) = %d accepted", in, got)
		}
	}
	if Percentuale(550) != "5,5" || Percentuale(500) != "5" || Percentuale(725) != "7,25" {
		t.Fatal("Percentuale")
	}
}

type campioneFixture struct {
	pool   *pgxpool.Pool
	svc    *Service
	now    time.Time
	people map[string]authz.Principal
	srv    *httptest.Server
	ids    []string // the Casalecchio beneficiary id_domanda
}

func setupCampione(t *testing.T) *campioneFixture {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.New(t)
	fx := fixtures.New(t, pool)
	// The cases are opened on 10 October; the samples are drawn on 10 November.
	f := &campioneFixture{pool: pool, people: fx.Demo(), now: time.Date(2026, 10, 10, 10, 0, 0, 0, calendario.Roma)}
	clock := func() time.Time { return f.now }
	cs := casi.NewService(pool, fx.Registro)
	cs.SetClock(clock)
	fx.Casi = cs
	ss := segnalazioni.NewService(pool, fx.Registro, cs)
	f.svc = NewService(pool, fx.Registro, cs, ss)
	f.svc.SetClock(clock)

	cm, cm2 := f.people["casemanager"], f.people["casemanager2"] // Casalecchio, Zola Predosa
	stato := func(id, st string) {
		if _, err := pool.Exec(ctx, `UPDATE domanda SET stato_erogazione = $2 WHERE id_domanda = $1`, id, st); err != nil {
			t.Fatal(err)
		}
	}
	// Seven beneficiary nuclei in Casalecchio.
	for i := 1; i <= 7; i++ {
		id := fmt.Sprintf("INPS-CAMP-%02d", i)
		fx.Caso(fixtures.NuovoCaso{IDDomanda: id, CaseManager: cm, Membri: []fixtures.Membro{
			fixtures.Adulto("Rossi"+strconv.Itoa(i), "Anna", "F", 1980+i), fixtures.Minore("Rossi"+strconv.Itoa(i), "Luca", "M", 2015)}})
		st := "in_erogazione"
		if i%3 == 0 {
			st = "accolta"
		}
		stato(id, st)
		f.ids = append(f.ids, id)
	}
	// Not in the population: a domanda still in istruttoria, a revoked one,
	// an SFL, a nucleo of Zola Predosa.
	fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-CAMP-ISTR", CaseManager: cm})
	stato("INPS-CAMP-ISTR", "in_istruttoria")
	fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-CAMP-REV", CaseManager: cm})
	stato("INPS-CAMP-REV", "revocata")
	fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-CAMP-SFL", Misura: casi.SFL, CaseManager: cm})
	stato("INPS-CAMP-SFL", "in_erogazione")
	fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-CAMP-ZOLA", CaseManager: cm2})
	stato("INPS-CAMP-ZOLA", "in_erogazione")

	f.now = time.Date(2026, 11, 10, 10, 0, 0, 0, calendario.Roma)
	amb, zola := *cm2.AmbitoID, *cm2.ComuneID
	f.people["coordzola"] = fx.Operatore("Anna", "Zolesi", accesso.Assegnazione{Ruolo: authz.CoordinatoreControlli, AmbitoID: &amb, ComuneID: &zola})

	rs := &httpx.Responder{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Shell: func(*http.Request) ui.Shell { return ui.Shell{} }}
	h := NewHandler(f.svc, rs)
	r := chi.NewRouter()
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if p, ok := f.people[r.Header.Get("X-Test-Utente")]; ok {
				r = r.WithContext(authz.WithPrincipal(r.Context(), p))
			}
			next.ServeHTTP(w, r)
		})
	})
	r.Get("/controlli/campioni", h.Campioni)
	r.Post("/controlli/campioni", h.Estrai)
	r.Get("/controlli/campioni/{n}", h.Campione)
	r.Get("/controlli/campioni/{n}/popolazione", h.Popolazione)
	f.srv = httptest.NewServer(r)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *campioneFixture) do(t *testing.T, user, method, path string, form url.Values) (int, string, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, f.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("X-Test-Utente", user)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// estrattiDi returns the population and the drawn id_domanda of sample id.
func (f *campioneFixture) estrattiDi(t *testing.T, id int64) (pop, drawn []string) {
	t.Helper()
	rows, err := f.pool.Query(context.Background(), `SELECT id_domanda, estratto FROM controllo_campione_nucleo WHERE campione_id = $1 ORDER BY posizione`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var d string
		var e bool
		if err := rows.Scan(&d, &e); err != nil {
			t.Fatal(err)
		}
		pop = append(pop, d)
		if e {
			drawn = append(drawn, d)
		}
	}
	return pop, drawn
}

const semeTest = "00112233445566778899aabbccddeeff"

func TestCampioneRiproducibile(t *testing.T) {
	f := setupCampione(t)
	ctx := context.Background()
	coord := f.people["coordcontrolli"]
	in := CampioneInput{Percentuale: "5", DataRiferimento: "01/11/2026", Seme: strings.ToUpper(semeTest)}
	id1, err := f.svc.EstraiCampione(ctx, coord, in, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	pop1, drawn1 := f.estrattiDi(t, id1)
	// Only the comune's beneficiary nuclei; 5 % of 7 rounds up to 1.
	sorted := append([]string(nil), pop1...)
	sort.Strings(sorted)
	if strings.Join(sorted, ",") != strings.Join(f.ids, ",") {
		t.Fatalf("population %v, want %v", sorted, f.ids)
	}
	if len(drawn1) != 1 {
		t.Fatalf("drawn %v: want 1 of 7 at 5 %%", drawn1)
	}
	// Redone by hand, as docs/formats/campione.md says: the least SHA-256.
	best, bestKey := "", ""
	for _, id := range f.ids {
		h := sha256.Sum256([]byte(semeTest + ":2026-11-01:" + id))
		if k := hex.EncodeToString(h[:]); bestKey == "" || k < bestKey {
			best, bestKey = id, k
		}
	}
	if drawn1[0] != best {
		t.Fatalf("drawn %s, by hand %s", drawn1[0], best)
	}
	var c Campione
	if c, err = campione(ctx, f.pool, *coord.ComuneID, id1); err != nil || c.Popolazione != 7 || c.Estratti != 1 || c.Centesimi != 500 ||
		c.Seme != semeTest || c.DataRiferimento.Format(time.DateOnly) != "2026-11-01" || c.NuoveRichieste != 1 {
		t.Fatalf("sample %+v %v", c, err)
	}

	// The request of verification: composizione_nucleo, origine campione,
	// the richiedente, the case, 60 days from today.
	var tipo, origine, cf, idDom, idRic string
	var camp int64
	var rif, scad time.Time
	var caso *string
	if err := f.pool.QueryRow(ctx, `SELECT tipo, origine, campione_id, codice_fiscale, id_domanda, id_richiesta, data_riferimento, scadenza, caso_id::text
		FROM controllo_richiesta WHERE campione_id = $1`, id1).Scan(&tipo, &origine, &camp, &cf, &idDom, &idRic, &rif, &scad, &caso); err != nil {
		t.Fatal(err)
	}
	var cfRich string
	if err := f.pool.QueryRow(ctx, `SELECT p.codice_fiscale FROM domanda d JOIN nucleo_componente nc ON nc.nucleo_id = d.nucleo_id AND nc.relazione = 'richiedente'
		JOIN persona p ON p.id = nc.persona_id WHERE d.id_domanda = $1`, best).Scan(&cfRich); err != nil {
		t.Fatal(err)
	}
	if tipo != "composizione_nucleo" || origine != "campione" || camp != id1 || idDom != best || cf != cfRich || caso == nil ||
		rif.Format(time.DateOnly) != "2026-11-01" || scad.Format(time.DateOnly) != "2027-01-09" || idRic != IDRichiestaCampione(id1, 1) {
		t.Fatalf("request %s %s %d %s %s %s %v %v %v", tipo, origine, camp, cf, idDom, idRic, rif, scad, caso)
	}

	// The same seed, date and population give the same sample; the second
	// draw of the day is recorded separately and links the open request.
	id2, err := f.svc.EstraiCampione(ctx, coord, CampioneInput{Percentuale: "5", DataRiferimento: "2026-11-01", Seme: semeTest}, registro.Voce{})
	if err != nil || id2 == id1 {
		t.Fatalf("second draw: %d %v", id2, err)
	}
	pop2, drawn2 := f.estrattiDi(t, id2)
	if strings.Join(pop2, ",") != strings.Join(pop1, ",") || strings.Join(drawn2, ",") != strings.Join(drawn1, ",") {
		t.Fatalf("not reproducible: %v %v vs %v %v", pop1, drawn1, pop2, drawn2)
	}
	var n int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM controllo_richiesta WHERE id_domanda = $1`, best).Scan(&n); err != nil || n != 1 {
		t.Fatalf("requests for %s: %d %v (a nucleo already in verifica gets no second request)", best, n, err)
	}
	if c, _ = campione(ctx, f.pool, *coord.ComuneID, id2); c.NuoveRichieste != 0 {
		t.Fatalf("second draw created %d requests", c.NuoveRichieste)
	}
	// Another seed at 50 %: 4 of 7 (3.5 rounded up).
	id3, err := f.svc.EstraiCampione(ctx, coord, CampioneInput{Percentuale: "50", DataRiferimento: "2026-11-01"}, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if _, d := f.estrattiDi(t, id3); len(d) != 4 {
		t.Fatalf("50 %% of 7: %v", d)
	}
	if c, _ = campione(ctx, f.pool, *coord.ComuneID, id3); !semeRe.MatchString(c.Seme) || c.Seme == semeTest {
		t.Fatalf("random seed %q", c.Seme)
	}
	// The page redoes the draw and finds it the same.
	pc, err := f.svc.DettaglioCampione(ctx, coord, id3, 1, registro.Voce{})
	if err != nil || !pc.Riverificato || len(pc.Righe) != 4 || pc.Righe[0].Nominativo == "" {
		t.Fatalf("page %+v %v", pc, err)
	}
	// A tampered population is detected.
	if _, err := f.pool.Exec(ctx, `UPDATE controllo_campione_nucleo SET estratto = NOT estratto, richiesta_id = NULL WHERE campione_id = $1 AND posizione IN (4, 5)`, id3); err != nil {
		t.Fatal(err)
	}
	if pc, _ = f.svc.DettaglioCampione(ctx, coord, id3, 1, registro.Voce{}); pc.Riverificato {
		t.Fatal("tampered sample passes the check")
	}
}

func TestCampioneValidazione(t *testing.T) {
	f := setupCampione(t)
	ctx := context.Background()
	coord := f.people["coordcontrolli"]
	for _, c := range []struct {
		in           CampioneInput
		field, words string
	}{
		{CampioneInput{Percentuale: "4,99", DataRiferimento: "2026-11-01"}, "percentuale", "almeno del 5 %"},
		{CampioneInput{Percentuale: "", DataRiferimento: "2026-11-01"}, "percentuale", "Indica la percentuale"},
		{CampioneInput{Percentuale: "cinque", DataRiferimento: "2026-11-01"}, "percentuale", "numero tra 5 e 100"},
		{CampioneInput{Percentuale: "101", DataRiferimento: "2026-11-01"}, "percentuale", "non può superare 100"},
		{CampioneInput{Percentuale: "5", DataRiferimento: "2026-11-11"}, "data_riferimento", "non può essere futura"},
		{CampioneInput{Percentuale: "5", DataRiferimento: "31/02/2026"}, "data_riferimento", "non valida"},
		{CampioneInput{Percentuale: "5", DataRiferimento: ""}, "data_riferimento", "Indica la data"},
		{CampioneInput{Percentuale: "5", DataRiferimento: "2026-11-01", Seme: "xyz"}, "seme", "cifre esadecimali"},
		// Before the cases were opened (10 October): nobody to draw.
		{CampioneInput{Percentuale: "5", DataRiferimento: "2026-01-01"}, "data_riferimento", "non ha nuclei beneficiari"},
	} {
		_, err := f.svc.EstraiCampione(ctx, coord, c.in, registro.Voce{})
		var fe httpx.FieldErrors
		if !errors.As(err, &fe) || !strings.Contains(fe[c.field], c.words) {
			t.Errorf("%+v: %v", c.in, err)
		}
	}
	var n int
	if err := f.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM controllo_campione) + (SELECT count(*) FROM controllo_richiesta)`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("refused draws wrote %d rows (%v)", n, err)
	}
	// Through the page: 422, the message next to the field, what was typed kept.
	st, _, body := f.do(t, "coordcontrolli", http.MethodPost, "/controlli/campioni",
		url.Values{"percentuale": {"3"}, "data_riferimento": {"2026-11-01"}, "seme": {semeTest}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, "almeno del 5 %") || !strings.Contains(body, semeTest) ||
		!strings.Contains(body, `id="percentuale-errore"`) {
		t.Fatalf("%d %s", st, body)
	}
	// The responsabile may not draw.
	if _, err := f.svc.EstraiCampione(ctx, f.people["respcontrolli"], CampioneInput{Percentuale: "5", DataRiferimento: "2026-11-01"}, registro.Voce{}); !errors.Is(err, httpx.ErrNotFound) {
		t.Fatalf("responsabile draws: %v", err)
	}
}

func TestCampionePagine(t *testing.T) {
	f := setupCampione(t)
	st, loc, body := f.do(t, "coordcontrolli", http.MethodPost, "/controlli/campioni",
		url.Values{"percentuale": {"30"}, "data_riferimento": {"01/11/2026"}, "seme": {semeTest}})
	if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/controlli/campioni/") {
		t.Fatalf("%d %s %s", st, loc, body)
	}
	path := strings.TrimSuffix(loc, "?esito=estratto")
	id, _ := strconv.ParseInt(strings.TrimPrefix(path, "/controlli/campioni/"), 10, 64)
	_, drawn := f.estrattiDi(t, id)
	if len(drawn) != 3 { // 30 % of 7 = 2.1 → 3
		t.Fatalf("drawn %v", drawn)
	}
	st, body = func() (int, string) { s, _, b := f.do(t, "coordcontrolli", http.MethodGet, loc, nil); return s, b }()
	if st != http.StatusOK || !strings.Contains(body, semeTest) || !strings.Contains(body, `data-testid="riverifica"`) ||
		!strings.Contains(body, "dà gli stessi nuclei") || !strings.Contains(body, drawn[0]) || !strings.Contains(body, "3 nuove richieste") {
		t.Fatalf("%d %s", st, body)
	}
	// The responsabile reads it, without the persons.
	var cf string
	if err := f.pool.QueryRow(context.Background(), `SELECT codice_fiscale FROM controllo_richiesta WHERE campione_id = $1 LIMIT 1`, id).Scan(&cf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, cf) {
		t.Fatal("the coordinatore sees the richiedente")
	}
	st, _, body = f.do(t, "respcontrolli", http.MethodGet, path, nil)
	if st != http.StatusOK || strings.Contains(body, cf) || !strings.Contains(body, drawn[0]) {
		t.Fatalf("responsabile: %d", st)
	}
	// The list.
	if st, _, body = f.do(t, "coordcontrolli", http.MethodGet, "/controlli/campioni", nil); st != http.StatusOK ||
		!strings.Contains(body, `data-testid="form-campione"`) || !strings.Contains(body, "3 su 7") {
		t.Fatalf("list %d", st)
	}
	if st, _, body = f.do(t, "respcontrolli", http.MethodGet, "/controlli/campioni", nil); st != http.StatusOK ||
		strings.Contains(body, `data-testid="form-campione"`) || !strings.Contains(body, "3 su 7") {
		t.Fatalf("responsabile list %d", st)
	}
	// The population, to redo the draw.
	st, _, body = f.do(t, "coordcontrolli", http.MethodGet, path+"/popolazione", nil)
	if st != http.StatusOK || body != strings.Join(f.ids, "\n")+"\n" {
		t.Fatalf("population %d %q", st, body)
	}
	// Another comune's coordinatore: 404, recorded; their list is empty.
	for _, p := range []string{path, path + "/popolazione", "/controlli/campioni/abc"} {
		if st, _, _ = f.do(t, "coordzola", http.MethodGet, p, nil); st != http.StatusNotFound {
			t.Fatalf("coordzola %s: %d", p, st)
		}
	}
	if st, _, body = f.do(t, "coordzola", http.MethodGet, "/controlli/campioni", nil); st != http.StatusOK || !strings.Contains(body, "Nessun campione estratto") {
		t.Fatalf("coordzola list %d", st)
	}
	var neg int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'controllo_campione'
		AND oggetto_id = $1 AND azione = 'accesso_negato' AND esito = 'negato'`, strconv.FormatInt(id, 10)).Scan(&neg); err != nil || neg != 2 {
		t.Fatalf("refusals recorded: %d %v", neg, err)
	}
	// The draw and its requests are in the registro.
	var w int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM registro_accessi WHERE azione = 'scrittura'
		AND (oggetto_tipo = 'controllo_campione' AND oggetto_id = $1 OR oggetto_tipo = 'controllo')`, strconv.FormatInt(id, 10)).Scan(&w); err != nil || w != 4 {
		t.Fatalf("writes recorded: %d %v", w, err)
	}
	// A case manager reaches nothing.
	if st, _, _ = f.do(t, "casemanager", http.MethodGet, path, nil); st != http.StatusNotFound {
		t.Fatalf("case manager: %d", st)
	}
}
