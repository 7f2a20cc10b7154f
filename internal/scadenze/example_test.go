package scadenze_test

import (
	"fmt"
	"time"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/scadenze"
)

// A nucleo that signed the PAD on 1 March 2024, convened for 24 June: the
// case manager's list shows the primo incontro in scadenza, and the T90 has
// not started yet.
func ExampleCalcola() {
	data := func(y int, m time.Month, d int) *time.Time {
		t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // as pgx returns a DATE
		return &t
	}

	sc := scadenze.Calcola(scadenze.Situazione{
		Oggi:        time.Date(2024, time.June, 17, 10, 0, 0, 0, calendario.Roma), // time.Now() in production
		DataDomanda: data(2024, time.March, 1),
		DataPAD:     data(2024, time.March, 1),
		Convocazioni: []scadenze.Convocazione{{
			Inizio:    time.Date(2024, time.June, 24, 9, 30, 0, 0, calendario.Roma),
			InviataIl: *data(2024, time.June, 3),
		}},
		Membri: []scadenze.Membro{
			{PersonaID: "rossi-mario", DataNascita: *data(1980, time.May, 2)},
			{PersonaID: "rossi-anna", DataNascita: *data(1958, time.January, 9)},
		},
	})

	fmt.Println(sc.T120.Stato.Label()+":", sc.T120.Messaggio)
	fmt.Println(sc.T90.Stato.Label()+":", sc.T90.Messaggio)
	fmt.Println("Convocare entro:", sc.ConvocareEntro.Format("02/01/2006"))
	fmt.Println("Urgenza:", sc.Urgenza.Format("02/01/2006"))
	for _, e := range sc.Esenzioni {
		fmt.Println("Esente dalla presentazione periodica:", e.PersonaID, e.Motivi[0].Label())
	}
	// Output:
	// In scadenza: Primo incontro entro il 29/06/2024: mancano 12 giorni. Convocazione fissata per il 24/06/2024
	// Non applicabile: Presentazione periodica: i 90 giorni decorrono dal primo incontro, non ancora registrato
	// Convocare entro: 30/04/2024
	// Urgenza: 29/06/2024
	// Esente dalla presentazione periodica: rossi-anna almeno 60 anni
}

// Domande submitted by 29 February 2024 count the 120 days from the GePI
// transmission (Nota MLPS 6062 of 28 March 2024).
func ExampleInizioT120() {
	domanda := time.Date(2023, time.December, 18, 0, 0, 0, 0, time.UTC)
	trasmissione := time.Date(2024, time.January, 26, 0, 0, 0, 0, time.UTC)

	inizio, ok := scadenze.InizioT120(&domanda, &domanda, &trasmissione)
	fmt.Println(ok, inizio.Format("02/01/2006"), inizio.AddDate(0, 0, scadenze.GiorniT120).Format("02/01/2006"))
	// Output: true 26/01/2024 25/05/2024
}
