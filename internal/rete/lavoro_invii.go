package rete

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/home"
	"github.com/cartella/cartella/internal/posta"
	"github.com/cartella/cartella/internal/registro"
)

// An answer is overdue when the invio still waits for the ente (inviato,
// ricevuto) past its risposta_entro (the protocol's giorni_risposta_cm).
const condRitardo = `i.stato IN ('inviato', 'ricevuto') AND i.risposta_entro < $%d`

func ritardo(n int) string { return fmt.Sprintf(condRitardo, n) }

// RighePerPagina of the lists of overdue invii.
const RighePerPagina = 50

// ContatoriInvii are the overdue answers on the home: for the case manager
// those of their cases (/casi/invii), for the coordinatore PaIS those of
// the ambito (/rete/invii-in-ritardo).
func (s *Service) ContatoriInvii() []home.Contatore {
	return []home.Contatore{
		{Ruolo: authz.CaseManager, Voci: []home.VoceLavoro{
			{Etichetta: "invii ai servizi della rete senza risposta nei tempi", Singolare: "invio a un servizio della rete senza risposta nei tempi", Href: "/casi/invii", Allarme: true},
		}, Conta: home.Uno(s.ContaInRitardoCaseManager)},
		{Ruolo: authz.CoordinatorePaIS, Voci: []home.VoceLavoro{
			{Etichetta: "invii ai servizi della rete senza risposta nei tempi", Singolare: "invio a un servizio della rete senza risposta nei tempi", Href: "/rete/invii-in-ritardo", Allarme: true},
		}, Conta: home.Uno(s.ContaInRitardoCoordinatore)},
		{Ruolo: authz.OperatoreEnte, Voci: []home.VoceLavoro{
			{Etichetta: "invii in attesa di risposta", Singolare: "invio in attesa di risposta", Href: "/invii"},
			{Etichetta: "invii in attesa oltre i tempi del protocollo", Singolare: "invio in attesa oltre i tempi del protocollo", Href: "/invii", Allarme: true},
			{Etichetta: "percorsi in corso", Singolare: "percorso in corso", Href: "/invii?stato=in_corso"},
		}, Conta: s.ContaEnte},
	}
}

// ContaEnte counts, for an operatore dell'ente, the invii of their ente
// waiting for an answer, those of them past the protocol's time, and
// those in progress.
func (s *Service) ContaEnte(ctx context.Context, p authz.Principal) ([]int, bool, error) {
	ente, _, ok, err := enteDi(ctx, s.pool, p)
	if err != nil || !ok {
		return nil, false, err
	}
	var attesa, ritardo, corso int
	err = s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE stato IN ('inviato', 'ricevuto')),
			count(*) FILTER (WHERE stato IN ('inviato', 'ricevuto') AND risposta_entro < $2),
			count(*) FILTER (WHERE stato IN ('accettato', 'in_corso'))
		FROM rete_invio WHERE ente_id = $1`, ente, s.now()).Scan(&attesa, &ritardo, &corso)
	if err != nil {
		return nil, false, fmt.Errorf("rete: conteggi dell'ente: %w", err)
	}
	return []int{attesa, ritardo, corso}, true, nil
}

// ContaInRitardoCaseManager counts the overdue invii of the open cases
// assigned to p in p's comune.
func (s *Service) ContaInRitardoCaseManager(ctx context.Context, p authz.Principal) (int, bool, error) {
	if !casi.ConCasiPropri(p) {
		return 0, false, nil
	}
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM rete_invio i JOIN caso c ON c.id = i.caso_id
		WHERE c.case_manager_id = $1 AND c.comune_id = $2 AND c.stato <> 'chiuso' AND `+ritardo(3),
		p.OperatoreID, *p.ComuneID, s.now()).Scan(&n)
	if err != nil {
		return 0, false, fmt.Errorf("rete: invii in ritardo del case manager: %w", err)
	}
	return n, true, nil
}

// coordinatore reports whether p is a coordinatore PaIS with an ambito.
func coordinatore(p authz.Principal) bool {
	return p.Ruolo == authz.CoordinatorePaIS && p.AmbitoID != nil
}

// ContaInRitardoCoordinatore counts the overdue invii of p's ambito (and
// comune, when p's scope is one).
func (s *Service) ContaInRitardoCoordinatore(ctx context.Context, p authz.Principal) (int, bool, error) {
	if !coordinatore(p) {
		return 0, false, nil
	}
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM rete_invio i
		WHERE i.ambito_id = $1 AND ($2::bigint IS NULL OR i.comune_id = $2) AND `+ritardo(3),
		*p.AmbitoID, p.ComuneID, s.now()).Scan(&n)
	if err != nil {
		return 0, false, fmt.Errorf("rete: invii in ritardo dell'ambito: %w", err)
	}
	return n, true, nil
}

// RigaRitardo is an overdue invio in a list: no personal data of the
// member, the case by its number.
type RigaRitardo struct {
	ID            uuid.UUID
	Numero        int64
	CasoID        uuid.UUID
	CasoNumero    int64
	Comune        string
	Servizio      string
	Ente          string
	Stato         string
	InviatoIl     time.Time
	RispostaEntro time.Time
	CaseManager   string
}

// Codice is the invio's number.
func (r RigaRitardo) Codice() string { return CodiceInvio(r.Numero) }

// CodiceCaso is the case's number.
func (r RigaRitardo) CodiceCaso() string { return fmt.Sprintf("C-%06d", r.CasoNumero) }

// GiorniRitardo are the whole days past risposta_entro at ora.
func (r RigaRitardo) GiorniRitardo(ora time.Time) int {
	return int(calendario.Giorno(ora).Sub(calendario.Giorno(r.RispostaEntro)).Hours() / 24)
}

// InRitardo is a page of overdue invii.
type InRitardo struct {
	Righe   []RigaRitardo
	Pagina  int
	Altre   bool
	Ora     time.Time
	PerCaso bool // the case manager's list: links to the case's invio
}

const colonneRitardo = `i.id, i.numero, i.caso_id, c.numero, co.denominazione, s.denominazione, e.denominazione, i.stato,
	i.inviato_il, i.risposta_entro, o.nome || ' ' || o.cognome
	FROM rete_invio i JOIN caso c ON c.id = i.caso_id JOIN comune co ON co.id = i.comune_id
	JOIN rete_servizio s ON s.id = i.servizio_id JOIN rete_ente e ON e.id = i.ente_id
	JOIN operatore o ON o.id = i.case_manager_id`

func righeRitardo(ctx context.Context, q database.Querier, sql string, args ...any) ([]RigaRitardo, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("rete: invii in ritardo: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (RigaRitardo, error) {
		var x RigaRitardo
		err := r.Scan(&x.ID, &x.Numero, &x.CasoID, &x.CasoNumero, &x.Comune, &x.Servizio, &x.Ente, &x.Stato,
			&x.InviatoIl, &x.RispostaEntro, &x.CaseManager)
		return x, err
	})
}

// InviiInRitardo lists the overdue invii of the coordinatore's ambito,
// the most overdue first, recording the read: for the coordinatore PaIS
// and the gestore della rete; another role gets ErrNotFound (the case
// manager's own list is MieiInRitardo), recorded.
func (s *Service) InviiInRitardo(ctx context.Context, p authz.Principal, pagina int, v registro.Voce) (InRitardo, error) {
	v.Azione, v.OggettoTipo, v.Dettaglio = registro.Lettura, oggettoInvio, "invii in ritardo"
	if !coordinatore(p) && !(p.Ruolo == authz.GestoreRete && p.AmbitoID != nil) {
		v.Azione, v.Esito, v.Dettaglio = registro.Negato, registro.Rifiutato, registro.Lettura
		if err := s.reg.Record(ctx, v); err != nil {
			return InRitardo{}, err
		}
		return InRitardo{}, ErrNotFound
	}
	ora := s.now()
	rs, err := righeRitardo(ctx, s.pool, `SELECT `+colonneRitardo+`
		WHERE i.ambito_id = $1 AND ($2::bigint IS NULL OR i.comune_id = $2) AND `+ritardo(3)+`
		ORDER BY i.risposta_entro, i.numero`+database.Pagina(pagina, RighePerPagina), *p.AmbitoID, p.ComuneID, ora)
	if err != nil {
		return InRitardo{}, err
	}
	v.Esito = registro.Consentito
	if err := s.reg.Record(ctx, v); err != nil {
		return InRitardo{}, err
	}
	out := InRitardo{Pagina: max(pagina, 1), Ora: ora}
	out.Righe, out.Altre = database.Taglia(rs, RighePerPagina)
	return out, nil
}

// MieiInRitardo lists the overdue invii of the open cases assigned to the
// case manager p, recording the read.
func (s *Service) MieiInRitardo(ctx context.Context, p authz.Principal, pagina int, v registro.Voce) (InRitardo, error) {
	v.Azione, v.OggettoTipo, v.Dettaglio = registro.Lettura, oggettoInvio, "miei invii in ritardo"
	if !casi.ConCasiPropri(p) {
		return InRitardo{PerCaso: true, Pagina: 1, Ora: s.now()}, nil
	}
	ora := s.now()
	rs, err := righeRitardo(ctx, s.pool, `SELECT `+colonneRitardo+`
		WHERE c.case_manager_id = $1 AND c.comune_id = $2 AND c.stato <> 'chiuso' AND `+ritardo(3)+`
		ORDER BY i.risposta_entro, i.numero`+database.Pagina(pagina, RighePerPagina), p.OperatoreID, *p.ComuneID, ora)
	if err != nil {
		return InRitardo{}, err
	}
	v.Esito = registro.Consentito
	if err := s.reg.Record(ctx, v); err != nil {
		return InRitardo{}, err
	}
	out := InRitardo{Pagina: max(pagina, 1), Ora: ora, PerCaso: true}
	out.Righe, out.Altre = database.Taglia(rs, RighePerPagina)
	return out, nil
}

// Solleciti queues one e-mail to the case manager of the case for each
// overdue invio not reminded yet, and marks it (sollecito_inviato_il), in
// one transaction: run it as often as wanted, each invio is reminded once.
// Invii whose case manager has no e-mail address are left for when they
// have one. It returns how many were queued. The app's background loop
// calls it.
func (s *Service) Solleciti(ctx context.Context) (int, error) {
	n := 0
	ora := s.now()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT i.id, i.numero, i.caso_id, c.numero, s.denominazione, e.denominazione, i.risposta_entro, o.email
			FROM rete_invio i JOIN caso c ON c.id = i.caso_id
			JOIN operatore o ON o.id = COALESCE(c.case_manager_id, i.case_manager_id)
			JOIN rete_servizio s ON s.id = i.servizio_id JOIN rete_ente e ON e.id = i.ente_id
			WHERE `+ritardo(1)+` AND i.sollecito_inviato_il IS NULL AND o.email <> '' AND c.stato <> 'chiuso'
			ORDER BY i.numero
			FOR UPDATE OF i SKIP LOCKED`, ora)
		if err != nil {
			return err
		}
		type sollecito struct {
			id                   uuid.UUID
			numero, casoNumero   int64
			casoID               uuid.UUID
			servizio, ente, mail string
			entro                time.Time
		}
		ss, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sollecito, error) {
			var x sollecito
			err := r.Scan(&x.id, &x.numero, &x.casoID, &x.casoNumero, &x.servizio, &x.ente, &x.entro, &x.mail)
			return x, err
		})
		if err != nil {
			return err
		}
		for _, x := range ss {
			caso := x.casoID
			m := posta.Messaggio{Destinatario: x.mail, CasoID: &caso,
				Oggetto: "Invio " + CodiceInvio(x.numero) + " senza risposta nei tempi",
				Corpo: "L'invio " + CodiceInvio(x.numero) + " del caso C-" + fmt.Sprintf("%06d", x.casoNumero) +
					" al servizio «" + x.servizio + "» (" + x.ente + ") attendeva una risposta entro il " +
					calendario.Data(calendario.Giorno(x.entro)) + ", secondo il protocollo d'intesa.\n\n" +
					"Apri il caso in Cartella, sezione «Invii ai servizi della rete», per vedere lo stato e, se serve, " +
					"sollecitare l'ente o ritirare l'invio.\n\nMessaggio automatico: non rispondere.",
			}
			if _, err := s.posta.Accoda(ctx, tx, m); err != nil {
				return fmt.Errorf("invio %d: %w", x.numero, err)
			}
			if _, err := tx.Exec(ctx, `UPDATE rete_invio SET sollecito_inviato_il = $2 WHERE id = $1`, x.id, ora); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("rete: solleciti: %w", err)
	}
	return n, nil
}

func pagina(r *http.Request) int {
	n, _ := strconv.Atoi(r.URL.Query().Get("pagina"))
	return max(n, 1)
}

// InviiInRitardo is GET /rete/invii-in-ritardo (the coordinatore PaIS).
func (h *Handler) InviiInRitardo(w http.ResponseWriter, r *http.Request) {
	l, err := h.svc.InviiInRitardo(r.Context(), authz.PrincipalOf(r), pagina(r), registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, ritardoPage(h.rs.Shell(r), l, "/rete/invii-in-ritardo"))
}

// MieiInRitardo is GET /casi/invii (the case manager).
func (h *Handler) MieiInRitardo(w http.ResponseWriter, r *http.Request) {
	l, err := h.svc.MieiInRitardo(r.Context(), authz.PrincipalOf(r), pagina(r), registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, ritardoPage(h.rs.Shell(r), l, "/casi/invii"))
}
