package scadenze

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cartella/cartella/internal/calendario"
)

// t120 is the primo incontro timer, counted from inizio (see InizioT120).
func t120(s Situazione, oggi, inizio time.Time) Timer {
	scadenza := dopo(inizio, GiorniT120)
	consigliata := dopo(inizio, GiorniConvocazioneConsigliata)
	t := Timer{Inizio: ptr(inizio)}

	// Incontri registered from the start to today, by day; the first held.
	perGiorno := map[time.Time][]Incontro{}
	var primo *time.Time
	for _, in := range s.Incontri {
		d := giorno(in.Data)
		if d.Before(inizio) || d.After(oggi) {
			continue
		}
		perGiorno[d] = append(perGiorno[d], in)
		if svolto(in) && (primo == nil || d.Before(*primo)) {
			primo = ptr(d)
		}
	}
	// Registrazioni: only those with the servizi sociali meet the first
	// meeting; one at a patronato or at the CPI is noted.
	var altrove *Presentazione
	for _, p := range s.Presentazioni {
		d := giorno(p.Data)
		if p.Evento == GiustificatoMotivoReg || d.Before(inizio) || d.After(oggi) {
			continue
		}
		if !p.ValePerT120() {
			if altrove == nil || d.Before(giorno(altrove.Data)) {
				altrove = &p
			}
			continue
		}
		if primo == nil || d.Before(*primo) {
			primo = ptr(d)
		}
	}

	// The days of the convocazioni that reached the nucleo, for meetings from
	// the start on, before the first meeting.
	var giorni []time.Time
	for _, c := range s.Convocazioni {
		d := giornoRoma(c.Inizio)
		if c.Annullata || c.NonConsegnata || d.Before(inizio) ||
			(!c.InviataIl.IsZero() && giorno(c.InviataIl).After(oggi)) ||
			(primo != nil && !d.Before(*primo)) {
			continue
		}
		giorni = append(giorni, d)
	}
	slices.SortFunc(giorni, time.Time.Compare)
	giorni = slices.Compact(giorni)

	// What became of each: an absence (justified or not), no outcome
	// registered yet, or still to come.
	var ingiustificata, giustificata, nonTenuti, senzaEsito, prossima *time.Time
	for _, d := range giorni {
		assente, giustificato, tenuti := false, false, false
		for _, in := range perGiorno[d] {
			if len(in.Presenze) > 0 { // none present: else it would be primo
				assente = true
				giustificato = giustificato || assenzaGiustificata(in, s.Giustificati, d)
				tenuti = tenuti || assenteTenuto(in, s.Membri, d)
			}
		}
		switch {
		case assente && giustificato:
			giustificata, senzaEsito = ptr(d), nil
		case assente && !tenuti:
			nonTenuti, senzaEsito = ptr(d), nil
		case assente:
			if ingiustificata == nil {
				ingiustificata = ptr(d)
			}
			giustificata, senzaEsito = nil, nil
		case d.Before(oggi):
			senzaEsito = ptr(d)
		case prossima == nil:
			prossima = ptr(d)
		}
	}

	var note []string
	if ingiustificata != nil {
		t.Rischio = Decadenza
		note = append(note, fmt.Sprintf("Assenza senza giustificato motivo alla convocazione del %s: "+
			"rischio di decadenza (DL 48/2023, art. 8, c. 6, lett. a)", calendario.Data(*ingiustificata)))
	}

	if primo != nil {
		t.Scadenza = ptr(scadenza)
		if primo.After(scadenza) {
			t.Stato = Tardivo
			return messaggio(t, fmt.Sprintf("Primo incontro svolto il %s, oltre il termine del %s: "+
				"l'eventuale sospensione cessa con la registrazione, con il recupero degli arretrati",
				calendario.Data(*primo), calendario.Data(scadenza)), note)
		}
		t.Stato = Rispettato
		return messaggio(t, fmt.Sprintf("Primo incontro svolto il %s, entro il %s",
			calendario.Data(*primo), calendario.Data(scadenza)), note)
	}

	pendente(&t, oggi, scadenza)
	scaduto := t.Stato == Scaduto
	var testo string
	if scaduto {
		// INPS suspends from the month after the expiry, convened or not
		// (messaggio 2132/2024); an unjustified absence is worse.
		t.SospensioneDal = ptr(primoDelMeseDopo(scadenza))
		if t.Rischio == Nessuno {
			t.Rischio = Sospensione
		}
		testo = fmt.Sprintf("Primo incontro non registrato entro il %s (%s): prestazione sospesa dal %s "+
			"fino alla registrazione dell'incontro", calendario.Data(scadenza), scadutoDa(-t.GiorniRimanenti),
			calendario.Data(*t.SospensioneDal))
	} else {
		testo = fmt.Sprintf("Primo incontro entro il %s: %s", calendario.Data(scadenza), mancano(t.GiorniRimanenti))
	}

	switch {
	case prossima != nil:
		n := "Convocazione fissata per il " + calendario.Data(*prossima)
		if prossima.After(scadenza) {
			n += ", oltre il termine"
			if !scaduto {
				n += ": anticiparla"
			}
		}
		note = append(note, n)
	case senzaEsito != nil:
		note = append(note, "Registrare l'esito della convocazione del "+calendario.Data(*senzaEsito))
	case len(giorni) == 0 && scaduto:
		note = append(note, "Nessuna convocazione inviata entro il termine")
	case len(giorni) == 0 && oggi.After(consigliata):
		note = append(note, "Nessuna convocazione inviata: era consigliata entro il "+calendario.Data(consigliata))
	case len(giorni) == 0:
		note = append(note, "Convocazione consigliata entro il "+calendario.Data(consigliata))
	case giustificata != nil:
		note = append(note, fmt.Sprintf("Assenza giustificata alla convocazione del %s: fissare una nuova convocazione",
			calendario.Data(*giustificata)))
	case nonTenuti != nil:
		note = append(note, fmt.Sprintf("Alla convocazione del %s erano assenti solo componenti non tenuti agli "+
			"obblighi: nessuna decadenza, fissare una nuova convocazione", calendario.Data(*nonTenuti)))
	}
	if altrove != nil {
		note = append(note, fmt.Sprintf("La presentazione del %s presso %s vale per la presentazione periodica, "+
			"non per il primo incontro, che si svolge con i servizi sociali (DL 48/2023, art. 4, c. 5)",
			calendario.Data(altrove.Data), altrove.Luogo.Label()))
	}
	return messaggio(t, testo, note)
}

// assenteTenuto reports whether a member absent without a justification
// marked on the incontro of day d is tenuto agli obblighi that day: only
// then is the absence a cause of decadenza (DL 48/2023 art. 8 c. 6). A
// member not listed among the nucleo's counts as bound.
func assenteTenuto(in Incontro, membri []Membro, d time.Time) bool {
	for _, p := range in.Presenze {
		if !p.Presente && tenutoIl(membri, p.PersonaID, d) {
			return true
		}
	}
	return false
}

// assenzaGiustificata reports whether the nucleo's absence from the incontro
// on day d is covered by a giustificato motivo: marked on an absent member's
// presence, or recorded for any member over a period including d.
func assenzaGiustificata(in Incontro, motivi []GiustificatoMotivo, d time.Time) bool {
	for _, p := range in.Presenze {
		if !p.Presente && p.Giustificato {
			return true
		}
	}
	for _, m := range motivi {
		if entro(d, m.Dal, m.Al) {
			return true
		}
	}
	return false
}

// messaggio sets t's message: testo, then each note as a sentence.
func messaggio(t Timer, testo string, note []string) Timer {
	t.Messaggio = strings.Join(append([]string{testo}, note...), ". ")
	return t
}
