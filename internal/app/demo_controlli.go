package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/controlli"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/registro"
)

// controlliDemo gives the controlli anagrafici of the demo comuni their
// work, through the same services the pages use: a file of INPS requests
// imported for Casalecchio di Reno and Zola Predosa (some past their 60
// days, some about to be), part of them assigned to `respcontrolli`; a
// backward chain Casalecchio di Reno → Zola Predosa walked to the end and
// finalised, and another one waiting at Zola Predosa for `respcontrolli2`;
// a controllo ex post finalised negatively, whose segnalazione waits for
// `coordcontrolli`'s approval; and a sample of the verifiche del nucleo
// drawn in Casalecchio di Reno. Run once, right after the demo households
// are loaded.
func controlliDemo(ctx context.Context, d *deps, log *slog.Logger) error {
	start := time.Now()
	ps, err := demo.Principals(ctx, d.accesso)
	if err != nil {
		return err
	}
	cc, rc, cc2, rc2 := ps["coordcontrolli"], ps["respcontrolli"], ps["coordcontrolli2"], ps["respcontrolli2"]
	oggi := calendario.Giorno(time.Now())

	// The people INPS asks about: the applicants of the demo households of
	// each comune (ids and anagrafica only, as INPS's file would carry them).
	persone := func(istat string, n int) ([]demoPersona, error) {
		rows, err := d.pool.Query(ctx, `
			SELECT p.codice_fiscale, p.cognome, p.nome, p.data_nascita, d.id_domanda, d.data_domanda
			FROM caso c JOIN domanda d ON d.id = c.domanda_id JOIN comune co ON co.id = c.comune_id
			JOIN nucleo_componente nc ON nc.nucleo_id = c.nucleo_id AND nc.relazione = 'richiedente' AND nc.al IS NULL
			JOIN persona p ON p.id = nc.persona_id
			WHERE co.codice_istat = $1 AND d.misura = 'ADI' AND d.id_domanda IS NOT NULL AND d.data_domanda IS NOT NULL
			ORDER BY c.numero DESC LIMIT $2`, istat, n)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, pgx.RowToStructByPos[demoPersona])
	}
	casalecchio, err := persone(demo.Comuni[0].CodiceISTAT, 14)
	if err != nil {
		return fmt.Errorf("demo: controlli: %w", err)
	}
	zola, err := persone(demo.Comuni[1].CodiceISTAT, 4)
	if err != nil {
		return fmt.Errorf("demo: controlli: %w", err)
	}
	if len(casalecchio) < 8 {
		return nil // too few households (`--nuclei` small): no controlli
	}

	// The file INPS sends: requests made 70 to 3 days ago.
	tipi := []controlli.Tipo{controlli.Residenza, controlli.Residenza, controlli.ResidenzaExPost, controlli.Soggiorno,
		controlli.Residenza, controlli.Cittadinanza, controlli.Svantaggio, controlli.Residenza}
	giorni := []int{70, 62, 55, 50, 47, 30, 21, 12, 8, 5, 3}
	var file bytes.Buffer
	riga := func(id string, t controlli.Tipo, istat string, p demoPersona, fa int, nota string) {
		dataRichiesta := oggi.AddDate(0, 0, -fa)
		rif := p.DataDomanda
		if t == controlli.ResidenzaExPost || rif.After(dataRichiesta) {
			rif = dataRichiesta
		}
		b, _ := json.Marshal(map[string]any{
			"versione_tracciato": 1, "id_richiesta": id, "tipo": string(t), "comune": istat,
			"codice_fiscale": p.CF, "cognome": p.Cognome, "nome": p.Nome, "data_nascita": calendario.ISO(p.Nascita),
			"id_domanda": p.IDDomanda, "data_richiesta": calendario.ISO(dataRichiesta), "data_riferimento": calendario.ISO(rif),
			"nota": nota,
		})
		file.Write(append(b, '\n'))
	}
	anno := oggi.Year()
	idc := func(comune string, i int) string { return fmt.Sprintf("INPS-CTL-%d-%s-%04d", anno, comune, i+1) }
	for i, p := range casalecchio {
		t := tipi[i%len(tipi)]
		nota := ""
		if t == controlli.ResidenzaExPost {
			nota = "Controllo ex post: verificare la continuità della residenza durante la fruizione del beneficio."
		}
		riga(idc("B880", i), t, demo.Comuni[0].CodiceISTAT, p, giorni[i%len(giorni)], nota)
	}
	for i, p := range zola {
		riga(idc("M185", i), tipi[(i+3)%len(tipi)], demo.Comuni[1].CodiceISTAT, p, giorni[(i*3)%len(giorni)], "")
	}
	cli := registro.Voce{Indirizzo: "demo"}
	if _, err := d.controlli.Importa(ctx, nil, "richieste-inps-demo.jsonl", &file, cli); err != nil {
		return fmt.Errorf("demo: controlli: import: %w", err)
	}

	w := demoControlli{d: d, oggi: oggi}
	id := func(comune string, i int) (uuid.UUID, error) { return w.richiesta(ctx, idc(comune, i)) }

	// Casalecchio: the first nine assigned to respcontrolli, the rest wait
	// for the coordinatore.
	var sel []controlli.Selezione
	for i := range min(9, len(casalecchio)) {
		r, err := id("B880", i)
		if err != nil {
			return err
		}
		sel = append(sel, controlli.Selezione{ID: r, Versione: 1})
	}
	if _, err := d.controlli.Assegna(ctx, cc, rc.OperatoreID, sel, voceDi(cc)); err != nil {
		return fmt.Errorf("demo: controlli: assign: %w", err)
	}

	// Request 1 (residenza): the chain Casalecchio → Zola Predosa, walked
	// to the end and finalised with the sum of the periods.
	r1 := sel[0].ID
	steps := []func() error{
		func() error {
			return w.periodo(ctx, rc, r1, demo.Comuni[0], oggi.AddDate(-2, -5, 0), nil, "Anagrafe della popolazione residente")
		},
		func() error { return w.inoltra(ctx, rc, r1, demo.Comuni[1].CodiceISTAT) },
		func() error { return w.assegnaTappa(ctx, cc2, rc2, r1) },
		func() error {
			canc := oggi.AddDate(-2, -5, -1)
			return w.periodo(ctx, rc2, r1, demo.Comuni[1], oggi.AddDate(-9, -2, 0), &canc, "Anagrafe della popolazione residente")
		},
		func() error { return w.restituisci(ctx, rc2, r1) },
		func() error { return w.finalizza(ctx, rc, r1, controlli.Positivo) },
	}
	// Request 5 (residenza): forwarded to Zola Predosa, where it waits
	// for respcontrolli2.
	r5 := sel[4].ID
	steps = append(steps,
		func() error {
			return w.periodo(ctx, rc, r5, demo.Comuni[0], oggi.AddDate(-1, -3, 0), nil, "Anagrafe della popolazione residente")
		},
		func() error { return w.inoltra(ctx, rc, r5, demo.Comuni[1].CodiceISTAT) },
		func() error { return w.assegnaTappa(ctx, cc2, rc2, r5) },
	)
	// Request 3 (residenza ex post): an absence of two and a half months
	// last spring breaks the continuity: negative, and its segnalazione
	// waits for coordcontrolli's approval.
	r3 := sel[2].ID
	steps = append(steps,
		func() error {
			return w.periodo(ctx, rc, r3, demo.Comuni[0], oggi.AddDate(-11, 0, 0), nil, "Anagrafe della popolazione residente")
		},
		func() error { return w.assenza(ctx, rc, r3, oggi.AddDate(0, -9, 0), oggi.AddDate(0, -6, -15)) },
		func() error { return w.finalizza(ctx, rc, r3, controlli.Negativo) },
	)
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("demo: controlli: %w", err)
		}
	}

	// The sample of the verifiche del nucleo, 5 % of Casalecchio's nuclei.
	if _, err := d.controlli.EstraiCampione(ctx, cc, controlli.CampioneInput{
		Percentuale: "5", DataRiferimento: calendario.ISO(oggi),
	}, voceDi(cc)); err != nil {
		return fmt.Errorf("demo: controlli: sample: %w", err)
	}
	log.Info("demo controlli anagrafici prepared", "requests", len(casalecchio)+len(zola),
		"elapsed", time.Since(start).Round(time.Millisecond).String())
	return nil
}

// demoPersona is an applicant as INPS's request names them.
type demoPersona struct {
	CF, Cognome, Nome string
	Nascita           time.Time
	IDDomanda         string
	DataDomanda       time.Time
}

// demoControlli walks requests through the controlli services.
type demoControlli struct {
	d    *deps
	oggi time.Time
}

func voceDi(p authz.Principal) registro.Voce {
	return registro.Voce{OperatoreID: &p.OperatoreID, Ruolo: string(p.Ruolo), AmbitoID: p.AmbitoID, ComuneID: p.ComuneID, Indirizzo: "demo"}
}

// richiesta finds the request INPS numbered idRichiesta (its id only).
func (w demoControlli) richiesta(ctx context.Context, idRichiesta string) (uuid.UUID, error) {
	var id uuid.UUID
	err := w.d.pool.QueryRow(ctx, `SELECT id FROM controllo_richiesta WHERE id_richiesta = $1`, idRichiesta).Scan(&id)
	if err != nil {
		return id, fmt.Errorf("demo: controlli: request %s: %w", idRichiesta, err)
	}
	return id, nil
}

// form is the form of a page of the request as p would post it, with the
// request's current versione.
func (w demoControlli) form(ctx context.Context, p authz.Principal, id uuid.UUID, kv ...string) (url.Values, controlli.Scheda, error) {
	sc, err := w.d.controlli.Scheda(ctx, p, id, voceDi(p))
	if err != nil {
		return nil, sc, err
	}
	f := url.Values{"versione": {strconv.Itoa(sc.Richiesta.Versione)}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f, sc, nil
}

func (w demoControlli) periodo(ctx context.Context, p authz.Principal, id uuid.UUID, c accesso.Comune, dal time.Time, al *time.Time, fonte string) error {
	canc := ""
	if al != nil {
		canc = calendario.ISO(*al)
	}
	f, _, err := w.form(ctx, p, id, "comune_istat", c.CodiceISTAT, "comune_nome", c.Denominazione,
		"iscrizione", calendario.ISO(dal), "cancellazione", canc, "fonte", fonte)
	if err != nil {
		return err
	}
	return w.d.controlli.Registra(ctx, p, id, "periodi", f, voceDi(p))
}

func (w demoControlli) assenza(ctx context.Context, p authz.Principal, id uuid.UUID, dal, al time.Time) error {
	f, _, err := w.form(ctx, p, id, "dal", calendario.ISO(dal), "al", calendario.ISO(al),
		"nota_assenza", "Dichiarazione del consolato: soggiorno all'estero per motivi familiari.")
	if err != nil {
		return err
	}
	return w.d.controlli.Registra(ctx, p, id, "assenze", f, voceDi(p))
}

func (w demoControlli) inoltra(ctx context.Context, p authz.Principal, id uuid.UUID, istat string) error {
	f, _, err := w.form(ctx, p, id, "comune", istat,
		"nota_inoltro", "Iscritto da meno di cinque anni: residenza precedente a Zola Predosa secondo l'APR.")
	if err != nil {
		return err
	}
	return w.d.controlli.Inoltra(ctx, p, id, f, voceDi(p))
}

func (w demoControlli) assegnaTappa(ctx context.Context, coord, resp authz.Principal, id uuid.UUID) error {
	_, sc, err := w.form(ctx, coord, id)
	if err != nil {
		return err
	}
	_, err = w.d.controlli.Assegna(ctx, coord, resp.OperatoreID,
		[]controlli.Selezione{{ID: id, Versione: sc.Richiesta.Versione}}, voceDi(coord))
	return err
}

func (w demoControlli) restituisci(ctx context.Context, p authz.Principal, id uuid.UUID) error {
	f, _, err := w.form(ctx, p, id, "esito_tappa", "restituita", "nota_chiusura", "Periodo di residenza risultante dall'APR.")
	if err != nil {
		return err
	}
	return w.d.controlli.Restituisci(ctx, p, id, f, voceDi(p))
}

func (w demoControlli) finalizza(ctx context.Context, p authz.Principal, id uuid.UUID, e controlli.Esito) error {
	f, sc, err := w.form(ctx, p, id, "esito", string(e))
	if err != nil {
		return err
	}
	motivazione := "Verifica sull'anagrafe della popolazione residente."
	if sc.Valutazione != nil && sc.Valutazione.Motivazione != "" {
		motivazione = sc.Valutazione.Motivazione
	}
	f.Set("motivazione", motivazione)
	return w.d.controlli.Finalizza(ctx, p, id, f, voceDi(p))
}
