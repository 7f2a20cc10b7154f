package segnalazioni

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/schede"
)

// Every SQL statement of the module (docs/adr/0010): the segnalazioni of a
// case, their attachments and history, the coordinatore's queue and
// decisions, the INPS file and its outcomes, the counts.

// scopeSQL restricts s (segnalazione) to p's scope, appending its
// arguments: the ambito, the comune of a comune-scoped coordinatore, and
// the origine p decides on (origineDi).
func scopeSQL(p authz.Principal, alias string, args []any) (string, []any) {
	args = append(args, *p.AmbitoID)
	w := fmt.Sprintf("%s.ambito_id = $%d", alias, len(args))
	if p.ComuneID != nil {
		args = append(args, *p.ComuneID)
		w += fmt.Sprintf(" AND %s.comune_id = $%d", alias, len(args))
	}
	args = append(args, origineDi(p))
	w += fmt.Sprintf(" AND %s.origine = $%d", alias, len(args))
	return w, args
}

func daInviare(ctx context.Context, q database.Querier, p authz.Principal) (int, error) {
	where, args := scopeSQL(p, "s", nil)
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM segnalazione s WHERE `+where+` AND s.stato = 'approvata'`, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("segnalazioni: da inviare: %w", err)
	}
	return n, nil
}

// perDecisione loads segnalazione id if it is in p's scope and has ever been
// sent to approval (a draft is the case manager's only).
func (s *Service) perDecisione(ctx context.Context, q database.Querier, p authz.Principal, id uuid.UUID) (Decisione, uuid.UUID, error) {
	var d Decisione
	var casoID, persona uuid.UUID
	var ambito, comune, caso int64
	var st, eff, misura string
	var rett *uuid.UUID
	err := q.QueryRow(ctx, `
		SELECT s.id, s.numero, s.stato, s.versione, s.caso_id, s.ambito_id, s.comune_id, ca.numero, co.denominazione,
		       d.misura, COALESCE(d.id_domanda, ''), s.persona_id, pe.cognome || ' ' || pe.nome, pe.codice_fiscale, pe.data_nascita,
		       t.id, t.codice, t.etichetta, t.descrizione, t.riferimento_normativo, t.effetto, t.riguarda_impegni,
		       s.impegno_testo, s.data_evento, s.data_accertamento, s.descrizione, s.rettifica_di,
		       oc.nome || ' ' || oc.cognome, s.in_approvazione_dal, s.motivo_rifiuto,
		       COALESCE(oa.nome || ' ' || oa.cognome, ''), s.approvata_il, s.inviata_il, s.invio_id,
		       s.esito_inps, s.esito_inps_nota, s.esito_inps_il, COALESCE(oe.nome || ' ' || oe.cognome, ''), s.origine
		FROM segnalazione s
		JOIN caso ca ON ca.id = s.caso_id
		JOIN domanda d ON d.id = ca.domanda_id
		JOIN comune co ON co.id = s.comune_id
		JOIN persona pe ON pe.id = s.persona_id
		JOIN segnalazione_tipo t ON t.id = s.tipo_id
		JOIN operatore oc ON oc.id = s.created_by
		LEFT JOIN operatore oa ON oa.id = s.approvata_da
		LEFT JOIN operatore oe ON oe.id = s.esito_inps_da
		WHERE s.id = $1 AND s.in_approvazione_dal IS NOT NULL AND s.origine = $2`, id, origineDi(p)).Scan(
		&d.ID, &d.Numero, &st, &d.Versione, &casoID, &ambito, &comune, &caso, &d.Comune,
		&misura, &d.IDDomanda, &persona, &d.Componente, &d.CodiceFiscale, &d.DataNascita,
		&d.Tipo.ID, &d.Tipo.Codice, &d.Tipo.Etichetta, &d.Tipo.Descrizione, &d.Tipo.Riferimento, &eff, &d.Tipo.RiguardaImpegni,
		&d.ImpegnoTesto, &d.DataEvento, &d.DataAccertamento, &d.Descrizione, &rett,
		&d.CaseManager, &d.InApprovazioneIl, &d.MotivoRifiuto, &d.ApprovataDa, &d.ApprovataIl, &d.InviataIl, &d.InvioID,
		&d.Esito.Valore, &d.Esito.Nota, &d.Esito.Il, &d.Esito.Da, &d.Origine)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !p.Covers(ambito, &comune)) {
		return d, casoID, ErrNotFound
	}
	if err != nil {
		return d, casoID, fmt.Errorf("segnalazioni: decisione: %w", err)
	}
	d.Stato, d.Tipo.Effetto, d.Misura, d.Caso = Stato(st), Effetto(eff), casi.Misura(misura), casi.Caso{Numero: caso}.Codice()
	if rett != nil {
		o := Originale{}
		if err := q.QueryRow(ctx, `SELECT s.numero, t.etichetta, s.data_evento, s.data_accertamento, s.descrizione, s.inviata_il
			FROM segnalazione s JOIN segnalazione_tipo t ON t.id = s.tipo_id WHERE s.id = $1`, *rett).
			Scan(&o.Numero, &o.Tipo, &o.DataEvento, &o.DataAccertamento, &o.Descrizione, &o.InviataIl); err != nil {
			return d, casoID, fmt.Errorf("segnalazioni: originale: %w", err)
		}
		d.RettificaDi = &o
	}
	sg := Segnalazione{ID: d.ID}
	if err := completa(ctx, q, &sg); err != nil {
		return d, casoID, err
	}
	d.Allegati, d.Storia = sg.Allegati, sg.Storia
	return d, casoID, nil
}

const colonneRiga = `
	SELECT s.id, s.numero, s.versione, s.stato, ca.numero, co.denominazione, t.etichetta, t.effetto, s.data_evento,
	       COALESCE(r.numero, 0), s.invio_id, s.inviata_il, s.esito_inps, s.esito_inps_nota, s.esito_inps_il,
	       COALESCE(oe.nome || ' ' || oe.cognome, '')
	FROM segnalazione s
	JOIN caso ca ON ca.id = s.caso_id
	JOIN comune co ON co.id = s.comune_id
	JOIN segnalazione_tipo t ON t.id = s.tipo_id
	LEFT JOIN segnalazione r ON r.id = s.rettifica_di
	LEFT JOIN operatore oe ON oe.id = s.esito_inps_da`

func righeInvio(ctx context.Context, q database.Querier, sql string, args ...any) ([]RigaInvio, error) {
	rows, err := q.Query(ctx, colonneRiga+sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (RigaInvio, error) {
		var x RigaInvio
		var caso int64
		var st, eff string
		err := r.Scan(&x.ID, &x.Numero, &x.Versione, &st, &caso, &x.Comune, &x.Tipo, &eff, &x.DataEvento,
			&x.RettificaDiNum, &x.InvioID, &x.InviataIl, &x.Esito.Valore, &x.Esito.Nota, &x.Esito.Il, &x.Esito.Da)
		x.Stato, x.Effetto, x.Caso = Stato(st), Effetto(eff), casi.Caso{Numero: caso}.Codice()
		return x, err
	})
}

// scartateSQL selects the segnalazioni INPS refused that nobody has
// rectified yet: still inviata, and no rectification (not annulled) has
// reached the coordinatore. A rectification still in bozza is the case
// manager's only, so it does not count here.
const scartateSQL = `s.esito_inps = 'scartata' AND s.stato = 'inviata' AND NOT EXISTS (
	SELECT 1 FROM segnalazione x WHERE x.rettifica_di = s.id AND x.stato <> 'annullata' AND x.in_approvazione_dal IS NOT NULL)`

func scartate(ctx context.Context, q database.Querier, p authz.Principal) (int, error) {
	where, args := scopeSQL(p, "s", nil)
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM segnalazione s WHERE `+where+` AND `+scartateSQL, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("segnalazioni: scartate: %w", err)
	}
	return n, nil
}

// scopeInvioSQL restricts i (segnalazione_invio) to p's scope: an ambito
// coordinatore sees every batch of the ambito, a comune one only those of
// the comune; each only the batches of the origine they decide on.
func scopeInvioSQL(p authz.Principal, args []any) (string, []any) {
	args = append(args, *p.AmbitoID)
	w := fmt.Sprintf("i.ambito_id = $%d", len(args))
	if p.ComuneID != nil {
		args = append(args, *p.ComuneID)
		w += fmt.Sprintf(" AND i.comune_id = $%d", len(args))
	}
	args = append(args, origineDi(p))
	w += fmt.Sprintf(" AND i.origine = $%d", len(args))
	return w, args
}

func allegatiINPS(ctx context.Context, tx pgx.Tx, id uuid.UUID, r *RigaINPS) error {
	rows, err := tx.Query(ctx, `SELECT nome, mime, dimensione, sha256 FROM segnalazione_allegato
		WHERE segnalazione_id = $1 ORDER BY caricato_il, nome`, id)
	if err != nil {
		return fmt.Errorf("segnalazioni: allegati: %w", err)
	}
	as, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AllegatoINPS, error) {
		var a AllegatoINPS
		var sum []byte
		err := r.Scan(&a.Nome, &a.Mime, &a.Dimensione, &sum)
		a.SHA256 = hex.EncodeToString(sum)
		return a, err
	})
	if err != nil {
		return fmt.Errorf("segnalazioni: allegati: %w", err)
	}
	r.Allegati = append(r.Allegati, as...)
	return nil
}

// daRivedereSQL selects, for s (segnalazione) and ca (caso), the
// segnalazioni waiting for the case manager; $1 and $2 are the operatore
// and their comune.
const daRivedereSQL = `ca.case_manager_id = $1 AND ca.comune_id = $2 AND ca.stato <> 'chiuso' AND s.origine = 'caso' AND (
	s.stato IN ('bozza', 'respinta')
	OR (s.stato = 'inviata' AND s.esito_inps = 'scartata' AND NOT EXISTS (
		SELECT 1 FROM segnalazione x WHERE x.rettifica_di = s.id AND x.stato <> 'annullata')))`

func contaDaRivedere(ctx context.Context, q database.Querier, p authz.Principal) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM segnalazione s JOIN caso ca ON ca.id = s.caso_id WHERE `+daRivedereSQL,
		p.OperatoreID, *p.ComuneID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("segnalazioni: da rivedere: %w", err)
	}
	return n, nil
}

func leggiAllegato(ctx context.Context, q database.Querier, casoID, id, allegato uuid.UUID) (Allegato, error) {
	var a Allegato
	err := q.QueryRow(ctx, `SELECT a.id, a.nome, a.mime, a.dimensione, a.sha256, a.caricato_il, a.contenuto
		FROM segnalazione_allegato a JOIN segnalazione s ON s.id = a.segnalazione_id
		WHERE a.id = $1 AND s.id = $2 AND s.caso_id = $3`, allegato, id, casoID).
		Scan(&a.ID, &a.Nome, &a.Mime, &a.Dimensione, &a.SHA256, &a.CaricatoIl, &a.Dati)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, ErrNotFound
	}
	return a, err
}

// modulo loads what the form offers for case c.
func (s *Service) modulo(ctx context.Context, q database.Querier, c casi.Caso) (Modulo, error) {
	m := Modulo{Caso: c, Oggi: s.oggi()}
	var err error
	if m.Tipi, err = tipi(ctx, q, m.Oggi); err != nil {
		return m, err
	}
	rows, err := q.Query(ctx, `
		SELECT p.id, p.cognome, p.nome, p.codice_fiscale, nc.relazione, p.data_nascita
		FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE nc.nucleo_id = $1 AND nc.al IS NULL ORDER BY nc.relazione <> 'richiedente', p.data_nascita`, c.NucleoID)
	if err != nil {
		return m, fmt.Errorf("segnalazioni: componenti: %w", err)
	}
	m.Componenti, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Componente, error) {
		var x Componente
		err := r.Scan(&x.PersonaID, &x.Cognome, &x.Nome, &x.CodiceFiscale, &x.Relazione, &x.DataNascita)
		return x, err
	})
	if err != nil {
		return m, fmt.Errorf("segnalazioni: componenti: %w", err)
	}
	m.Impegni, err = impegni(ctx, q, c.ID)
	return m, err
}

// tipi are the kinds of event in force on day oggi, in order.
func tipi(ctx context.Context, q database.Querier, oggi time.Time) ([]Tipo, error) {
	rows, err := q.Query(ctx, `SELECT id, codice, etichetta, descrizione, riferimento_normativo, effetto, riguarda_impegni
		FROM segnalazione_tipo WHERE attivo AND valido_dal <= $1 AND (valido_al IS NULL OR valido_al >= $1)
		ORDER BY ordine, etichetta`, oggi)
	if err != nil {
		return nil, fmt.Errorf("segnalazioni: tipi: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Tipo, error) {
		var t Tipo
		var eff string
		err := r.Scan(&t.ID, &t.Codice, &t.Etichetta, &t.Descrizione, &t.Riferimento, &eff, &t.RiguardaImpegni)
		t.Effetto = Effetto(eff)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("segnalazioni: tipi: %w", err)
	}
	return out, nil
}

// impegni are the impegni of the case's newest signed patto.
func impegni(ctx context.Context, q database.Querier, casoID uuid.UUID) ([]Impegno, error) {
	v, err := schede.UltimaDefinitiva(ctx, q, casoID, schede.Patto)
	if errors.Is(err, schede.ErrNonTrovata) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("segnalazioni: patto: %w", err)
	}
	var c contenutoPatto
	if err := json.Unmarshal(v.Contenuto, &c); err != nil {
		return nil, fmt.Errorf("segnalazioni: patto: %w", err)
	}
	var out []Impegno
	for _, i := range c.Impegni {
		testo := strings.TrimSpace(i.Descrizione)
		if f := strings.TrimSpace(i.Frequenza); f != "" {
			testo += " (" + f + ")"
		}
		if d, ok := calendario.ParseData(i.Scadenza); ok {
			testo += ", entro il " + calendario.Data(d)
		}
		out = append(out, Impegno{ID: i.ID, PersonaID: i.PersonaID, Testo: fmt.Sprintf("Patto versione %d: %s", v.Numero, testo)})
	}
	return out, nil
}

// passaggio records a state change of segnalazione id (number numero, of
// case casoID): in segnalazione_stato and, as an event, in the case's
// history.
func (s *Service) passaggio(ctx context.Context, tx pgx.Tx, id, casoID uuid.UUID, numero int, da, a Stato, op uuid.UUID, nota string) error {
	if _, err := tx.Exec(ctx, `INSERT INTO segnalazione_stato (segnalazione_id, da, a, operatore_id, quando, nota)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, string(da), string(a), op, s.now(), nota); err != nil {
		return fmt.Errorf("segnalazioni: stato: %w", err)
	}
	return casi.Storico(ctx, tx, casoID, &op, "segnalazione", da.Label(), a.Label(), Codice(numero))
}

func (s *Service) inserisciAllegati(ctx context.Context, tx pgx.Tx, id uuid.UUID, as []allegatoNuovo, op uuid.UUID) error {
	for _, a := range as {
		if _, err := tx.Exec(ctx, `INSERT INTO segnalazione_allegato (segnalazione_id, nome, mime, dimensione, contenuto, sha256, caricato_da, caricato_il)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, a.nome, a.mime, len(a.dati), a.dati, a.sha[:], op, s.now()); err != nil {
			return fmt.Errorf("segnalazioni: allegato: %w", err)
		}
	}
	return nil
}

// numero draws the next progressive number of the ambito.
func numero(ctx context.Context, tx pgx.Tx, ambito int64) (int, error) {
	var n int
	err := tx.QueryRow(ctx, `INSERT INTO segnalazione_contatore (ambito_id, ultimo) VALUES ($1, 1)
		ON CONFLICT (ambito_id) DO UPDATE SET ultimo = segnalazione_contatore.ultimo + 1 RETURNING ultimo`, ambito).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("segnalazioni: numero: %w", err)
	}
	return n, nil
}

func (s *Service) inApprovazione(ctx context.Context, tx pgx.Tx, id, casoID uuid.UUID, n int, da Stato, op uuid.UUID) error {
	if _, err := tx.Exec(ctx, `UPDATE segnalazione SET stato = 'in_approvazione', in_approvazione_dal = $2, motivo_rifiuto = '',
		versione = versione + 1, updated_by = $3, updated_at = $2 WHERE id = $1`, id, s.now(), op); err != nil {
		return fmt.Errorf("segnalazioni: in approvazione: %w", err)
	}
	return s.passaggio(ctx, tx, id, casoID, n, da, InApprovazione, op, "")
}

// blocca locks segnalazione id of case casoID and checks the versione the
// user's page showed.
func blocca(ctx context.Context, tx pgx.Tx, casoID, id uuid.UUID, versione string) (statoRiga, error) {
	var r statoRiga
	var st string
	err := tx.QueryRow(ctx, `SELECT numero, stato, versione FROM segnalazione WHERE id = $1 AND caso_id = $2 AND origine = 'caso' FOR UPDATE`, id, casoID).
		Scan(&r.numero, &st, &r.versione)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("segnalazioni: lock: %w", err)
	}
	r.stato = Stato(st)
	if strconv.Itoa(r.versione) != strings.TrimSpace(versione) {
		return r, ErrConflict
	}
	return r, nil
}

// colonne selects a segnalazione for scan.
const colonne = `
	SELECT s.id, s.caso_id, s.ambito_id, s.comune_id, s.numero,
	       t.id, t.codice, t.etichetta, t.descrizione, t.riferimento_normativo, t.effetto, t.riguarda_impegni,
	       s.persona_id, pe.cognome || ' ' || pe.nome, pe.codice_fiscale,
	       COALESCE(s.impegno_id, ''), s.impegno_testo, s.data_evento, s.data_accertamento, s.descrizione, s.stato,
	       s.rettifica_di, COALESCE(r.numero, 0), rd.id, COALESCE(rd.numero, 0),
	       s.motivo_rifiuto, s.in_approvazione_dal, COALESCE(oa.nome || ' ' || oa.cognome, ''), s.approvata_il,
	       s.inviata_il, s.invio_id, s.esito_inps, s.esito_inps_nota, s.esito_inps_il, COALESCE(oe.nome || ' ' || oe.cognome, ''),
	       s.versione, oc.nome || ' ' || oc.cognome, s.created_at, s.updated_at, s.origine
	FROM segnalazione s
	JOIN segnalazione_tipo t ON t.id = s.tipo_id
	JOIN persona pe ON pe.id = s.persona_id
	JOIN operatore oc ON oc.id = s.created_by
	LEFT JOIN operatore oa ON oa.id = s.approvata_da
	LEFT JOIN operatore oe ON oe.id = s.esito_inps_da
	LEFT JOIN segnalazione r ON r.id = s.rettifica_di
	LEFT JOIN LATERAL (SELECT x.id, x.numero FROM segnalazione x
		WHERE x.rettifica_di = s.id AND x.stato <> 'annullata' ORDER BY x.created_at DESC LIMIT 1) rd ON true`

func scan(r pgx.Row) (Segnalazione, error) {
	var sg Segnalazione
	var eff, st string
	err := r.Scan(&sg.ID, &sg.CasoID, &sg.AmbitoID, &sg.ComuneID, &sg.Numero,
		&sg.Tipo.ID, &sg.Tipo.Codice, &sg.Tipo.Etichetta, &sg.Tipo.Descrizione, &sg.Tipo.Riferimento, &eff, &sg.Tipo.RiguardaImpegni,
		&sg.PersonaID, &sg.Componente, &sg.CodiceFiscale,
		&sg.ImpegnoID, &sg.ImpegnoTesto, &sg.DataEvento, &sg.DataAccertamento, &sg.Descrizione, &st,
		&sg.RettificaDi, &sg.RettificaDiNum, &sg.RettificataDa, &sg.RettificataDaNum,
		&sg.MotivoRifiuto, &sg.InApprovazioneIl, &sg.ApprovataDa, &sg.ApprovataIl,
		&sg.InviataIl, &sg.InvioID, &sg.Esito.Valore, &sg.Esito.Nota, &sg.Esito.Il, &sg.Esito.Da, &sg.Versione,
		&sg.CreataDa, &sg.CreataIl, &sg.AggiornataIl, &sg.Origine)
	if errors.Is(err, pgx.ErrNoRows) {
		return sg, ErrNotFound
	}
	sg.Tipo.Effetto, sg.Stato = Effetto(eff), Stato(st)
	return sg, err
}

// carica loads segnalazione id of case casoID with attachments and history.
func (s *Service) carica(ctx context.Context, q database.Querier, casoID, id uuid.UUID) (Segnalazione, error) {
	sg, err := scan(q.QueryRow(ctx, colonne+` WHERE s.id = $1 AND s.caso_id = $2`, id, casoID))
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return sg, err
		}
		return sg, fmt.Errorf("segnalazioni: carica: %w", err)
	}
	return sg, completa(ctx, q, &sg)
}

// completa adds the attachments (without content) and the history.
func completa(ctx context.Context, q database.Querier, sg *Segnalazione) error {
	rows, err := q.Query(ctx, `SELECT id, nome, mime, dimensione, sha256, caricato_il FROM segnalazione_allegato
		WHERE segnalazione_id = $1 ORDER BY caricato_il, nome`, sg.ID)
	if err != nil {
		return fmt.Errorf("segnalazioni: allegati: %w", err)
	}
	sg.Allegati, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Allegato, error) {
		var a Allegato
		err := r.Scan(&a.ID, &a.Nome, &a.Mime, &a.Dimensione, &a.SHA256, &a.CaricatoIl)
		return a, err
	})
	if err != nil {
		return fmt.Errorf("segnalazioni: allegati: %w", err)
	}
	rows, err = q.Query(ctx, `SELECT st.da, st.a, COALESCE(o.nome || ' ' || o.cognome, 'Sistema'), st.quando, st.nota
		FROM segnalazione_stato st LEFT JOIN operatore o ON o.id = st.operatore_id
		WHERE st.segnalazione_id = $1 ORDER BY st.id`, sg.ID)
	if err != nil {
		return fmt.Errorf("segnalazioni: storia: %w", err)
	}
	sg.Storia, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Passaggio, error) {
		var x Passaggio
		var da, a string
		err := r.Scan(&da, &a, &x.Operatore, &x.Quando, &x.Nota)
		x.Da, x.A = Stato(da), Stato(a)
		return x, err
	})
	if err != nil {
		return fmt.Errorf("segnalazioni: storia: %w", err)
	}
	return nil
}

// coda is page pagina of the segnalazioni in approvazione in p's scope,
// oldest first (one row more than a page: database.Taglia).
func coda(ctx context.Context, q database.Querier, p authz.Principal, pagina int) ([]RigaCoda, error) {
	where, args := scopeSQL(p, "s", nil)
	rows, err := q.Query(ctx, `
		SELECT s.id, s.numero, ca.numero, co.denominazione, t.etichetta, t.effetto, s.rettifica_di IS NOT NULL, s.data_evento,
		       o.nome || ' ' || o.cognome, s.in_approvazione_dal
		FROM segnalazione s
		JOIN caso ca ON ca.id = s.caso_id
		JOIN comune co ON co.id = s.comune_id
		JOIN segnalazione_tipo t ON t.id = s.tipo_id
		JOIN operatore o ON o.id = s.updated_by
		WHERE `+where+` AND s.stato = 'in_approvazione'
		ORDER BY s.in_approvazione_dal, s.numero
		`+database.Pagina(pagina, DimensionePagina), args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (RigaCoda, error) {
		var x RigaCoda
		var caso int64
		var eff string
		err := r.Scan(&x.ID, &x.Numero, &caso, &x.Comune, &x.Tipo, &eff, &x.Rettifica, &x.DataEvento, &x.CaseManager, &x.InApprovazioneIl)
		x.Caso, x.Effetto = casi.Caso{Numero: caso}.Codice(), Effetto(eff)
		return x, err
	})
}

// perDecidere reads segnalazione id of origine, once sent for approval,
// locked for update; none is pgx.ErrNoRows.
func perDecidere(ctx context.Context, q database.Querier, id uuid.UUID, origine string, casoID *uuid.UUID, ambito, comune *int64, numero *int, st *string, ver *int) error {
	return q.QueryRow(ctx, `SELECT caso_id, ambito_id, comune_id, numero, stato, versione FROM segnalazione
			WHERE id = $1 AND in_approvazione_dal IS NOT NULL AND origine = $2 FOR UPDATE`, id, origine).Scan(casoID, ambito, comune, numero, st, ver)
}

// approva marks segnalazione id approved by op at now.
func approva(ctx context.Context, q database.Querier, id, op uuid.UUID, now time.Time) error {
	_, err := q.Exec(ctx, `UPDATE segnalazione SET stato = 'approvata', approvata_da = $2, approvata_il = $3,
			versione = versione + 1, updated_at = $3 WHERE id = $1`, id, op, now)
	return err
}

// respingi marks segnalazione id refused with motivo at now.
func respingi(ctx context.Context, q database.Querier, id uuid.UUID, motivo string, now time.Time) error {
	_, err := q.Exec(ctx, `UPDATE segnalazione SET stato = 'respinta', motivo_rifiuto = $2,
			versione = versione + 1, updated_at = $3 WHERE id = $1`, id, motivo, now)
	return err
}

// perEsito selects segnalazione id of origine, once sent for approval, locked for
// update, with its INPS outcome: scan caso_id, ambito_id, comune_id, numero,
// stato, versione, invio_id, inviata_il, esito_inps, esito_inps_nota,
// esito_inps_il.
func perEsito(ctx context.Context, q database.Querier, id uuid.UUID, origine string) pgx.Row {
	return q.QueryRow(ctx, `SELECT caso_id, ambito_id, comune_id, numero, stato, versione, invio_id, inviata_il,
				esito_inps, esito_inps_nota, esito_inps_il
			FROM segnalazione WHERE id = $1 AND in_approvazione_dal IS NOT NULL AND origine = $2 FOR UPDATE`, id, origine)
}

// registraEsito writes the INPS outcome e of segnalazione id, by op.
func registraEsito(ctx context.Context, q database.Querier, id uuid.UUID, e Esito, op uuid.UUID, now time.Time) error {
	_, err := q.Exec(ctx, `UPDATE segnalazione SET esito_inps = $2, esito_inps_nota = $3, esito_inps_il = $4,
				esito_inps_da = $5, versione = versione + 1, updated_at = $6
			WHERE id = $1`, id, e.Valore, e.Nota, *e.Il, op, now)
	return err
}

// passaggioEsito records the outcome in the segnalazione's history, its
// state st unchanged.
func passaggioEsito(ctx context.Context, q database.Querier, id uuid.UUID, st string, op uuid.UUID, now time.Time, nota string) error {
	_, err := q.Exec(ctx, `INSERT INTO segnalazione_stato (segnalazione_id, da, a, operatore_id, quando, nota)
			VALUES ($1, $2, $2, $3, $4, $5)`, id, st, op, now, nota)
	return err
}

// invioDi reads export batch id of p's scope into inv (its content aside);
// none is pgx.ErrNoRows.
func invioDi(ctx context.Context, q database.Querier, p authz.Principal, id int64, inv *Invio) error {
	where, args := scopeInvioSQL(p, []any{id})
	return q.QueryRow(ctx, `SELECT i.id, o.nome || ' ' || o.cognome, i.created_at, i.nome_file, i.sha256, i.numero,
			COALESCE(co.denominazione, '')
		FROM segnalazione_invio i JOIN operatore o ON o.id = i.created_by LEFT JOIN comune co ON co.id = i.comune_id
		WHERE i.id = $1 AND `+where, args...).
		Scan(&inv.ID, &inv.CreatoDa, &inv.CreatoIl, &inv.NomeFile, &inv.SHA256, &inv.Numero, &inv.Comune)
}

// righeDellInvio is page pagina of the segnalazioni of p's scope that
// export batch id carried, by number (one row more than a page).
func righeDellInvio(ctx context.Context, q database.Querier, p authz.Principal, id int64, pagina int) ([]RigaInvio, error) {
	sw, sargs := scopeSQL(p, "s", []any{id})
	return righeInvio(ctx, q, ` WHERE s.invio_id = $1 AND `+sw+` ORDER BY s.numero
			`+database.Pagina(pagina, DimensionePagina), sargs...)
}

// contaEsitiInvio counts the outcomes of the segnalazioni of p's scope in
// export batch id.
func contaEsitiInvio(ctx context.Context, q database.Querier, p authz.Principal, id int64, out *PaginaInvio) error {
	sw, sargs := scopeSQL(p, "s", []any{id})
	return q.QueryRow(ctx, `SELECT count(*) FILTER (WHERE s.esito_inps = 'acquisita'),
				count(*) FILTER (WHERE s.esito_inps = 'scartata'), count(*) FILTER (WHERE s.esito_inps = '')
			FROM segnalazione s WHERE s.invio_id = $1 AND `+sw, sargs...).Scan(&out.Acquisite, &out.Scartate, &out.InAttesa)
}

// righeScartate is page pagina of the segnalazioni of p's scope INPS refused
// and nobody rectified, oldest outcome first (one row more than a page).
func righeScartate(ctx context.Context, q database.Querier, p authz.Principal, pagina int) ([]RigaInvio, error) {
	where, args := scopeSQL(p, "s", nil)
	return righeInvio(ctx, q, ` WHERE `+where+` AND `+scartateSQL+` ORDER BY s.esito_inps_il, s.numero
		`+database.Pagina(pagina, DimensionePagina), args...)
}

// invii are the latest 100 export batches of p's scope, newest first.
func invii(ctx context.Context, q database.Querier, p authz.Principal) ([]Invio, error) {
	where, args := scopeInvioSQL(p, nil)
	rows, err := q.Query(ctx, `SELECT i.id, o.nome || ' ' || o.cognome, i.created_at, i.nome_file, i.sha256, i.numero,
			COALESCE(co.denominazione, '')
		FROM segnalazione_invio i JOIN operatore o ON o.id = i.created_by LEFT JOIN comune co ON co.id = i.comune_id
		WHERE `+where+` ORDER BY i.id DESC LIMIT 100`, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Invio, error) {
		var i Invio
		err := r.Scan(&i.ID, &i.CreatoDa, &i.CreatoIl, &i.NomeFile, &i.SHA256, &i.Numero, &i.Comune)
		return i, err
	})
}

// voceInvio is an approved segnalazione as the export writes it.
type voceInvio struct {
	id, caso uuid.UUID
	numero   int
	rett     *uuid.UUID
	riga     RigaINPS
}

// daEsportare are the approved segnalazioni of p's scope not yet sent, by
// number, locked for update (a concurrent export waits, then skips what
// this one sent), with the ambito's code.
func daEsportare(ctx context.Context, q database.Querier, p authz.Principal) ([]voceInvio, string, error) {
	where, args := scopeSQL(p, "s", nil)
	// FOR UPDATE: a concurrent export waits, then skips what this one sent.
	rows, err := q.Query(ctx, `
		SELECT s.id, s.caso_id, s.numero, s.rettifica_di, COALESCE(d.id_domanda, ''), d.misura, pe.codice_fiscale,
		       t.codice, t.riferimento_normativo, t.effetto, s.data_evento, s.data_accertamento, co.codice_istat, a.codice,
		       s.descrizione, s.impegno_testo, oa.codice_fiscale, s.approvata_il
		FROM segnalazione s
		JOIN caso ca ON ca.id = s.caso_id
		JOIN domanda d ON d.id = ca.domanda_id
		JOIN persona pe ON pe.id = s.persona_id
		JOIN segnalazione_tipo t ON t.id = s.tipo_id
		JOIN comune co ON co.id = s.comune_id
		JOIN ambito a ON a.id = s.ambito_id
		JOIN operatore oa ON oa.id = s.approvata_da
		WHERE `+where+` AND s.stato = 'approvata'
		ORDER BY s.numero
		FOR UPDATE OF s`, args...)
	if err != nil {
		return nil, "", err
	}
	var voci []voceInvio
	var ambito string
	for rows.Next() {
		var x voceInvio
		var de, da time.Time
		var approvata time.Time
		r := &x.riga
		if err := rows.Scan(&x.id, &x.caso, &x.numero, &x.rett, &r.IDDomanda, &r.Misura, &r.CodiceFiscale,
			&r.CodiceEvento, &r.RiferimentoNormativo, &r.Effetto, &de, &da, &r.ComuneISTAT, &r.Ambito,
			&r.Descrizione, &r.Impegno, &r.ApprovataDa, &approvata); err != nil {
			rows.Close()
			return nil, "", err
		}
		r.VersioneTracciato, r.IDSegnalazione, r.Numero = VersioneTracciato, x.id.String(), Codice(x.numero)
		if x.rett != nil {
			id := x.rett.String()
			r.IDRettificata = &id
		}
		r.DataEvento, r.DataAccertamento = de.Format(time.DateOnly), da.Format(time.DateOnly)
		r.ApprovataIl = approvata.UTC().Format(time.RFC3339)
		r.Allegati = []AllegatoINPS{}
		ambito = r.Ambito
		voci = append(voci, x)
	}
	rows.Close()
	return voci, ambito, rows.Err()
}

// nuovoInvio reserves the id of a new export batch.
func nuovoInvio(ctx context.Context, q database.Querier) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('segnalazione_invio', 'id'))`).Scan(&id)
	return id, err
}

// insertInvio stores export batch inv, made by p at now.
func insertInvio(ctx context.Context, q database.Querier, inv Invio, p authz.Principal, now time.Time) error {
	_, err := q.Exec(ctx, `INSERT INTO segnalazione_invio (id, ambito_id, comune_id, created_by, created_at, nome_file, contenuto, sha256, numero, origine)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, inv.ID, *p.AmbitoID, p.ComuneID, p.OperatoreID, now, inv.NomeFile,
		inv.Contenuto, inv.SHA256, inv.Numero, origineDi(p))
	return err
}

// segnaInviata marks segnalazione id sent in batch invio at now.
func segnaInviata(ctx context.Context, q database.Querier, id uuid.UUID, invio int64, now time.Time) error {
	_, err := q.Exec(ctx, `UPDATE segnalazione SET stato = 'inviata', invio_id = $2, inviata_il = $3,
				versione = versione + 1, updated_at = $3 WHERE id = $1`, id, invio, now)
	return err
}

// segnaRettificata marks sent segnalazione id rectified at now and returns
// its number; one not (or no longer) inviata is pgx.ErrNoRows.
func segnaRettificata(ctx context.Context, q database.Querier, id uuid.UUID, now time.Time) (int, error) {
	var n int
	err := q.QueryRow(ctx, `UPDATE segnalazione SET stato = 'rettificata', versione = versione + 1, updated_at = $2
					WHERE id = $1 AND stato = 'inviata' RETURNING numero`, id, now).Scan(&n)
	return n, err
}

// fileInvio reads export batch id of p's scope into i, with its file; none
// is pgx.ErrNoRows.
func fileInvio(ctx context.Context, q database.Querier, p authz.Principal, id int64, i *Invio) error {
	where, args := scopeInvioSQL(p, []any{id})
	return q.QueryRow(ctx, `SELECT i.id, o.nome || ' ' || o.cognome, i.created_at, i.nome_file, i.sha256, i.numero, i.contenuto
		FROM segnalazione_invio i JOIN operatore o ON o.id = i.created_by WHERE i.id = $1 AND `+where, args...).
		Scan(&i.ID, &i.CreatoDa, &i.CreatoIl, &i.NomeFile, &i.SHA256, &i.Numero, &i.Contenuto)
}

// daRivedere is page pagina of p's segnalazioni to review (one row more
// than a page), the oldest first.
func daRivedere(ctx context.Context, q database.Querier, p authz.Principal, pagina int) ([]RigaMia, error) {
	rows, err := q.Query(ctx, `
		SELECT s.id, s.caso_id, s.numero, ca.numero, t.etichetta, s.data_evento,
		       CASE WHEN s.stato = 'inviata' THEN 'scartata' ELSE s.stato END,
		       CASE s.stato WHEN 'respinta' THEN s.motivo_rifiuto WHEN 'inviata' THEN s.esito_inps_nota ELSE '' END,
		       s.updated_at
		FROM segnalazione s
		JOIN caso ca ON ca.id = s.caso_id
		JOIN segnalazione_tipo t ON t.id = s.tipo_id
		WHERE `+daRivedereSQL+`
		ORDER BY s.updated_at, s.numero
		`+database.Pagina(pagina, DimensionePagina),
		p.OperatoreID, *p.ComuneID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (RigaMia, error) {
		var x RigaMia
		var caso int64
		var motivo string
		err := r.Scan(&x.ID, &x.CasoID, &x.Numero, &caso, &x.Tipo, &x.DataEvento, &motivo, &x.Nota, &x.Dal)
		x.Caso, x.Motivo = casi.Caso{Numero: caso}.Codice(), DaRivedere(motivo)
		return x, err
	})
}

// contaCoordinatore counts the segnalazioni of p's scope to approve and to
// send into r.
func contaCoordinatore(ctx context.Context, q database.Querier, p authz.Principal, r *Riepilogo) error {
	where, args := scopeSQL(p, "s", nil)
	return q.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE s.stato = 'in_approvazione'), count(*) FILTER (WHERE s.stato = 'approvata')
		FROM segnalazione s WHERE `+where+` AND s.stato IN ('in_approvazione', 'approvata')`, args...).
		Scan(&r.DaApprovare, &r.DaInviare)
}

// accodaContaDelCaso queues on b the count of the case's segnalazioni (annulled aside) and those
// still in progress.
func accodaContaDelCaso(b *pgx.Batch, casoID uuid.UUID, tutte, aperte *int) {
	b.Queue(`
		SELECT count(*) FILTER (WHERE stato <> 'annullata'),
		       count(*) FILTER (WHERE stato IN ('bozza', 'in_approvazione', 'approvata', 'respinta'))
		FROM segnalazione WHERE caso_id = $1`, casoID).QueryRow(func(r pgx.Row) error {
		if err := r.Scan(tutte, aperte); err != nil {
			return fmt.Errorf("segnalazioni: sezione: %w", err)
		}
		return nil
	})
}

// delCaso are the case's segnalazioni, newest first.
func delCaso(ctx context.Context, q database.Querier, casoID uuid.UUID) ([]Segnalazione, error) {
	rows, err := q.Query(ctx, colonne+` WHERE s.caso_id = $1 ORDER BY s.created_at DESC, s.numero DESC`, casoID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Segnalazione, error) { return scan(r) })
}

// inserisci adds segnalazione number n of case c as r, by op at now.
func inserisci(ctx context.Context, q database.Querier, c casi.Caso, n int, r riga, op uuid.UUID, now time.Time) (uuid.UUID, error) {
	var id uuid.UUID
	err := q.QueryRow(ctx, `INSERT INTO segnalazione (caso_id, ambito_id, comune_id, numero, tipo_id, persona_id,
				impegno_id, impegno_testo, data_evento, data_accertamento, descrizione, created_by, created_at, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $12, $13) RETURNING id`,
		c.ID, c.AmbitoID, c.ComuneID, n, r.tipo.ID, r.persona, r.impegnoID, r.impegnoTesto, r.dataEvento, r.dataAccertamento,
		r.descrizione, op, now).Scan(&id)
	return id, err
}

// allegatiRimasti counts the attachments of segnalazione id not among
// rimuovi.
func allegatiRimasti(ctx context.Context, q database.Querier, id uuid.UUID, rimuovi []string) (int, error) {
	var rimasti int
	err := q.QueryRow(ctx, `SELECT count(*) FROM segnalazione_allegato WHERE segnalazione_id = $1 AND NOT (id::text = ANY($2))`,
		id, rimuovi).Scan(&rimasti)
	return rimasti, err
}

// rimuoviAllegati deletes the attachments rimuovi of segnalazione id.
func rimuoviAllegati(ctx context.Context, q database.Querier, id uuid.UUID, rimuovi []string) error {
	_, err := q.Exec(ctx, `DELETE FROM segnalazione_allegato WHERE segnalazione_id = $1 AND id::text = ANY($2)`, id, rimuovi)
	return err
}

// aggiorna writes r into segnalazione id, by op at now.
func aggiorna(ctx context.Context, q database.Querier, id uuid.UUID, r riga, op uuid.UUID, now time.Time) error {
	_, err := q.Exec(ctx, `UPDATE segnalazione SET tipo_id = $2, persona_id = $3, impegno_id = $4, impegno_testo = $5,
				data_evento = $6, data_accertamento = $7, descrizione = $8, versione = versione + 1, updated_by = $9, updated_at = $10
			WHERE id = $1`, id, r.tipo.ID, r.persona, r.impegnoID, r.impegnoTesto, r.dataEvento, r.dataAccertamento, r.descrizione,
		op, now)
	return err
}

// annulla marks segnalazione id annulled, by op at now.
func annulla(ctx context.Context, q database.Querier, id, op uuid.UUID, now time.Time) error {
	_, err := q.Exec(ctx, `UPDATE segnalazione SET stato = 'annullata', versione = versione + 1, updated_by = $2, updated_at = $3
			WHERE id = $1`, id, op, now)
	return err
}

// rettificaAperta reports whether segnalazione id has a rectification not
// annulled.
func rettificaAperta(ctx context.Context, q database.Querier, id uuid.UUID) (bool, error) {
	var aperta bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM segnalazione WHERE rettifica_di = $1 AND stato <> 'annullata')`, id).Scan(&aperta)
	return aperta, err
}

// inserisciRettifica adds the rectification of segnalazione id, number n of
// case c, copying its content, by op at now.
func inserisciRettifica(ctx context.Context, q database.Querier, id uuid.UUID, c casi.Caso, n int, op uuid.UUID, now time.Time) (uuid.UUID, error) {
	var nuova uuid.UUID
	err := q.QueryRow(ctx, `INSERT INTO segnalazione (caso_id, ambito_id, comune_id, numero, tipo_id, persona_id,
				impegno_id, impegno_testo, data_evento, data_accertamento, descrizione, rettifica_di, created_by, created_at, updated_by, updated_at)
			SELECT caso_id, $2, $3, $4, tipo_id, persona_id, impegno_id, impegno_testo, data_evento, data_accertamento, descrizione,
			       id, $5, $6, $5, $6
			FROM segnalazione WHERE id = $1 RETURNING id`, id, c.AmbitoID, c.ComuneID, n, op, now).Scan(&nuova)
	return nuova, err
}

// copiaAllegati copies the attachments of segnalazione id to nuova.
func copiaAllegati(ctx context.Context, q database.Querier, id, nuova uuid.UUID) error {
	_, err := q.Exec(ctx, `INSERT INTO segnalazione_allegato (segnalazione_id, nome, mime, dimensione, contenuto, sha256, caricato_da, caricato_il)
			SELECT $2, nome, mime, dimensione, contenuto, sha256, caricato_da, caricato_il FROM segnalazione_allegato WHERE segnalazione_id = $1`,
		id, nuova)
	return err
}
