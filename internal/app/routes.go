package app

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/cartella/cartella/internal/auth"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/web"
	"github.com/cartella/cartella/web/ui"
)

// publicRoutes may be reached without signing in. Every other route must
// sit behind auth.RequireLogin and an authz guard; routes_test.go walks the
// router and fails on any that does not.
var publicRoutes = map[string]bool{
	"GET /healthz":       true,
	"GET /readyz":        true,
	"GET /static/*":      true,
	"GET /":              true, // landing page; the role's home once signed in
	"GET /login":         true,
	"GET /auth/callback": true,
	"GET /logout":        true,
	"POST /logout":       true,
	"GET /uscita":        true,
	"GET /ruolo":         true, // needs a session, not a role (auth.RequireSession)
	"POST /ruolo":        true,
	"* /demo-idp/*":      true, // demo mode only
	// The demo's mail sink (internal/posta): demo mode without SMTP only.
	"GET /demo/posta":               true,
	"GET /demo/posta/{id}":          true,
	"GET /demo/posta/{id}/allegato": true,
	// An operator's iCalendar feed: calendar apps cannot sign in, the secret
	// token in the URL authenticates it (internal/incontri).
	"GET /calendario/{token}.ics": true,
}

// routes is the whole URL map.
func routes(d *deps) http.Handler {
	r := chi.NewRouter()
	r.NotFound(d.rs.NotFound)
	r.MethodNotAllowed(d.rs.MethodNotAllowed)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.rs.Render(w, r, http.StatusForbidden, ui.ErrorPage(d.shell(r), http.StatusForbidden, "Richiesta rifiutata",
			"La richiesta proviene da un altro sito ed è stata bloccata per proteggere i tuoi dati. Ripeti l'operazione dalle pagine di Cartella."))
	}))

	// HEAD is answered like GET (monitoring probes use it on /healthz).
	r.Use(middleware.GetHead, httpx.RequestID, httpx.AccessLog(d.log), d.rs.Recover,
		httpx.SecurityHeaders(d.cfg.Secure(), formActionOrigins(d.cfg)...), cop.Handler)

	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	r.Get("/readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := d.pool.Ping(ctx); err != nil {
			d.log.Warn("readyz: database not answering", "error", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database non raggiungibile\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	r.Method(http.MethodGet, "/static/*", web.Handler())
	d.incontri.FeedRoutes(r)
	if d.demoIdP != nil {
		r.Handle("/demo-idp/*", d.demoIdP)
	}
	if d.postaDemo != nil {
		d.postaDemo.Routes(r)
	}

	r.Group(func(r chi.Router) {
		r.Use(d.auth.LoadPrincipal)
		d.auth.Routes(r)
		d.home.Routes(r)
		r.Group(func(r chi.Router) {
			r.Use(auth.RequireSession)
			d.auth.RoleRoutes(r)
		})
		r.Group(func(r chi.Router) {
			r.Use(auth.RequireLogin)
			// Domain modules mount here; each route declares its guard.
			d.operatori.Routes(r)
			d.ambiti.Routes(r)
			d.registroH.Routes(r)
			d.casiH.Routes(r)
			d.board.Routes(r)
			d.incontri.Routes(r)
			d.analisiH.Routes(r)
			d.quadroH.Routes(r)
			d.pattoH.Routes(r)
			d.fslH.Routes(r)
			d.nucleiH.Routes(r)
			d.equipeH.Routes(r)
			d.segnalH.Routes(r)
			d.monitorH.Routes(r)
		})
	})
	return r
}
