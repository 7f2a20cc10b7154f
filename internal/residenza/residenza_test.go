package residenza

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func g(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func fino(y int, m time.Month, d int) *time.Time { t := g(y, m, d); return &t }

// aperto is a residence still open since the given day.
func aperto(comune string, dal time.Time) Periodo { return Periodo{Comune: comune, Dal: dal} }

// chiuso is a residence from dal to al, both included.
func chiuso(comune string, dal time.Time, al *time.Time) Periodo {
	return Periodo{Comune: comune, Dal: dal, Al: al}
}

func assenza(dal, al time.Time) Assenza { return Assenza{Dal: dal, Al: al} }

func salute(dal, al time.Time) Assenza { return Assenza{Dal: dal, Al: al, Salute: true} }

// roma2015 is a residence long enough for ADI at any date of these tests.
var roma2015 = aperto("Roma", g(2015, 1, 1))

func TestValuta(t *testing.T) {
	type atteso struct {
		soddisfatto, continuita, servono bool
		coperti, richiesti               int // 0: not checked
		regole                           []Regola
		anomalie                         int
	}
	for _, c := range []struct {
		nome    string
		req     Requisito
		al      time.Time
		periodi []Periodo
		assenze []Assenza
		want    atteso
	}{
		// Years counted on the calendar.
		{"5 anni esatti al giorno: iscritto il 15/03/2019, domanda il 15/03/2024", ADI, g(2024, 3, 15),
			[]Periodo{aperto("Roma", g(2019, 3, 15))}, nil,
			atteso{soddisfatto: true, continuita: true, coperti: 1827, richiesti: 1827}},
		{"un giorno in meno: iscritto il 16/03/2019", ADI, g(2024, 3, 15),
			[]Periodo{aperto("Roma", g(2019, 3, 16))}, nil,
			atteso{continuita: true, servono: true, coperti: 1826, richiesti: 1827}},
		{"5 anni con un solo 29 febbraio sono 1826 giorni (al 15/03/2023)", ADI, g(2023, 3, 15),
			[]Periodo{aperto("Roma", g(2018, 3, 15))}, nil,
			atteso{soddisfatto: true, continuita: true, coperti: 1826, richiesti: 1826}},
		{"bisestile: al 29/02/2024 i 5 anni iniziano il 28/02/2019 (iscritto quel giorno)", ADI, g(2024, 2, 29),
			[]Periodo{aperto("Roma", g(2019, 2, 28))}, nil,
			atteso{soddisfatto: true, continuita: true, coperti: 1827, richiesti: 1827}},
		{"bisestile: al 29/02/2024, iscritto il 01/03/2019, manca un giorno", ADI, g(2024, 2, 29),
			[]Periodo{aperto("Roma", g(2019, 3, 1))}, nil,
			atteso{continuita: true, servono: true, coperti: 1826, richiesti: 1827}},
		{"bisestile: iscritto il 29/02/2020, al 28/02/2025 manca un giorno", ADI, g(2025, 2, 28),
			[]Periodo{aperto("Roma", g(2020, 2, 29))}, nil,
			atteso{continuita: true, servono: true, coperti: 1826, richiesti: 1827}},
		{"bisestile: iscritto il 29/02/2020, al 01/03/2025 soddisfatto", ADI, g(2025, 3, 1),
			[]Periodo{aperto("Roma", g(2020, 2, 29))}, nil,
			atteso{soddisfatto: true, continuita: true, coperti: 1827, richiesti: 1826}},

		// Month ends.
		{"assenza 31/12/2023–28/02/2024: 2 mesi (31/12 + 2 mesi = 29/02), interrompe", ADI, g(2025, 6, 1),
			[]Periodo{roma2015}, []Assenza{assenza(g(2023, 12, 31), g(2024, 2, 28))},
			atteso{regole: []Regola{AssenzaContinuativa}}},
		{"assenza 31/12/2023–27/02/2024: 1 mese e 28 giorni, non interrompe", ADI, g(2025, 6, 1),
			[]Periodo{roma2015}, []Assenza{assenza(g(2023, 12, 31), g(2024, 2, 27))},
			atteso{soddisfatto: true, continuita: true}},
		{"assenza 31/12/2024–27/02/2025: 2 mesi (31/12 + 2 mesi = 28/02/2025), interrompe", ADI, g(2025, 6, 1),
			[]Periodo{roma2015}, []Assenza{assenza(g(2024, 12, 31), g(2025, 2, 27))},
			atteso{regole: []Regola{AssenzaContinuativa}}},
		{"assenza 31/01/2024–30/03/2024: 2 mesi, interrompe", ADI, g(2025, 6, 1),
			[]Periodo{roma2015}, []Assenza{assenza(g(2024, 1, 31), g(2024, 3, 30))},
			atteso{regole: []Regola{AssenzaContinuativa}}},
		{"assenza 31/01/2024–29/03/2024: 1 mese e 30 giorni, non interrompe", ADI, g(2025, 6, 1),
			[]Periodo{roma2015}, []Assenza{assenza(g(2024, 1, 31), g(2024, 3, 29))},
			atteso{soddisfatto: true, continuita: true}},

		// Two consecutive months.
		{"assenza di 1 mese e 29 giorni (01/03–29/04/2024), non interrompe", ADI, g(2025, 6, 1),
			[]Periodo{roma2015}, []Assenza{assenza(g(2024, 3, 1), g(2024, 4, 29))},
			atteso{soddisfatto: true, continuita: true}},
		{"assenza di 2 mesi (01/03–30/04/2024), interrompe", ADI, g(2025, 6, 1),
			[]Periodo{roma2015}, []Assenza{assenza(g(2024, 3, 1), g(2024, 4, 30))},
			atteso{regole: []Regola{AssenzaContinuativa}}},
		{"due assenze contigue di 1 mese fanno 2 mesi continuativi", ADI, g(2025, 6, 1),
			[]Periodo{roma2015}, []Assenza{assenza(g(2024, 3, 1), g(2024, 3, 31)), assenza(g(2024, 4, 1), g(2024, 4, 30))},
			atteso{regole: []Regola{AssenzaContinuativa}}},
		{"assenza di 2 mesi a cavallo dell'inizio dei 2 anni: rientro nel periodo, interrompe", ADI, g(2024, 1, 1),
			[]Periodo{roma2015}, []Assenza{assenza(g(2021, 12, 1), g(2022, 1, 31))},
			atteso{regole: []Regola{AssenzaContinuativa}}},
		{"assenza di 6 mesi prima degli ultimi 2 anni: non rileva", ADI, g(2024, 1, 1),
			[]Periodo{roma2015}, []Assenza{assenza(g(2020, 1, 1), g(2020, 6, 30))},
			atteso{soddisfatto: true, continuita: true}},
		{"assenza di 3 mesi dal giorno della domanda: dopo la data, non rileva", ADI, g(2024, 1, 1),
			[]Periodo{roma2015}, []Assenza{assenza(g(2024, 1, 1), g(2024, 3, 31))},
			atteso{soddisfatto: true, continuita: true}},
		{"assenza in corso alla data da 1 mese: non ancora interrotta", ADI, g(2024, 1, 1),
			[]Periodo{roma2015}, []Assenza{assenza(g(2023, 12, 1), g(2024, 3, 31))},
			atteso{soddisfatto: true, continuita: true}},

		// Four months in eighteen.
		{"quattro assenze di 1 mese in 18 mesi (feb, mag, set, dic 2024): interrompono", ADI, g(2026, 1, 1),
			[]Periodo{roma2015}, []Assenza{
				assenza(g(2024, 2, 1), g(2024, 2, 29)), assenza(g(2024, 5, 1), g(2024, 5, 31)),
				assenza(g(2024, 9, 1), g(2024, 9, 30)), assenza(g(2024, 12, 1), g(2024, 12, 31))},
			atteso{regole: []Regola{AssenzeCumulate}}},
		{"quattro assenze di 1 mese distribuite su più di 18 mesi: non interrompono", ADI, g(2026, 1, 1),
			[]Periodo{roma2015}, []Assenza{
				assenza(g(2024, 2, 1), g(2024, 2, 29)), assenza(g(2024, 8, 1), g(2024, 8, 31)),
				assenza(g(2025, 2, 1), g(2025, 2, 28)), assenza(g(2025, 8, 1), g(2025, 8, 31))},
			atteso{soddisfatto: true, continuita: true}},
		{"quattro assenze di 30 giorni: 120 giorni sono 4 mesi, interrompono", ADI, g(2026, 1, 1),
			[]Periodo{roma2015}, []Assenza{
				assenza(g(2025, 1, 1), g(2025, 1, 30)), assenza(g(2025, 3, 1), g(2025, 3, 30)),
				assenza(g(2025, 5, 1), g(2025, 5, 30)), assenza(g(2025, 7, 1), g(2025, 7, 30))},
			atteso{regole: []Regola{AssenzeCumulate}}},
		{"quattro assenze di 29 giorni: 3 mesi e 26 giorni, non interrompono", ADI, g(2026, 1, 1),
			[]Periodo{roma2015}, []Assenza{
				assenza(g(2025, 1, 1), g(2025, 1, 29)), assenza(g(2025, 3, 1), g(2025, 3, 29)),
				assenza(g(2025, 5, 1), g(2025, 5, 29)), assenza(g(2025, 7, 1), g(2025, 7, 29))},
			atteso{soddisfatto: true, continuita: true}},
		{"tre mesi prima dei 2 anni e uno dentro, nei 18 mesi: interrompono", ADI, g(2026, 1, 1),
			[]Periodo{roma2015}, []Assenza{
				assenza(g(2023, 6, 1), g(2023, 6, 30)), assenza(g(2023, 8, 1), g(2023, 8, 31)),
				assenza(g(2023, 10, 1), g(2023, 10, 31)), assenza(g(2024, 2, 1), g(2024, 2, 29))},
			atteso{regole: []Regola{AssenzeCumulate}}},
		{"quattro mesi tutti prima dei 2 anni: non rilevano", ADI, g(2026, 1, 1),
			[]Periodo{roma2015}, []Assenza{
				assenza(g(2023, 3, 1), g(2023, 3, 31)), assenza(g(2023, 5, 1), g(2023, 5, 31)),
				assenza(g(2023, 7, 1), g(2023, 7, 31)), assenza(g(2023, 9, 1), g(2023, 9, 30))},
			atteso{soddisfatto: true, continuita: true}},

		// Health.
		{"assenza per motivi di salute di 6 mesi: non interrompe", ADI, g(2025, 6, 1),
			[]Periodo{roma2015}, []Assenza{salute(g(2024, 1, 1), g(2024, 6, 30))},
			atteso{soddisfatto: true, continuita: true}},
		{"salute tra due assenze di 1 mese: non le unisce", ADI, g(2025, 6, 1),
			[]Periodo{roma2015}, []Assenza{
				assenza(g(2024, 1, 1), g(2024, 1, 31)), salute(g(2024, 2, 1), g(2024, 4, 30)),
				assenza(g(2024, 5, 1), g(2024, 5, 31))},
			atteso{soddisfatto: true, continuita: true}},

		// Periods: overlaps, transfers, gaps.
		{"periodi sovrapposti in due comuni contati una volta", ADI, g(2024, 1, 1),
			[]Periodo{chiuso("Milano", g(2018, 1, 1), fino(2021, 6, 30)), aperto("Roma", g(2021, 6, 1))}, nil,
			atteso{soddisfatto: true, continuita: true, coperti: 2191, richiesti: 1826}},
		{"trasferimento nello stesso giorno", ADI, g(2024, 1, 1),
			[]Periodo{chiuso("Milano", g(2015, 1, 1), fino(2023, 5, 10)), aperto("Roma", g(2023, 5, 10))}, nil,
			atteso{soddisfatto: true, continuita: true, coperti: 3287}},
		{"trasferimento il giorno dopo", ADI, g(2024, 1, 1),
			[]Periodo{chiuso("Milano", g(2015, 1, 1), fino(2023, 5, 10)), aperto("Roma", g(2023, 5, 11))}, nil,
			atteso{soddisfatto: true, continuita: true, coperti: 3287}},
		{"lacuna di 10 giorni negli ultimi 2 anni: non interrompe", ADI, g(2025, 1, 1),
			[]Periodo{chiuso("Milano", g(2015, 1, 1), fino(2023, 5, 10)), aperto("Roma", g(2023, 5, 21))}, nil,
			atteso{soddisfatto: true, continuita: true}},
		{"lacuna di 2 mesi negli ultimi 2 anni: interrompe", ADI, g(2025, 1, 1),
			[]Periodo{chiuso("Milano", g(2015, 1, 1), fino(2023, 5, 10)), aperto("Roma", g(2023, 7, 11))}, nil,
			atteso{regole: []Regola{AssenzaContinuativa}}},
		{"lacuna di 2 mesi coperta da assenza per salute: interrompe comunque", ADI, g(2025, 1, 1),
			[]Periodo{chiuso("Milano", g(2015, 1, 1), fino(2023, 5, 10)), aperto("Roma", g(2023, 7, 11))},
			[]Assenza{salute(g(2023, 5, 11), g(2023, 7, 10))},
			atteso{regole: []Regola{AssenzaContinuativa}}},
		{"residenza cancellata 3 mesi prima della data: interrompe", ADI, g(2024, 1, 1),
			[]Periodo{chiuso("Roma", g(2015, 1, 1), fino(2023, 9, 30))}, nil,
			atteso{regole: []Regola{AssenzaContinuativa}}},
		{"periodo che finisce dopo la data: tagliato alla data", ADI, g(2024, 1, 1),
			[]Periodo{chiuso("Roma", g(2015, 1, 1), fino(2030, 12, 31))}, nil,
			atteso{soddisfatto: true, continuita: true, coperti: 3287}},
		{"periodo che inizia dopo la data: ignorato", ADI, g(2024, 1, 1),
			[]Periodo{aperto("Roma", g(2015, 1, 1)), aperto("Milano", g(2024, 2, 1))}, nil,
			atteso{soddisfatto: true, continuita: true, coperti: 3287}},
		{"assenza prima del primo periodo: ignorata", ADI, g(2024, 1, 1),
			[]Periodo{aperto("Roma", g(2018, 1, 1))}, []Assenza{assenza(g(2010, 1, 1), g(2017, 12, 31))},
			atteso{soddisfatto: true, continuita: true}},

		// Backward chain.
		{"periodi che non arrivano a 5 anni: servono i periodi precedenti", ADI, g(2024, 1, 1),
			[]Periodo{aperto("Roma", g(2021, 1, 1))}, nil,
			atteso{continuita: true, servono: true, coperti: 1095}},
		{"primo periodo negli ultimi 2 anni: continuità non verificata, servono i precedenti", ADI, g(2024, 1, 1),
			[]Periodo{aperto("Roma", g(2023, 1, 1))}, nil,
			atteso{servono: true, coperti: 365}},
		{"catena a ritroso: il comune precedente completa i 5 anni", ADI, g(2024, 1, 1),
			[]Periodo{aperto("Roma", g(2022, 3, 1)), chiuso("Napoli", g(2017, 9, 1), fino(2022, 2, 28))}, nil,
			atteso{soddisfatto: true, continuita: true}},
		{"iscrizione dall'estero 3 anni fa: la catena finisce, esito negativo", ADI, g(2024, 1, 1),
			[]Periodo{{Comune: "Roma", Dal: g(2021, 1, 1), DallEstero: true}}, nil,
			atteso{continuita: true, coperti: 1095}},
		{"continuità già interrotta: non servono i periodi precedenti", ADI, g(2024, 1, 1),
			[]Periodo{aperto("Roma", g(2021, 1, 1))}, []Assenza{assenza(g(2023, 1, 1), g(2023, 4, 30))},
			atteso{regole: []Regola{AssenzaContinuativa}}},
		{"nessun periodo: servono i periodi precedenti", ADI, g(2024, 1, 1), nil, nil,
			atteso{servono: true, richiesti: 1826}},

		// RdC.
		{"RdC: 10 anni esatti", RdC, g(2024, 1, 1),
			[]Periodo{aperto("Roma", g(2014, 1, 1))}, nil,
			atteso{soddisfatto: true, continuita: true, coperti: 3652, richiesti: 3652}},
		{"RdC: 9 anni non bastano (per l'ADI sì)", RdC, g(2024, 1, 1),
			[]Periodo{aperto("Roma", g(2015, 1, 1))}, nil,
			atteso{continuita: true, servono: true, coperti: 3287, richiesti: 3652}},

		// Invalid input.
		{"periodo con cancellazione prima dell'iscrizione: anomalia, non soddisfatto", ADI, g(2024, 1, 1),
			[]Periodo{roma2015, chiuso("Milano", g(2020, 5, 1), fino(2020, 4, 1))}, nil,
			atteso{continuita: true, coperti: 3287, anomalie: 1}},
		{"assenza con fine prima dell'inizio: anomalia", ADI, g(2024, 1, 1),
			[]Periodo{roma2015}, []Assenza{assenza(g(2023, 5, 1), g(2023, 3, 1))},
			atteso{continuita: true, anomalie: 1}},
	} {
		t.Run(c.nome, func(t *testing.T) {
			v := Valuta(c.req, c.al, c.periodi, c.assenze)
			w := c.want
			if v.Soddisfatto != w.soddisfatto || v.Continuita != w.continuita || v.ServonoPeriodiPrecedenti != w.servono {
				t.Errorf("soddisfatto, continuità, servono = %v, %v, %v; want %v, %v, %v",
					v.Soddisfatto, v.Continuita, v.ServonoPeriodiPrecedenti, w.soddisfatto, w.continuita, w.servono)
			}
			if w.coperti != 0 && v.GiorniCoperti != w.coperti {
				t.Errorf("GiorniCoperti = %d, want %d", v.GiorniCoperti, w.coperti)
			}
			if w.richiesti != 0 && v.GiorniRichiesti != w.richiesti {
				t.Errorf("GiorniRichiesti = %d, want %d", v.GiorniRichiesti, w.richiesti)
			}
			if v.Mancano != max(0, v.GiorniRichiesti-v.GiorniCoperti) {
				t.Errorf("Mancano = %d with %d of %d", v.Mancano, v.GiorniCoperti, v.GiorniRichiesti)
			}
			var regole []Regola
			for _, i := range v.Interruzioni {
				regole = append(regole, i.Regola)
				if i.Descrizione == "" || i.Al.Before(i.Dal) {
					t.Errorf("interruzione %+v", i)
				}
			}
			if !slices.Equal(regole, w.regole) {
				t.Errorf("interruzioni %v, want %v: %+v", regole, w.regole, v.Interruzioni)
			}
			if len(v.Anomalie) != w.anomalie {
				t.Errorf("anomalie %q, want %d", v.Anomalie, w.anomalie)
			}
			want := "non è"
			switch {
			case w.anomalie > 0:
				want = "dati non validi"
			case w.soddisfatto:
				want = "è soddisfatto"
			case w.servono:
				want = "comune di precedente residenza"
			}
			if !strings.Contains(v.Motivazione, want) {
				t.Errorf("motivazione %q, want it to say %q", v.Motivazione, want)
			}
			t.Log(v.Motivazione)
		})
	}
}

func TestAddMonths(t *testing.T) {
	for _, c := range []struct {
		da   time.Time
		n    int
		want time.Time
	}{
		{g(2024, 1, 31), 1, g(2024, 2, 29)},
		{g(2023, 1, 31), 1, g(2023, 2, 28)},
		{g(2023, 12, 31), 2, g(2024, 2, 29)},
		{g(2024, 1, 31), 2, g(2024, 3, 31)},
		{g(2024, 2, 29), -12, g(2023, 2, 28)},
		{g(2024, 2, 29), -60, g(2019, 2, 28)},
		{g(2024, 3, 15), -24, g(2022, 3, 15)},
		{g(2024, 1, 15), -1, g(2023, 12, 15)},
		{g(2024, 8, 31), 18, g(2026, 2, 28)},
	} {
		if got := addMonths(c.da, c.n); !got.Equal(c.want) {
			t.Errorf("addMonths(%s, %d) = %s, want %s", c.da.Format(time.DateOnly), c.n, got.Format(time.DateOnly), c.want.Format(time.DateOnly))
		}
	}
	if got := ADI.InizioContinuita(g(2024, 2, 29)); !got.Equal(g(2022, 2, 28)) {
		t.Errorf("InizioContinuita(29/02/2024) = %s", got)
	}
}

func TestSommaEValida(t *testing.T) {
	periodi := []Periodo{
		chiuso("Milano", g(2020, 1, 1), fino(2020, 1, 31)),
		chiuso("Roma", g(2020, 1, 15), fino(2020, 2, 10)), // overlaps Milano
		aperto("Napoli", g(2020, 3, 1)),
	}
	if got := Somma(periodi, g(2020, 3, 11)); got != 41+10 {
		t.Errorf("Somma = %d, want 51", got)
	}
	if err := Valida(periodi, nil); err != nil {
		t.Errorf("Valida: %v", err)
	}
	err := Valida([]Periodo{chiuso("Roma", g(2020, 5, 1), fino(2020, 4, 1))}, []Assenza{assenza(g(2020, 1, 2), g(2020, 1, 1))})
	if !errors.Is(err, ErrDati) || !strings.Contains(err.Error(), "la data di cancellazione (01/04/2020) è precedente alla data di iscrizione (01/05/2020)") ||
		!strings.Contains(err.Error(), "Assenza 1") {
		t.Errorf("Valida = %v", err)
	}
}
