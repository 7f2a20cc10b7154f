package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/analisi"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/equipe"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/monitoraggio"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/quadro"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/segnalazioni"
)

// Tappe of the workflow the demo shows, one case each: percorsiDemo walks
// the lowest-numbered cases of the demo case manager up to these stages.
const (
	tappaAnalisi      = iota + 1 // first meeting held, analisi preliminare in draft
	tappaQuadro                  // analisi with esito C, équipe, quadro di analisi in draft
	tappaPatto                   // quadro finalised, patto in draft
	tappaMonitoraggio            // patto signed, a monitoring meeting held, a segnalazione to approve
	tappaAgenda                  // patto signed, a monitoring meeting planned in the coming days
)

// tappeDemo is the stage each prepared case reaches, in case-number order.
var tappeDemo = []int{tappaAnalisi, tappaQuadro, tappaPatto, tappaMonitoraggio, tappaAgenda}

// caricaDemo loads the demo households at the first start of `cartella
// demo` (demo.LoadNuclei) and then walks a few of them along the workflow
// (percorsiDemo). A restarted demo finds its households and does nothing.
func caricaDemo(ctx context.Context, d *deps, nuclei int, log *slog.Logger) error {
	start := time.Now()
	n, err := demo.LoadNuclei(ctx, d.pool, d.registro, nuclei, time.Now(), func(done int) {
		log.Info("loading demo households", "done", done, "of", nuclei)
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	log.Info("demo households loaded", "households", n, "elapsed", time.Since(start).Round(time.Millisecond).String())
	if err := percorsiDemo(ctx, d, log); err != nil {
		return fmt.Errorf("demo: the services refused the demo cases walked along the workflow (a bug in internal/app/demo_percorsi.go or in the service named): %w", err)
	}
	if err := controlliDemo(ctx, d, log); err != nil {
		return fmt.Errorf("demo: the controlli services refused the demo requests (a bug in internal/app/demo_controlli.go or in the service named): %w", err)
	}
	if err := reteDemo(ctx, d, log); err != nil {
		return fmt.Errorf("demo: the rete services refused the demo network (a bug in internal/app/demo_rete.go or in the service named): %w", err)
	}
	if _, err := presentazioniDemo(ctx, d, log); err != nil {
		return fmt.Errorf("demo: the presentazioni services refused the demo cases (a bug in internal/app/demo_presentazioni.go or in the service named): %w", err)
	}
	if _, err := prestazioniDemo(ctx, d, log); err != nil {
		return fmt.Errorf("demo: the prestazioni services refused the demo prestazioni (a bug in internal/app/demo_prestazioni.go or in the service named): %w", err)
	}
	return nil
}

// percorsiDemo walks five of the cases assigned to the demo case manager
// `casemanager` (the lowest-numbered ADI ones, see the query) along the
// workflow, one stage further each (tappeDemo), through the same services
// the pages use, acting as the case manager: states, deadlines, history,
// register and versions are what the application itself writes. The first
// meetings (within the T120) and the signatures of the patti are dated in
// the past, as a case manager registering them late would; everything is
// registered today by the services' clocks. Run only right after
// demo.LoadNuclei loaded the households: it is not idempotent.
func percorsiDemo(ctx context.Context, d *deps, log *slog.Logger) error {
	start := time.Now()
	ps, err := demo.Principals(ctx, d.accesso)
	if err != nil {
		return err
	}
	cm, ok := ps["casemanager"]
	if !ok {
		return errors.New("demo: no principal for casemanager")
	}
	// The lowest-numbered cases of casemanager still at the start whose
	// Assegno di inclusione is being paid (the PaIS is the ADI's) and whose
	// nucleo has a member aged 18–59 (the work objective of the patto is
	// theirs). The selection reads ids only: the writes below all go
	// through the services.
	oggi := d.casi.Oggi()
	rows, err := d.pool.Query(ctx, `
		SELECT c.id FROM caso c JOIN domanda d ON d.id = c.domanda_id
		WHERE c.case_manager_id = $1 AND c.stato = $2 AND d.misura = 'ADI' AND d.stato_erogazione IN ('in_erogazione', 'accolta')
		  AND EXISTS (SELECT 1 FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		              WHERE nc.nucleo_id = c.nucleo_id AND nc.al IS NULL
		                AND p.data_nascita <= $4::date - interval '18 years' AND p.data_nascita > $4::date - interval '60 years')
		ORDER BY c.numero LIMIT $3`,
		cm.OperatoreID, string(casi.Assegnato), len(tappeDemo), oggi)
	if err != nil {
		return fmt.Errorf("demo: cases of casemanager: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return fmt.Errorf("demo: cases of casemanager: %w", err)
	}
	// With few households (`--nuclei 20`) fewer cases qualify: the first
	// stages only are shown.
	w := walker{
		d: d, p: cm, oggi: oggi,
		v:   registro.Voce{OperatoreID: &cm.OperatoreID, Ruolo: string(cm.Ruolo), AmbitoID: cm.AmbitoID, ComuneID: cm.ComuneID, Indirizzo: "demo"},
		inc: incontri.NewService(d.pool, d.registro, d.casi),
		mon: monitoraggio.NewService(d.pool, d.registro, d.casi),
		eq:  equipe.NewService(d.pool, d.registro, d.casi, d.posta, fonteEstratto(d.pool, d.casi, d.analisi)),
	}
	for i, id := range ids {
		if err := w.percorso(ctx, id, tappeDemo[i]); err != nil {
			return err
		}
	}
	log.Info("demo cases prepared along the workflow", "cases", len(ids), "elapsed", time.Since(start).Round(time.Millisecond).String())
	return nil
}

// walker walks one case after the other, acting as the case manager p.
type walker struct {
	d    *deps
	p    authz.Principal
	v    registro.Voce
	oggi time.Time
	inc  *incontri.Service
	mon  *monitoraggio.Service
	eq   *equipe.Service
}

// caso is what the walk knows of the case it is on.
type caso struct {
	codice      string
	comune      string
	componenti  []incontri.Componente
	richiedente string // persona id
	attivabile  string // persona id of the member the work objective is for: the first aged 18–59, else the richiedente
}

const giorno = "2006-01-02"

func (w walker) percorso(ctx context.Context, id uuid.UUID, tappa int) error {
	sc, err := w.inc.Scheda(ctx, w.p, id, w.v)
	if err != nil {
		return fmt.Errorf("demo: caso %s: incontri: %w", id, err)
	}
	c := caso{codice: sc.Caso.Codice(), comune: sc.Caso.Comune, componenti: sc.Componenti}
	fail := func(passo string, err error) error {
		return fmt.Errorf("demo: caso %s, %s: %w%s", c.codice, passo, err, campi(err))
	}
	sede := "Servizio sociale territoriale, Comune di " + c.comune

	// The first meeting, a few weeks ago (the earlier the stage, the more
	// recent), within the 120 days of the PAD and never before it.
	primo := w.oggi.AddDate(0, 0, -[]int{0, 7, 21, 35, 56, 49}[tappa])
	if t120 := sc.Caso.T120Scadenza; t120 != nil && primo.After(t120.AddDate(0, 0, -2)) {
		primo = t120.AddDate(0, 0, -2)
	}
	if pad := sc.Caso.DataPAD; pad != nil && primo.Before(*pad) {
		primo = *pad
	}
	if primo.After(w.oggi) {
		primo = w.oggi
	}
	inviata := primo.AddDate(0, 0, -7)
	if pad := sc.Caso.DataPAD; pad != nil && inviata.Before(*pad) {
		inviata = *pad
	}
	if inviata.After(primo) {
		inviata = primo
	}
	conv, err := w.inc.Convoca(ctx, w.p, id, incontri.NuovaConvocazione{
		Tipo: "primo_incontro", Data: primo.Format(giorno), Ora: "10:00", Durata: "60", Luogo: sede, Canale: "telefono",
		InviataIl: inviata.Format(giorno), Pregressa: true,
		Note: "Convocazione telefonica al numero indicato nella domanda; il richiedente ha confermato la presenza.",
	}, w.v)
	if err != nil {
		return fail("convocazione al primo incontro", err)
	}
	presenze := map[uuid.UUID]incontri.PresenzaInput{}
	for _, m := range c.componenti {
		presenze[m.PersonaID] = incontri.PresenzaInput{Stato: "presente"}
	}
	if _, err := w.inc.RegistraIncontro(ctx, w.p, id, incontri.NuovoIncontro{
		Tipo: "primo_incontro", Data: primo.Format(giorno), ConvocazioneID: conv.ID.String(), Presenze: presenze,
		Note: "Presentazione del percorso ADI e degli impegni; raccolti i documenti sul reddito e sulle spese per la casa.",
	}, w.v); err != nil {
		return fail("primo incontro", err)
	}

	// The analisi preliminare: a draft, finalised with esito C from the
	// second stage on.
	ap, err := w.d.analisi.Apri(ctx, w.p, id, w.v)
	if err != nil {
		return fail("analisi preliminare", err)
	}
	var cont analisi.Contenuto
	if err := json.Unmarshal(ap.Contenuto, &cont); err != nil {
		return fail("analisi preliminare", err)
	}
	c.scegli(cont, w.oggi)
	if c.richiedente == "" {
		return fail("analisi preliminare", errors.New("the nucleo has no adult member"))
	}
	if ap, err = w.d.analisi.Salva(ctx, w.p, id, ap.Revisione, bozzaAnalisi, w.v); err != nil {
		return fail("bozza dell'analisi preliminare", err)
	}
	if tappa < tappaQuadro {
		return nil
	}
	_, errs, err := w.d.analisi.Finalizza(ctx, w.p, id, ap.Revisione, func(a *analisi.Contenuto) { esitoC(a, c, w.oggi) }, w.v)
	if err = oppure(err, campiErr(errs)); err != nil {
		return fail("finalizzazione dell'analisi preliminare", err)
	}

	// The équipe multidisciplinare: two professionals and the familiare
	// referente.
	for _, m := range []equipe.MembroInput{
		{Ruolo: string(equipe.Componente), Nome: "Elena", Cognome: "Martini", Funzione: "Educatrice professionale",
			Ente: "Servizio educativo territoriale, Comune di " + c.comune, Email: "educativa@ambito-demo.example", Dal: w.oggi.Format(giorno)},
		{Ruolo: string(equipe.ReferenteServizio), Nome: "Marco", Cognome: "Galli", Funzione: "Operatore del centro per l'impiego",
			Ente: "Centro per l'impiego di Casalecchio di Reno", Email: "cpi@ambito-demo.example", Dal: w.oggi.Format(giorno)},
		{Familiare: true, PersonaID: c.richiedente, Dal: w.oggi.Format(giorno)},
	} {
		if _, err := w.eq.AggiungiMembro(ctx, w.p, id, m, w.v); err != nil {
			return fail("équipe multidisciplinare", err)
		}
	}

	// The quadro di analisi: a draft, finalised with its priorities from
	// the third stage on.
	qa, err := w.d.quadro.Apri(ctx, w.p, id, w.v)
	if err != nil {
		return fail("quadro di analisi", err)
	}
	if qa, err = w.d.quadro.Salva(ctx, w.p, id, qa.Revisione, func(q *quadro.Contenuto) { bozzaQuadro(q, c) }, w.v); err != nil {
		return fail("bozza del quadro di analisi", err)
	}
	if tappa < tappaPatto {
		return nil
	}
	_, qerrs, err := w.d.quadro.Finalizza(ctx, w.p, id, qa.Revisione, func(q *quadro.Contenuto) { prioritaQuadro(q, c) }, w.v)
	if err = oppure(err, campiErr(qerrs)); err != nil {
		return fail("finalizzazione del quadro di analisi", err)
	}

	// The patto: started from the quadro's priorities, then completed;
	// signed from the fourth stage on, some weeks after the first meeting.
	pv, err := w.d.patto.Inizia(ctx, w.p, id, w.v)
	if err != nil {
		return fail("inizio del patto", err)
	}
	dal := w.oggi
	if tappa >= tappaMonitoraggio {
		dal = minData(primo.AddDate(0, 0, 21), w.oggi)
	}
	ids := idsPatto{econ: uuid.NewString(), lavoro: uuid.NewString(), sostegno: uuid.NewString(), sostegnoCPI: uuid.NewString(),
		impLavoro: uuid.NewString(), impContatti: uuid.NewString()}
	pv, perrs, err := w.d.patto.Salva(ctx, w.p, id, pv.Revisione, func(pc *patto.Contenuto) { completaPatto(pc, c, dal, ids) }, w.v)
	if err = oppure(err, campiErr(perrs)); err != nil {
		return fail("bozza del patto", err)
	}
	if tappa < tappaMonitoraggio {
		return nil
	}
	var pc patto.Contenuto
	if err := json.Unmarshal(pv.Contenuto, &pc); err != nil {
		return fail("patto", err)
	}
	firma := patto.FirmaPredefinita(pc)
	firma.Data, firma.Modalita = dal.Format(giorno), patto.Altra
	firma.Nota = "Patto letto insieme al nucleo e sottoscritto in presenza presso il servizio sociale con firma grafometrica; " +
		"l'originale è conservato nel sistema documentale del Comune."
	_, ferrs, err := w.d.patto.Sottoscrivi(ctx, w.p, id, pv.Revisione, firma, w.v)
	if err = oppure(err, campiErr(ferrs)); err != nil {
		return fail("sottoscrizione del patto", err)
	}

	// Monitoring: a meeting held today with an impegno not respected and
	// the segnalazione sent to the coordinatore; or a meeting planned in
	// the coming days, in the agenda.
	tutti := monitoraggio.Pianificazione{Ora: "09:30", Durata: "45", Luogo: sede,
		Risultati: ids.risultati(pc), Impegni: []string{ids.impLavoro, ids.impContatti}}
	if tappa == tappaAgenda {
		tutti.Data = prossimoFeriale(w.oggi.AddDate(0, 0, 2)).Format(giorno)
		tutti.Ora = "10:30"
		tutti.Note = "Primo incontro di monitoraggio: verifica degli impegni del primo mese e dell'avvio dei sostegni."
		if _, err := w.mon.Pianifica(ctx, w.p, id, tutti, w.v); err != nil {
			return fail("pianificazione del monitoraggio", err)
		}
		return nil
	}
	tutti.Data = w.oggi.Format(giorno)
	tutti.Note = "Verifica del primo mese del patto."
	mid, err := w.mon.Pianifica(ctx, w.p, id, tutti, w.v)
	if err != nil {
		return fail("pianificazione del monitoraggio", err)
	}
	det, err := w.mon.Incontro(ctx, w.p, id, mid, w.v)
	if err != nil {
		return fail("incontro di monitoraggio", err)
	}
	voti := map[string]monitoraggio.Voto{}
	for _, r := range det.Incontro.Risultati {
		voti[r.RisultatoID] = monitoraggio.Voto{Valutazione: "parziale", Nota: "Avviato, da completare entro il prossimo incontro."}
	}
	presenze = map[uuid.UUID]incontri.PresenzaInput{}
	for _, m := range det.Componenti {
		presenze[m.PersonaID] = incontri.PresenzaInput{Stato: "presente"}
	}
	if _, err := w.mon.Registra(ctx, w.p, id, mid, monitoraggio.Registrazione{
		Versione: fmt.Sprint(det.Incontro.Versione), Data: w.oggi.Format(giorno), Presenze: presenze, Risultati: voti,
		Impegni: map[string]monitoraggio.Voto{
			ids.impLavoro:   {Valutazione: "non_rispettato", Nota: "Assenza ai due appuntamenti fissati dal centro per l'impiego, senza spiegazioni."},
			ids.impContatti: {Valutazione: "rispettato"},
		},
		Note:         "Il nucleo partecipa agli incontri; il piano di rientro delle bollette è avviato. Da chiarire le assenze al centro per l'impiego.",
		Partecipanti: "Marco Galli, operatore del centro per l'impiego di Casalecchio di Reno",
		Prossimo:     w.oggi.AddDate(0, 0, 30).Format(giorno),
	}, w.v); err != nil {
		return fail("registrazione del monitoraggio", err)
	}
	evento := maxData(dal, w.oggi.AddDate(0, 0, -7))
	if _, err := w.d.segnal.Crea(ctx, w.p, id, segnalazioni.Input{
		Tipo: "impegni_non_rispettati", PersonaID: c.attivabile, ImpegnoID: ids.impLavoro,
		DataEvento: evento.Format(giorno), DataAccertamento: w.oggi.Format(giorno),
		Descrizione: "Il componente non si è presentato ai due appuntamenti fissati dal centro per l'impiego, previsti dal patto. " +
			"All'incontro di monitoraggio non ha indicato alcun giustificato motivo; il centro per l'impiego ha confermato le assenze.",
	}, true, w.v); err != nil {
		return fail("segnalazione", err)
	}
	return nil
}

// scegli finds the richiedente (or the first adult) and the member the work
// objective is for among the members of the analisi.
func (c *caso) scegli(a analisi.Contenuto, oggi time.Time) {
	for _, m := range a.Componenti {
		if m.Uscito || m.Eta(oggi) < 18 {
			continue
		}
		if m.Relazione == "richiedente" || c.richiedente == "" {
			c.richiedente = m.PersonaID
		}
		if c.attivabile == "" && m.Eta(oggi) < 60 {
			c.attivabile = m.PersonaID
		}
	}
	if c.attivabile == "" {
		c.attivabile = c.richiedente
	}
}

// bozzaAnalisi is the draft of the analisi preliminare after the first
// meeting: the areas, the services involved, resources and aspirations.
func bozzaAnalisi(a *analisi.Contenuto) {
	a.Nucleo.Servizi = []string{"sociale"}
	a.Nucleo.ServiziNote = "Contributi economici per le utenze nel 2024."
	a.Nucleo.Aree = map[string]analisi.Area{
		"economica":  {Bisogno: analisi.Presente, Descrizione: "Reddito insufficiente, bollette di luce e gas arretrate da sei mesi."},
		"lavorativa": {Bisogno: analisi.Presente, Descrizione: "Nessun componente occupato da oltre un anno."},
		"abitativa":  {Bisogno: analisi.Presente, Descrizione: "Alloggio in affitto adeguato, ma il canone pesa molto sul reddito."},
		"reti":       {Bisogno: analisi.Assente, Descrizione: "Parenti vicini disponibili ad aiutare."},
	}
	a.Nucleo.Risorse = "Buona collaborazione con il servizio; rete parentale presente."
	a.Nucleo.Aspirazioni = "Trovare un lavoro stabile e rimettersi in regola con le bollette."
}

// esitoC completes the analisi for esito C: each member in the scala di
// equivalenza gets a percorso (obbligo for those aged 18–59, facoltà for
// the others, with the reason of exclusion from 60 years).
func esitoC(a *analisi.Contenuto, c caso, oggi time.Time) {
	a.Esito = "C"
	a.Motivazione = "Bisogni in più aree (economica, lavorativa, abitativa) che si influenzano: serve l'équipe multidisciplinare per il quadro di analisi."
	for i := range a.Componenti {
		m := &a.Componenti[i]
		if m.Uscito || !m.InScala {
			continue
		}
		switch e := m.Eta(oggi); {
		case e >= 18 && e < 60:
			m.Percorso = "1"
		case e >= 60:
			m.Percorso = "2"
			if nascita, err := time.Parse(time.DateOnly, m.DataNascita); err == nil {
				m.Motivi = []analisi.Motivo{{Codice: "eta_60", Dal: nascita.AddDate(60, 0, 0).Format(giorno)}}
			}
		default:
			m.Percorso = "2"
		}
	}
}

// bozzaQuadro is the quadro di analisi as the équipe starts it.
func bozzaQuadro(q *quadro.Contenuto, c caso) {
	q.Famiglia = map[string]quadro.Valutazione{
		"economica": {Bisogno: "grave", Livello: "scarse", Risorse: "Il nucleo annota le spese e vuole rientrare dai debiti", Fonte: "famiglia",
			Note: "Bollette di luce e gas arretrate da sei mesi."},
		"abitativa": {Bisogno: "moderato", Livello: "discrete", Fonte: "operatore", Note: "Affitto regolare, canone elevato rispetto al reddito."},
		"reti":      {Bisogno: "lieve", Livello: "buone", Risorse: "Parenti vicini disponibili ad aiutare", Fonte: "famiglia"},
	}
	for i := range q.Persone {
		if q.Persone[i].PersonaID == c.attivabile {
			q.Persone[i].Dimensioni = map[string]quadro.Valutazione{
				"lavoro": {Bisogno: "moderato", Livello: "discrete", Risorse: "Esperienze di lavoro nella ristorazione e nelle pulizie",
					Fonte: "equipe", Note: "Disoccupazione da oltre un anno."},
			}
		}
	}
}

// prioritaQuadro marks the priorities and writes the synthesis.
func prioritaQuadro(q *quadro.Contenuto, c caso) {
	if v, ok := q.Famiglia["economica"]; ok {
		v.Priorita = true
		q.Famiglia["economica"] = v
	}
	for i := range q.Persone {
		if v, ok := q.Persone[i].Dimensioni["lavoro"]; ok && q.Persone[i].PersonaID == c.attivabile {
			v.Priorita = true
			q.Persone[i].Dimensioni["lavoro"] = v
		}
	}
	q.Sintesi = "Reddito insufficiente e debiti per le utenze; il componente attivabile cerca lavoro da oltre un anno. " +
		"Priorità: rientrare dai debiti e trovare un lavoro, con il sostegno del servizio educativo e del centro per l'impiego."
}

// idsPatto are the stable IDs of the items the walk adds to the patto.
type idsPatto struct{ econ, lavoro, sostegno, sostegnoCPI, impLavoro, impContatti string }

// risultati are the IDs of the patto's expected results.
func (idsPatto) risultati(c patto.Contenuto) []string {
	var out []string
	for _, o := range c.Obiettivi {
		for _, r := range o.Risultati {
			out = append(out, r.ID)
		}
	}
	return out
}

// completaPatto fills the draft started from the quadro: a result for each
// objective, two sostegni, two impegni, the familiare responsabile, the
// duration and the monitoring every 30 days.
func completaPatto(pc *patto.Contenuto, c caso, dal time.Time, ids idsPatto) {
	var econ, lavoro string
	for i := range pc.Obiettivi {
		o := &pc.Obiettivi[i]
		switch o.Dimensione {
		case "economica":
			econ = o.ID
			o.Titolo = "Rientrare dalle bollette arretrate"
			o.Entro = dal.AddDate(0, 6, 0).Format(giorno)
			o.Risultati = []patto.Risultato{{ID: ids.econ, Descrizione: "Piano di rientro delle bollette concordato con il gestore",
				Entro: dal.AddDate(0, 2, 0).Format(giorno)}}
		case "lavoro":
			lavoro = o.ID
			o.Titolo = "Trovare un lavoro"
			o.Entro = dal.AddDate(1, 0, 0).Format(giorno)
			o.Risultati = []patto.Risultato{{ID: ids.lavoro, Descrizione: "Curriculum aggiornato e iscrizione al centro per l'impiego",
				Entro: dal.AddDate(0, 1, 0).Format(giorno)}}
		}
	}
	pc.Sostegni = []patto.Sostegno{
		{ID: ids.sostegno, Tipo: "socio_educativo", EnteErogatore: "Servizio educativo territoriale, Comune di " + c.comune,
			Referente: "Elena Martini", AvvioPrevisto: dal.AddDate(0, 0, 7).Format(giorno), FinePrevista: dal.AddDate(0, 6, 0).Format(giorno),
			ObiettivoID: econ, FonteFinanziamento: "Quota servizi del Fondo Povertà",
			Note: "Accompagnamento alla gestione del bilancio familiare, un incontro a settimana."},
		{ID: ids.sostegnoCPI, Tipo: "politiche_lavoro", PersonaID: c.attivabile, EnteErogatore: "Centro per l'impiego di Casalecchio di Reno",
			Referente: "Marco Galli", AvvioPrevisto: dal.AddDate(0, 0, 14).Format(giorno), ObiettivoID: lavoro},
	}
	pc.Impegni = []patto.Impegno{
		{ID: ids.impLavoro, Area: "ricerca_lavoro", PersonaID: c.attivabile, ObiettivoID: lavoro, Frequenza: "ogni mese",
			Descrizione: "Presentarsi agli appuntamenti del centro per l'impiego e rispondere alle offerte di lavoro"},
		{ID: ids.impContatti, Area: "contatti_servizi", PersonaID: c.richiedente, Frequenza: "ogni mese",
			Descrizione: "Partecipare agli incontri con il case manager e comunicare i cambiamenti della situazione familiare"},
	}
	if pc.FamiliareResponsabile == "" {
		pc.FamiliareResponsabile = c.richiedente
	}
	pc.Dal, pc.Al = dal.Format(giorno), dal.AddDate(1, 0, 0).Format(giorno)
	pc.FrequenzaIncontri = 30
}

// prossimoFeriale is d, or the Monday after when d falls on a weekend.
func prossimoFeriale(d time.Time) time.Time {
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

func minData(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxData(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// oppure is err, or else the refusal of the form.
func oppure(err, rifiuto error) error {
	if err != nil {
		return err
	}
	return rifiuto
}

// campiErr turns the fields a service refused into an error (nil: none),
// naming only the fields: their messages may carry members' names, which
// stay out of the log.
func campiErr[M ~map[string]string](fe M) error {
	if len(fe) == 0 {
		return nil
	}
	return errors.New("campi rifiutati: " + strings.Join(slices.Sorted(maps.Keys(fe)), ", "))
}

// campi names the fields of a form error, for the message of a failed
// walk ("" for other errors).
func campi(err error) string {
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) {
		return ""
	}
	e := campiErr(fe)
	if e == nil || strings.Contains(err.Error(), e.Error()) {
		return ""
	}
	return " (" + e.Error() + ")"
}
