package scadenze_test

import (
	"slices"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/scadenze"
)

// d is a civil date written as Italian forms do, at midnight UTC.
func d(s string) time.Time {
	t, ok := calendario.ParseData(s)
	if !ok {
		panic(s)
	}
	return t
}

func p(s string) *time.Time { t := d(s); return &t }

// alle is an instant in Rome on the day s at hh:mm.
func alle(s string, hh, mm int) time.Time {
	t := d(s)
	return time.Date(t.Year(), t.Month(), t.Day(), hh, mm, 0, 0, calendario.Roma)
}

func fmtp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return calendario.Data(*t)
}

// conv is a convocazione for 9:30 on day s, sent 20 days before.
func conv(s string) scadenze.Convocazione {
	return scadenze.Convocazione{Inizio: alle(s, 9, 30), InviataIl: d(s).AddDate(0, 0, -20)}
}

// presente is an incontro on day s with member "A" present.
func presente(s string) scadenze.Incontro {
	return scadenze.Incontro{Data: d(s), Tipo: "monitoraggio",
		Presenze: []scadenze.Presenza{{PersonaID: "A", Presente: true}}}
}

// assente is an incontro on day s that member "A" missed.
func assente(s string, giustificato bool) scadenze.Incontro {
	return scadenze.Incontro{Data: d(s), Tipo: "primo_incontro",
		Presenze: []scadenze.Presenza{{PersonaID: "A", Giustificato: giustificato}}}
}

// want is what an operator sees of a timer.
type want struct {
	scadenza       string // "" when none
	giorni         int
	stato          scadenze.Stato
	rischio        scadenze.Rischio
	sospensioneDal string
	messaggio      string
}

func check(t *testing.T, name string, got scadenze.Timer, w want) {
	t.Helper()
	if s := fmtp(got.Scadenza); s != w.scadenza {
		t.Errorf("%s Scadenza = %q, want %q", name, s, w.scadenza)
	}
	if got.GiorniRimanenti != w.giorni {
		t.Errorf("%s GiorniRimanenti = %d, want %d", name, got.GiorniRimanenti, w.giorni)
	}
	if got.Stato != w.stato {
		t.Errorf("%s Stato = %q, want %q", name, got.Stato, w.stato)
	}
	if got.Rischio != w.rischio {
		t.Errorf("%s Rischio = %q, want %q", name, got.Rischio, w.rischio)
	}
	if s := fmtp(got.SospensioneDal); s != w.sospensioneDal {
		t.Errorf("%s SospensioneDal = %q, want %q", name, s, w.sospensioneDal)
	}
	if got.Messaggio != w.messaggio {
		t.Errorf("%s Messaggio =\n\t%q\nwant\n\t%q", name, got.Messaggio, w.messaggio)
	}
}

const decadenza10mag = "Assenza senza giustificato motivo alla convocazione del 10/05/2024: " +
	"rischio di decadenza (DL 48/2023, art. 8, c. 6, lett. a)"

func TestInizioT120(t *testing.T) {
	for _, tc := range []struct {
		name                       string
		domanda, pad, trasmissione *time.Time
		want                       string // "" when !ok
	}{
		{"ordinary rule: PAD", p("01/03/2024"), p("01/03/2024"), p("15/03/2024"), "01/03/2024"},
		{"transitional: GePI transmission", p("18/12/2023"), p("18/12/2023"), p("26/01/2024"), "26/01/2024"},
		{"last transitional day, leap day", p("29/02/2024"), p("29/02/2024"), p("15/03/2024"), "15/03/2024"},
		{"first day of the ordinary rule", p("01/03/2024"), p("01/03/2024"), p("15/03/2024"), "01/03/2024"},
		{"transitional without transmission: PAD", p("10/01/2024"), p("10/01/2024"), nil, "10/01/2024"},
		{"transitional without PAD", p("10/01/2024"), nil, p("26/01/2024"), "26/01/2024"},
		{"no domanda date: PAD", nil, p("20/02/2024"), p("26/03/2024"), "20/02/2024"},
		{"no PAD", p("01/03/2024"), nil, nil, ""},
		{"no dates at all", nil, nil, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := scadenze.InizioT120(tc.domanda, tc.pad, tc.trasmissione)
			s := ""
			if ok {
				s = fmtp(&got)
			}
			if s != tc.want {
				t.Errorf("InizioT120 = %q (ok %v), want %q", s, ok, tc.want)
			}
		})
	}
}

func TestT120(t *testing.T) {
	// The ordinary case: domanda and PAD on 1 March 2024, due 29 June 2024,
	// convocation recommended by 30 April 2024.
	pad := func(oggi time.Time) scadenze.Situazione {
		return scadenze.Situazione{Oggi: oggi, DataDomanda: p("01/03/2024"), DataPAD: p("01/03/2024"),
			Membri: []scadenze.Membro{{PersonaID: "A", DataNascita: d("15/06/1985")}}}
	}
	with := func(s scadenze.Situazione, f func(*scadenze.Situazione)) scadenze.Situazione { f(&s); return s }

	for _, tc := range []struct {
		name string
		s    scadenze.Situazione
		want want
	}{
		{"just signed", pad(d("02/03/2024")), want{"29/06/2024", 119, scadenze.InCorso, "", "",
			"Primo incontro entro il 29/06/2024: mancano 119 giorni. Convocazione consigliata entro il 30/04/2024"}},
		{"16 days left: still in corso", pad(d("13/06/2024")), want{"29/06/2024", 16, scadenze.InCorso, "", "",
			"Primo incontro entro il 29/06/2024: mancano 16 giorni. Nessuna convocazione inviata: era consigliata entro il 30/04/2024"}},
		{"15 days left: in scadenza", pad(d("14/06/2024")), want{"29/06/2024", 15, scadenze.InScadenza, "", "",
			"Primo incontro entro il 29/06/2024: mancano 15 giorni. Nessuna convocazione inviata: era consigliata entro il 30/04/2024"}},
		{"12 days left", pad(d("17/06/2024")), want{"29/06/2024", 12, scadenze.InScadenza, "", "",
			"Primo incontro entro il 29/06/2024: mancano 12 giorni. Nessuna convocazione inviata: era consigliata entro il 30/04/2024"}},
		{"1 day left", pad(d("28/06/2024")), want{"29/06/2024", 1, scadenze.InScadenza, "", "",
			"Primo incontro entro il 29/06/2024: manca 1 giorno. Nessuna convocazione inviata: era consigliata entro il 30/04/2024"}},
		{"due today", pad(d("29/06/2024")), want{"29/06/2024", 0, scadenze.InScadenza, "", "",
			"Primo incontro entro il 29/06/2024: scade oggi. Nessuna convocazione inviata: era consigliata entro il 30/04/2024"}},
		{"on the recommended date", pad(d("30/04/2024")), want{"29/06/2024", 60, scadenze.InCorso, "", "",
			"Primo incontro entro il 29/06/2024: mancano 60 giorni. Convocazione consigliata entro il 30/04/2024"}},

		{"never convened, expired yesterday: sospensione from July", pad(d("30/06/2024")),
			want{"29/06/2024", -1, scadenze.Scaduto, scadenze.Sospensione, "01/07/2024",
				"Primo incontro non registrato entro il 29/06/2024 (termine scaduto da 1 giorno): prestazione sospesa " +
					"dal 01/07/2024 fino alla registrazione dell'incontro. Nessuna convocazione inviata entro il termine"}},
		{"never convened, expired 3 days ago", pad(d("02/07/2024")),
			want{"29/06/2024", -3, scadenze.Scaduto, scadenze.Sospensione, "01/07/2024",
				"Primo incontro non registrato entro il 29/06/2024 (termine scaduto da 3 giorni): prestazione sospesa " +
					"dal 01/07/2024 fino alla registrazione dell'incontro. Nessuna convocazione inviata entro il termine"}},
		{"only cancelled or undelivered convocazioni: as never convened", with(pad(d("02/07/2024")), func(s *scadenze.Situazione) {
			a, b := conv("10/05/2024"), conv("20/05/2024")
			a.Annullata, b.NonConsegnata = true, true
			s.Convocazioni = []scadenze.Convocazione{a, b}
			s.Incontri = []scadenze.Incontro{assente("20/05/2024", false)}
		}), want{"29/06/2024", -3, scadenze.Scaduto, scadenze.Sospensione, "01/07/2024",
			"Primo incontro non registrato entro il 29/06/2024 (termine scaduto da 3 giorni): prestazione sospesa " +
				"dal 01/07/2024 fino alla registrazione dell'incontro. Nessuna convocazione inviata entro il termine"}},

		{"convened, upcoming", with(pad(d("20/05/2024")), func(s *scadenze.Situazione) {
			s.Convocazioni = []scadenze.Convocazione{{Inizio: alle("10/06/2024", 9, 30), InviataIl: d("15/05/2024")}}
		}), want{"29/06/2024", 40, scadenze.InCorso, "", "",
			"Primo incontro entro il 29/06/2024: mancano 40 giorni. Convocazione fissata per il 10/06/2024"}},
		{"convened, outcome not registered", with(pad(d("20/05/2024")), func(s *scadenze.Situazione) {
			s.Convocazioni = []scadenze.Convocazione{conv("10/05/2024")}
		}), want{"29/06/2024", 40, scadenze.InCorso, "", "",
			"Primo incontro entro il 29/06/2024: mancano 40 giorni. Registrare l'esito della convocazione del 10/05/2024"}},
		{"convened, incontro without presences: outcome missing, not an absence", with(pad(d("20/05/2024")), func(s *scadenze.Situazione) {
			s.Convocazioni = []scadenze.Convocazione{conv("10/05/2024")}
			s.Incontri = []scadenze.Incontro{{Data: d("10/05/2024"), Tipo: "primo_incontro"}}
		}), want{"29/06/2024", 40, scadenze.InCorso, "", "",
			"Primo incontro entro il 29/06/2024: mancano 40 giorni. Registrare l'esito della convocazione del 10/05/2024"}},
		{"convened and absent: decadenza while the term runs", with(pad(d("20/05/2024")), func(s *scadenze.Situazione) {
			s.Convocazioni = []scadenze.Convocazione{conv("10/05/2024")}
			s.Incontri = []scadenze.Incontro{assente("10/05/2024", false)}
		}), want{"29/06/2024", 40, scadenze.InCorso, scadenze.Decadenza, "",
			"Primo incontro entro il 29/06/2024: mancano 40 giorni. " + decadenza10mag}},
		{"convened and absent, expired: decadenza", with(pad(d("02/07/2024")), func(s *scadenze.Situazione) {
			s.Convocazioni = []scadenze.Convocazione{conv("10/05/2024")}
			s.Incontri = []scadenze.Incontro{assente("10/05/2024", false)}
		}), want{"29/06/2024", -3, scadenze.Scaduto, scadenze.Decadenza, "01/07/2024",
			"Primo incontro non registrato entro il 29/06/2024 (termine scaduto da 3 giorni): prestazione sospesa " +
				"dal 01/07/2024 fino alla registrazione dell'incontro. " + decadenza10mag}},
		{"absent, then reconvened: decadenza stays, new convocation shown", with(pad(d("20/05/2024")), func(s *scadenze.Situazione) {
			s.Convocazioni = []scadenze.Convocazione{conv("10/05/2024"), conv("05/06/2024")}
			s.Incontri = []scadenze.Incontro{assente("10/05/2024", false)}
		}), want{"29/06/2024", 40, scadenze.InCorso, scadenze.Decadenza, "",
			"Primo incontro entro il 29/06/2024: mancano 40 giorni. " + decadenza10mag +
				". Convocazione fissata per il 05/06/2024"}},
		{"absent with giustificato marked on the presence: no decadenza", with(pad(d("02/07/2024")), func(s *scadenze.Situazione) {
			s.Convocazioni = []scadenze.Convocazione{conv("10/05/2024")}
			s.Incontri = []scadenze.Incontro{assente("10/05/2024", true)}
		}), want{"29/06/2024", -3, scadenze.Scaduto, scadenze.Sospensione, "01/07/2024",
			"Primo incontro non registrato entro il 29/06/2024 (termine scaduto da 3 giorni): prestazione sospesa " +
				"dal 01/07/2024 fino alla registrazione dell'incontro. " +
				"Assenza giustificata alla convocazione del 10/05/2024: fissare una nuova convocazione"}},
		{"absent, giustificato motivo recorded for another member covers the day", with(pad(d("20/05/2024")), func(s *scadenze.Situazione) {
			s.Convocazioni = []scadenze.Convocazione{conv("10/05/2024")}
			s.Incontri = []scadenze.Incontro{assente("10/05/2024", false)}
			s.Giustificati = []scadenze.GiustificatoMotivo{{PersonaID: "B", Dal: d("08/05/2024"), Al: p("10/05/2024")}}
		}), want{"29/06/2024", 40, scadenze.InCorso, "", "",
			"Primo incontro entro il 29/06/2024: mancano 40 giorni. " +
				"Assenza giustificata alla convocazione del 10/05/2024: fissare una nuova convocazione"}},
		{"giustificato motivo ended the day before: decadenza", with(pad(d("20/05/2024")), func(s *scadenze.Situazione) {
			s.Convocazioni = []scadenze.Convocazione{conv("10/05/2024")}
			s.Incontri = []scadenze.Incontro{assente("10/05/2024", false)}
			s.Giustificati = []scadenze.GiustificatoMotivo{{PersonaID: "A", Dal: d("01/05/2024"), Al: p("09/05/2024")}}
		}), want{"29/06/2024", 40, scadenze.InCorso, scadenze.Decadenza, "",
			"Primo incontro entro il 29/06/2024: mancano 40 giorni. " + decadenza10mag}},
		{"absent at a meeting nobody convened: no decadenza", with(pad(d("20/05/2024")), func(s *scadenze.Situazione) {
			s.Incontri = []scadenze.Incontro{assente("10/05/2024", false)}
		}), want{"29/06/2024", 40, scadenze.InCorso, "", "",
			"Primo incontro entro il 29/06/2024: mancano 40 giorni. Nessuna convocazione inviata: era consigliata entro il 30/04/2024"}},
		{"convened for after the expiry, term running: bring it forward", with(pad(d("20/06/2024")), func(s *scadenze.Situazione) {
			s.Convocazioni = []scadenze.Convocazione{conv("05/07/2024")}
		}), want{"29/06/2024", 9, scadenze.InScadenza, "", "",
			"Primo incontro entro il 29/06/2024: mancano 9 giorni. Convocazione fissata per il 05/07/2024, oltre il termine: anticiparla"}},
		{"convened for after the expiry, expired: sospensione, not decadenza", with(pad(d("02/07/2024")), func(s *scadenze.Situazione) {
			s.Convocazioni = []scadenze.Convocazione{conv("05/07/2024")}
		}), want{"29/06/2024", -3, scadenze.Scaduto, scadenze.Sospensione, "01/07/2024",
			"Primo incontro non registrato entro il 29/06/2024 (termine scaduto da 3 giorni): prestazione sospesa " +
				"dal 01/07/2024 fino alla registrazione dell'incontro. Convocazione fissata per il 05/07/2024, oltre il termine"}},

		{"first meeting on day 120: met", with(pad(d("01/07/2024")), func(s *scadenze.Situazione) {
			s.Incontri = []scadenze.Incontro{presente("29/06/2024")}
		}), want{"29/06/2024", 0, scadenze.Rispettato, "", "",
			"Primo incontro svolto il 29/06/2024, entro il 29/06/2024"}},
		{"first meeting on day 121: late", with(pad(d("01/07/2024")), func(s *scadenze.Situazione) {
			s.Incontri = []scadenze.Incontro{presente("30/06/2024")}
		}), want{"29/06/2024", 0, scadenze.Tardivo, "", "",
			"Primo incontro svolto il 30/06/2024, oltre il termine del 29/06/2024: l'eventuale sospensione cessa " +
				"con la registrazione, con il recupero degli arretrati"}},
		{"presentazione without convocation and without presences: met", with(pad(d("20/05/2024")), func(s *scadenze.Situazione) {
			s.Incontri = []scadenze.Incontro{{Data: d("15/04/2024"), Tipo: scadenze.TipoPresentazione}}
		}), want{"29/06/2024", 0, scadenze.Rispettato, "", "",
			"Primo incontro svolto il 15/04/2024, entro il 29/06/2024"}},
		{"absent, then met: decadenza still to be evaluated", with(pad(d("01/07/2024")), func(s *scadenze.Situazione) {
			s.Convocazioni = []scadenze.Convocazione{conv("10/05/2024"), conv("20/05/2024")}
			s.Incontri = []scadenze.Incontro{assente("10/05/2024", false), presente("20/05/2024")}
		}), want{"29/06/2024", 0, scadenze.Rispettato, scadenze.Decadenza, "",
			"Primo incontro svolto il 20/05/2024, entro il 29/06/2024. " + decadenza10mag}},
		{"a meeting before the PAD (previous period) does not count", with(pad(d("20/05/2024")), func(s *scadenze.Situazione) {
			s.Incontri = []scadenze.Incontro{presente("10/01/2024")}
		}), want{"29/06/2024", 40, scadenze.InCorso, "", "",
			"Primo incontro entro il 29/06/2024: mancano 40 giorni. Nessuna convocazione inviata: era consigliata entro il 30/04/2024"}},
		{"a convocation recorded as sent after today is ignored", with(pad(d("20/05/2024")), func(s *scadenze.Situazione) {
			s.Convocazioni = []scadenze.Convocazione{{Inizio: alle("10/06/2024", 9, 30), InviataIl: d("21/05/2024")}}
		}), want{"29/06/2024", 40, scadenze.InCorso, "", "",
			"Primo incontro entro il 29/06/2024: mancano 40 giorni. Nessuna convocazione inviata: era consigliata entro il 30/04/2024"}},
		{"a meeting dated after today is not counted", with(pad(d("20/05/2024")), func(s *scadenze.Situazione) {
			s.Incontri = []scadenze.Incontro{presente("25/05/2024")}
		}), want{"29/06/2024", 40, scadenze.InCorso, "", "",
			"Primo incontro entro il 29/06/2024: mancano 40 giorni. Nessuna convocazione inviata: era consigliata entro il 30/04/2024"}},

		{"transitional domanda: 120 days from the GePI transmission", scadenze.Situazione{Oggi: d("20/05/2024"),
			DataDomanda: p("18/12/2023"), DataPAD: p("18/12/2023"), DataTrasmissione: p("26/01/2024")},
			want{"25/05/2024", 5, scadenze.InScadenza, "", "",
				"Primo incontro entro il 25/05/2024: mancano 5 giorni. Nessuna convocazione inviata: era consigliata entro il 26/03/2024"}},
		{"domanda on 29 Feb 2024: still transitional", scadenze.Situazione{Oggi: d("20/05/2024"),
			DataDomanda: p("29/02/2024"), DataPAD: p("29/02/2024"), DataTrasmissione: p("15/03/2024")},
			want{"13/07/2024", 54, scadenze.InCorso, "", "",
				"Primo incontro entro il 13/07/2024: mancano 54 giorni. Nessuna convocazione inviata: era consigliata entro il 14/05/2024"}},
		{"no PAD: not applicable", scadenze.Situazione{Oggi: d("20/05/2024")},
			want{"", 0, scadenze.NonApplicabile, "", "", "Primo incontro: manca la data di sottoscrizione del PAD"}},

		{"leap year: PAD 1 Jan 2024 is due 30 Apr 2024", scadenze.Situazione{Oggi: d("01/02/2024"), DataPAD: p("01/01/2024")},
			want{"30/04/2024", 89, scadenze.InCorso, "", "",
				"Primo incontro entro il 30/04/2024: mancano 89 giorni. Convocazione consigliata entro il 01/03/2024"}},
		{"not a leap year: PAD 1 Jan 2025 is due 1 May 2025", scadenze.Situazione{Oggi: d("01/02/2025"), DataPAD: p("01/01/2025")},
			want{"01/05/2025", 89, scadenze.InCorso, "", "",
				"Primo incontro entro il 01/05/2025: mancano 89 giorni. Convocazione consigliata entro il 02/03/2025"}},
		{"due on 29 Feb 2028: suspended from 1 March", scadenze.Situazione{Oggi: d("01/03/2028"), DataPAD: p("01/11/2027")},
			want{"29/02/2028", -1, scadenze.Scaduto, scadenze.Sospensione, "01/03/2028",
				"Primo incontro non registrato entro il 29/02/2028 (termine scaduto da 1 giorno): prestazione sospesa " +
					"dal 01/03/2028 fino alla registrazione dell'incontro. Nessuna convocazione inviata entro il termine"}},
		{"due in December: suspended from January of the next year", scadenze.Situazione{Oggi: d("20/12/2024"), DataPAD: p("15/08/2024")},
			want{"13/12/2024", -7, scadenze.Scaduto, scadenze.Sospensione, "01/01/2025",
				"Primo incontro non registrato entro il 13/12/2024 (termine scaduto da 7 giorni): prestazione sospesa " +
					"dal 01/01/2025 fino alla registrazione dell'incontro. Nessuna convocazione inviata entro il termine"}},

		{"DST: PAD 1 Mar 2025 across the March change, today as a UTC instant late on 28 June", scadenze.Situazione{
			Oggi: time.Date(2025, 6, 28, 23, 30, 0, 0, time.UTC), DataPAD: p("01/03/2025")},
			want{"29/06/2025", 0, scadenze.InScadenza, "", "",
				"Primo incontro entro il 29/06/2025: scade oggi. Nessuna convocazione inviata: era consigliata entro il 30/04/2025"}},
		{"DST: PAD 1 Mar 2025, today the night of the change", scadenze.Situazione{
			Oggi: time.Date(2025, 3, 30, 2, 30, 0, 0, time.UTC), DataPAD: p("01/03/2025")},
			want{"29/06/2025", 91, scadenze.InCorso, "", "",
				"Primo incontro entro il 29/06/2025: mancano 91 giorni. Convocazione consigliata entro il 30/04/2025"}},
		{"DST: PAD on the last Sunday of March, as Rome midnight", scadenze.Situazione{
			Oggi: alle("28/07/2025", 23, 59), DataPAD: &[]time.Time{alle("30/03/2025", 0, 0)}[0]},
			want{"28/07/2025", 0, scadenze.InScadenza, "", "",
				"Primo incontro entro il 28/07/2025: scade oggi. Nessuna convocazione inviata: era consigliata entro il 29/05/2025"}},
		{"DST: PAD on the last Sunday of October, today just after midnight CET", scadenze.Situazione{
			Oggi: time.Date(2026, 2, 22, 23, 30, 0, 0, time.UTC), DataPAD: p("26/10/2025")},
			want{"23/02/2026", 0, scadenze.InScadenza, "", "",
				"Primo incontro entro il 23/02/2026: scade oggi. Nessuna convocazione inviata: era consigliata entro il 25/12/2025"}},
		{"DST: a convocation just after midnight on the change day is on that Rome day", scadenze.Situazione{
			Oggi: time.Date(2025, 3, 29, 22, 0, 0, 0, time.UTC), DataPAD: p("01/03/2025"),
			Convocazioni: []scadenze.Convocazione{{Inizio: alle("30/03/2025", 0, 30), InviataIl: d("20/03/2025")}}},
			want{"29/06/2025", 92, scadenze.InCorso, "", "",
				"Primo incontro entro il 29/06/2025: mancano 92 giorni. Convocazione fissata per il 30/03/2025"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check(t, "T120", scadenze.Calcola(tc.s).T120, tc.want)
		})
	}
}

func TestT90(t *testing.T) {
	// The first meeting is on 15 April 2024 (PAD 1 March 2024), with member A.
	caso := func(oggi string, incontri ...scadenze.Incontro) scadenze.Situazione {
		return scadenze.Situazione{Oggi: d(oggi), DataPAD: p("01/03/2024"),
			Incontri: append([]scadenze.Incontro{presente("15/04/2024")}, incontri...),
			Membri:   []scadenze.Membro{{PersonaID: "A", DataNascita: d("15/06/1985")}}}
	}
	with := func(s scadenze.Situazione, f func(*scadenze.Situazione)) scadenze.Situazione { f(&s); return s }
	motivo := func(id, dal, al string) scadenze.GiustificatoMotivo {
		g := scadenze.GiustificatoMotivo{PersonaID: id, Dal: d(dal)}
		if al != "" {
			g.Al = p(al)
		}
		return g
	}

	for _, tc := range []struct {
		name string
		s    scadenze.Situazione
		want want
	}{
		{"no meeting yet: not started", with(caso("20/05/2024"), func(s *scadenze.Situazione) { s.Incontri = nil }),
			want{"", 0, scadenze.NonApplicabile, "", "",
				"Presentazione periodica: i 90 giorni decorrono dal primo incontro, non ancora registrato"}},
		{"no member present yet: not started", with(caso("20/05/2024"), func(s *scadenze.Situazione) {
			s.Incontri = []scadenze.Incontro{assente("10/05/2024", false)}
		}), want{"", 0, scadenze.NonApplicabile, "", "",
			"Presentazione periodica: i 90 giorni decorrono dal primo incontro, non ancora registrato"}},
		{"90 days from the first meeting", caso("20/05/2024"), want{"14/07/2024", 55, scadenze.InCorso, "", "",
			"Presentazione periodica entro il 14/07/2024: mancano 55 giorni"}},
		{"90 days from the last meeting", caso("20/07/2024", presente("10/05/2024")),
			want{"08/08/2024", 19, scadenze.InCorso, "", "", "Presentazione periodica entro il 08/08/2024: mancano 19 giorni"}},
		{"a presentazione at a patronato resets the count", caso("20/07/2024",
			scadenze.Incontro{Data: d("10/05/2024"), Tipo: scadenze.TipoPresentazione}),
			want{"08/08/2024", 19, scadenze.InCorso, "", "", "Presentazione periodica entro il 08/08/2024: mancano 19 giorni"}},
		{"a missed meeting does not reset it: overdue", caso("20/07/2024", assente("10/05/2024", false)),
			want{"14/07/2024", -6, scadenze.Scaduto, scadenze.Sospensione, "01/08/2024",
				"Presentazione periodica non registrata entro il 14/07/2024 (termine scaduto da 6 giorni): " +
					"prestazione sospesa dal 01/08/2024 fino alla registrazione di una presentazione"}},
		{"in scadenza", caso("29/06/2024"), want{"14/07/2024", 15, scadenze.InScadenza, "", "",
			"Presentazione periodica entro il 14/07/2024: mancano 15 giorni"}},

		{"all members exempt or at the CPI", with(caso("20/05/2024"), func(s *scadenze.Situazione) {
			s.Membri = []scadenze.Membro{
				{PersonaID: "A", DataNascita: d("01/01/1960")},
				{PersonaID: "B", DataNascita: d("01/01/1990"), Disabilita: true},
				{PersonaID: "C", DataNascita: d("01/01/1992"), VittimaViolenza: true},
				{PersonaID: "D", DataNascita: d("01/01/1995"), InviatoCPI: p("01/04/2024")},
			}
		}), want{"", 0, scadenze.Esente, "", "", "Presentazione periodica non dovuta: nessun componente vi è tenuto " +
			"(1 con almeno 60 anni, 1 con disabilità, 1 vittima di violenza di genere, 1 seguito dal CPI)"}},
		{"all members at the CPI, even before any meeting", with(caso("20/05/2024"), func(s *scadenze.Situazione) {
			s.Incontri = nil
			s.Membri = []scadenze.Membro{
				{PersonaID: "A", DataNascita: d("01/01/1980"), InviatoCPI: p("01/04/2024")},
				{PersonaID: "B", DataNascita: d("01/01/1982"), InviatoCPI: p("02/04/2024")},
			}
		}), want{"", 0, scadenze.Esente, "", "", "Presentazione periodica non dovuta: nessun componente vi è tenuto (2 seguiti dal CPI)"}},
		{"one member at the CPI, a minor still bound", with(caso("20/05/2024"), func(s *scadenze.Situazione) {
			s.Membri = []scadenze.Membro{
				{PersonaID: "A", DataNascita: d("01/01/1980"), InviatoCPI: p("01/04/2024")},
				{PersonaID: "F", DataNascita: d("01/01/2015")},
			}
		}), want{"14/07/2024", 55, scadenze.InCorso, "", "", "Presentazione periodica entro il 14/07/2024: mancano 55 giorni"}},
		{"sent to the CPI on a later date: still bound today", with(caso("20/05/2024"), func(s *scadenze.Situazione) {
			s.Membri[0].InviatoCPI = p("01/06/2024")
		}), want{"14/07/2024", 55, scadenze.InCorso, "", "", "Presentazione periodica entro il 14/07/2024: mancano 55 giorni"}},
		{"no members listed: bound", with(caso("20/05/2024"), func(s *scadenze.Situazione) { s.Membri = nil }),
			want{"14/07/2024", 55, scadenze.InCorso, "", "", "Presentazione periodica entro il 14/07/2024: mancano 55 giorni"}},

		{"60th birthday during the term: bound until then, message says so", with(caso("20/07/2024", presente("10/05/2024")),
			func(s *scadenze.Situazione) { s.Membri[0].DataNascita = d("25/07/1964") }),
			want{"08/08/2024", 19, scadenze.InCorso, "", "", "Presentazione periodica entro il 08/08/2024: mancano 19 giorni. " +
				"Dal 25/07/2024 nessun componente sarà più tenuto alla presentazione (60 anni compiuti)"}},
		{"60th birthday tomorrow: still bound", with(caso("24/07/2024", presente("10/05/2024")),
			func(s *scadenze.Situazione) { s.Membri[0].DataNascita = d("25/07/1964") }),
			want{"08/08/2024", 15, scadenze.InScadenza, "", "", "Presentazione periodica entro il 08/08/2024: mancano 15 giorni. " +
				"Dal 25/07/2024 nessun componente sarà più tenuto alla presentazione (60 anni compiuti)"}},
		{"60th birthday today: exempt", with(caso("25/07/2024", presente("10/05/2024")),
			func(s *scadenze.Situazione) { s.Membri[0].DataNascita = d("25/07/1964") }),
			want{"", 0, scadenze.Esente, "", "", "Presentazione periodica non dovuta: nessun componente vi è tenuto (1 con almeno 60 anni)"}},
		{"60th birthday after the due date: no note", with(caso("20/07/2024", presente("10/05/2024")),
			func(s *scadenze.Situazione) { s.Membri[0].DataNascita = d("09/08/1964") }),
			want{"08/08/2024", 19, scadenze.InCorso, "", "", "Presentazione periodica entro il 08/08/2024: mancano 19 giorni"}},
		{"60th birthday of one of two bound members: no note", with(caso("20/07/2024", presente("10/05/2024")),
			func(s *scadenze.Situazione) {
				s.Membri[0].DataNascita = d("25/07/1964")
				s.Membri = append(s.Membri, scadenze.Membro{PersonaID: "B", DataNascita: d("01/01/1990")})
			}),
			want{"08/08/2024", 19, scadenze.InCorso, "", "", "Presentazione periodica entro il 08/08/2024: mancano 19 giorni"}},

		{"giustificato motivo of 10 days inside the term: due date 10 days later", with(caso("20/07/2024", presente("10/05/2024")),
			func(s *scadenze.Situazione) {
				s.Giustificati = []scadenze.GiustificatoMotivo{motivo("A", "01/06/2024", "10/06/2024")}
			}), want{"18/08/2024", 29, scadenze.InCorso, "", "",
			"Presentazione periodica entro il 18/08/2024: mancano 29 giorni (termine prorogato di 10 giorni per giustificato motivo)"}},
		{"giustificato motivo of 1 day", with(caso("20/07/2024", presente("10/05/2024")),
			func(s *scadenze.Situazione) {
				s.Giustificati = []scadenze.GiustificatoMotivo{motivo("A", "01/06/2024", "01/06/2024")}
			}), want{"09/08/2024", 20, scadenze.InCorso, "", "",
			"Presentazione periodica entro il 09/08/2024: mancano 20 giorni (termine prorogato di 1 giorno per giustificato motivo)"}},
		{"while the motivo lasts: sospeso", with(caso("05/06/2024", presente("10/05/2024")),
			func(s *scadenze.Situazione) {
				s.Giustificati = []scadenze.GiustificatoMotivo{motivo("A", "01/06/2024", "10/06/2024")}
			}), want{"18/08/2024", 74, scadenze.Sospeso, "", "",
			"Presentazione periodica: termine sospeso per giustificato motivo dal 01/06/2024 al 10/06/2024; nuova scadenza 18/08/2024"}},
		{"open-ended motivo: provisional due date counted to today", with(caso("05/06/2024", presente("10/05/2024")),
			func(s *scadenze.Situazione) {
				s.Giustificati = []scadenze.GiustificatoMotivo{motivo("A", "01/06/2024", "")}
			}), want{"13/08/2024", 69, scadenze.Sospeso, "", "",
			"Presentazione periodica: termine sospeso per giustificato motivo dal 01/06/2024, senza data di fine; scadenza provvisoria 13/08/2024"}},
		{"overlapping motivi of two members count once", with(caso("20/07/2024", presente("10/05/2024")),
			func(s *scadenze.Situazione) {
				s.Membri = append(s.Membri, scadenze.Membro{PersonaID: "B", DataNascita: d("01/01/1990")})
				s.Giustificati = []scadenze.GiustificatoMotivo{motivo("B", "05/06/2024", "15/06/2024"), motivo("A", "01/06/2024", "10/06/2024")}
			}), want{"23/08/2024", 34, scadenze.InCorso, "", "",
			"Presentazione periodica entro il 23/08/2024: mancano 34 giorni (termine prorogato di 15 giorni per giustificato motivo)"}},
		{"a motivo begun before the last meeting counts from the day after it", with(caso("15/05/2024", presente("10/05/2024")),
			func(s *scadenze.Situazione) {
				s.Giustificati = []scadenze.GiustificatoMotivo{motivo("A", "01/05/2024", "20/05/2024")}
			}), want{"18/08/2024", 95, scadenze.Sospeso, "", "",
			"Presentazione periodica: termine sospeso per giustificato motivo dal 01/05/2024 al 20/05/2024; nuova scadenza 18/08/2024"}},
		{"a motivo straddling the due date, then another within the extension", with(caso("31/08/2024", presente("10/05/2024")),
			func(s *scadenze.Situazione) {
				s.Giustificati = []scadenze.GiustificatoMotivo{motivo("A", "01/08/2024", "20/08/2024"), motivo("A", "25/08/2024", "26/08/2024")}
			}), want{"30/08/2024", -1, scadenze.Scaduto, scadenze.Sospensione, "01/09/2024",
			"Presentazione periodica non registrata entro il 30/08/2024 (termine scaduto da 1 giorno): " +
				"prestazione sospesa dal 01/09/2024 fino alla registrazione di una presentazione"}},
		{"a motivo begun after the expiry does not revive the term", with(caso("20/07/2024"), func(s *scadenze.Situazione) {
			s.Giustificati = []scadenze.GiustificatoMotivo{motivo("A", "16/07/2024", "31/07/2024")}
		}), want{"14/07/2024", -6, scadenze.Scaduto, scadenze.Sospensione, "01/08/2024",
			"Presentazione periodica non registrata entro il 14/07/2024 (termine scaduto da 6 giorni): " +
				"prestazione sospesa dal 01/08/2024 fino alla registrazione di una presentazione"}},
		{"the motivo of an exempt member does not suspend", with(caso("20/07/2024", presente("10/05/2024")),
			func(s *scadenze.Situazione) {
				s.Membri = append(s.Membri, scadenze.Membro{PersonaID: "G", DataNascita: d("01/01/1950")})
				s.Giustificati = []scadenze.GiustificatoMotivo{motivo("G", "01/06/2024", "10/06/2024")}
			}), want{"08/08/2024", 19, scadenze.InCorso, "", "", "Presentazione periodica entro il 08/08/2024: mancano 19 giorni"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check(t, "T90", scadenze.Calcola(tc.s).T90, tc.want)
		})
	}
}

func TestEsenzioni(t *testing.T) {
	s := scadenze.Situazione{Oggi: d("20/05/2024"), DataPAD: p("01/03/2024"), Membri: []scadenze.Membro{
		{PersonaID: "A", DataNascita: d("01/01/1960"), Disabilita: true},
		{PersonaID: "B", DataNascita: d("01/01/1990")},
		{PersonaID: "C", DataNascita: d("01/01/1995"), VittimaViolenza: true, InviatoCPI: p("01/04/2024")},
	}}
	got := scadenze.Calcola(s).Esenzioni
	want := []scadenze.Esenzione{
		{PersonaID: "A", Motivi: []scadenze.MotivoEsenzione{scadenze.PerEta, scadenze.PerDisabilita}},
		{PersonaID: "C", Motivi: []scadenze.MotivoEsenzione{scadenze.PerViolenza, scadenze.PerCPI}},
	}
	if len(got) != len(want) {
		t.Fatalf("Esenzioni = %v, want %v", got, want)
	}
	for i := range want {
		if got[i].PersonaID != want[i].PersonaID || !slices.Equal(got[i].Motivi, want[i].Motivi) {
			t.Errorf("Esenzioni[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	var labels []string
	for _, m := range got[1].Motivi {
		labels = append(labels, m.Label())
	}
	if w := []string{"vittima di violenza di genere", "seguito dal Centro per l'impiego"}; !slices.Equal(labels, w) {
		t.Errorf("labels = %q, want %q", labels, w)
	}
}

func TestCPI(t *testing.T) {
	membro := func(convocato *time.Time) []scadenze.Membro {
		return []scadenze.Membro{
			{PersonaID: "A", DataNascita: d("01/01/1980"), InviatoCPI: p("01/04/2024"), ConvocatoCPI: convocato},
			{PersonaID: "F", DataNascita: d("01/01/2015")},
			{PersonaID: "B", DataNascita: d("01/01/1982"), InviatoCPI: p("01/09/2024")}, // later than today
		}
	}
	for _, tc := range []struct {
		name      string
		oggi      string
		convocato *time.Time
		want      want
	}{
		{"running", "20/05/2024", nil, want{"31/05/2024", 11, scadenze.InScadenza, "", "",
			"Convocazione del CPI entro il 31/05/2024: mancano 11 giorni"}},
		{"convened in time", "20/05/2024", p("15/05/2024"), want{"31/05/2024", 0, scadenze.Rispettato, "", "",
			"Convocato dal CPI il 15/05/2024, entro il 31/05/2024"}},
		{"convened late", "20/06/2024", p("05/06/2024"), want{"31/05/2024", 0, scadenze.Tardivo, "", "",
			"Convocato dal CPI il 05/06/2024, oltre il termine del 31/05/2024"}},
		{"overdue: no sanction for the nucleo", "05/06/2024", nil, want{"31/05/2024", -5, scadenze.Scaduto, "", "",
			"Convocazione del CPI non registrata entro il 31/05/2024 (termine scaduto da 5 giorni): sollecitare il Centro per l'impiego"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := scadenze.Calcola(scadenze.Situazione{Oggi: d(tc.oggi), DataPAD: p("01/03/2024"), Membri: membro(tc.convocato)})
			if len(got.CPI) != 1 || got.CPI[0].PersonaID != "A" {
				t.Fatalf("CPI = %+v, want one timer for A", got.CPI)
			}
			check(t, "CPI", got.CPI[0].Timer, tc.want)
			if tc.want.stato == scadenze.Scaduto && got.Urgenza != nil && got.Urgenza.Equal(d("31/05/2024")) {
				t.Errorf("an overdue CPI convocation moved Urgenza to %s", fmtp(got.Urgenza))
			}
		})
	}
}

func TestUrgenza(t *testing.T) {
	a := []scadenze.Membro{{PersonaID: "A", DataNascita: d("01/01/1985")}}
	for _, tc := range []struct {
		name    string
		s       scadenze.Situazione
		urgenza string
		rischio scadenze.Rischio
		convoca string
	}{
		{"T120 running", scadenze.Situazione{Oggi: d("20/05/2024"), DataPAD: p("01/03/2024"), Membri: a},
			"29/06/2024", "", "30/04/2024"},
		{"T120 overdue: its due date, sospensione", scadenze.Situazione{Oggi: d("20/07/2024"), DataPAD: p("01/03/2024"), Membri: a},
			"29/06/2024", scadenze.Sospensione, "30/04/2024"},
		{"T120 met: the T90 due date", scadenze.Situazione{Oggi: d("20/05/2024"), DataPAD: p("01/03/2024"), Membri: a,
			Incontri: []scadenze.Incontro{presente("15/04/2024")}}, "14/07/2024", "", "30/04/2024"},
		{"renewal: both pending, the earlier wins", scadenze.Situazione{Oggi: d("20/03/2024"), DataPAD: p("01/03/2024"), Membri: a,
			Incontri: []scadenze.Incontro{presente("15/02/2024")}}, "15/05/2024", "", "30/04/2024"},
		{"nothing pending", scadenze.Situazione{Oggi: d("20/05/2024"), Membri: []scadenze.Membro{
			{PersonaID: "A", DataNascita: d("01/01/1950")}}}, "", "", ""},
		{"met with an unjustified absence, T90 exempt: no date, decadenza", scadenze.Situazione{Oggi: d("20/05/2024"),
			DataPAD: p("01/03/2024"), Membri: []scadenze.Membro{{PersonaID: "A", DataNascita: d("01/01/1985"), InviatoCPI: p("16/04/2024")}},
			Convocazioni: []scadenze.Convocazione{conv("10/04/2024")},
			Incontri:     []scadenze.Incontro{assente("10/04/2024", false), presente("15/04/2024")}},
			"", scadenze.Decadenza, "30/04/2024"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := scadenze.Calcola(tc.s)
			if s := fmtp(got.Urgenza); s != tc.urgenza {
				t.Errorf("Urgenza = %q, want %q", s, tc.urgenza)
			}
			if got.Rischio != tc.rischio {
				t.Errorf("Rischio = %q, want %q", got.Rischio, tc.rischio)
			}
			if s := fmtp(got.ConvocareEntro); s != tc.convoca {
				t.Errorf("ConvocareEntro = %q, want %q", s, tc.convoca)
			}
		})
	}
}

// A list sorted on Urgenza, nil last, shows overdue cases first.
func TestUrgenzaOrdina(t *testing.T) {
	oggi := d("20/07/2024")
	casi := map[string]scadenze.Situazione{
		"senza scadenze": {Oggi: oggi},
		"T90 in corso": {Oggi: oggi, DataPAD: p("01/03/2024"),
			Incontri: []scadenze.Incontro{presente("10/05/2024")}},
		"T120 scaduto":  {Oggi: oggi, DataPAD: p("01/03/2024")},
		"T120 in corso": {Oggi: oggi, DataPAD: p("01/06/2024")},
	}
	var nomi []string
	for n := range casi {
		nomi = append(nomi, n)
	}
	slices.SortFunc(nomi, func(a, b string) int {
		ua, ub := scadenze.Calcola(casi[a]).Urgenza, scadenze.Calcola(casi[b]).Urgenza
		switch {
		case ua == nil && ub == nil:
			return 0
		case ua == nil:
			return 1
		case ub == nil:
			return -1
		}
		return ua.Compare(*ub)
	})
	want := []string{"T120 scaduto", "T90 in corso", "T120 in corso", "senza scadenze"}
	if !slices.Equal(nomi, want) {
		t.Errorf("order = %q, want %q", nomi, want)
	}
}

func TestOggi(t *testing.T) {
	for _, tc := range []struct {
		now  time.Time
		want string
	}{
		{time.Date(2025, 3, 29, 22, 59, 0, 0, time.UTC), "29/03/2025"},  // 23:59 CET
		{time.Date(2025, 3, 29, 23, 0, 0, 0, time.UTC), "30/03/2025"},   // 00:00 CET, the change day
		{time.Date(2025, 3, 30, 21, 59, 0, 0, time.UTC), "30/03/2025"},  // 23:59 CEST
		{time.Date(2025, 3, 30, 22, 0, 0, 0, time.UTC), "31/03/2025"},   // 00:00 CEST
		{time.Date(2025, 10, 25, 22, 30, 0, 0, time.UTC), "26/10/2025"}, // 00:30 CEST
		{time.Date(2025, 10, 26, 22, 59, 0, 0, time.UTC), "26/10/2025"}, // 23:59 CET
		{time.Date(2025, 10, 26, 23, 0, 0, 0, time.UTC), "27/10/2025"},  // 00:00 CET
		{d("29/06/2024"), "29/06/2024"},                                 // a civil date stays itself
	} {
		got := scadenze.Oggi(tc.now)
		if s := fmtp(&got); s != tc.want || got.Location() != time.UTC || got.Hour() != 0 {
			t.Errorf("Oggi(%s) = %s, want %s at midnight UTC", tc.now.Format(time.RFC3339), got, tc.want)
		}
	}
}

func TestLabels(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{scadenze.InScadenza.Label(), "In scadenza"},
		{scadenze.Sospeso.Label(), "Termine sospeso"},
		{scadenze.Tardivo.Label(), "Oltre il termine"},
		{scadenze.Decadenza.Label(), "Rischio di decadenza"},
		{scadenze.Nessuno.Label(), ""},
	} {
		if tc.got != tc.want {
			t.Errorf("Label = %q, want %q", tc.got, tc.want)
		}
	}
	for _, s := range []scadenze.Stato{scadenze.InCorso, scadenze.InScadenza, scadenze.Scaduto, scadenze.Sospeso} {
		if !s.Pendente() {
			t.Errorf("%s.Pendente() = false", s)
		}
	}
	for _, s := range []scadenze.Stato{scadenze.Rispettato, scadenze.Tardivo, scadenze.Esente, scadenze.NonApplicabile} {
		if s.Pendente() {
			t.Errorf("%s.Pendente() = true", s)
		}
	}
}
