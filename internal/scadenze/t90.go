package scadenze

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cartella/cartella/internal/calendario"
)

// compie60 is the day a member turns EtaEsenzione.
func compie60(m Membro) time.Time { return giorno(m.DataNascita).AddDate(EtaEsenzione, 0, 0) }

// esenzioni splits the members into those not bound to the T90 at oggi, with
// their reasons, and those bound.
func esenzioni(membri []Membro, oggi time.Time) (es []Esenzione, tenuti []Membro) {
	for _, m := range membri {
		var motivi []MotivoEsenzione
		if !m.DataNascita.IsZero() && !oggi.Before(compie60(m)) {
			motivi = append(motivi, PerEta)
		}
		if m.Disabilita || motivoT90(m, "disabilita", oggi) {
			motivi = append(motivi, PerDisabilita)
		}
		if m.VittimaViolenza || motivoT90(m, "violenza", oggi) {
			motivi = append(motivi, PerViolenza)
		}
		if !slices.Contains(motivi, PerEta) && motivoT90(m, "eta_60", oggi) {
			motivi = append(motivi, PerEta)
		}
		if m.InviatoCPI != nil && !giorno(*m.InviatoCPI).After(oggi) {
			motivi = append(motivi, PerCPI)
		}
		if motivi == nil {
			tenuti = append(tenuti, m)
			continue
		}
		es = append(es, Esenzione{PersonaID: m.PersonaID, Motivi: motivi})
	}
	return es, tenuti
}

// motivoT90 reports whether m has the reason codice, exempting from the T90,
// in force on oggi: the exemption holds only within its dates.
func motivoT90(m Membro, codice string, oggi time.Time) bool {
	for _, mo := range m.Motivi {
		if mo.Codice == codice && mo.EsoneroT90 && entro(oggi, mo.Dal, mo.Al) {
			return true
		}
	}
	return false
}

// periodo of suspension of the T90: the days from dal to al included that
// fall in the running term; inizio is the motivo's own first day, aperto
// whether it has no end yet (al is then Oggi).
type periodo struct {
	dal, al, inizio time.Time
	aperto          bool
}

// t90 is the presentazione periodica timer.
func t90(s Situazione, oggi time.Time, es []Esenzione, tenuti []Membro) Timer {
	if len(s.Membri) > 0 && len(tenuti) == 0 {
		return Timer{Stato: Esente, Messaggio: "Presentazione periodica non dovuta: nessun componente vi è tenuto (" +
			riassunto(es) + ")"}
	}

	var ultimo *time.Time
	for _, in := range s.Incontri {
		if d := giorno(in.Data); !d.After(oggi) && svolto(in) && (ultimo == nil || d.After(*ultimo)) {
			ultimo = ptr(d)
		}
	}
	// A registrazione at any place resets the count (Presentazione.ValePerT90).
	var ultimaReg *Presentazione
	for _, p := range s.Presentazioni {
		if d := giorno(p.Data); !d.After(oggi) && p.ValePerT90() && (ultimo == nil || d.After(*ultimo)) {
			ultimo, ultimaReg = ptr(d), &p
		}
	}
	if ultimo == nil {
		return Timer{Stato: NonApplicabile,
			Messaggio: "Presentazione periodica: i 90 giorni decorrono dal primo incontro, non ancora registrato"}
	}

	// The giustificati motivi of bound members (of anyone when the members
	// are not known), clipped to the days after the last meeting.
	tenuto := map[string]bool{}
	for _, m := range tenuti {
		tenuto[m.PersonaID] = true
	}
	primoGiorno := dopo(*ultimo, 1)
	var periodi []periodo
	for _, g := range s.Giustificati {
		if len(s.Membri) > 0 && g.PersonaID != "" && !tenuto[g.PersonaID] {
			continue
		}
		p := periodo{dal: giorno(g.Dal), inizio: giorno(g.Dal), al: oggi, aperto: g.Al == nil}
		if g.Al != nil {
			p.al = giorno(*g.Al)
		}
		if p.dal.Before(primoGiorno) {
			p.dal = primoGiorno
		}
		if !p.al.Before(p.dal) {
			periodi = append(periodi, p)
		}
	}
	slices.SortFunc(periodi, func(a, b periodo) int { return a.dal.Compare(b.dal) })
	var uniti []periodo
	for _, p := range periodi {
		if n := len(uniti); n > 0 && !p.dal.After(dopo(uniti[n-1].al, 1)) {
			u := &uniti[n-1]
			if p.al.After(u.al) {
				u.al = p.al
			}
			if p.inizio.Before(u.inizio) {
				u.inizio = p.inizio
			}
			u.aperto = u.aperto || p.aperto
			continue
		}
		uniti = append(uniti, p)
	}

	// Sospensione dei termini: each suspended day inside the running term
	// moves the due date one day later.
	scadenza, sospesi := dopo(*ultimo, GiorniT90), 0
	var corrente *periodo
	for i, p := range uniti {
		if p.dal.After(scadenza) {
			break
		}
		n := giorniTra(p.dal, p.al) + 1
		scadenza, sospesi = dopo(scadenza, n), sospesi+n
		if entro(oggi, p.dal, &p.al) {
			corrente = &uniti[i]
		}
	}

	t := Timer{Inizio: ptr(*ultimo)}
	pendente(&t, oggi, scadenza)
	switch {
	case corrente != nil:
		t.Stato = Sospeso
		if corrente.aperto {
			t.Messaggio = fmt.Sprintf("Presentazione periodica: termine sospeso per giustificato motivo dal %s, "+
				"senza data di fine; scadenza provvisoria %s", calendario.Data(corrente.inizio), calendario.Data(scadenza))
		} else {
			t.Messaggio = fmt.Sprintf("Presentazione periodica: termine sospeso per giustificato motivo dal %s al %s; "+
				"nuova scadenza %s", calendario.Data(corrente.inizio), calendario.Data(corrente.al), calendario.Data(scadenza))
		}
	case t.Stato == Scaduto:
		// As for the T120, INPS suspends from the month after the expiry
		// until a presentation is registered (messaggio 2132/2024).
		t.Rischio = Sospensione
		t.SospensioneDal = ptr(primoDelMeseDopo(scadenza))
		t.Messaggio = fmt.Sprintf("Presentazione periodica non registrata entro il %s (%s): prestazione sospesa "+
			"dal %s fino alla registrazione di una presentazione", calendario.Data(scadenza), scadutoDa(-t.GiorniRimanenti),
			calendario.Data(*t.SospensioneDal))
	default:
		t.Messaggio = fmt.Sprintf("Presentazione periodica entro il %s: %s", calendario.Data(scadenza), mancano(t.GiorniRimanenti))
		switch {
		case sospesi == 1:
			t.Messaggio += " (termine prorogato di 1 giorno per giustificato motivo)"
		case sospesi > 1:
			t.Messaggio += fmt.Sprintf(" (termine prorogato di %d giorni per giustificato motivo)", sospesi)
		}
		if d, ok := fineObbligo(s.Membri, tenuti, scadenza); ok {
			t.Messaggio += ". Dal " + calendario.Data(d) + " nessun componente sarà più tenuto alla presentazione (60 anni compiuti)"
		}
	}
	if ultimaReg != nil {
		t.Messaggio += fmt.Sprintf(". Ultima presentazione registrata il %s presso %s (%s)",
			calendario.Data(ultimaReg.Data), ultimaReg.Luogo.Label(), strings.ToLower(ultimaReg.Evento.Label()))
	}
	return t
}

// fineObbligo is the day from which no member is bound any more because every
// bound member turns 60 on or before the due date.
func fineObbligo(membri, tenuti []Membro, scadenza time.Time) (time.Time, bool) {
	if len(membri) == 0 || len(tenuti) == 0 {
		return time.Time{}, false
	}
	var ultimo time.Time
	for _, m := range tenuti {
		if m.DataNascita.IsZero() || compie60(m).After(scadenza) {
			return time.Time{}, false
		}
		if d := compie60(m); d.After(ultimo) {
			ultimo = d
		}
	}
	return ultimo, true
}

// riassunto counts the exempt members by their first reason, e.g. "1 con
// almeno 60 anni, 2 seguiti dal CPI".
func riassunto(es []Esenzione) string {
	conta := map[MotivoEsenzione]int{}
	for _, e := range es {
		conta[e.Motivi[0]]++
	}
	var parti []string
	for _, m := range []MotivoEsenzione{PerEta, PerDisabilita, PerViolenza, PerCPI} {
		n := conta[m]
		switch {
		case n == 0:
		case m == PerEta:
			parti = append(parti, fmt.Sprintf("%d con almeno 60 anni", n))
		case m == PerDisabilita:
			parti = append(parti, fmt.Sprintf("%d con disabilità", n))
		case m == PerViolenza && n == 1:
			parti = append(parti, "1 vittima di violenza di genere")
		case m == PerViolenza:
			parti = append(parti, fmt.Sprintf("%d vittime di violenza di genere", n))
		case m == PerCPI && n == 1:
			parti = append(parti, "1 seguito dal CPI")
		case m == PerCPI:
			parti = append(parti, fmt.Sprintf("%d seguiti dal CPI", n))
		}
	}
	return strings.Join(parti, ", ")
}

// cpi is the convocation deadline of the CPI for each member sent to it.
func cpi(membri []Membro, oggi time.Time) []TimerCPI {
	var out []TimerCPI
	for _, m := range membri {
		if m.InviatoCPI == nil || giorno(*m.InviatoCPI).After(oggi) {
			continue
		}
		avvio := giorno(*m.InviatoCPI)
		scadenza := dopo(avvio, GiorniCPI)
		t := Timer{Inizio: ptr(avvio)}
		switch {
		case m.ConvocatoCPI != nil && !giorno(*m.ConvocatoCPI).Before(avvio):
			c := giorno(*m.ConvocatoCPI)
			t.Scadenza = ptr(scadenza)
			if c.After(scadenza) {
				t.Stato = Tardivo
				t.Messaggio = fmt.Sprintf("Convocato dal CPI il %s, oltre il termine del %s", calendario.Data(c), calendario.Data(scadenza))
			} else {
				t.Stato = Rispettato
				t.Messaggio = fmt.Sprintf("Convocato dal CPI il %s, entro il %s", calendario.Data(c), calendario.Data(scadenza))
			}
			switch {
			case c.After(oggi):
			case m.EsitoCPI == CPIPresente:
				t.Messaggio += ": presente"
			case m.EsitoCPI == CPIAssenteGiustificato:
				t.Messaggio += ": assente con giustificato motivo"
			case m.EsitoCPI == CPIAssente:
				if ok, _ := TenutoAgliObblighi(m, c); ok {
					// DL 48/2023 art. 8 c. 6 lett. a: "servizi per il lavoro".
					t.Rischio = Decadenza
					t.Messaggio += ": assente senza giustificato motivo, rischio di decadenza (DL 48/2023, art. 8, c. 6, lett. a)"
				} else {
					t.Messaggio += ": assente senza giustificato motivo, ma non tenuto agli obblighi quel giorno: nessuna decadenza"
				}
			}
		default:
			pendente(&t, oggi, scadenza)
			if t.Stato == Scaduto {
				t.Messaggio = fmt.Sprintf("Convocazione del CPI non registrata entro il %s (%s): sollecitare il "+
					"Centro per l'impiego", calendario.Data(scadenza), scadutoDa(-t.GiorniRimanenti))
			} else {
				t.Messaggio = fmt.Sprintf("Convocazione del CPI entro il %s: %s", calendario.Data(scadenza), mancano(t.GiorniRimanenti))
			}
		}
		out = append(out, TimerCPI{PersonaID: m.PersonaID, Timer: t})
	}
	return out
}
