package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/flusso"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/scadenze"
)

// NucleiPredefiniti is how many synthetic households `cartella demo` loads
// at its first start.
const NucleiPredefiniti = 300

// Assegnati are how many demo cases start assigned to each demo case
// manager (the rest wait for the coordinatore).
const Assegnati = 40

// LoadNuclei generates n synthetic households (internal/flusso, fixed
// seed, PADs in the 150 days before now) in the demo comuni and loads them
// as cases, unless the demo ambito already has cases. Some of Casalecchio's
// go to `casemanager`, some of Zola Predosa's to `casemanager2`. It uses
// COPY, so that n = 200,000 loads in seconds; progress(done) is called
// every 10,000 households. It returns how many households it loaded.
func LoadNuclei(ctx context.Context, pool *pgxpool.Pool, reg *registro.Service, n int, now time.Time, progress func(int)) (int, error) {
	var ambitoID int64
	if err := pool.QueryRow(ctx, `SELECT id FROM ambito WHERE codice = $1`, AmbitoCodice).Scan(&ambitoID); err != nil {
		return 0, fmt.Errorf("demo: nuclei: %w", err)
	}
	var esistenti int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM caso WHERE ambito_id = $1`, ambitoID).Scan(&esistenti); err != nil {
		return 0, fmt.Errorf("demo: nuclei: %w", err)
	}
	if esistenti > 0 || n <= 0 {
		return 0, nil
	}
	comuni := map[string]int64{}
	rows, err := pool.Query(ctx, `SELECT codice_istat, id FROM comune WHERE ambito_id = $1`, ambitoID)
	if err != nil {
		return 0, fmt.Errorf("demo: nuclei: %w", err)
	}
	for rows.Next() {
		var istat string
		var id int64
		if err := rows.Scan(&istat, &id); err != nil {
			return 0, err
		}
		comuni[istat] = id
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	cm := map[string]uuid.UUID{}
	for i, username := range []string{"casemanager", "casemanager2"} {
		a, _ := AccountByUsername(username)
		var id uuid.UUID
		if err := pool.QueryRow(ctx, `SELECT id FROM operatore WHERE codice_fiscale = $1`, a.CodiceFiscale()).Scan(&id); err != nil {
			return 0, fmt.Errorf("demo: nuclei: %s: %w", username, err)
		}
		cm[Comuni[i].CodiceISTAT] = id
	}

	oggi := casi.Oggi(now)
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(flusso.Genera(pw, n, flusso.Opzioni{Seme: 2026, Oggi: oggi,
			Comuni: []string{Comuni[0].CodiceISTAT, Comuni[1].CodiceISTAT, Comuni[2].CodiceISTAT}}))
	}()
	var b batch
	assegnati := map[string]int{}
	loaded := 0
	flush := func() error {
		if err := b.copy(ctx, pool); err != nil {
			return err
		}
		b = batch{}
		return nil
	}
	p := flusso.Parser{Oggi: oggi}
	_, err = p.Parse(pr, func(nu flusso.Nucleo) error {
		comuneID, ok := comuni[nu.ComuneResidenza]
		if !ok {
			return flusso.Scarta("comune non appartenente all'ambito")
		}
		var cmID *uuid.UUID
		if id, ok := cm[nu.ComuneResidenza]; ok && assegnati[nu.ComuneResidenza] < Assegnati {
			assegnati[nu.ComuneResidenza]++
			cmID = &id
		}
		b.add(nu, ambitoID, comuneID, cmID, now)
		loaded++
		if loaded%2000 == 0 {
			if err := flush(); err != nil {
				return err
			}
		}
		if progress != nil && loaded%10000 == 0 {
			progress(loaded)
		}
		return nil
	})
	pr.Close()
	if err != nil {
		return 0, fmt.Errorf("demo: nuclei: %w", err)
	}
	if err := flush(); err != nil {
		return 0, err
	}
	if err := reg.Record(ctx, registro.Voce{Azione: registro.Scrittura, OggettoTipo: "dati_demo", AmbitoID: &ambitoID,
		Dettaglio: fmt.Sprintf("caricati %d nuclei dimostrativi", loaded), Esito: registro.Consentito, Indirizzo: "demo"}); err != nil {
		return 0, err
	}
	return loaded, nil
}

// batch holds the rows of some households for one COPY per table.
type batch struct {
	persone, nuclei, componenti, domande, casiRows, assegnazioni, storico [][]any
}

func (b *batch) add(nu flusso.Nucleo, ambitoID, comuneID int64, cm *uuid.UUID, now time.Time) {
	nucleoID, domandaID, casoID := uuid.New(), uuid.New(), uuid.New()
	b.nuclei = append(b.nuclei, []any{nucleoID, "inps", nu.Contatti.Telefono, nu.Contatti.Email, nu.Contatti.Indirizzo})
	membri := make([]scadenze.Membro, 0, len(nu.Componenti))
	dal := nu.DataTrasmissione
	for _, c := range nu.Componenti {
		pid := uuid.New()
		tipo, scad := "", (*time.Time)(nil)
		if c.TitoloSoggiorno != nil {
			tipo, scad = c.TitoloSoggiorno.Tipo, c.TitoloSoggiorno.Scadenza
		}
		b.persone = append(b.persone, []any{pid, c.CodiceFiscale, c.Cognome, c.Nome, c.Sesso, c.DataNascita, c.LuogoNascita,
			c.Cittadinanza, tipo, scad, c.Residenza, c.Domicilio, c.Telefono, c.Email})
		b.componenti = append(b.componenti, []any{nucleoID, pid, c.Relazione, c.InScalaEquivalenza, c.Disabilita,
			c.SvantaggioCertificato, dal})
		membri = append(membri, scadenze.Membro{PersonaID: pid.String(), DataNascita: c.DataNascita, Disabilita: c.Disabilita})
	}
	altre, _ := json.Marshal(nu.AltrePrestazioni)
	if nu.AltrePrestazioni == nil {
		altre = []byte("[]")
	}
	dataDomanda, trasm := nu.DataDomanda, nu.DataTrasmissione
	b.domande = append(b.domande, []any{domandaID, nu.Misura, nu.IDDomanda, nucleoID, &dataDomanda, nu.DataPAD, nu.DataDecorrenza,
		&trasm, nu.StatoErogazione, nu.RequisitiAnagraficiVerificati, nu.EsitiControlli, string(altre)})
	sc := scadenze.Calcola(scadenze.Situazione{Oggi: now, DataDomanda: &dataDomanda, DataPAD: nu.DataPAD,
		DataTrasmissione: &trasm, Membri: membri})
	stato, assegnatoIl := "ricevuto", (*time.Time)(nil)
	if cm != nil {
		stato = "assegnato"
		at := now
		assegnatoIl = &at
		b.assegnazioni = append(b.assegnazioni, []any{casoID, *cm, now, "assegnazione iniziale dei dati dimostrativi"})
		b.storico = append(b.storico, []any{casoID, now, "assegnato", "", "case manager", "dati dimostrativi"})
	}
	b.casiRows = append(b.casiRows, []any{casoID, domandaID, nucleoID, ambitoID, comuneID, cm, assegnatoIl, stato, "flusso",
		trasm, sc.T120.Scadenza, string(sc.T120.Stato), sc.T90.Scadenza, string(sc.T90.Stato), sc.Urgenza})
	b.storico = append(b.storico, []any{casoID, now, "aperto", "", "", "dal flusso INPS (dati dimostrativi)"})
}

func (b *batch) copy(ctx context.Context, pool *pgxpool.Pool) error {
	if len(b.casiRows) == 0 {
		return nil
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, t := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"persona", []string{"id", "codice_fiscale", "cognome", "nome", "sesso", "data_nascita", "luogo_nascita",
				"cittadinanza", "titolo_soggiorno_tipo", "titolo_soggiorno_scadenza", "residenza", "domicilio", "telefono", "email"}, b.persone},
			{"nucleo", []string{"id", "fonte", "telefono", "email", "indirizzo"}, b.nuclei},
			{"nucleo_componente", []string{"nucleo_id", "persona_id", "relazione", "in_scala_equivalenza", "disabilita",
				"svantaggio", "dal"}, b.componenti},
			{"domanda", []string{"id", "misura", "id_domanda", "nucleo_id", "data_domanda", "data_pad", "data_decorrenza",
				"data_trasmissione", "stato_erogazione", "requisiti_verificati", "esiti_controlli", "altre_prestazioni"}, b.domande},
			{"caso", []string{"id", "domanda_id", "nucleo_id", "ambito_id", "comune_id", "case_manager_id", "assegnato_il",
				"stato", "origine", "aperto_il", "t120_scadenza", "t120_stato", "t90_scadenza", "t90_stato", "urgenza"}, b.casiRows},
			{"caso_assegnazione", []string{"caso_id", "case_manager_id", "dal", "motivo"}, b.assegnazioni},
			{"caso_storico", []string{"caso_id", "quando", "evento", "da", "a", "nota"}, b.storico},
		} {
			if len(t.rows) == 0 {
				continue
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
				return fmt.Errorf("demo: nuclei: copy %s: %w", t.table, err)
			}
		}
		return nil
	})
}
