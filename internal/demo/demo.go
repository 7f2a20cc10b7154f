// Package demo loads the demonstration data of `cartella demo`: the
// "Ambito Territoriale Demo", its three comuni and the demo accounts of
// contracts.md. It never runs under `cartella serve`.
package demo

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/codicefiscale"
)

// Password is the password of every demo account.
const Password = "demo"

// AmbitoCodice identifies the demo ambito.
const AmbitoCodice = "ATS-DEMO"

// Bologna is the comune of the second demo ambito.
var Bologna = accesso.Comune{CodiceISTAT: "037006", CodiceCatastale: "A944", Denominazione: "Bologna", Provincia: "BO", Regione: "Emilia-Romagna"}

// Comuni of the demo ambito (real ISTAT and cadastral codes); the first is
// the "first demo comune" of contracts.md, the second the second.
var Comuni = []accesso.Comune{
	{CodiceISTAT: "037011", CodiceCatastale: "B880", Denominazione: "Casalecchio di Reno", Provincia: "BO", Regione: "Emilia-Romagna"},
	{CodiceISTAT: "037060", CodiceCatastale: "M185", Denominazione: "Zola Predosa", Provincia: "BO", Regione: "Emilia-Romagna"},
	{CodiceISTAT: "037057", CodiceCatastale: "G972", Denominazione: "Sasso Marconi", Provincia: "BO", Regione: "Emilia-Romagna"},
}

// EnteDemo is the ente of the rete dei servizi the demo's operatore_ente
// works for, created by Load before the accounts.
const EnteDemo = "Consultorio familiare di Casalecchio di Reno"

// Account is a demo login and the operator behind it.
type Account struct {
	Username string
	Ruolo    accesso.Ruolo
	Comune   int // index in Comuni, -1 when the scope is the ambito or the installation (or the ente: EnteDemo)
	Nome     string
	Cognome  string
	Genere   string
	Nascita  time.Time
}

// CodiceFiscale is the account's (computed, valid) codice fiscale.
func (a Account) CodiceFiscale() string {
	return codicefiscale.Compute(a.Cognome, a.Nome, a.Nascita, a.Genere, "A944")
}

func d(y, m, day int) time.Time { return time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC) }

// Accounts are the demo accounts of contracts.md, in its order.
var Accounts = []Account{
	{"ministero", authz.AmministratoreSistema, -1, "Marta", "Ministeri", "F", d(1970, 3, 14)},
	{"amministratore", authz.AmministratoreAmbito, -1, "Andrea", "Amministri", "M", d(1975, 6, 2)},
	{"coordinatore", authz.CoordinatorePaIS, -1, "Chiara", "Coordi", "F", d(1978, 9, 21)},
	{"casemanager", authz.CaseManager, 0, "Giulia", "Ferrari", "F", d(1986, 4, 9)},
	{"casemanager2", authz.CaseManager, 1, "Luca", "Bassi", "M", d(1983, 11, 30)},
	{"coordcontrolli", authz.CoordinatoreControlli, 0, "Paolo", "Verdi", "M", d(1969, 1, 17)},
	{"respcontrolli", authz.ResponsabileControlli, 0, "Sara", "Neri", "F", d(1990, 7, 5)},
	{"coordcontrolli2", authz.CoordinatoreControlli, 1, "Franco", "Gallo", "M", d(1972, 5, 8)},
	{"respcontrolli2", authz.ResponsabileControlli, 1, "Elena", "Rizzi", "F", d(1988, 10, 23)},
	{"operatoreats", authz.OperatoreATS, -1, "Davide", "Conti", "M", d(1981, 2, 26)},
	{"gestorerete", authz.GestoreRete, -1, "Roberta", "Reti", "F", d(1977, 12, 3)},
	{"operatoreente", authz.OperatoreEnte, -1, "Marco", "Enti", "M", d(1984, 8, 19)},
	{"sportello", authz.OperatorePresentazioni, 0, "Irene", "Sportelli", "F", d(1991, 3, 12)},
}

// AccountByUsername finds a demo account.
func AccountByUsername(username string) (Account, bool) {
	for _, a := range Accounts {
		if a.Username == username {
			return a, true
		}
	}
	return Account{}, false
}

// Principals loads the demo data (Load) and returns the principal each
// demo account acts as (its first role), by username: the operators of the
// tests.
func Principals(ctx context.Context, acc *accesso.Service) (map[string]authz.Principal, error) {
	if err := Load(ctx, acc, nil); err != nil {
		return nil, err
	}
	out := make(map[string]authz.Principal, len(Accounts))
	for _, a := range Accounts {
		ps, err := acc.PrincipalsByCF(ctx, a.CodiceFiscale())
		if err != nil {
			return nil, fmt.Errorf("demo: %s: %w", a.Username, err)
		}
		if len(ps) == 0 {
			return nil, fmt.Errorf("demo: %s has no role", a.Username)
		}
		out[a.Username] = ps[0]
	}
	return out, nil
}

// AmbitoBolognaCodice identifies the second demo ambito, the city of
// Bologna's: a place to transfer a case to out of the demo ambito.
const AmbitoBolognaCodice = "ATS-BO-DEMO"

// Load loads the ISTAT list of comuni (luoghi's, when not nil: the
// import of the amministratore, idempotent) and creates the demo ambito,
// comuni and accounts, and (with luoghi) the ambito of Bologna, unless they exist. It is
// idempotent: a restarted demo keeps its data and loads nothing twice.
func Load(ctx context.Context, acc *accesso.Service, luoghi *accesso.Luoghi) error {
	if luoghi != nil {
		if _, err := acc.ImportComuni(ctx, luoghi.Comuni()); err != nil {
			return fmt.Errorf("demo: elenco ISTAT dei comuni: %w", err)
		}
	}
	if _, err := acc.AmbitoByCodice(ctx, AmbitoCodice); err == nil {
		return nil
	} else if !errors.Is(err, accesso.ErrNotFound) {
		return fmt.Errorf("demo: %w", err)
	}
	comuni := append([]accesso.Comune(nil), Comuni...)
	ambito, comuni, err := acc.CreateAmbito(ctx, accesso.Ambito{
		Codice: AmbitoCodice, Denominazione: "Ambito Territoriale Demo", EnteCapofila: "Comune di Casalecchio di Reno",
	}, comuni)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	ente, err := creaEnte(ctx, acc, ambito.ID, comuni[0].ID)
	if err != nil {
		return err
	}
	if luoghi != nil {
		// With the whole list of comuni, a second ambito to transfer to.
		if _, _, err := acc.CreateAmbito(ctx, accesso.Ambito{
			Codice: AmbitoBolognaCodice, Denominazione: "Ambito Territoriale Città di Bologna", EnteCapofila: "Comune di Bologna",
		}, []accesso.Comune{Bologna}); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	for _, a := range Accounts {
		r := accesso.Assegnazione{Ruolo: a.Ruolo, Dal: d(2024, 1, 1), Fondo: "Fondo Povertà"}
		op := accesso.Operatore{
			CodiceFiscale: a.CodiceFiscale(), Nome: a.Nome, Cognome: a.Cognome, Genere: a.Genere,
			ComuneNascita: "Bologna", Email: a.Username + "@ambito-demo.example", Telefono: "051 000 0000",
		}
		if a.Ruolo == authz.CaseManager {
			// The office contacts printed on the patto (fictitious).
			op.TelefonoUfficio, op.EmailUfficio = "051 598 1100", "servizisociali@ambito-demo.example"
			op.OrariUfficio = "lunedì e giovedì 9–12, martedì 15–17, su appuntamento"
		}
		birth := a.Nascita
		op.DataNascita = &birth
		if a.Ruolo != authz.AmministratoreSistema {
			op.AmbitoID = &ambito.ID
			r.AmbitoID = &ambito.ID
		} else {
			r.Fondo = ""
		}
		if a.Comune >= 0 {
			r.ComuneID = &comuni[a.Comune].ID
		}
		if a.Ruolo == authz.OperatoreEnte {
			r.EnteID = &ente
		}
		if _, err := acc.Accredit(ctx, op, []accesso.Assegnazione{r}); err != nil {
			return fmt.Errorf("demo: account %s: %w", a.Username, err)
		}
	}
	return nil
}

// creaEnte inserts the demo ente of the rete dei servizi (EnteDemo, a
// consultorio serving the first demo comune) and returns its id. The demo is
// composition: it writes rete's table directly, as the lead's demo data of
// the network will.
func creaEnte(ctx context.Context, acc *accesso.Service, ambitoID, comuneID int64) (int64, error) {
	var id int64
	err := acc.Pool().QueryRow(ctx, `
		INSERT INTO rete_ente (ambito_id, denominazione, tipo, indirizzo, telefono, email, referente)
		VALUES ($1, $2, 'sanitario', 'Via Cavour 1, Casalecchio di Reno', '051 000 1111',
		        'consultorio.casalecchio@ausl-demo.example', 'Dott.ssa Laura Consolini')
		ON CONFLICT (ambito_id, denominazione) DO UPDATE SET denominazione = EXCLUDED.denominazione
		RETURNING id`, ambitoID, EnteDemo).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("demo: ente %s: %w", EnteDemo, err)
	}
	if _, err := acc.Pool().Exec(ctx, `
		INSERT INTO rete_ente_comune (ente_id, comune_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, comuneID); err != nil {
		return 0, fmt.Errorf("demo: ente %s: %w", EnteDemo, err)
	}
	return id, nil
}

// CatalogoPrestazioni is the example catalogue of INPS prestazioni the demo
// loads (docs/formats/prestazioni.md): codes in the form of SIUSS's, but
// illustrative, not INPS's official list.
//
//go:embed prestazioni-esempio.csv
var CatalogoPrestazioni []byte
