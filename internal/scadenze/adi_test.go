package scadenze_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/scadenze"
)

// reg is a registrazione of evento at luogo on day s, registered that day at 10:00.
func reg(s string, evento scadenze.EventoPresentazione, luogo scadenze.Luogo) scadenze.Presentazione {
	return scadenze.Presentazione{Evento: evento, Luogo: luogo, Data: d(s), RegistrataIl: alle(s, 10, 0)}
}

func TestPresentazioniLuogo(t *testing.T) {
	adulto := []scadenze.Membro{{PersonaID: "A", DataNascita: d("01/01/1985")}}
	base := func(ps ...scadenze.Presentazione) scadenze.Situazione {
		return scadenze.Situazione{Oggi: d("20/05/2024"), DataPAD: p("01/03/2024"), Membri: adulto, Presentazioni: ps}
	}
	for _, tc := range []struct {
		name             string
		s                scadenze.Situazione
		t120, t90        scadenze.Stato
		t90scad          string
		t120nota, t90msg string
	}{
		{"patronato: T90 met, T120 still pending", base(reg("15/04/2024", scadenze.PresentazioneSpontanea, scadenze.Patronato)),
			scadenze.InCorso, scadenze.InCorso, "14/07/2024",
			"La presentazione del 15/04/2024 presso patronato vale per la presentazione periodica, non per il primo incontro",
			"Ultima presentazione registrata il 15/04/2024 presso patronato (presentazione spontanea)"},
		{"servizi sociali: both met", base(reg("15/04/2024", scadenze.PresentazioneSpontanea, scadenze.ServiziSociali)),
			scadenze.Rispettato, scadenze.InCorso, "14/07/2024", "", ""},
		{"home visit: an avvenuto incontro meets the T120", base(reg("15/04/2024", scadenze.AvvenutoIncontro, scadenze.Domicilio)),
			scadenze.Rispettato, scadenze.InCorso, "14/07/2024", "", ""},
		{"CPI: T90 reset, T120 pending", base(reg("15/04/2024", scadenze.AvvenutoIncontro, scadenze.CentroImpiego)),
			scadenze.InCorso, scadenze.InCorso, "14/07/2024", "presso Centro per l'impiego vale per la presentazione periodica", ""},
		{"a presentation before the PAD does not meet the T120", base(reg("28/02/2024", scadenze.PresentazioneSpontanea, scadenze.ServiziSociali)),
			scadenze.InCorso, scadenze.InScadenza, "28/05/2024", "", ""},
		{"a patronato presentation then one at the servizi: met on the second", base(
			reg("15/04/2024", scadenze.PresentazioneSpontanea, scadenze.Patronato),
			reg("02/05/2024", scadenze.AvvenutoIncontro, scadenze.ServiziSociali)),
			scadenze.Rispettato, scadenze.InCorso, "31/07/2024", "", ""},
		{"a giustificato motivo alone meets nothing, suspends the running T90", scadenze.Situazione{Oggi: d("20/05/2024"),
			DataPAD: p("01/03/2024"), Membri: adulto, Incontri: []scadenze.Incontro{presente("15/03/2024")},
			Presentazioni: []scadenze.Presentazione{{Evento: scadenze.GiustificatoMotivoReg, Luogo: scadenze.ServiziSociali,
				Data: d("01/05/2024"), Al: p("10/05/2024")}}},
			scadenze.Rispettato, scadenze.InCorso, "23/06/2024", "", "prorogato di 10 giorni"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := scadenze.Calcola(tc.s)
			if got.T120.Stato != tc.t120 {
				t.Errorf("T120 = %s (%s), want %s", got.T120.Stato, got.T120.Messaggio, tc.t120)
			}
			if got.T90.Stato != tc.t90 || fmtp(got.T90.Scadenza) != tc.t90scad {
				t.Errorf("T90 = %s %s (%s), want %s %s", got.T90.Stato, fmtp(got.T90.Scadenza), got.T90.Messaggio, tc.t90, tc.t90scad)
			}
			if !strings.Contains(got.T120.Messaggio, tc.t120nota) {
				t.Errorf("T120 message %q lacks %q", got.T120.Messaggio, tc.t120nota)
			}
			if !strings.Contains(got.T90.Messaggio, tc.t90msg) {
				t.Errorf("T90 message %q lacks %q", got.T90.Messaggio, tc.t90msg)
			}
		})
	}
}

func TestTaglio(t *testing.T) {
	for _, tc := range []struct {
		name      string
		now       time.Time
		entro     string
		lavor     string
		arretrati bool
		messaggio string
	}{
		{"early December 2026, the 20th a Sunday", alle("03/12/2026", 9, 0), "20/12/2026", "18/12/2026", false,
			"Per non perdere la mensilità: registra entro il 20/12 per il pagamento di dicembre " +
				"(il 20/12 è domenica: l'ultimo giorno lavorativo è venerdì 18/12)"},
		{"the 20th itself, late evening in Rome, still counts", alle("20/12/2026", 23, 30), "20/12/2026", "18/12/2026", false, ""},
		{"the 21st: arrears, next cut-off in January", alle("21/12/2026", 0, 5), "20/01/2027", "20/01/2027", true,
			"Passato il 20/12: la mensilità di dicembre sarà pagata come arretrato; registra entro il 20/01 per il pagamento di gennaio"},
		{"a Saturday 20th", alle("10/04/2024", 12, 0), "20/04/2024", "19/04/2024", false,
			"Per non perdere la mensilità: registra entro il 20/04 per il pagamento di aprile " +
				"(il 20/04 è sabato: l'ultimo giorno lavorativo è venerdì 19/04)"},
		{"29 February of a leap year: March", alle("29/02/2024", 12, 0), "20/03/2024", "20/03/2024", true,
			"Passato il 20/02: la mensilità di febbraio sarà pagata come arretrato; registra entro il 20/03 per il pagamento di marzo"},
		{"31 January: February", alle("31/01/2025", 12, 0), "20/02/2025", "20/02/2025", true, ""},
		{"the end of the year: January of the next", alle("31/12/2025", 18, 0), "20/01/2026", "20/01/2026", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := scadenze.TaglioAl(tc.now)
			if calendario.Data(got.Entro) != tc.entro || calendario.Data(got.UltimoLavorativo) != tc.lavor || got.Arretrati != tc.arretrati {
				t.Errorf("Taglio = %s %s %v, want %s %s %v", calendario.Data(got.Entro), calendario.Data(got.UltimoLavorativo),
					got.Arretrati, tc.entro, tc.lavor, tc.arretrati)
			}
			if tc.messaggio != "" && got.Messaggio != tc.messaggio {
				t.Errorf("Messaggio =\n\t%q\nwant\n\t%q", got.Messaggio, tc.messaggio)
			}
		})
	}
}

func TestMesePagamento(t *testing.T) {
	for _, tc := range []struct {
		at        time.Time
		mese      string
		arretrati bool
	}{
		{alle("20/12/2026", 23, 59), "01/12/2026", false},                     // a Sunday, still in time
		{time.Date(2026, 12, 20, 23, 30, 0, 0, time.UTC), "01/01/2027", true}, // 00:30 of the 21st in Rome
		{alle("01/03/2024", 8, 0), "01/03/2024", false},
		{alle("29/02/2024", 8, 0), "01/03/2024", true},
		{alle("21/12/2026", 8, 0), "01/01/2027", true},
	} {
		mese, arr := scadenze.MesePagamento(tc.at)
		if calendario.Data(mese) != tc.mese || arr != tc.arretrati {
			t.Errorf("MesePagamento(%s) = %s %v, want %s %v", tc.at, calendario.Data(mese), arr, tc.mese, tc.arretrati)
		}
	}
}

func TestTaglioNelleScadenze(t *testing.T) {
	a := []scadenze.Membro{{PersonaID: "A", DataNascita: d("01/01/1985")}}
	// Running with time: no message; in scadenza or overdue: the cut-off.
	for _, tc := range []struct {
		oggi string
		pad  string
		vuoi bool
	}{{"03/12/2026", "01/11/2026", false}, {"03/12/2026", "15/08/2026", true}, {"03/12/2026", "01/07/2026", true}} {
		got := scadenze.Calcola(scadenze.Situazione{Oggi: alle(tc.oggi, 10, 0), DataPAD: p(tc.pad), Membri: a})
		if (got.Taglio != nil) != tc.vuoi {
			t.Errorf("PAD %s: Taglio = %v, want set %v (T120 %s)", tc.pad, got.Taglio, tc.vuoi, got.T120.Stato)
		}
	}
}

func TestTenutoAgliObblighi(t *testing.T) {
	nato := func(s string) scadenze.Membro { return scadenze.Membro{PersonaID: "A", DataNascita: d(s)} }
	con := func(m scadenze.Membro, codice, dal, al string) scadenze.Membro {
		mo := scadenze.MotivoObbligo{Codice: codice, Dal: d(dal)}
		if al != "" {
			mo.Al = p(al)
		}
		m.Motivi = append(m.Motivi, mo)
		return m
	}
	percorso := func(m scadenze.Membro, p string) scadenze.Membro { m.Percorso = p; return m }
	for _, tc := range []struct {
		name   string
		m      scadenze.Membro
		giorno string
		tenuto bool
		motivo string
	}{
		{"adult, nothing recorded", nato("01/01/1985"), "10/04/2024", true, ""},
		{"born on 29 February: a minor on 28/02 of the 18th year", nato("29/02/2008"), "28/02/2026", false, "minorenne"},
		{"born on 29 February: of age on 1 March", nato("29/02/2008"), "01/03/2026", true, ""},
		{"the day before turning 60", nato("10/04/1964"), "09/04/2024", true, ""},
		{"turning 60", nato("10/04/1964"), "10/04/2024", false, "eta_60"},
		{"percorso 2: facoltà", percorso(nato("01/01/1985"), "2"), "10/04/2024", false, "percorso_2"},
		{"percorso 4: obbligo sociale", percorso(nato("01/01/1985"), "4"), "10/04/2024", true, ""},
		{"percorso 3: SFL", percorso(nato("01/01/1985"), "3"), "10/04/2024", false, "percorso_3"},
		{"percorso 2 with its reason in force", con(percorso(nato("01/01/1985"), "2"), "cura_minore_3", "01/01/2024", "31/12/2024"), "10/04/2024", false, "cura_minore_3"},
		{"percorso 2, its only reason lapsed: bound again", con(percorso(nato("01/01/1985"), "2"), "cura_minore_3", "01/01/2024", "31/12/2024"), "01/01/2025", true, ""},
		{"caring for a child under 3, in force", con(nato("01/01/1985"), "cura_minore_3", "01/01/2024", "31/12/2024"), "10/04/2024", false, "cura_minore_3"},
		{"caring for a child under 3, last day", con(nato("01/01/1985"), "cura_minore_3", "01/01/2024", "31/12/2024"), "31/12/2024", false, "cura_minore_3"},
		{"the child turned 3: bound again", con(nato("01/01/1985"), "cura_minore_3", "01/01/2024", "31/12/2024"), "01/01/2025", true, ""},
		{"employed, open-ended", con(nato("01/01/1985"), "occupato", "01/02/2024", ""), "10/04/2024", false, "occupato"},
		{"employed from tomorrow", con(nato("01/01/1985"), "occupato", "11/04/2024", ""), "10/04/2024", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, motivo := scadenze.TenutoAgliObblighi(tc.m, d(tc.giorno))
			if ok != tc.tenuto || motivo != tc.motivo {
				t.Errorf("TenutoAgliObblighi = %v %q, want %v %q", ok, motivo, tc.tenuto, tc.motivo)
			}
		})
	}
}

func TestDecadenzaSoloTenuti(t *testing.T) {
	// Convened on 10/04/2024, only member B absent without justification.
	caso := func(b scadenze.Membro) scadenze.Situazione {
		return scadenze.Situazione{Oggi: d("20/05/2024"), DataPAD: p("01/03/2024"),
			Membri:       []scadenze.Membro{{PersonaID: "A", DataNascita: d("01/01/1985"), Percorso: "4"}, b},
			Convocazioni: []scadenze.Convocazione{conv("10/04/2024")},
			Incontri: []scadenze.Incontro{{Data: d("10/04/2024"), Tipo: "primo_incontro",
				Presenze: []scadenze.Presenza{{PersonaID: "B"}}}}}
	}
	b := scadenze.Membro{PersonaID: "B", DataNascita: d("01/01/1990")}
	esonerato := b
	esonerato.Motivi = []scadenze.MotivoObbligo{{Codice: "cura_minore_3", Dal: d("01/01/2024"), Al: p("10/04/2024")}}
	scaduto := b
	scaduto.Motivi = []scadenze.MotivoObbligo{{Codice: "cura_minore_3", Dal: d("01/01/2024"), Al: p("09/04/2024")}}
	minore := scadenze.Membro{PersonaID: "B", DataNascita: d("11/04/2006")} // 18 the day after
	for _, tc := range []struct {
		name    string
		b       scadenze.Membro
		rischio scadenze.Rischio
		nota    string
	}{
		{"B bound: decadenza", b, scadenze.Decadenza, "rischio di decadenza"},
		{"B exempted on that day: none", esonerato, scadenze.Nessuno, "assenti solo componenti non tenuti agli obblighi"},
		{"B's exemption ended the day before: decadenza", scaduto, scadenze.Decadenza, "rischio di decadenza"},
		{"B a minor on that day: none", minore, scadenze.Nessuno, "assenti solo componenti non tenuti agli obblighi"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := scadenze.Calcola(caso(tc.b))
			if got.T120.Rischio != tc.rischio || got.T120.Stato != scadenze.InCorso {
				t.Errorf("T120 = %s %q (%s), want in corso %q", got.T120.Stato, got.T120.Rischio, got.T120.Messaggio, tc.rischio)
			}
			if !strings.Contains(got.T120.Messaggio, tc.nota) {
				t.Errorf("T120 message %q lacks %q", got.T120.Messaggio, tc.nota)
			}
		})
	}
}

func TestEsenzioneT90Datata(t *testing.T) {
	m := scadenze.Membro{PersonaID: "A", DataNascita: d("01/01/1985"), Motivi: []scadenze.MotivoObbligo{
		{Codice: "disabilita", EsoneroT90: true, Dal: d("01/01/2024"), Al: p("30/04/2024")},
		{Codice: "cura_minore_3", Dal: d("01/01/2024")}, // excluded from obblighi, not from the T90
	}}
	for _, tc := range []struct {
		oggi  string
		stato scadenze.Stato
	}{{"30/04/2024", scadenze.Esente}, {"01/05/2024", scadenze.InCorso}, {"14/06/2024", scadenze.Scaduto}} {
		got := scadenze.Calcola(scadenze.Situazione{Oggi: d(tc.oggi), DataPAD: p("01/10/2023"), Membri: []scadenze.Membro{m},
			Incontri: []scadenze.Incontro{presente("15/03/2024")}})
		if got.T90.Stato != tc.stato {
			t.Errorf("%s: T90 = %s (%s), want %s", tc.oggi, got.T90.Stato, got.T90.Messaggio, tc.stato)
		}
	}
}

// Ricalcola: the first day after today on which a dated reason starts or
// lapses, so that the daily refresh picks the case up (the day after the
// last day of a period; a leap day).
func TestRicalcola(t *testing.T) {
	m := scadenze.Membro{PersonaID: "A", DataNascita: d("01/01/1985"), Motivi: []scadenze.MotivoObbligo{
		{Codice: "disabilita", EsoneroT90: true, Dal: d("01/01/2024"), Al: p("28/02/2024")},
		{Codice: "occupato", Dal: d("15/03/2024")},
	}}
	for _, tc := range []struct{ oggi, want string }{
		{"31/12/2023", "01/01/2024"}, {"01/01/2024", "29/02/2024"}, {"28/02/2024", "29/02/2024"},
		{"29/02/2024", "15/03/2024"}, {"15/03/2024", ""},
	} {
		got := scadenze.Calcola(scadenze.Situazione{Oggi: d(tc.oggi), Membri: []scadenze.Membro{m}})
		if fmtp(got.Ricalcola) != tc.want {
			t.Errorf("%s: Ricalcola = %s, want %s", tc.oggi, fmtp(got.Ricalcola), tc.want)
		}
	}
}

func TestT90SospensioneDal(t *testing.T) {
	a := []scadenze.Membro{{PersonaID: "A", DataNascita: d("01/01/1985")}}
	for _, tc := range []struct{ ultimo, oggi, scad, dal string }{
		{"02/11/2024", "01/02/2025", "31/01/2025", "01/02/2025"}, // due on a month end
		{"01/12/2023", "01/03/2024", "29/02/2024", "01/03/2024"}, // due on 29 February
		{"03/10/2026", "02/01/2027", "01/01/2027", "01/02/2027"}, // due on New Year's day, not moved
	} {
		got := scadenze.Calcola(scadenze.Situazione{Oggi: d(tc.oggi), DataPAD: p("01/01/2023"), Membri: a,
			Incontri: []scadenze.Incontro{presente(tc.ultimo)}})
		if got.T90.Stato != scadenze.Scaduto || fmtp(got.T90.Scadenza) != tc.scad || fmtp(got.T90.SospensioneDal) != tc.dal ||
			!strings.Contains(got.T90.Messaggio, "prestazione sospesa dal "+tc.dal) {
			t.Errorf("last %s at %s: T90 = %s %s dal %s (%s), want scaduto %s dal %s", tc.ultimo, tc.oggi, got.T90.Stato,
				fmtp(got.T90.Scadenza), fmtp(got.T90.SospensioneDal), got.T90.Messaggio, tc.scad, tc.dal)
		}
	}
}

func TestEsitoCPI(t *testing.T) {
	membro := func(nato string, esito scadenze.EsitoCPI) scadenze.Membro {
		return scadenze.Membro{PersonaID: "A", DataNascita: d(nato), InviatoCPI: p("01/04/2024"),
			ConvocatoCPI: p("10/05/2024"), EsitoCPI: esito}
	}
	for _, tc := range []struct {
		name    string
		m       scadenze.Membro
		oggi    string
		rischio scadenze.Rischio
		nota    string
	}{
		{"present", membro("01/01/1985", scadenze.CPIPresente), "20/05/2024", scadenze.Nessuno, "entro il 31/05/2024: presente"},
		{"absent with motivo", membro("01/01/1985", scadenze.CPIAssenteGiustificato), "20/05/2024", scadenze.Nessuno, "giustificato"},
		{"absent without: decadenza", membro("01/01/1985", scadenze.CPIAssente), "20/05/2024", scadenze.Decadenza, "rischio di decadenza"},
		{"absent without, but 60 that day: none", membro("10/05/1964", scadenze.CPIAssente), "20/05/2024", scadenze.Nessuno, "nessuna decadenza"},
		{"not yet recorded", membro("01/01/1985", ""), "20/05/2024", scadenze.Nessuno, "Convocato dal CPI il 10/05/2024, entro il 31/05/2024"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := scadenze.Calcola(scadenze.Situazione{Oggi: d(tc.oggi), Membri: []scadenze.Membro{tc.m}})
			if len(got.CPI) != 1 {
				t.Fatalf("CPI = %v", got.CPI)
			}
			if got.CPI[0].Rischio != tc.rischio || got.Rischio != tc.rischio {
				t.Errorf("Rischio = %q / case %q, want %q", got.CPI[0].Rischio, got.Rischio, tc.rischio)
			}
			if !strings.Contains(got.CPI[0].Messaggio, tc.nota) {
				t.Errorf("message %q lacks %q", got.CPI[0].Messaggio, tc.nota)
			}
			if got.Urgenza != nil {
				t.Errorf("the CPI moved Urgenza")
			}
		})
	}
}

func TestPeriodi(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    scadenze.Beneficio
		want []string // "dal-al"
	}{
		{"none without a first month", scadenze.Beneficio{}, nil},
		{"18 months from January 2024", scadenze.Beneficio{PrimoMese: p("01/01/2024")}, []string{"01/01/2024-30/06/2025"}},
		{"from February of a leap year, any day of it", scadenze.Beneficio{PrimoMese: p("29/02/2024")}, []string{"01/02/2024-31/07/2025"}},
		{"renewal after the one-month stop", scadenze.Beneficio{PrimoMese: p("01/01/2024"),
			Rinnovi: []scadenze.Rinnovo{{DataPAD: d("10/07/2025")}}}, []string{"01/01/2024-30/06/2025", "01/08/2025-31/07/2026"}},
		{"a PAD signed before the stop: still after it", scadenze.Beneficio{PrimoMese: p("01/01/2024"),
			Rinnovi: []scadenze.Rinnovo{{DataPAD: d("20/06/2025")}}}, []string{"01/01/2024-30/06/2025", "01/08/2025-31/07/2026"}},
		{"a late renewal, then another", scadenze.Beneficio{PrimoMese: p("01/01/2024"),
			Rinnovi: []scadenze.Rinnovo{{DataPAD: d("31/10/2025")}, {DataPAD: d("05/12/2026"), PrimoMese: p("01/01/2027")}}},
			[]string{"01/01/2024-30/06/2025", "01/11/2025-31/10/2026", "01/01/2027-31/12/2027"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range scadenze.Periodi(tc.b) {
				got = append(got, calendario.Data(p.Dal)+"-"+calendario.Data(p.Al))
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("Periodi = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestStatoBeneficio(t *testing.T) {
	b := scadenze.Beneficio{PrimoMese: p("01/01/2024"), Rinnovi: []scadenze.Rinnovo{{DataPAD: d("10/07/2025")}}}
	solo := scadenze.Beneficio{PrimoMese: p("01/01/2024")}
	for _, tc := range []struct {
		name    string
		b       scadenze.Beneficio
		oggi    string
		numero  int
		mesi    int
		prossim string
	}{
		{"first month", solo, "15/01/2024", 1, 18, "fine del periodo il 30/06/2025, sospensione di un mese (luglio 2025)"},
		{"last day of the first period", solo, "30/06/2025", 1, 1, "fine del periodo il 30/06/2025"},
		{"with a renewal recorded", b, "29/02/2024", 1, 17, "fine del periodo il 30/06/2025; rinnovo n. 1 dal 01/08/2025"},
		{"the stop month", b, "15/07/2025", 0, 0, "rinnovo n. 1 dal 01/08/2025"},
		{"in the renewal", b, "01/08/2025", 2, 12, "fine del periodo il 31/07/2026"},
		{"after the first, no renewal", solo, "15/07/2025", 0, 0, "rinnovo: nuova domanda e nuovo PAD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := scadenze.StatoBeneficioAl(tc.b, alle(tc.oggi, 12, 0))
			n := 0
			if got.Periodo != nil {
				n = got.Periodo.Numero
			}
			if n != tc.numero || got.MesiRimanenti != tc.mesi || !strings.Contains(got.Prossima, tc.prossim) {
				t.Errorf("= period %d, %d months, %q (%s); want %d, %d, %q", n, got.MesiRimanenti, got.Prossima, got.Messaggio,
					tc.numero, tc.mesi, tc.prossim)
			}
		})
	}
}

// The renewal starts a new T120 from its PAD: the first period's meeting does
// not meet it.
func TestRinnovoNuovoT120(t *testing.T) {
	s := scadenze.Situazione{Oggi: d("20/11/2025"), DataPAD: p("01/03/2024"),
		Membri:    []scadenze.Membro{{PersonaID: "A", DataNascita: d("01/01/1985")}},
		Incontri:  []scadenze.Incontro{presente("15/04/2024"), presente("01/10/2025")},
		Beneficio: scadenze.Beneficio{PrimoMese: p("01/04/2024"), Rinnovi: []scadenze.Rinnovo{{DataPAD: d("10/10/2025")}}}}
	got := scadenze.Calcola(s)
	if got.T120.Stato != scadenze.InCorso || fmtp(got.T120.Inizio) != "10/10/2025" || fmtp(got.T120.Scadenza) != "07/02/2026" {
		t.Errorf("T120 = %s from %s due %s, want in corso from 10/10/2025 due 07/02/2026", got.T120.Stato,
			fmtp(got.T120.Inizio), fmtp(got.T120.Scadenza))
	}
	// Before the renewal's PAD, the first period's T120 (met) still rules.
	s.Oggi = d("09/10/2025")
	if got := scadenze.Calcola(s); got.T120.Stato != scadenze.Rispettato {
		t.Errorf("before the renewal: T120 = %s", got.T120.Stato)
	}
	// A meeting after the new PAD meets the new term.
	s.Oggi = d("20/11/2025")
	s.Incontri = append(s.Incontri, presente("05/11/2025"))
	if got := scadenze.Calcola(s); got.T120.Stato != scadenze.Rispettato || !strings.Contains(got.T120.Messaggio, "05/11/2025") {
		t.Errorf("after a meeting: T120 = %s (%s)", got.T120.Stato, got.T120.Messaggio)
	}
}
