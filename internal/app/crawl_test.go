package app

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/cartella/cartella/internal/demo"
)

// The crawl of issue 20 ("Done when"): every demo account signs in, walks
// the pages it can reach from its home (a few per route), and then every
// row of rotte that its role may use gets hostile values: in the path
// parameters, in the query filters of the list pages and in every field of
// every form, as found on the rendered pages (or the bare route when no
// page showed the form). No answer may be a 5xx, and a form whose free
// text is over-long is refused with a 4xx, never stored.
func TestCrawlOstile(t *testing.T) {
	t.Parallel()
	start := time.Now()
	a := startApp(t)
	if err := caricaDemo(context.Background(), a.d, demo.NucleiPredefiniti, slog.New(slog.NewJSONHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	m := readMatrix(t)
	cr := &crawler{a: a, t: t, rotte: rotte(a.d), router: chi.NewRouter()}
	for _, x := range cr.rotte {
		cr.router.Method(x.metodo, x.percorso, http.NotFoundHandler())
	}
	type sessione struct {
		utente string
		c      *http.Client
		pagine map[string][]string    // route pattern → concrete paths seen
		moduli map[string][]moduloWeb // POST route pattern → forms seen
	}
	var sessioni []*sessione
	// The cases the demo walked along the workflow are explored first, so
	// that the forms of every stage (analisi, quadro, patto, monitoraggio)
	// are found on their pages.
	semi := map[string][]string{}
	righe, err := a.d.pool.Query(context.Background(), `SELECT c.id::text, o.codice_fiscale FROM caso c
		JOIN operatore o ON o.id = c.case_manager_id
		WHERE c.stato NOT IN ('assegnato', 'ricevuto') ORDER BY c.stato, c.id`)
	if err != nil {
		t.Fatal(err)
	}
	for righe.Next() {
		var id, cf string
		if err := righe.Scan(&id, &cf); err != nil {
			t.Fatal(err)
		}
		for _, acc := range demo.Accounts {
			if acc.CodiceFiscale() == cf {
				semi[acc.Username] = append(semi[acc.Username], "/casi/"+id)
			}
		}
	}
	righe.Close()
	for _, acc := range demo.Accounts {
		c := a.client(t)
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		// The login flow follows redirects: a browser-like client for it.
		lc := a.client(t)
		if resp, _ := a.login(t, lc, acc.Username, demo.Password); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: login %d", acc.Username, resp.StatusCode)
		}
		c.Jar = lc.Jar
		s := &sessione{utente: acc.Username, c: c, pagine: map[string][]string{}, moduli: map[string][]moduloWeb{}}
		sessioni = append(sessioni, s)
		cr.esplora(s.utente, c, s.pagine, s.moduli, semi[acc.Username]...)
	}
	fase1 := cr.richieste

	// Every GET route × every account whose role may read it, with hostile
	// path parameters and query filters.
	for _, s := range sessioni {
		acc, _ := demo.AccountByUsername(s.utente)
		for _, x := range cr.rotte {
			if x.metodo != "GET" || !m.concede(acc.Ruolo, x.obj, x.act) {
				continue
			}
			visti := s.pagine[x.percorso]
			if len(visti) == 0 {
				p := concrete(x.percorso)
				cr.get(s.utente, s.c, x.percorso, p, "")
				visti = []string{p}
			}
			for i, p := range cr.ostiliPercorso(x.percorso, visti[0]) {
				cr.get(s.utente, s.c, x.percorso, p, fmt.Sprintf("parametro %d", i))
			}
			if !strings.Contains(x.percorso, "{") || len(cr.filtri[x.percorso]) > 0 {
				nomi := append([]string{"pagina", "stato", "q", "dal", "al"}, cr.filtri[x.percorso]...)
				for i, v := range valoriOstili {
					q := url.Values{}
					for j, n := range nomi {
						q.Set(n, valoriOstili[(i+j)%len(valoriOstili)])
					}
					cr.get(s.utente, s.c, x.percorso, visti[0]+"?"+q.Encode(), "filtri "+strconv.Quote(v))
				}
			}
		}
	}
	fase2 := cr.richieste

	// Every POST route × every account whose role may write it: the form
	// as rendered with hostile values; the first account also sends each
	// free-text field alone over-long, which must be refused next to it.
	senzaModulo := map[string]bool{}
	perCampo := map[string]bool{}
	for _, s := range sessioni {
		acc, _ := demo.AccountByUsername(s.utente)
		for _, x := range cr.rotte {
			if fs := s.moduli[x.percorso]; x.metodo == "POST" && len(fs) > 0 && !perCampo[x.percorso] && m.concede(acc.Ruolo, x.obj, x.act) {
				perCampo[x.percorso] = true
				cr.campoPerCampo(s.utente, s.c, x.percorso, fs[0])
			}
		}
	}
	for _, s := range sessioni {
		acc, _ := demo.AccountByUsername(s.utente)
		for _, x := range cr.rotte {
			if x.metodo != "POST" || !m.concede(acc.Ruolo, x.obj, x.act) {
				continue
			}
			fs := s.moduli[x.percorso]
			if len(fs) == 0 {
				if !perCampo[x.percorso] {
					senzaModulo[x.percorso] = true
				}
				fs = []moduloWeb{{azione: concrete(x.percorso), campi: campiNoti(x.percorso)}}
			}
			cr.invia(s.utente, s.c, x.percorso, fs[0])
		}
	}
	if out := os.Getenv("CRAWL_MODULI"); out != "" {
		var b strings.Builder
		for _, s := range sessioni {
			for pat, fs := range s.moduli {
				for _, k := range fs[0].campi {
					if k.libero() {
						fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\n", pat, k.nome, k.tipo, k.max, s.utente)
					}
				}
			}
		}
		_ = os.WriteFile(out, []byte(b.String()), 0o644)
	}
	var senza []string
	for p := range senzaModulo {
		senza = append(senza, p)
	}
	sort.Strings(senza)
	t.Logf("POST routes whose form no explored page showed (sent with the usual field names): %s", strings.Join(senza, ", "))
	t.Logf("crawl: %d requests (%d exploring, %d GET hostile, %d POST hostile), %d routes, %d accounts, %s",
		cr.richieste, fase1, fase2-fase1, cr.richieste-fase2, len(cr.rotte), len(sessioni), time.Since(start).Round(time.Millisecond))
	if len(cr.guasti) > 0 {
		sort.Strings(cr.guasti)
		t.Errorf("%d hostile requests failed:\n%s", len(cr.guasti), strings.Join(cr.guasti, "\n"))
	}
}

// valoriOstili are the hostile values of issue 20, point 3.
var valoriOstili = []string{
	"a\x00b", "a\xffb", "99999999999999999999", "-1", "../../etc/passwd", "<script>alert(1)</script>",
	"%00", "31/02/2024", "9999-99-99", "", " ", "0", "9223372036854775808", "2147483648", "1e309", "NaN",
}

// testoLungo is the over-long free text of the crawl.
var testoLungo = strings.Repeat("è", 100_000)

type campo struct {
	nome, tipo, valore, max string
	opzioni                 []string
}

type moduloWeb struct {
	azione    string
	multipart bool
	campi     []campo
}

func (c campo) libero() bool {
	switch c.tipo {
	case "", "text", "search", "email", "tel", "url", "textarea":
		return true
	}
	return false
}

type crawler struct {
	a         *testApp
	t         *testing.T
	rotte     []rotta
	router    *chi.Mux
	filtri    map[string][]string // GET route pattern → names of its filter form's fields
	richieste int
	guasti    []string
}

func (cr *crawler) pattern(metodo, p string) string {
	rctx := chi.NewRouteContext()
	if !cr.router.Match(rctx, metodo, p) {
		return ""
	}
	return rctx.RoutePattern()
}

func (cr *crawler) do(utente string, c *http.Client, req *http.Request, pattern, dove string) (*http.Response, string) {
	cr.richieste++
	resp, err := c.Do(req)
	if err != nil {
		cr.guasti = append(cr.guasti, fmt.Sprintf("%s %s as %s (%s): %v", req.Method, req.URL.RequestURI(), utente, dove, err))
		return nil, ""
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		cr.guasti = append(cr.guasti, fmt.Sprintf("%s %s [%s] as %s (%s): %d", req.Method, accorcia(req.URL.RequestURI()), pattern, utente, dove, resp.StatusCode))
	}
	return resp, string(body)
}

func accorcia(s string) string {
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}

func (cr *crawler) get(utente string, c *http.Client, pattern, p, dove string) (*http.Response, string) {
	req, err := http.NewRequest("GET", cr.a.URL+p, nil)
	if err != nil {
		cr.guasti = append(cr.guasti, fmt.Sprintf("GET %s: %v", p, err))
		return nil, ""
	}
	return cr.do(utente, c, req, pattern, dove)
}

var (
	reHref       = regexp.MustCompile(`href="(/[^"#]*)"`)
	reForm       = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	reControl    = regexp.MustCompile(`(?s)<(input|textarea|select)\b([^>]*)>(?:(.*?)</(?:textarea|select)>)?`)
	reAttr       = regexp.MustCompile(`([a-zA-Z-]+)(?:="([^"]*)")?`)
	reOption     = regexp.MustCompile(`<option\b([^>]*)>`)
	reFormAction = regexp.MustCompile(`formaction="([^"]*)"`)
	perPattern   = 2 // concrete pages explored per route pattern and account
)

func attrs(s string) map[string]string {
	out := map[string]string{}
	for _, m := range reAttr.FindAllStringSubmatch(s, -1) {
		out[strings.ToLower(m[1])] = html.UnescapeString(m[2])
	}
	return out
}

// esplora walks the pages reachable from the home, at most perPattern
// per route pattern, recording the forms it finds.
func (cr *crawler) esplora(utente string, c *http.Client, pagine map[string][]string, moduli map[string][]moduloWeb, semi ...string) {
	if cr.filtri == nil {
		cr.filtri = map[string][]string{}
	}
	coda := append(append([]string(nil), semi...), "/")
	visti := map[string]bool{"/": true}
	seme := map[string]bool{}
	for _, p := range semi {
		visti[p], seme[p] = true, true
	}
	for len(coda) > 0 {
		p := coda[0]
		coda = coda[1:]
		u, _ := url.Parse(p)
		pat := cr.pattern("GET", u.Path)
		resp, body := cr.get(utente, c, pat, p, "esplorazione")
		if resp == nil || resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			continue
		}
		for _, fm := range reForm.FindAllStringSubmatch(body, -1) {
			fa := attrs(fm[1])
			f := moduloWeb{azione: fa["action"], multipart: fa["enctype"] == "multipart/form-data"}
			if f.azione == "" {
				f.azione = u.Path
			}
			for _, cm := range reControl.FindAllStringSubmatch(fm[2], -1) {
				ca := attrs(cm[2])
				k := campo{nome: ca["name"], tipo: ca["type"], valore: ca["value"], max: ca["maxlength"]}
				if k.nome == "" {
					continue
				}
				switch cm[1] {
				case "textarea":
					k.tipo, k.valore = "textarea", html.UnescapeString(cm[3])
				case "select":
					k.tipo = "select"
					for _, o := range reOption.FindAllStringSubmatch(cm[3], -1) {
						k.opzioni = append(k.opzioni, attrs(o[1])["value"])
					}
					if len(k.opzioni) > 0 {
						k.valore = k.opzioni[len(k.opzioni)-1]
					}
				}
				f.campi = append(f.campi, k)
			}
			if strings.EqualFold(fa["method"], "post") {
				// A button may send the form elsewhere (finalizza).
				azioni := []string{f.azione}
				for _, fa := range reFormAction.FindAllStringSubmatch(fm[2], -1) {
					azioni = append(azioni, html.UnescapeString(fa[1]))
				}
				for _, az := range azioni {
					g := f
					g.azione = az
					if ap := cr.pattern("POST", strings.SplitN(az, "?", 2)[0]); ap != "" && len(moduli[ap]) < perPattern {
						moduli[ap] = append(moduli[ap], g)
					}
				}
				continue
			}
			if ap := cr.pattern("GET", f.azione); ap != "" && len(cr.filtri[ap]) == 0 {
				for _, k := range f.campi {
					cr.filtri[ap] = append(cr.filtri[ap], k.nome)
				}
			}
		}
		for _, hm := range reHref.FindAllStringSubmatch(body, -1) {
			h := html.UnescapeString(hm[1])
			hu, err := url.Parse(h)
			if err != nil || visti[h] || strings.HasPrefix(h, "/static/") || strings.HasPrefix(h, "/logout") || strings.HasPrefix(h, "/uscita") ||
				strings.HasPrefix(h, "/demo") || strings.HasPrefix(h, "/calendario/") {
				continue
			}
			hp := cr.pattern("GET", hu.Path)
			// Every page of a seeded case is explored, the others up to
			// perPattern per route.
			if hp == "" || (len(pagine[hp]) >= perPattern && !(seme[p] && strings.HasPrefix(h, p+"/"))) {
				continue
			}
			visti[h] = true
			pagine[hp] = append(pagine[hp], h)
			coda = append(coda, h)
		}
	}
}

// ostiliPercorso are p (a concrete path of pattern) with each parameter
// replaced by hostile ids.
func (cr *crawler) ostiliPercorso(pattern, p string) []string {
	pp := strings.Split(pattern, "/")
	cp := strings.Split(strings.SplitN(p, "?", 2)[0], "/")
	if len(pp) != len(cp) {
		return nil
	}
	var out []string
	ids := []string{"99999999999999999999", "-1", "abc", "00000000-0000-0000-0000-00000000000g", "..%2F..%2Fetc%2Fpasswd", "%00", "0"}
	for i, s := range pp {
		if !strings.HasPrefix(s, "{") {
			continue
		}
		for _, id := range ids {
			q := append([]string(nil), cp...)
			q[i] = id
			out = append(out, strings.Join(q, "/"))
		}
	}
	return out
}

// campiNoti are the fields sent to a POST route whose form no page showed.
func campiNoti(string) []campo {
	var out []campo
	for _, n := range []string{"testo", "note", "motivo", "motivazione", "nome", "descrizione", "data", "revisione", "stato", "esito", "id"} {
		out = append(out, campo{nome: n, tipo: "text"})
	}
	return out
}

// invia posts f with hostile values: the free text over-long (a 4xx
// expected), then each hostile value in every field, then the path with
// hostile parameters.
func (cr *crawler) invia(utente string, c *http.Client, pattern string, f moduloWeb) {
	liberi := 0
	for _, k := range f.campi {
		if k.libero() {
			liberi++
		}
	}
	if liberi > 0 {
		vs := make([]campo, len(f.campi))
		for i, k := range f.campi {
			vs[i] = k
			if k.libero() {
				vs[i].valore = testoLungo
			}
		}
		resp, _ := cr.post(utente, c, pattern, f.azione, f.multipart, vs, "testo lungo")
		if resp != nil && (resp.StatusCode < 400 || resp.StatusCode >= 500) && !f.soloFiltri() {
			cr.guasti = append(cr.guasti, fmt.Sprintf("POST %s [%s] as %s (testo lungo in %s): %d, want a 4xx",
				f.azione, pattern, utente, f.nomiLiberi(), resp.StatusCode))
		}
	}
	for _, v := range valoriOstili {
		vs := make([]campo, len(f.campi))
		for i, k := range f.campi {
			vs[i] = k
			vs[i].valore = v
		}
		cr.post(utente, c, pattern, f.azione, f.multipart, vs, "tutti i campi "+strconv.Quote(v))
	}
	for _, p := range cr.ostiliPercorso(pattern, f.azione) {
		cr.post(utente, c, pattern, p, f.multipart, f.campi, "parametro")
	}
}

func (f moduloWeb) soloFiltri() bool { return false }

// campoPerCampo sends each free-text field of f alone over-long, the others
// as rendered: the answer must be a 4xx naming the limit in characters,
// and the field must declare its maxlength.
func (cr *crawler) campoPerCampo(utente string, c *http.Client, pattern string, f moduloWeb) {
	for i, k := range f.campi {
		if !k.libero() {
			continue
		}
		if k.max == "" && !strings.HasPrefix(k.nome, "q") {
			cr.guasti = append(cr.guasti, fmt.Sprintf("POST %s [%s]: field %s has no maxlength", f.azione, pattern, k.nome))
		}
		vs := append([]campo(nil), f.campi...)
		vs[i].valore = testoLungo
		resp, body := cr.post(utente, c, pattern, f.azione, f.multipart, vs, "testo lungo in "+k.nome)
		if resp == nil {
			continue
		}
		// A short field (a date, a code, a number) may be refused for its
		// format; a text field must name its limit in characters.
		max, _ := strconv.Atoi(k.max)
		if resp.StatusCode < 400 || resp.StatusCode >= 500 || (max >= 100 && k.tipo != "email" && !strings.Contains(body, "caratteri")) {
			cr.guasti = append(cr.guasti, fmt.Sprintf("POST %s [%s] as %s (testo lungo in %s): %d, want a 4xx with the limit next to the field",
				f.azione, pattern, utente, k.nome, resp.StatusCode))
		}
	}
}

func (f moduloWeb) nomiLiberi() string {
	var out []string
	for _, k := range f.campi {
		if k.libero() {
			out = append(out, k.nome)
		}
	}
	return strings.Join(out, ", ")
}

func (cr *crawler) post(utente string, c *http.Client, pattern, azione string, mp bool, campi []campo, dove string) (*http.Response, string) {
	var body bytes.Buffer
	ct := "application/x-www-form-urlencoded"
	if mp {
		w := multipart.NewWriter(&body)
		for _, k := range campi {
			if k.tipo == "file" {
				fw, _ := w.CreateFormFile(k.nome, "../../etc/passwd\x00.pdf")
				_, _ = fw.Write([]byte(k.valore + "\x00\xff%PDF-1.4"))
				continue
			}
			_ = w.WriteField(k.nome, k.valore)
		}
		_ = w.Close()
		ct = w.FormDataContentType()
	} else {
		q := url.Values{}
		for _, k := range campi {
			if k.tipo == "file" || k.tipo == "submit" || k.tipo == "button" {
				continue
			}
			q.Add(k.nome, k.valore)
		}
		body.WriteString(q.Encode())
	}
	req, err := http.NewRequest("POST", cr.a.URL+azione, &body)
	if err != nil {
		cr.guasti = append(cr.guasti, fmt.Sprintf("POST %s: %v", azione, err))
		return nil, ""
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", cr.a.URL)
	return cr.do(utente, c, req, pattern, dove)
}
