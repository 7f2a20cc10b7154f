package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/analisi"
	"github.com/cartella/cartella/internal/assegnazioni"
	"github.com/cartella/cartella/internal/auth"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/config"
	"github.com/cartella/cartella/internal/controlli"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/demoidp"
	"github.com/cartella/cartella/internal/equipe"
	"github.com/cartella/cartella/internal/fsl"
	"github.com/cartella/cartella/internal/home"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/importazioni"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/monitoraggio"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/pdnd"
	"github.com/cartella/cartella/internal/posta"
	"github.com/cartella/cartella/internal/presentazioni"
	"github.com/cartella/cartella/internal/prestazioni"
	"github.com/cartella/cartella/internal/quadro"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/report"
	"github.com/cartella/cartella/internal/rete"
	"github.com/cartella/cartella/internal/segnalazioni"
	"github.com/cartella/cartella/internal/session"
	"github.com/cartella/cartella/web/ui"
)

// directory adapts the accreditation service to what auth needs.
type directory struct{ acc *accesso.Service }

func (d directory) PrincipalsByCF(ctx context.Context, cf string) ([]authz.Principal, error) {
	ps, err := d.acc.PrincipalsByCF(ctx, cf)
	if errors.Is(err, accesso.ErrNotAccredited) {
		return nil, auth.ErrNotAccredited
	}
	return ps, err
}

func (d directory) Principals(ctx context.Context, id uuid.UUID) ([]authz.Principal, error) {
	ps, err := d.acc.Principals(ctx, id)
	if errors.Is(err, accesso.ErrNotAccredited) {
		return nil, auth.ErrNotAccredited
	}
	return ps, err
}

func (d directory) PrincipalsLetti(ctx context.Context, accanto []byte) ([]authz.Principal, error) {
	ps, err := d.acc.PrincipalsJSON(ctx, accanto)
	if errors.Is(err, accesso.ErrNotAccredited) {
		return nil, auth.ErrNotAccredited
	}
	return ps, err
}

// navEntry is a navigation entry shown to roles granted (obj, act).
type navEntry struct {
	label, href string
	obj         authz.Object
	act         authz.Action
}

// nav lists the pages of the main navigation; each appears only to the
// roles allowed to open it.
var nav = []navEntry{
	{"Home", "/", authz.Home, authz.Read},
	{"Ambiti", "/admin/ambiti", authz.Ambiti, authz.Read},
	{"Operatori", "/admin/operatori", authz.Operatori, authz.Read},
	{"Registro accessi", "/admin/registro", authz.Registro, authz.Read},
	{"Casi", "/casi", authz.Casi, authz.Read},
	{"Assegnazioni", "/assegnazioni", authz.Assegnazioni, authz.Read},
	{"Apri un caso", "/casi/nuovo", authz.Apertura, authz.Write},
	{"Agenda", "/agenda", authz.Agenda, authz.Read},
	{"Importazioni", "/importazioni", authz.Importazioni, authz.Read},
	{"Cruscotto", "/report", authz.Report, authz.Read},
	{"Flussi SIUSS", "/siuss", authz.Siuss, authz.Read},
	{"Controlli anagrafici", "/controlli", authz.Controlli, authz.Read},
	{"Invii ricevuti", "/invii", authz.Invii, authz.Read},
	{"Presentazioni", "/presentazioni", authz.Presentazioni, authz.Read},
	{"Segnalazioni", "/segnalazioni", authz.Segnalazioni, authz.Read},
	// The case manager's segnalazioni to act on (only the case manager has casi/read).
	{"Segnalazioni", "/casi/segnalazioni", authz.Casi, authz.Read},
	{"Rete dei servizi", "/rete", authz.Rete, authz.Read},
}

// deps are the built modules, shared by newServer and the tests.
type deps struct {
	cfg       config.Config
	pool      *pgxpool.Pool
	log       *slog.Logger
	rs        *httpx.Responder
	sessions  *session.Manager
	accesso   *accesso.Service
	luoghi    *accesso.Luoghi // the ISTAT comuni and foreign states, shipped with the binary
	registro  *registro.Service
	enforcer  *authz.Enforcer
	guard     *authz.Guard
	auth      *auth.Handler
	home      *home.Handler
	operatori *accesso.Handler
	ambiti    *accesso.AmbitiHandler
	impostaz  *accesso.ImpostazioniHandler // the ambito's settings (privacy notice, logo)
	registroH *registro.Handler
	casi      *casi.Service
	casiH     *casi.Handler
	boardS    *assegnazioni.Service // the assignment board (its counts on the home)
	board     *assegnazioni.Handler
	incontriS *incontri.Service // meetings, convocazioni, agenda (the home's count of meetings to register)
	incontri  *incontri.Handler
	analisi   *analisi.Service // the analisi preliminare (SezioniEstratto for the équipe)
	analisiH  *analisi.Handler
	quadro    *quadro.Service // the quadro di analisi (Priorita for the patto)
	quadroH   *quadro.Handler
	patto     *patto.Service // the patto per l'inclusione sociale (Firmato for monitoring)
	pattoH    *patto.Handler
	fslH      *fsl.Handler
	nuclei    *importazioni.Service // imports of the nuclei flow
	nucleiH   *importazioni.Handler
	posta     *posta.Outbox      // outgoing e-mail (worker started by background)
	postaDemo *posta.DemoHandler // the mail sink's reader; nil unless demo mode without SMTP
	equipeH   *equipe.Handler
	segnal    *segnalazioni.Service
	segnalH   *segnalazioni.Handler
	controlli *controlli.Service
	controlH  *controlli.Handler
	rete      *rete.Service
	reteH     *rete.Handler
	prestaz   *prestazioni.Service // prestazioni sociali erogate and their PS-PSA-SINA flows to SIUSS
	prestazH  *prestazioni.Handler
	reportH   *report.Handler     // the cruscotto of the operatore ATS and the coordinatore PaIS
	esporta   *report.Esportatore // the cruscotto's exports (worker started by background)
	reportS   *report.Service     // the cruscotto's indicators (readers' pages prepared by background)
	monitor   *monitoraggio.Service
	monitorH  *monitoraggio.Handler
	present   *presentazioni.Service // registrations of presentations, periods of the benefit, CPI outcomes
	presentH  *presentazioni.Handler
	demoIdP   http.Handler      // nil outside demo mode
	waas      *prestazioni.WaaS // the e-service INPS polls (/waas/v1); nil when not configured
	pdndDemo  *pdnd.Demo        // the demo PDND authorization server (/demo-pdnd); nil outside demo mode
	// deposito holds the uploaded files waiting for their import (this
	// process's directory in cfg.UploadDir).
	deposito *importazioni.Deposito
	tempi    tempi // the server's time limits (tempi.go)
}

// newServer wires the modules, recovers from a previous crash (imports
// left in corso, uploaded files left behind) and, in demo mode, loads the
// demo data.
func newServer(ctx context.Context, cfg config.Config, pool *pgxpool.Pool, log *slog.Logger) (*deps, error) {
	avvio := time.Now()
	d, err := build(ctx, cfg, pool, log)
	if err != nil {
		return nil, err
	}
	if err := d.recupera(ctx, avvio); err != nil {
		return nil, err
	}
	if cfg.Mode == config.Demo {
		if err := demo.Load(ctx, d.accesso, d.luoghi); err != nil {
			return nil, err
		}
		if err := d.enforcer.Reload(ctx); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// build wires every module.
func build(ctx context.Context, cfg config.Config, pool *pgxpool.Pool, log *slog.Logger) (*deps, error) {
	d := &deps{cfg: cfg, pool: pool, log: log, tempi: tempiProduzione}
	d.accesso = accesso.NewService(pool)
	luoghi, err := accesso.CaricaLuoghi()
	if err != nil {
		return nil, err
	}
	d.luoghi = luoghi
	d.accesso.SetLuoghi(luoghi)
	// The ente of an operatore_ente: accesso reads the enti through rete.
	d.accesso.SetEnti(rete.NewPerAccesso(pool))
	chiave, err := registro.LeggiChiave(cfg.RegistroChiaveFile)
	if err != nil {
		return nil, fmt.Errorf("%w: REGISTRO_CHIAVE_FILE=%q", err, cfg.RegistroChiaveFile)
	}
	d.registro = registro.NewService(pool, chiave)
	en, err := authz.New(ctx, d.accesso.Bindings)
	if err != nil {
		return nil, err
	}
	d.enforcer = en
	d.sessions = session.NewManager(pool, cfg.SessionIdle, cfg.SessionAbsolute, cfg.Secure())
	// The operator and their roles in force, read with the session in one
	// statement (issue 19).
	d.sessions.ConAccanto(session.Accanto{SQL: d.accesso.PrincipaliSQL, Args: d.accesso.PrincipaliArgs})
	d.rs = &httpx.Responder{Log: log, Shell: d.shell}
	d.guard = authz.NewGuard(en, d.deny)
	d.auth = auth.NewHandler(auth.Config{
		Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCClientSecret,
		RedirectURL: cfg.RedirectURL(), PostLogoutURL: cfg.BaseURL.JoinPath("uscita").String(),
		CFClaim: cfg.OIDCCFClaim,
	}, d.sessions, directory{d.accesso}, d.rs, log, d.authEvent)
	var demoAccounts []home.DemoAccount
	if cfg.DemoProvider() {
		idp, err := demoidp.New(demoidp.Config{
			Issuer:   cfg.OIDCIssuer,
			ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCClientSecret,
			RedirectURIs:           []string{cfg.RedirectURL()},
			PostLogoutRedirectURIs: []string{cfg.BaseURL.JoinPath("uscita").String()},
			Authenticate:           demoAuthenticate,
			LoginPage: func(w http.ResponseWriter, r *http.Request, status int, p demoidp.LoginPageData) {
				d.rs.Render(w, r, status, demo.LoginPage(d.shell(r), demo.LoginProps(p)))
			},
			Logger: log,
		})
		if err != nil {
			return nil, err
		}
		d.demoIdP = idp
		for _, a := range demo.Accounts {
			ambito := "Ambito Territoriale Demo"
			if a.Comune >= 0 {
				ambito = "Comune di " + demo.Comuni[a.Comune].Denominazione
			} else if a.Ruolo == authz.OperatoreEnte {
				ambito = "Ente: " + demo.EnteDemo
			} else if a.Ruolo == authz.AmministratoreSistema {
				ambito = "Intera installazione"
			}
			demoAccounts = append(demoAccounts, home.DemoAccount{Username: a.Username, Ruolo: a.Ruolo.Label(), Ambito: ambito})
		}
	}
	d.home = home.NewHandler(d.rs, d.sessions, demoAccounts)
	d.accesso.SetAudit(d.registro, d.accreditamentoChanged)
	d.operatori = accesso.NewHandler(d.accesso, d.rs)
	d.ambiti = accesso.NewAmbitiHandler(d.accesso, d.rs)
	d.impostaz = accesso.NewImpostazioniHandler(d.accesso, d.rs)
	d.registroH = registro.NewHandler(d.registro, d.rs, d.accesso.NomiAmbito)
	d.casi = casi.NewService(pool, d.registro)
	d.casi.SetLuoghi(d.luoghi)
	d.registroH.ConCasi(d.casi)
	d.casiH = casi.NewHandler(d.casi, d.rs, assegnazioni.Pagina)
	d.boardS = assegnazioni.NewService(pool, d.registro, d.casi)
	d.board = assegnazioni.NewHandler(d.boardS, d.rs)
	d.incontriS = incontri.NewService(pool, d.registro, d.casi)
	d.incontri = incontri.NewHandler(d.incontriS, d.rs, cfg.BaseURL.String())
	d.present = presentazioni.NewService(pool, d.registro, d.casi)
	d.presentH = presentazioni.NewHandler(d.present, d.rs)
	d.analisi = analisi.NewService(pool, d.registro, d.casi)
	d.analisiH = analisi.NewHandler(d.analisi, d.rs)
	d.quadro = quadro.NewService(pool, d.registro, d.casi)
	d.quadroH = quadro.NewHandler(d.quadro, d.rs)
	d.posta = posta.NewOutbox(pool, mittente(cfg), cfg.SMTPFrom, log)
	if cfg.PostaSink() {
		d.postaDemo = posta.NewDemoHandler(d.posta, d.rs)
	}
	equipeS := equipe.NewService(pool, d.registro, d.casi, d.posta, fonteEstratto(pool, d.casi, d.analisi))
	d.patto = patto.NewService(pool, d.registro, d.casi, d.quadro, equipeS)
	d.pattoH = patto.NewHandler(d.patto, d.rs)
	d.pattoH.ConEnte(d.accesso) // the printed patto's header, privacy notice, contacts
	d.fslH = fsl.NewHandler(d.patto, d.rs)
	// Uploaded imports run in the background until the server stops (ctx).
	d.nuclei = importazioni.NewService(ctx, pool, d.registro, d.casi, log)
	d.nucleiH = importazioni.NewHandler(d.nuclei, d.rs)
	d.equipeH = equipe.NewHandler(equipeS, d.rs)
	d.segnal = segnalazioni.NewService(pool, d.registro, d.casi)
	d.segnalH = segnalazioni.NewHandler(d.segnal, d.rs)
	d.controlli = controlli.NewService(pool, d.registro, d.casi, d.segnal)
	d.controlH = controlli.NewHandler(d.controlli, d.rs)
	d.rete = rete.NewService(pool, d.registro, d.casi, d.patto, d.posta)
	d.reteH = rete.NewHandler(d.rete, d.rs)
	d.prestaz = prestazioni.NewService(pool, d.registro, d.casi, d.patto)
	d.prestazH = prestazioni.NewHandler(d.prestaz, d.rs)
	d.waas, d.pdndDemo = waas(cfg, d.prestaz, log)
	d.home.ConLavoro(lavoro(d.casi, d.incontriS, d.present, d.patto, d.boardS, d.segnal, d.controlli, d.rete, d.prestaz)...)
	d.monitor = monitoraggio.NewService(pool, d.registro, d.casi)
	d.monitorH = monitoraggio.NewHandler(d.monitor, d.rs)
	// The cruscotto's indicators, from the modules that keep the data.
	reportS := report.NewService(comuniReport(d.accesso),
		fornitoriReport(d.casi, d.incontriS, d.analisi, d.patto, d.monitor, d.segnal, d.controlli, d.rete)...).
		ConTetto(tettoReport(d.accesso)).ConDettaglio(dettagliReport(d.casi)...)
	d.reportS = reportS
	d.reportH = report.NewHandler(reportS, d.rs)
	// Its exports: the tables, and the pseudonymised dataset of the cases
	// (casi's base, the other modules' columns).
	d.esporta = report.NewEsportatore(pool, d.registro, reportS, d.casi, fornitoriDataset(d.incontriS, d.analisi, d.patto), log)
	d.reportH.ConEsportazioni(d.esporta)
	d.casi.ConSezioni(sezioniCaso(d.casi, d.incontriS, d.present, d.analisi, d.quadro, d.patto, d.monitor, d.segnal, d.controlli, d.rete, d.prestaz)...)
	d.patto.ConInvii(d.rete)          // the sostegni show their invii to the network
	d.patto.ConPrestazioni(d.prestaz) // and the prestazioni sociali they are recorded as
	d.monitor.ConInvii(d.rete)        // the monitoring meetings review them with their outcome
	collegaScadenze(d.casi, d.incontriS, d.monitor, d.present, d.analisi)
	return d, nil
}

// waas builds the e-service of the SIUSS flows that INPS polls through PDND
// (issue 18), when configured: its vouchers checked against PDND's key set,
// or, in demo mode, against the demo PDND server's, which it returns too.
func waas(cfg config.Config, svc *prestazioni.Service, log *slog.Logger) (*prestazioni.WaaS, *pdnd.Demo) {
	if !cfg.WaaS() {
		return nil, nil
	}
	var (
		keys pdnd.KeySet
		dem  *pdnd.Demo
	)
	codice := cfg.SIUSSCodiceEnte
	switch {
	case cfg.DemoPDND():
		dem = pdnd.NewDemo(cfg.PDNDIssuer, cfg.PDNDAudience)
		keys = dem.KeySet
		if codice == "" {
			codice = demo.Comuni[0].CodiceCatastale // the demo ambito's ente (prestazioniDemo)
		}
	case cfg.PDNDJWKSFile != "":
		keys = pdnd.KeySetFile(cfg.PDNDJWKSFile)
	default:
		keys = pdnd.KeySetURL(cfg.PDNDJWKSURL, &http.Client{Timeout: 10 * time.Second})
	}
	ver := pdnd.NewVerifier(pdnd.Config{Issuer: cfg.PDNDIssuer, Audience: cfg.PDNDAudience, Consumer: cfg.PDNDConsumer, Keys: keys})
	return prestazioni.NewWaaS(svc, ver, codice, func(ctx context.Context, msg string, args ...any) {
		log.ErrorContext(ctx, msg, args...)
	}), dem
}

// recupera undoes what a process that died left (docs/operations.md,
// "Crash recovery"): the imports it left in corso end interrotta, with the
// counters of what they committed, and the uploaded files it left are
// removed; then this process's upload directory is opened.
func (d *deps) recupera(ctx context.Context, avvio time.Time) error {
	n, err := d.nuclei.Recupera(ctx)
	if err != nil {
		return err
	}
	dep, pulizia, err := importazioni.ApriDeposito(d.cfg.UploadDir, avvio, os.TempDir())
	if err != nil {
		return err
	}
	d.deposito = dep
	d.nucleiH.Dir = dep.Dir()
	if n > 0 || pulizia.File > 0 || pulizia.Cartelle > 0 {
		d.log.Warn("crash recovery", "imports_interrupted", n, "upload_files_removed", pulizia.File, "upload_dirs_removed", pulizia.Cartelle)
	}
	return nil
}

// demoAuthenticate is the demo provider's credential check: a demo
// username, or any well-formed codice fiscale, with the password "demo".
// Whether that person is accredited is then Cartella's decision, exactly as
// with SPID in production.
func demoAuthenticate(_ context.Context, username, password string) (demoidp.Account, bool) {
	if password != demo.Password {
		return demoidp.Account{}, false
	}
	if a, ok := demo.AccountByUsername(username); ok {
		cf := a.CodiceFiscale()
		return demoidp.Account{Subject: cf, Username: a.Username, GivenName: a.Nome, FamilyName: a.Cognome, FiscalNumber: "TINIT-" + cf}, true
	}
	cf := codicefiscale.Normalize(username)
	if codicefiscale.Validate(cf) != nil {
		return demoidp.Account{}, false
	}
	return demoidp.Account{Subject: cf, Username: cf, FiscalNumber: "TINIT-" + cf}, true
}

// authEvent records logins, refused logins and logouts in the register;
// the log keeps only the kind of event, never who.
func (d *deps) authEvent(r *http.Request, e auth.Event) {
	v := registro.FromRequest(r, registro.Voce{Azione: e.Kind, OperatoreID: e.OperatoreID, Dettaglio: e.Detail, Esito: registro.Consentito})
	if e.Kind == registro.LoginNegato {
		v.Esito = registro.Rifiutato
	}
	if p := e.Principal; p != nil {
		v.Ruolo, v.AmbitoID, v.ComuneID = string(p.Ruolo), p.AmbitoID, p.ComuneID
	}
	if err := d.registro.Record(r.Context(), v); err != nil {
		d.log.ErrorContext(r.Context(), "access register", "request_id", httpx.RequestIDFrom(r.Context()), "error", err)
	}
	d.log.InfoContext(r.Context(), "auth event", "request_id", httpx.RequestIDFrom(r.Context()), "event", e.Kind, "detail", e.Detail)
}

// accreditamentoChanged makes an accreditation change effective at once:
// casbin reloads the bindings, and a suspended or revoked operator loses
// every open session.
func (d *deps) accreditamentoChanged(ctx context.Context, id uuid.UUID, stato string) {
	if err := d.enforcer.Reload(ctx); err != nil {
		d.log.ErrorContext(ctx, "authz reload", "error", err)
	}
	if stato == "sospeso" || stato == "revocato" {
		if err := d.sessions.DestroyOperatore(ctx, id); err != nil {
			d.log.ErrorContext(ctx, "end sessions", "error", err)
		}
	}
}

// deny records a refused access and answers 403.
func (d *deps) deny(w http.ResponseWriter, r *http.Request, obj authz.Object, act authz.Action) {
	v := registro.FromRequest(r, registro.Voce{Azione: registro.Negato, OggettoTipo: string(obj), Dettaglio: string(act), Esito: registro.Rifiutato})
	if rc := chi.RouteContext(r.Context()); rc != nil {
		v.OggettoID = rc.RoutePattern()
	}
	if err := d.registro.Record(r.Context(), v); err != nil {
		d.log.ErrorContext(r.Context(), "access register", "request_id", httpx.RequestIDFrom(r.Context()), "error", err)
	}
	d.rs.Error(w, r, httpx.ErrForbidden)
}

// shell describes the request for the page layout.
func (d *deps) shell(r *http.Request) ui.Shell {
	s := ui.Shell{Demo: d.cfg.Mode == config.Demo, Current: r.URL.Path, RequestID: httpx.RequestIDFrom(r.Context())}
	if r.Method == http.MethodGet && r.URL.Query().Get("ripetuta") == "1" {
		s.Avviso = httpx.AvvisoRipetuta
	}
	p, ok := authz.PrincipalFrom(r.Context())
	if !ok {
		return s
	}
	s.Operatore = &ui.Operatore{Nome: p.NomeCompleto(), Ruolo: p.RuoloLabel, Ambito: p.Ambito, AltriRuoli: p.AltriRuoli}
	for _, n := range nav {
		if d.enforcer.Allowed(p, n.obj, n.act) {
			s.Nav = append(s.Nav, ui.NavItem{Label: n.label, Href: n.href})
		}
	}
	return s
}

// background runs the periodic jobs until ctx ends.
func (d *deps) background(ctx context.Context) {
	// Casbin's bindings: reloaded when any instance announces a change of
	// accreditation (LISTEN/NOTIFY), and every minute all the same.
	go d.enforcer.ReloadEvery(ctx, time.Minute, func(err error) { d.log.Error("authz reload", "error", err) })
	go d.accesso.Ascolta(ctx, time.Second, func(ctx context.Context) {
		if err := d.enforcer.Reload(ctx); err != nil && ctx.Err() == nil {
			d.log.Error("authz reload", "error", err)
		}
	}, func(err error) { d.log.Warn("authz: listening for accreditation changes", "error", err) })
	go d.posta.Run(ctx) // delivers the outbox (internal/posta)
	// The registro's sealer: the records whose transactions have ended go
	// into a signed lotto (ADR 0023); several instances take turns.
	go d.registro.Sigillatore(ctx, registro.OgniSigillo, d.log)
	// Imports whose process died while this one runs (another instance,
	// or this one restarted within importazioni.Scadenza).
	go d.nuclei.RecuperaOgni(ctx, importazioni.Battito)
	// The cruscotto's exports: claims the waiting ones (several instances
	// share them: FOR UPDATE SKIP LOCKED), takes up those of a dead process,
	// deletes the expired ones (docs/operations.md, "Esportazioni").
	go d.esporta.Lavora(ctx, report.OgniPurga)
	// The readers' default pages of the cruscotto, computed ahead and kept
	// (docs/indicatori.md, "Aggiornamento").
	go d.reportS.PreparaOgni(ctx, lettoriReport(d.accesso), report.OgniPreparazione,
		func(err error) { d.log.Error("cruscotto: preparazione", "error", err) })
	// The deadline states (in scadenza, scaduto) move with the calendar, not
	// only with the writes that recompute them: refreshed at start and at
	// the first tick of each new day. One instance at a time runs it (an
	// advisory lock): one that finds it running elsewhere leaves the day to
	// that one, which retries at its next tick if it fails.
	giorno := ""
	scadenze := func() {
		oggi := d.casi.Oggi().Format(time.DateOnly)
		if oggi == giorno {
			return
		}
		t0 := time.Now()
		n, err := d.casi.AggiornaScadenze(ctx)
		switch {
		case errors.Is(err, casi.ErrScadenzeInCorso):
			giorno = oggi
			d.log.Info("deadline refresh: running in another instance")
		case err != nil:
			d.log.Error("deadline refresh", "error", err)
		default:
			giorno = oggi
			d.log.Info("deadline refresh", "cases", n, "duration", time.Since(t0).Round(time.Millisecond))
		}
	}
	scadenze()
	// The overdue answers of the invii to the network: one e-mail to the
	// case manager per invio, queued in the outbox (internal/rete).
	// Idempotent (each invio is marked), several instances may run it.
	solleciti := func() {
		if n, err := d.rete.Solleciti(ctx); err != nil {
			d.log.Error("invii reminders", "error", err)
		} else if n > 0 {
			d.log.Info("invii reminders", "queued", n)
		}
	}
	solleciti()
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			scadenze()
			solleciti()
			if n, err := d.sessions.Cleanup(ctx); err != nil {
				d.log.Error("session cleanup", "error", err)
			} else if n > 0 {
				d.log.Info("session cleanup", "deleted", n)
			}
			if n, err := d.registro.PurgaChiavi(ctx); err != nil {
				d.log.Error("idempotency keys purge", "error", err)
			} else if n > 0 {
				d.log.Info("idempotency keys purge", "deleted", n)
			}
		}
	}
}

// formActionOrigins are the origins forms may lead to by redirect: the
// provider's, for the logout that ends its session too.
func formActionOrigins(cfg config.Config) []string {
	u, err := url.Parse(cfg.OIDCIssuer)
	if err != nil || u.Host == "" || u.Host == cfg.BaseURL.Host {
		return nil
	}
	return []string{u.Scheme + "://" + u.Host}
}
