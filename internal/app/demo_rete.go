package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/rete"
)

// reteDemo gives the demo its network of services, through the services
// the pages use: three enti (the Centro per l'impiego, the consultorio of
// `operatoreente`, an emporio solidale of an ETS) with a service each, two
// protocolli d'intesa, and invii of `casemanager` in every state — one
// waiting past its protocol's time, so that the overdue answer shows on the
// homes of the case manager and the coordinatore. The invii are sent as if
// 3 to 25 days ago (the walk's own clock). Run once, right after the demo
// households are loaded.
func reteDemo(ctx context.Context, d *deps, log *slog.Logger) error {
	start := time.Now()
	ps, err := demo.Principals(ctx, d.accesso)
	if err != nil {
		return err
	}
	g, cm, oe := ps["gestorerete"], ps["casemanager"], ps["operatoreente"]
	oggi := calendario.Giorno(time.Now())
	annoFa := calendario.ISO(oggi.AddDate(-1, 0, 0))
	var comuni []string
	for _, c := range demo.Comuni {
		var id int64
		if err := d.pool.QueryRow(ctx, `SELECT id FROM comune WHERE codice_istat = $1`, c.CodiceISTAT).Scan(&id); err != nil {
			return fmt.Errorf("demo: rete: comune %s: %w", c.CodiceISTAT, err)
		}
		comuni = append(comuni, strconv.FormatInt(id, 10))
	}
	v := voceDi(g)

	// The enti: the consultorio is the demo's (demo.Load, for operatoreente).
	var consultorio int64
	if err := d.pool.QueryRow(ctx, `SELECT id FROM rete_ente WHERE denominazione = $1`, demo.EnteDemo).Scan(&consultorio); err != nil {
		return fmt.Errorf("demo: rete: the consultorio: %w", err)
	}
	cpi, err := d.rete.CreaEnte(ctx, g, rete.EnteInput{Denominazione: "Centro per l'impiego di Casalecchio di Reno", Tipo: "cpi",
		CodiceFiscale: "80062590379", Indirizzo: "Via dei Mille 9, 40033 Casalecchio di Reno", Telefono: "051 659 8111",
		Email: "cpi.casalecchio@regione.emilia-romagna.example", Referente: "Ufficio accoglienza", Comuni: comuni}, v)
	if err != nil {
		return fmt.Errorf("demo: rete: CPI: %w%s", err, campi(err))
	}
	emporio, err := d.rete.CreaEnte(ctx, g, rete.EnteInput{Denominazione: "Emporio solidale Il Granaio ETS", Tipo: "terzo_settore",
		CodiceFiscale: "91345670372", Indirizzo: "Via Marconi 44, 40069 Zola Predosa", Telefono: "051 616 0000",
		Email: "emporio@ilgranaio.example", Referente: "Anna Marchi", Comuni: comuni[:2]}, v)
	if err != nil {
		return fmt.Errorf("demo: rete: emporio: %w%s", err, campi(err))
	}

	// A service each.
	servizio := func(ente int64, nome, area, descr, criteri, accesso, contatti, capacita string) (int64, error) {
		id, err := d.rete.CreaServizio(ctx, g, rete.ServizioInput{Ente: strconv.FormatInt(ente, 10), Denominazione: nome, Area: area,
			Descrizione: descr, Destinatari: "Componenti dei nuclei beneficiari dell'Assegno di inclusione", CriteriAccesso: criteri,
			ModalitaAccesso: accesso, Contatti: contatti, Capacita: capacita, PeriodoCapacita: "mese", ValidoDal: annoFa}, v)
		if err != nil {
			return 0, fmt.Errorf("demo: rete: service %s: %w%s", nome, err, campi(err))
		}
		return id, nil
	}
	sCPI, err := servizio(cpi, "Orientamento al lavoro e patto di servizio personalizzato", "lavoro_formazione",
		"Colloquio di orientamento, bilancio delle competenze e sottoscrizione del patto di servizio personalizzato.",
		"Componenti attivabili al lavoro, tra 18 e 59 anni.", "Invio dal case manager; il CPI convoca entro 60 giorni.",
		"051 659 8111, lunedì–venerdì 9–12", "")
	if err != nil {
		return err
	}
	sCons, err := servizio(consultorio, "Sostegno psicologico e alla genitorialità", "salute",
		"Colloqui con psicologa e assistente sociale del consultorio, gruppi di sostegno alla genitorialità.",
		"Genitori e adolescenti dei nuclei in carico ai servizi sociali.", "Invio dal case manager con relazione; primo colloquio su appuntamento.",
		"051 596 6000, martedì e giovedì 14–17", "8")
	if err != nil {
		return err
	}
	sEmp, err := servizio(emporio, "Spesa solidale con tessera a punti", "sostegno_economico",
		"Tessera a punti per la spesa di generi alimentari e per l'igiene all'emporio, per tre mesi rinnovabili.",
		"Nuclei residenti a Casalecchio di Reno o Zola Predosa con ISEE sotto 9.360 euro.", "Invio dal case manager; ritiro della tessera in sede.",
		"051 616 0000, mercoledì e sabato 9–12", "20")
	if err != nil {
		return err
	}
	_ = sCPI

	// Two protocols.
	protocollo := func(titolo, procedura, giorni, motivi string, ente, serv int64, capacita string) error {
		in := rete.ProtocolloInput{Titolo: titolo, DataStipula: annoFa, ValidoDal: annoFa, Procedura: procedura,
			GiorniRispostaCM: giorni, GiorniRispostaPersona: "15", Periodo: "trimestre", MotiviRifiuto: motivi,
			Enti: []string{strconv.FormatInt(ente, 10)}, Servizi: []string{strconv.FormatInt(serv, 10)},
			Capacita: map[string]string{strconv.FormatInt(serv, 10): capacita}}
		if _, err := d.rete.SalvaProtocollo(ctx, g, 0, in, v); err != nil {
			return fmt.Errorf("demo: rete: protocol %s: %w%s", titolo, err, campi(err))
		}
		return nil
	}
	if err := protocollo("Protocollo d'intesa con il Consultorio familiare per il sostegno alla genitorialità", "nuova_valutazione", "10",
		"Capacità esaurita per il periodo\nRequisiti di accesso non posseduti\nPersona già in carico al servizio", consultorio, sCons, "8"); err != nil {
		return err
	}
	if err := protocollo("Protocollo d'intesa con l'Emporio solidale Il Granaio", "ordine_arrivo", "5",
		"Tessere esaurite per il periodo\nResidenza fuori dal territorio servito", emporio, sEmp, "20"); err != nil {
		return err
	}

	// The invii, from casemanager's cases (the highest-numbered ones, left
	// alone by the walk along the workflow), sent days ago.
	rows, err := d.pool.Query(ctx, `SELECT c.id FROM caso c WHERE c.case_manager_id = $1 AND c.stato <> 'chiuso'
		ORDER BY c.numero DESC LIMIT 8`, cm.OperatoreID)
	if err != nil {
		return fmt.Errorf("demo: rete: cases: %w", err)
	}
	casiCM, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil || len(casiCM) < 8 {
		return err // too few households: no invii
	}
	type passo struct {
		giorni   int    // sent this many days ago
		servizio int64  // where
		fino     string // the state it reaches
	}
	passi := []passo{
		{25, sCons, "inviato"}, // past the protocol's 10 days: overdue
		{6, sCons, "ricevuto"},
		{12, sCons, "accettato"},
		{20, sCons, "in_corso"},
		{24, sCons, "concluso"},
		{9, sCons, "rifiutato"},
		{8, sEmp, "ritirato"},
		{3, sEmp, "inviato"},
	}
	for i, ps := range passi {
		if err := inviaDemo(ctx, d, cm, oe, casiCM[i], ps.servizio, ps.fino, time.Now().AddDate(0, 0, -ps.giorni)); err != nil {
			return fmt.Errorf("demo: rete: invio %d (%s): %w", i+1, ps.fino, err)
		}
	}
	log.Info("demo network of services prepared", "enti", 3, "invii", len(passi), "elapsed", time.Since(start).Round(time.Millisecond).String())
	return nil
}

// inviaDemo sends the richiedente of case casoID to servizio as cm would
// have at quando, and walks the invio to state fino as the ente's operator
// oe (for the consultorio) and the case manager would.
func inviaDemo(ctx context.Context, d *deps, cm, oe authz.Principal, casoID uuid.UUID, servizio int64, fino string, quando time.Time) error {
	svc := rete.NewService(d.pool, d.registro, d.casi, d.patto, d.posta)
	svc.SetClock(func() time.Time { return quando })
	c, err := d.casi.Caso(ctx, casoID)
	if err != nil {
		return err
	}
	membri, err := d.casi.Componenti(ctx, d.pool, c.NucleoID)
	if err != nil || len(membri) == 0 {
		return errors.Join(err, errors.New("no members"))
	}
	m := membri[0]
	for _, x := range membri {
		if x.Relazione == "richiedente" {
			m = x
		}
	}
	id, err := svc.Invia(ctx, cm, casoID, rete.InputInvio{PersonaID: m.PersonaID.String(), ServizioID: strconv.FormatInt(servizio, 10),
		Motivazione: "Il nucleo ha chiesto un sostegno che i servizi del comune non offrono: si propone l'accesso al servizio, concordato al colloquio.",
		Consenso:    "si", ConsensoDa: m.Nome + " " + m.Cognome + " (interessata/o)", ConsensoIl: calendario.ISO(calendario.Giorno(quando)),
		ConsensoModalita: "scritto", Sezioni: []string{"anagrafica", "condizioni"}}, voceDi(cm))
	if err != nil {
		return fmt.Errorf("%w%s", err, campi(err))
	}
	var numero int64
	var versione int
	leggi := func() error {
		return d.pool.QueryRow(ctx, `SELECT numero, versione FROM rete_invio WHERE id = $1`, id).Scan(&numero, &versione)
	}
	if err := leggi(); err != nil {
		return err
	}
	if fino == "inviato" {
		return nil
	}
	if fino == "ritirato" {
		svc.SetClock(func() time.Time { return quando.Add(48 * time.Hour) })
		return svc.Ritira(ctx, cm, casoID, id, strconv.Itoa(versione), "Il nucleo ha trovato un altro sostegno tramite la parrocchia.", voceDi(cm))
	}
	// The ente's side: the consultorio's operator opens it the next day.
	dopo := func(giorni int) { svc.SetClock(func() time.Time { return quando.AddDate(0, 0, giorni) }) }
	dopo(1)
	if _, err := svc.InvioEnte(ctx, oe, numero, voceDi(oe)); err != nil {
		return err
	}
	if fino == "ricevuto" {
		return nil
	}
	step := func(giorni int, fn func(rete.Risposta) error, r rete.Risposta) error {
		dopo(giorni)
		if err := leggi(); err != nil {
			return err
		}
		r.Versione = strconv.Itoa(versione)
		if err := fn(r); err != nil {
			return fmt.Errorf("%w%s", err, campi(err))
		}
		return nil
	}
	if fino == "rifiutato" {
		return step(3, func(r rete.Risposta) error { return svc.Rifiuta(ctx, oe, numero, r, voceDi(oe)) },
			rete.Risposta{Azione: "rifiuta", Motivo: "Capacità esaurita per il periodo", Nota: "Posti del trimestre esauriti: riproporre dal prossimo."})
	}
	inizio := calendario.ISO(calendario.Giorno(quando.AddDate(0, 0, 7)))
	if err := step(3, func(r rete.Risposta) error { return svc.Accetta(ctx, oe, numero, r, voceDi(oe)) },
		rete.Risposta{Azione: "accetta", DataInizio: inizio, Nota: "Primo colloquio fissato con la psicologa."}); err != nil || fino == "accettato" {
		return err
	}
	if err := step(7, func(r rete.Risposta) error { return svc.Avvia(ctx, oe, numero, r, voceDi(oe)) }, rete.Risposta{Azione: "avvia"}); err != nil {
		return err
	}
	if err := step(8, func(r rete.Risposta) error { return svc.Annota(ctx, oe, numero, r, voceDi(oe)) },
		rete.Risposta{Azione: "note", TestoNota: "Due colloqui svolti, buona partecipazione della madre; prossimo incontro tra due settimane."}); err != nil || fino == "in_corso" {
		return err
	}
	return step(5, func(r rete.Risposta) error { return svc.Concludi(ctx, oe, numero, r, voceDi(oe)) },
		rete.Risposta{Azione: "concludi", Esito: "completato", EsitoTesto: "Percorso di quattro colloqui completato; la famiglia prosegue con il gruppo dei genitori."})
}
