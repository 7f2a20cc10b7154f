package schede

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// Casi is what the shared steps need of the case module: the access check
// of a read and the write on the case locked for p, both recorded, a closed
// case refused with the module's error. *casi.Service is one, with K its
// casi.Caso; declaring it here keeps schede below casi.
type Casi[K any] interface {
	Access(ctx context.Context, p authz.Principal, id uuid.UUID, v registro.Voce) (K, error)
	ScriviContenuto(ctx context.Context, p authz.Principal, id uuid.UUID, v registro.Voce, chiuso error,
		fn func(tx pgx.Tx, c K, w *registro.Voce) error) error
}

// Errori are a module's sentinel errors: the shared steps return them in
// place of this package's, so that the module's callers and the responder
// see the module's words.
type Errori struct {
	NonTrovata     error // no such scheda or version (wraps httpx.ErrNotFound)
	Chiuso         error // the case is closed (wraps httpx.ErrReadOnly)
	NessunaBozza   error // saving or finalising when there is no draft
	BozzaEsistente error // reopening while a draft exists
}

// Errore maps this package's errors to the module's.
func (e Errori) Errore(err error) error {
	switch {
	case errors.Is(err, ErrNessunaBozza):
		return e.NessunaBozza
	case errors.Is(err, ErrBozzaEsistente), errors.Is(err, ErrNonDefinitiva):
		return e.BozzaEsistente
	case errors.Is(err, ErrNonTrovata):
		return e.NonTrovata
	}
	return err
}

// Decodifica decodes the content of a version.
func Decodifica[C any](v Versione) (C, error) {
	var c C
	if len(v.Contenuto) > 0 {
		if err := json.Unmarshal(v.Contenuto, &c); err != nil {
			return c, fmt.Errorf("schede: contenuto della versione %d (%s): %w", v.Numero, v.Tipo, err)
		}
	}
	return c, nil
}

// Modulo is the service side of a versioned scheda: reading it with the
// case's access check, and the writes of its workflow (start, save the
// draft, finalise, reopen as version n+1), each in one transaction on the
// case locked for p, recorded in the registro with the module's oggetto.
// K is the case (casi.Caso), C the content, R the reference lists the
// content is checked and labelled with, S the module's view of the scheda
// (built by Vista from the Scheda that Modulo reads).
// The module keeps what is its own: the content, its checks, what a
// finalised version does to the case (passed as Passi) and its views.
type Modulo[K, C, R, S any] struct {
	Casi    Casi[K]
	Pool    Querier
	Tipo    Tipo
	Oggetto string // the registro's oggetto_tipo
	Errori
	// Ora is the clock (nil: time.Now); Oggi is its day in Rome.
	Ora func() time.Time
	// Riferimenti loads the reference lists valid on oggi.
	Riferimenti func(ctx context.Context, q Querier, oggi time.Time) (R, error)
	// Etichetta labels the paths of the contents, for the conflict and
	// the comparison.
	Etichetta func(R, ...C) func(string) string
	// Leggibili writes the values of the differences between contents as
	// shown (nil: as they are).
	Leggibili func(R, []Differenza, ...C) []Differenza
	// Aggiorna, when not nil, brings a draft up to date with the case
	// before every write (the people of the patto).
	Aggiorna func(ctx context.Context, tx pgx.Tx, c K, cont *C) error
	// Vista builds the module's view from the Scheda that Modulo read
	// (required).
	Vista func(ctx context.Context, sc Scheda[K, C, R]) (S, error)
}

// Oggi is the day of the clock, in Rome.
func (m Modulo[K, C, R, S]) Oggi() time.Time {
	if m.Ora == nil {
		return calendario.Giorno(time.Now())
	}
	return calendario.Giorno(m.Ora())
}

// Corrente returns the newest version for p (the module's view says
// whether there is none), recording the read; a case p may not reach is
// the case module's not-found, and the refusal is recorded.
func (m Modulo[K, C, R, S]) Corrente(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (S, error) {
	return m.Carica(ctx, p, casoID, 0, v)
}

// Leggi returns version numero for p, recording the read.
func (m Modulo[K, C, R, S]) Leggi(ctx context.Context, p authz.Principal, casoID uuid.UUID, numero int, v registro.Voce) (S, error) {
	if numero < 1 {
		var zero S
		return zero, m.NonTrovata
	}
	return m.Carica(ctx, p, casoID, numero, v)
}

// Carica returns version numero (0: the newest) for p, recording v (its
// dettaglio completed with the version).
func (m Modulo[K, C, R, S]) Carica(ctx context.Context, p authz.Principal, casoID uuid.UUID, numero int, v registro.Voce) (S, error) {
	var zero S
	sc, err := m.leggi(ctx, p, casoID, numero, v)
	if err != nil {
		return zero, err
	}
	return m.Vista(ctx, sc)
}

func (m Modulo[K, C, R, S]) leggi(ctx context.Context, p authz.Principal, casoID uuid.UUID, numero int, v registro.Voce) (Scheda[K, C, R], error) {
	sc := Scheda[K, C, R]{Oggi: m.Oggi()}
	v.OggettoTipo = m.Oggetto
	if numero > 0 {
		v.Dettaglio = strings.TrimPrefix(v.Dettaglio+fmt.Sprintf(", versione %d", numero), ", ")
	}
	var err error
	if sc.Caso, err = m.Casi.Access(ctx, p, casoID, v); err != nil {
		return sc, err
	}
	if sc.Versioni, err = Elenco(ctx, m.Pool, casoID, m.Tipo); err != nil {
		return sc, err
	}
	if sc.Riferimenti, err = m.Riferimenti(ctx, m.Pool, sc.Oggi); err != nil {
		return sc, err
	}
	sc.Versione, err = Scegli(sc.Versioni, numero, Leggila[C], m.NonTrovata)
	return sc, err
}

// Confronta returns what changed from version a to version b for p, with
// the view of the newest version, recording the read.
func (m Modulo[K, C, R, S]) Confronta(ctx context.Context, p authz.Principal, casoID uuid.UUID, a, b int, v registro.Voce) (Confronto[S, C], error) {
	var out Confronto[S, C]
	v.Dettaglio = fmt.Sprintf("confronto delle versioni %d e %d", a, b)
	sc, err := m.leggi(ctx, p, casoID, 0, v)
	if err != nil {
		return out, err
	}
	if out.Prima, out.Dopo, err = Coppia(sc.Versioni, a, b, Leggila[C], m.NonTrovata); err != nil {
		return out, err
	}
	prima, dopo := out.Prima.Contenuto, out.Dopo.Contenuto
	if out.Differenze, err = Differenze(out.Prima.Versione.Contenuto, out.Dopo.Versione.Contenuto, m.Etichetta(sc.Riferimenti, prima, dopo)); err != nil {
		return out, err
	}
	if m.Leggibili != nil {
		out.Differenze = m.Leggibili(sc.Riferimenti, out.Differenze, prima, dopo)
	}
	out.Scheda, err = m.Vista(ctx, sc)
	return out, err
}

// Scrivi runs fn in a transaction on the case locked for p (a closed case
// is the module's Chiuso) and records the write with the version fn
// returns and its dettaglio.
func (m Modulo[K, C, R, S]) Scrivi(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce,
	fn func(tx pgx.Tx, c K) (Versione, string, error)) (Versione, error) {
	var out Versione
	v.OggettoTipo = m.Oggetto
	err := m.Casi.ScriviContenuto(ctx, p, casoID, v, m.Chiuso, func(tx pgx.Tx, c K, w *registro.Voce) (err error) {
		if out, w.Dettaglio, err = fn(tx, c); err != nil {
			return err
		}
		w.OggettoID = out.ID.String()
		return nil
	})
	return out, m.Errore(err)
}

// Inizia creates version 1, a draft with the content nuova returns (and
// the registro's dettaglio); when the case has the scheda already, it is
// returned unchanged and recorded with gia.
func (m Modulo[K, C, R, S]) Inizia(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce, gia string,
	nuova func(ctx context.Context, tx pgx.Tx, c K) (C, string, error)) (Versione, error) {
	return m.Scrivi(ctx, p, casoID, v, func(tx pgx.Tx, c K) (Versione, string, error) {
		if ver, err := Ultima(ctx, tx, casoID, m.Tipo); err == nil {
			return ver, gia, nil
		} else if !errors.Is(err, ErrNonTrovata) {
			return ver, "", err
		}
		cont, dettaglio, err := nuova(ctx, tx, c)
		if err != nil {
			return Versione{}, "", err
		}
		raw, err := json.Marshal(cont)
		if err != nil {
			return Versione{}, "", err
		}
		ver, err := NuovaBozza(ctx, tx, casoID, m.Tipo, raw, p.OperatoreID)
		return ver, dettaglio, err
	})
}

// Passi are what a module adds to a write of the draft.
type Passi[K, C, R any] struct {
	// Controlla checks the content (nil: nothing to check): errors stop
	// the write and nothing is written. It may complete the content (the
	// signature of the patto).
	Controlla func(ctx context.Context, tx pgx.Tx, c K, cont *C, rif R) (httpx.FieldErrors, error)
	// PrimaLaRevisione reports a stale revisione before the checks (a
	// signature over a draft that moved on is a conflict, whatever it holds).
	PrimaLaRevisione bool
	// Esito is the esito a finalised version records (nil: none).
	Esito func(C) string
	// Dopo applies the write to the case (finalising moves it on) and
	// returns the registro's dettaglio ("": the default one).
	Dopo func(ctx context.Context, tx pgx.Tx, c K, ver Versione, cont C, rif R) (string, error)
}

// Salva writes what was typed (modifica) into the draft, loaded at
// revisione: when someone saved since, nothing is written and the error is
// a *Conflitto with their changes; when the draft was finalised meanwhile,
// the module's NessunaBozza. The checks of ps (if any) refuse a malformed
// draft field by field.
func (m Modulo[K, C, R, S]) Salva(ctx context.Context, p authz.Principal, casoID uuid.UUID, revisione int, modifica func(*C),
	v registro.Voce, ps Passi[K, C, R]) (Versione, httpx.FieldErrors, error) {
	return m.scrivi(ctx, p, casoID, revisione, modifica, v, ps, false)
}

// Finalizza is Salva that then freezes the version (definitiva): nothing
// changes it any more. ps.Controlla is the validation of a finalised
// content, ps.Dopo what finalising does to the case.
func (m Modulo[K, C, R, S]) Finalizza(ctx context.Context, p authz.Principal, casoID uuid.UUID, revisione int, modifica func(*C),
	v registro.Voce, ps Passi[K, C, R]) (Versione, httpx.FieldErrors, error) {
	return m.scrivi(ctx, p, casoID, revisione, modifica, v, ps, true)
}

func (m Modulo[K, C, R, S]) scrivi(ctx context.Context, p authz.Principal, casoID uuid.UUID, revisione int, modifica func(*C),
	v registro.Voce, ps Passi[K, C, R], finale bool) (Versione, httpx.FieldErrors, error) {
	var errs httpx.FieldErrors
	ver, err := m.Scrivi(ctx, p, casoID, v, func(tx pgx.Tx, c K) (Versione, string, error) {
		cont, rif, err := m.applica(ctx, tx, c, casoID, modifica)
		if err != nil {
			return Versione{}, "", err
		}
		if ps.PrimaLaRevisione {
			if _, err := bozza(ctx, tx, casoID, m.Tipo, revisione, m.Etichetta(rif, cont)); err != nil {
				return Versione{}, "", err
			}
		}
		if ps.Controlla != nil {
			if errs, err = ps.Controlla(ctx, tx, c, &cont, rif); err != nil {
				return Versione{}, "", err
			}
			if len(errs) > 0 {
				return Versione{}, "", errs // rolls back what Controlla wrote
			}
		}
		raw, err := json.Marshal(cont)
		if err != nil {
			return Versione{}, "", err
		}
		var ver Versione
		dettaglio := "bozza salvata (versione %d)"
		if finale {
			esito := ""
			if ps.Esito != nil {
				esito = ps.Esito(cont)
			}
			ver, err = Finalizza(ctx, tx, casoID, m.Tipo, revisione, raw, esito, p.OperatoreID, m.Etichetta(rif, cont))
			dettaglio = "versione %d finalizzata"
		} else {
			ver, err = Salva(ctx, tx, casoID, m.Tipo, revisione, raw, p.OperatoreID, m.Etichetta(rif, cont))
		}
		if err != nil {
			return ver, "", err
		}
		dettaglio = fmt.Sprintf(dettaglio, ver.Numero)
		if ps.Dopo != nil {
			d, err := ps.Dopo(ctx, tx, c, ver, cont, rif)
			if err != nil {
				return ver, "", err
			}
			if d != "" {
				dettaglio = d
			}
		}
		return ver, dettaglio, nil
	})
	if len(errs) > 0 {
		return ver, errs, nil
	}
	return ver, nil, err
}

// applica loads the draft (the module's NessunaBozza when the newest
// version is finalised) and the reference lists, applies modifica and
// brings the draft up to date with the case.
func (m Modulo[K, C, R, S]) applica(ctx context.Context, tx pgx.Tx, c K, casoID uuid.UUID, modifica func(*C)) (C, R, error) {
	var cont C
	rif, err := m.Riferimenti(ctx, tx, m.Oggi())
	if err != nil {
		return cont, rif, err
	}
	cur, err := Ultima(ctx, tx, casoID, m.Tipo)
	if err != nil {
		return cont, rif, err
	}
	if cur.Definitiva() {
		return cont, rif, m.NessunaBozza
	}
	if cont, err = Decodifica[C](cur); err != nil {
		return cont, rif, err
	}
	if modifica != nil {
		modifica(&cont)
	}
	if m.Aggiorna != nil {
		err = m.Aggiorna(ctx, tx, c, &cont)
	}
	return cont, rif, err
}

// MaxMotivo bounds the reason of a reopening.
const MaxMotivo = 2000

// Riapertura is what a module adds to reopening its scheda.
type Riapertura[K, C any] struct {
	// Mancante is the message when the reason is missing.
	Mancante string
	// Riallinea, when not nil, brings the new draft up to date with the
	// case and reports whether it changed anything (then it is saved).
	Riallinea func(ctx context.Context, tx pgx.Tx, c K, cont *C) (bool, error)
	// Dopo writes the case's history and returns the registro's dettaglio.
	Dopo func(ctx context.Context, tx pgx.Tx, c K, ver Versione, motivo string) (string, error)
}

// Riapri creates the next version, a draft copied from the newest
// finalised one, with motivo (required, at most MaxMotivo characters: else
// its error and nothing is written); the finalised version stays as it
// is. When the newest version is a draft already (someone reopened it
// meanwhile), the module's BozzaEsistente.
func (m Modulo[K, C, R, S]) Riapri(ctx context.Context, p authz.Principal, casoID uuid.UUID, motivo string, v registro.Voce,
	ra Riapertura[K, C]) (Versione, httpx.FieldErrors, error) {
	if motivo = strings.TrimSpace(motivo); motivo == "" {
		return Versione{}, httpx.FieldErrors{"motivo": ra.Mancante}, nil
	} else if len([]rune(motivo)) > MaxMotivo {
		return Versione{}, httpx.FieldErrors{"motivo": fmt.Sprintf("Il motivo non può superare i %d caratteri.", MaxMotivo)}, nil
	}
	ver, err := m.Scrivi(ctx, p, casoID, v, func(tx pgx.Tx, c K) (Versione, string, error) {
		ver, err := Riapri(ctx, tx, casoID, m.Tipo, motivo, p.OperatoreID)
		if err != nil {
			return ver, "", err
		}
		if ra.Riallinea != nil {
			cont, err := Decodifica[C](ver)
			if err != nil {
				return ver, "", err
			}
			cambiato, err := ra.Riallinea(ctx, tx, c, &cont)
			if err != nil {
				return ver, "", err
			}
			if cambiato {
				raw, err := json.Marshal(cont)
				if err != nil {
					return ver, "", err
				}
				if ver, err = Salva(ctx, tx, casoID, m.Tipo, ver.Revisione, raw, p.OperatoreID, nil); err != nil {
					return ver, "", err
				}
			}
		}
		d, err := ra.Dopo(ctx, tx, c, ver, motivo)
		return ver, d, err
	})
	return ver, nil, err
}
