// Package authz decides whether the signed-in operator, acting in one of
// their roles, may perform an action on an object. Casbin evaluates the
// embedded policy (role → object, action) against the role bindings loaded
// from our own tables; row-level scope ("this case is assigned to this case
// manager") is checked by each module's service, not here.
package authz

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/util"
	"github.com/google/uuid"

	"github.com/cartella/cartella/policies"
)

// Object is something protected by the policy.
type Object string

// Action is what is done to an Object.
type Action string

// Objects of policies/policy.csv.
const (
	Home         Object = "home"
	Ambiti       Object = "ambiti"
	Operatori    Object = "operatori"
	Registro     Object = "registro"
	Assegnazioni Object = "assegnazioni"
	Casi         Object = "casi"
	Apertura     Object = "apertura"
	Importazioni Object = "importazioni"
	Agenda       Object = "agenda"
	Controlli    Object = "controlli"
	Report       Object = "report"
	Segnalazioni Object = "segnalazioni" // approval of segnalazioni and their export for INPS
	Rete         Object = "rete"         // the rete dei servizi: read the map and the reports; write enti, services, protocols
	Invii        Object = "invii"        // the invii received by an ente of the network (the ente's side)
	// Presentazioni: the operatore presentazioni's desk (find a nucleo by
	// codice fiscale, register a presentation); no case content.
	Presentazioni Object = "presentazioni"
	// Siuss: the monitoring of the ambito's flows to SIUSS (flow ids,
	// codes, states; no person's data).
	Siuss Object = "siuss"
)

// Actions of policies/policy.csv.
const (
	Read   Action = "read"
	Write  Action = "write"
	Assign Action = "assign"
)

// Ruolo is a role of the GePI role model.
type Ruolo string

// The roles (domain.md §1.1). The Amministratore di sistema is the
// Ministry-side role that creates ambiti and accredits their amministratori.
const (
	AmministratoreSistema Ruolo = "amministratore_sistema"
	AmministratoreAmbito  Ruolo = "amministratore_ambito"
	CoordinatorePaIS      Ruolo = "coordinatore_pais"
	CaseManager           Ruolo = "case_manager"
	CoordinatoreControlli Ruolo = "coordinatore_controlli"
	ResponsabileControlli Ruolo = "responsabile_controlli"
	OperatoreATS          Ruolo = "operatore_ats"
	// The gestore della rete dei servizi of an ambito: enti, services,
	// protocols, reports; no case content.
	GestoreRete Ruolo = "gestore_rete"
	// An operator of an ente of the network (scope: the ente): only the
	// invii addressed to the ente, with the consented extract.
	OperatoreEnte Ruolo = "operatore_ente"
	// The operatore presentazioni of a comune (INPS messaggio 2132 of 5 June
	// 2024): registers the nucleo's presentations and giustificati motivi;
	// sees the name, the case number, the counters and the cut-off only.
	OperatorePresentazioni Ruolo = "operatore_presentazioni"
)

// Ruoli lists every role in display order.
var Ruoli = []Ruolo{AmministratoreSistema, AmministratoreAmbito, CoordinatorePaIS, CaseManager,
	CoordinatoreControlli, ResponsabileControlli, OperatoreATS, GestoreRete, OperatoreEnte, OperatorePresentazioni}

// Label is the role's Italian name as operators know it from GePI.
func (r Ruolo) Label() string {
	switch r {
	case AmministratoreSistema:
		return "Amministratore di sistema"
	case AmministratoreAmbito:
		return "Amministratore di ambito"
	case CoordinatorePaIS:
		return "Coordinatore PaIS"
	case CaseManager:
		return "Case manager"
	case CoordinatoreControlli:
		return "Coordinatore controlli anagrafici"
	case ResponsabileControlli:
		return "Responsabile controlli anagrafici"
	case OperatoreATS:
		return "Operatore ATS"
	case GestoreRete:
		return "Gestore della rete"
	case OperatoreEnte:
		return "Operatore di un ente della rete"
	case OperatorePresentazioni:
		return "Operatore presentazioni"
	}
	return string(r)
}

// Valid reports whether r is a known role.
func (r Ruolo) Valid() bool {
	for _, x := range Ruoli {
		if x == r {
			return true
		}
	}
	return false
}

// Principal is the signed-in operator acting in one role and scope.
type Principal struct {
	OperatoreID   uuid.UUID
	CodiceFiscale string
	Nome          string
	Cognome       string
	RuoloID       int64
	Ruolo         Ruolo  // role code, e.g. CaseManager
	RuoloLabel    string // e.g. "Case manager"
	Ambito        string // scope for people, e.g. "Comune di Zola Predosa"
	Domain        string // casbin domain: "*", "ambito:ID", "comune:ID", "ente:ID"
	AmbitoID      *int64
	ComuneID      *int64
	EnteID        *int64 // the ente of the network, for an operatore_ente (AmbitoID is set too)
	AltriRuoli    bool   // the operator holds other roles and may switch
}

// NomeCompleto is "Nome Cognome".
func (p Principal) NomeCompleto() string { return p.Nome + " " + p.Cognome }

// Binding is one row of operatore_ruolo as casbin sees it.
type Binding struct {
	OperatoreID uuid.UUID
	Ruolo       string
	Domain      string
}

// BindingSource loads every role binding in force (implemented by accesso).
type BindingSource func(ctx context.Context) ([]Binding, error)

// Enforcer wraps casbin. Reload after any accreditation change, so a new or
// revoked role takes effect without a restart.
type Enforcer struct {
	mu     sync.RWMutex
	e      *casbin.Enforcer
	source BindingSource
	// decisioni keeps casbin's answers until the next Reload: a decision
	// is a function of the policy, the bindings and the request alone, and
	// evaluating the matcher was the largest cost of a page (the shell asks
	// it for every entry of the navigation). Swapped whole by Reload.
	decisioni *sync.Map // decisione → bool
	quante    atomic.Int64
}

// decisione is a request to casbin.
type decisione struct {
	operatore uuid.UUID
	dominio   string
	oggetto   Object
	azione    Action
}

// maxDecisioni bounds the decisions kept between two reloads (one a
// minute): past it, a decision is computed and not kept.
const maxDecisioni = 200_000

// New builds the enforcer from the embedded model and policy and loads the
// bindings from source.
func New(ctx context.Context, source BindingSource) (*Enforcer, error) {
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		return nil, fmt.Errorf("authz: model: %w", err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("authz: enforcer: %w", err)
	}
	// A binding in domain "*" (the amministratore di sistema) applies in
	// every domain.
	e.AddNamedDomainMatchingFunc("g", "keyMatch", util.KeyMatch)
	en := &Enforcer{e: e, source: source}
	if err := en.Reload(ctx); err != nil {
		return nil, err
	}
	return en, nil
}

// Policy returns the (role, object, action) triples of the embedded policy.
func Policy() ([][3]string, error) {
	var out [][3]string
	for i, line := range strings.Split(policies.Policy, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		if len(f) != 4 || strings.TrimSpace(f[0]) != "p" {
			return nil, fmt.Errorf("authz: policy.csv line %d: want \"p, role, object, action\"", i+1)
		}
		out = append(out, [3]string{strings.TrimSpace(f[1]), strings.TrimSpace(f[2]), strings.TrimSpace(f[3])})
	}
	return out, nil
}

// Reload replaces policy and bindings atomically.
func (en *Enforcer) Reload(ctx context.Context) error {
	pol, err := Policy()
	if err != nil {
		return err
	}
	bindings, err := en.source(ctx)
	if err != nil {
		return fmt.Errorf("authz: bindings: %w", err)
	}
	en.mu.Lock()
	defer en.mu.Unlock()
	en.decisioni = &sync.Map{}
	en.quante.Store(0)
	en.e.ClearPolicy()
	for _, p := range pol {
		if _, err := en.e.AddPolicy(p[0], p[1], p[2]); err != nil {
			return fmt.Errorf("authz: policy: %w", err)
		}
	}
	for _, b := range bindings {
		if _, err := en.e.AddGroupingPolicy(b.OperatoreID.String(), b.Ruolo, b.Domain); err != nil {
			return fmt.Errorf("authz: binding: %w", err)
		}
	}
	// ClearPolicy empties the model but not the role manager's links: without
	// a rebuild a revoked role would keep granting access (tested).
	if err := en.e.BuildRoleLinks(); err != nil {
		return fmt.Errorf("authz: role links: %w", err)
	}
	return nil
}

// ReloadEvery reloads the bindings periodically until ctx ends, so that
// changes made through another instance reach this one too.
func (en *Enforcer) ReloadEvery(ctx context.Context, d time.Duration, onErr func(error)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := en.Reload(ctx); err != nil && ctx.Err() == nil {
				onErr(err)
			}
		}
	}
}

// Allowed reports whether p may do act on obj in the scope of its role.
func (en *Enforcer) Allowed(p Principal, obj Object, act Action) bool {
	en.mu.RLock()
	defer en.mu.RUnlock()
	k := decisione{p.OperatoreID, p.Domain, obj, act}
	if v, ok := en.decisioni.Load(k); ok {
		return v.(bool)
	}
	ok, err := en.e.Enforce(p.OperatoreID.String(), p.Domain, string(obj), string(act))
	if err != nil {
		return false // not kept: the next request asks again
	}
	if en.quante.Add(1) <= maxDecisioni {
		en.decisioni.Store(k, ok)
	}
	return ok
}

// RoleAllowed reports whether the role (in any scope) is granted act on obj:
// the static part of the matrix, for tests and documentation.
func RoleAllowed(role Ruolo, obj Object, act Action) bool {
	pol, err := Policy()
	if err != nil {
		return false
	}
	for _, p := range pol {
		if p[0] == string(role) && p[1] == string(obj) && p[2] == string(act) {
			return true
		}
	}
	return false
}

type ctxKey struct{}

// WithPrincipal stores p in ctx (by the auth middleware).
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// PrincipalFrom returns the principal of the request, if signed in.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

// PrincipalOf is the operator acting in the request (the zero Principal
// outside a signed-in route): what every handler hands its service.
func PrincipalOf(r *http.Request) Principal {
	p, _ := PrincipalFrom(r.Context())
	return p
}

// Guard is the route-level check every non-public route declares.
type Guard struct {
	en   *Enforcer
	deny func(w http.ResponseWriter, r *http.Request, obj Object, act Action)
}

// NewGuard returns a guard over en; deny records and renders the refusal
// (403 page).
func NewGuard(en *Enforcer, deny func(w http.ResponseWriter, r *http.Request, obj Object, act Action)) *Guard {
	return &Guard{en: en, deny: deny}
}

// Require lets through only principals whose role is granted act on obj
// within its scope.
func (g *Guard) Require(obj Object, act Action) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, ok := PrincipalFrom(r.Context())
			if !ok || !g.en.Allowed(p, obj, act) {
				g.deny(w, r, obj, act)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Covers reports whether a record of ambito ambitoID (and comune comuneID,
// when it belongs to one) lies within the scope of the role p acts in: the
// row-level check services make before showing a record, on top of the
// route-level policy. An installation-wide role covers everything; an
// ambito role covers the ambito and all its comuni; a comune role covers
// only records of that comune; an ente role (operatore_ente) covers none:
// its rows are the invii addressed to the ente, checked on ente_id.
func (p Principal) Covers(ambitoID int64, comuneID *int64) bool {
	switch {
	case p.Domain == "*":
		return true
	case p.AmbitoID == nil || *p.AmbitoID != ambitoID:
		return false
	case p.EnteID != nil:
		// An operator of an ente reaches only what is addressed to the
		// ente (the invii, checked by rete), never the ambito's records.
		return false
	case p.ComuneID == nil:
		return true
	default:
		return comuneID != nil && *comuneID == *p.ComuneID
	}
}
