package carico

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Percorsi are the pages the mix names, with their URL; {id} is a case the
// signed-in operator can see. A mix may also name a path itself
// ("/agenda=1").
var Percorsi = map[string]string{
	"home":         "/",
	"casi":         "/casi",
	"caso":         "/casi/{id}",
	"storico":      "/casi/{id}/storico",
	"agenda":       "/agenda",
	"assegnazioni": "/assegnazioni",
	"controlli":    "/controlli",
	"report":       "/report",
}

// LeggiMix parses "home=1,caso=2,casi=1": page names of Percorsi (or paths
// starting with /) with their weights; a name without "=n" weighs 1.
func LeggiMix(s string) ([]Voce, error) {
	var mix []Voce
	for parte := range strings.SplitSeq(s, ",") {
		parte = strings.TrimSpace(parte)
		if parte == "" {
			continue
		}
		nome, peso, ok := strings.Cut(parte, "=")
		p := 1
		if ok {
			n, err := strconv.Atoi(peso)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("mix %q: il peso di %s deve essere un intero positivo", s, nome)
			}
			p = n
		}
		if _, noto := Percorsi[nome]; !noto && !strings.HasPrefix(nome, "/") {
			return nil, fmt.Errorf("mix %q: pagina %q sconosciuta (note: %s; oppure un percorso che inizia con /)", s, nome, strings.Join(nomiPercorsi(), ", "))
		}
		if slices.ContainsFunc(mix, func(v Voce) bool { return v.Nome == nome }) {
			return nil, fmt.Errorf("mix %q: %s ripetuta", s, nome)
		}
		mix = append(mix, Voce{Nome: nome, Peso: p})
	}
	if len(mix) == 0 {
		return nil, fmt.Errorf("mix vuoto")
	}
	return mix, nil
}

func nomiPercorsi() []string {
	var n []string
	for k := range Percorsi {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// Percorso is the URL template of a mix entry.
func Percorso(nome string) string {
	if p, ok := Percorsi[nome]; ok {
		return p
	}
	return nome
}

// Bersaglio is a running Cartella and its virtual clients: each has its
// own cookie jar and session, signed in as one of the accounts in turn.
type Bersaglio struct {
	base    string
	mix     []Voce
	clienti []*http.Client
	utenti  []string   // account of each client
	casi    [][]string // case ids each client picks from (its account's)
	rnd     []*rand.Rand
}

// Opzioni configure the virtual clients.
type Opzioni struct {
	Base     string   // the application's BASE_URL
	Utenti   []string // demo accounts, assigned to the clients in turn
	Password string   // the demo provider's password ("demo")
	Clienti  int
	Casi     []string // case ids to use instead of those read from /casi
	Timeout  time.Duration
}

// Prepara signs in the clients (eight at a time) and, when the mix needs
// a case, reads the cases each account sees from its first page of /casi.
func Prepara(ctx context.Context, o Opzioni, mix []Voce) (*Bersaglio, error) {
	if len(o.Utenti) == 0 {
		return nil, errors.New("nessun utente")
	}
	if o.Clienti < 1 {
		o.Clienti = 1
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	base := strings.TrimRight(o.Base, "/")
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = o.Clienti + 8
	tr.MaxIdleConnsPerHost = o.Clienti + 8
	b := &Bersaglio{base: base, mix: mix, clienti: make([]*http.Client, o.Clienti),
		utenti: make([]string, o.Clienti), casi: make([][]string, o.Clienti), rnd: make([]*rand.Rand, o.Clienti)}
	errs := make([]error, o.Clienti)
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i := range o.Clienti {
		b.utenti[i] = o.Utenti[i%len(o.Utenti)]
		b.rnd[i] = rand.New(rand.NewPCG(uint64(i), 7417))
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			b.clienti[i], errs[i] = Accedi(ctx, tr, base, b.utenti[i], o.Password, o.Timeout)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(mix, func(v Voce) bool { return strings.Contains(Percorso(v.Nome), "{id}") }) {
		return b, nil
	}
	perUtente := map[string][]string{}
	for i, u := range b.utenti {
		if len(o.Casi) > 0 {
			b.casi[i] = o.Casi
			continue
		}
		ids, letti := perUtente[u]
		if !letti {
			var err error
			if ids, err = CasiVisibili(ctx, b.clienti[i], base); err != nil {
				return nil, fmt.Errorf("%s: %w", u, err)
			}
			if len(ids) == 0 {
				return nil, fmt.Errorf("%s: nessun caso nella prima pagina di /casi: scegli utenti con casi (casemanager, casemanager2) o indica -casi FILE", u)
			}
			perUtente[u] = ids
		}
		b.casi[i] = ids
	}
	return b, nil
}

var (
	reID       = regexp.MustCompile(`name="id" value="([^"]+)"`)
	reAzione   = regexp.MustCompile(`<form method="post" action="(/demo-idp/[^"]+)"`)
	reRuolo    = regexp.MustCompile(`for="ruolo-(\d+)"`)
	reCaso     = regexp.MustCompile(`href="/casi/([0-9a-f-]{36})"`)
	nonSeguire = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
)

// Accedi signs username in through the demo OpenID Provider as a browser
// does (/login, the provider's form, the callback) and returns a client
// holding the session cookie that does not follow redirects. An operator
// with several roles gets the first one the chooser offers.
func Accedi(ctx context.Context, tr http.RoundTripper, base, username, password string, timeout time.Duration) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: tr, Timeout: timeout}
	body, finale, err := leggi(ctx, c, http.MethodGet, base+"/login", nil)
	if err != nil {
		return nil, fmt.Errorf("accesso di %s: %w", username, err)
	}
	id, azione := reID.FindStringSubmatch(body), reAzione.FindStringSubmatch(body)
	if id == nil || azione == nil {
		return nil, fmt.Errorf("accesso di %s: %s non mostra il modulo del provider demo (la demo è avviata con `cartella demo`?)", username, finale)
	}
	body, finale, err = leggi(ctx, c, http.MethodPost, base+azione[1],
		url.Values{"id": {id[1]}, "username": {username}, "password": {password}})
	if err != nil {
		return nil, fmt.Errorf("accesso di %s: %w", username, err)
	}
	if finale.Path == "/ruolo" {
		r := reRuolo.FindStringSubmatch(body)
		if r == nil {
			return nil, fmt.Errorf("accesso di %s: la scelta del ruolo non offre ruoli", username)
		}
		if body, finale, err = leggi(ctx, c, http.MethodPost, base+"/ruolo", url.Values{"ruolo": {r[1]}, "ritorno": {"/"}}); err != nil {
			return nil, fmt.Errorf("accesso di %s: %w", username, err)
		}
	}
	if strings.HasPrefix(finale.Path, "/demo-idp") || strings.HasPrefix(finale.Path, "/login") || strings.Contains(body, "non accreditato") {
		return nil, fmt.Errorf("accesso di %s: rifiutato (finito su %s)", username, finale.Path)
	}
	c.CheckRedirect = nonSeguire
	return c, nil
}

// leggi sends a request following redirects and returns the final body and URL.
func leggi(ctx context.Context, c *http.Client, metodo, indirizzo string, form url.Values) (string, *url.URL, error) {
	var corpo io.Reader
	if form != nil {
		corpo = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, metodo, indirizzo, corpo)
	if err != nil {
		return "", nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// Cross-origin protection (ADR 0004) wants a same-origin POST.
		req.Header.Set("Origin", req.URL.Scheme+"://"+req.URL.Host)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", nil, err
	}
	if resp.StatusCode >= 400 {
		return "", nil, fmt.Errorf("%s %s: %d", metodo, resp.Request.URL.Path, resp.StatusCode)
	}
	return string(b), resp.Request.URL, nil
}

// CasiVisibili returns the ids of the cases linked from the first page of
// /casi of the signed-in client.
func CasiVisibili(ctx context.Context, c *http.Client, base string) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/casi", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /casi: %d", resp.StatusCode)
	}
	var ids []string
	for _, m := range reCaso.FindAllStringSubmatch(string(b), -1) {
		if !slices.Contains(ids, m[1]) {
			ids = append(ids, m[1])
		}
	}
	return ids, nil
}

// LeggiCasi reads case ids from a file, one a line (blank lines and lines
// starting with # ignored).
func LeggiCasi(nome string) ([]string, error) {
	f, err := os.Open(nome)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ids []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		if l := strings.TrimSpace(s.Text()); l != "" && !strings.HasPrefix(l, "#") {
			ids = append(ids, l)
		}
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s: nessun id di caso", nome)
	}
	return ids, nil
}

// Fai is the Richiesta of the virtual clients: a GET of the page, its body
// read whole. 2xx and 3xx are successes, except a redirect to the login
// (the session was lost), counted as "login".
func (b *Bersaglio) Fai(ctx context.Context, cliente, pagina int) Esito {
	p := Percorso(b.mix[pagina].Nome)
	if strings.Contains(p, "{id}") {
		ids := b.casi[cliente]
		p = strings.ReplaceAll(p, "{id}", ids[b.rnd[cliente].IntN(len(ids))])
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+p, nil)
	if err != nil {
		return Esito{Errore: "richiesta"}
	}
	resp, err := b.clienti[cliente].Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Client.Timeout") {
			return Esito{Errore: "timeout"}
		}
		return Esito{Errore: "rete"}
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return Esito{Stato: resp.StatusCode, Errore: "corpo"}
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		if l := resp.Header.Get("Location"); strings.HasPrefix(l, "/login") || strings.Contains(l, "/demo-idp") {
			return Esito{Stato: resp.StatusCode, Errore: "login"}
		}
	}
	return Esito{Stato: resp.StatusCode}
}

// Utente is the account of a client.
func (b *Bersaglio) Utente(cliente int) string { return b.utenti[cliente] }
