package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/analisi"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/presentazioni"
)

// CasiPresentazioniDemo are the demo cases of issue 16, by what they show,
// in the order presentazioniDemo prepares them.
var casiPresentazioniDemo = []string{"presentazione al patronato", "rinnovo", "componente esonerato con date", "assenza al CPI"}

// presentazioniDemo prepares four more cases of `casemanager` (the
// lowest-numbered ADI ones still "assegnato" with a member aged 18–59),
// through the services the pages use:
//   - a presentazione spontanea at the patronato registered by `sportello`
//     two days ago: the T90 runs from it, the T120 is still pending;
//   - a benefit whose first 18 months ended two months ago, renewed with a
//     PAD signed ten days ago: a new T120 runs from it;
//   - a first meeting and an analisi preliminare finalised (esito B) in which
//     the applicant is exempted (carico di cura di un minore di tre anni)
//     from six months ago to eight months from now;
//   - a member sent to the CPI 40 days ago, absent without giustificato motivo
//     at its convocation five days ago: a decadenza risk on the case.
//
// It returns the case codes in the order of casiPresentazioniDemo. Run once,
// right after the demo households are loaded and walked.
func presentazioniDemo(ctx context.Context, d *deps, log *slog.Logger) ([]string, error) {
	start := time.Now()
	ps, err := demo.Principals(ctx, d.accesso)
	if err != nil {
		return nil, err
	}
	cm, sp := ps["casemanager"], ps["sportello"]
	oggi := d.casi.Oggi()
	rows, err := d.pool.Query(ctx, `
		SELECT c.id FROM caso c JOIN domanda d ON d.id = c.domanda_id
		WHERE c.case_manager_id = $1 AND c.stato = $2 AND d.misura = 'ADI'
		  AND EXISTS (SELECT 1 FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		              WHERE nc.nucleo_id = c.nucleo_id AND nc.al IS NULL
		                AND p.data_nascita <= $4::date - interval '18 years' AND p.data_nascita > $4::date - interval '60 years')
		ORDER BY c.numero LIMIT $3`, cm.OperatoreID, string(casi.Assegnato), len(casiPresentazioniDemo), oggi)
	if err != nil {
		return nil, fmt.Errorf("demo: presentazioni: cases: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, fmt.Errorf("demo: presentazioni: cases: %w", err)
	}
	vcm, vsp := voceDi(cm), voceDi(sp)
	var codici []string
	for i, id := range ids {
		c, err := d.casi.Get(ctx, d.pool, id)
		if err != nil {
			return nil, err
		}
		fail := func(err error) error {
			return fmt.Errorf("demo: presentazioni: %s (%s): %w%s", c.Codice(), casiPresentazioniDemo[i], err, campi(err))
		}
		switch i {
		case 0:
			err = d.present.RegistraSportello(ctx, sp, id, presentazioni.NuovaRegistrazione{Evento: "presentazione_spontanea",
				Luogo: "patronato", Data: calendario.ISO(oggi.AddDate(0, 0, -2))}, vsp)
		case 1:
			primo := time.Date(oggi.Year(), oggi.Month()-20, 1, 0, 0, 0, 0, time.UTC)
			err = d.present.ImpostaPrimoMese(ctx, cm, id, presentazioni.NuovoPrimoMese{PrimoMese: primo.Format("01/2006"), Versione: "0"}, vcm)
			if err == nil {
				err = d.present.Rinnova(ctx, cm, id, presentazioni.NuovoRinnovo{DataPAD: calendario.ISO(oggi.AddDate(0, 0, -10))}, vcm)
			}
		case 2:
			err = esoneratoDemo(ctx, d, cm, c, oggi)
		case 3:
			err = assenzaCPIDemo(ctx, d, cm, c, oggi)
		}
		if err != nil {
			return nil, fail(err)
		}
		codici = append(codici, c.Codice())
	}
	log.Info("demo cases of the presentazioni prepared", "cases", len(codici), "elapsed", time.Since(start).Round(time.Millisecond).String())
	return codici, nil
}

// adulto is the first current member of c aged 18–59 at oggi.
func adulto(ctx context.Context, d *deps, c casi.Caso, oggi time.Time) (casi.Componente, error) {
	membri, err := d.casi.Componenti(ctx, d.pool, c.NucleoID)
	if err != nil {
		return casi.Componente{}, err
	}
	for _, m := range membri {
		if e := m.Eta(oggi); e >= 18 && e < 60 {
			return m, nil
		}
	}
	return casi.Componente{}, errors.New("no member aged 18–59")
}

// esoneratoDemo registers a first meeting of case c and finalises its
// analisi preliminare with esito B, the first member aged 18–59 exempted
// (carico di cura di un minore di tre anni) from six months ago to eight
// months from now, with the percorso of facoltà.
func esoneratoDemo(ctx context.Context, d *deps, cm authz.Principal, c casi.Caso, oggi time.Time) error {
	v := voceDi(cm)
	primo := oggi.AddDate(0, 0, -3)
	if c.DataPAD != nil && primo.Before(*c.DataPAD) {
		primo = *c.DataPAD
	}
	sc, err := d.incontriS.Scheda(ctx, cm, c.ID, v)
	if err != nil {
		return err
	}
	presenze := map[uuid.UUID]incontri.PresenzaInput{}
	for _, m := range sc.Componenti {
		presenze[m.PersonaID] = incontri.PresenzaInput{Stato: "presente"}
	}
	if _, err := d.incontriS.RegistraIncontro(ctx, cm, c.ID, incontri.NuovoIncontro{Tipo: "primo_incontro", Data: calendario.ISO(primo),
		Luogo: "Servizio sociale territoriale, Comune di " + c.Comune, Presenze: presenze,
		Note: "Il nucleo si è presentato spontaneamente al servizio."}, v); err != nil {
		return err
	}
	es, err := adulto(ctx, d, c, oggi)
	if err != nil {
		return err
	}
	ap, err := d.analisi.Apri(ctx, cm, c.ID, v)
	if err != nil {
		return err
	}
	var cont analisi.Contenuto
	if err := json.Unmarshal(ap.Contenuto, &cont); err != nil {
		return err
	}
	_, errs, err := d.analisi.Finalizza(ctx, cm, c.ID, ap.Revisione, func(a *analisi.Contenuto) {
		bozzaAnalisi(a)
		a.Esito = "B"
		a.Motivazione = "Bisogni non complessi, soprattutto economici: PaIS semplificato sulla base dell'analisi preliminare."
		for i := range a.Componenti {
			m := &a.Componenti[i]
			if m.Uscito || !m.InScala || m.Minore(oggi) {
				continue
			}
			switch {
			case m.PersonaID == es.PersonaID.String():
				m.Percorso = "2"
				m.Motivi = []analisi.Motivo{{Codice: "cura_minore_3", Dal: calendario.ISO(oggi.AddDate(0, -6, 0)),
					Al: calendario.ISO(oggi.AddDate(0, 8, 0))}}
			case m.Eta(oggi) >= 60:
				m.Percorso = "2"
				if nascita, err := time.Parse(time.DateOnly, m.DataNascita); err == nil {
					m.Motivi = []analisi.Motivo{{Codice: "eta_60", Dal: nascita.AddDate(60, 0, 0).Format(giorno)}}
				}
			default:
				m.Percorso = "1"
			}
		}
	}, v)
	return oppure(err, campiErr(errs))
}

// assenzaCPIDemo sends the first member aged 18–59 of case c to the CPI 40
// days ago and records their absence without giustificato motivo at the
// CPI's convocation five days ago.
func assenzaCPIDemo(ctx context.Context, d *deps, cm authz.Principal, c casi.Caso, oggi time.Time) error {
	v := voceDi(cm)
	m, err := adulto(ctx, d, c, oggi)
	if err != nil {
		return err
	}
	if errs, err := d.casi.AggiornaCondizioni(ctx, cm, c.ID, m.PersonaID, casi.Condizioni{VittimaViolenza: m.VittimaViolenza,
		InviatoCPIIl: calendario.ISO(oggi.AddDate(0, 0, -40)), Versione: c.Versione}, v); err != nil || len(errs) > 0 {
		return oppure(err, campiErr(errs))
	}
	return d.present.RegistraCPI(ctx, cm, c.ID, m.PersonaID, presentazioni.NuovaConvocazioneCPI{
		ConvocatoIl: calendario.ISO(oggi.AddDate(0, 0, -5)), Esito: "assente", Versione: "0"}, v)
}
