package fsl_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/fsl"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/schede"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// nazionale is a signed version 2 of a patto (a revision) of a nucleo of
// two: an objective of the nucleo with a result, one of the son's; a
// tirocinio for the mother, with the official code loaded and already
// started, and a socio-educational support for the nucleo without progress
// yet; an impegno of the mother's with the son involved.
func nazionale() patto.Nazionale {
	firmato := time.Date(2026, 10, 20, 11, 0, 0, 0, time.UTC)
	avvio := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	madre, figlio := "0a6f5a8e-1111-4c4c-9a9a-000000000001", "0a6f5a8e-1111-4c4c-9a9a-000000000002"
	c := patto.Contenuto{
		Obiettivi: []patto.Obiettivo{
			{ID: "0b000000-0000-4000-8000-000000000001", Titolo: "Stabilità economica", Descrizione: "Rientrare dai debiti per le utenze.",
				Dimensione: "economica", Entro: "2027-06-30", Risultati: []patto.Risultato{
					{ID: "0c000000-0000-4000-8000-000000000001", Descrizione: "Piano di rientro concordato", Entro: "2027-01-31"}}},
			{ID: "0b000000-0000-4000-8000-000000000002", Titolo: "Frequenza scolastica regolare", PersonaID: figlio, Dimensione: "sviluppo_minore",
				Risultati: []patto.Risultato{{ID: "0c000000-0000-4000-8000-000000000002", Descrizione: "Nessuna assenza ingiustificata in un mese"}}},
		},
		Sostegni: []patto.Sostegno{
			{ID: "0d000000-0000-4000-8000-000000000001", Tipo: "tirocinio_inclusione", PersonaID: madre, EnteErogatore: "Comune di Casalecchio di Reno",
				Referente: "Ufficio inclusione", AvvioPrevisto: "2026-11-01", FinePrevista: "2027-04-30",
				ObiettivoID: "0b000000-0000-4000-8000-000000000001", FonteFinanziamento: "pn_inclusione"},
			{ID: "0d000000-0000-4000-8000-000000000002", Tipo: "socio_educativo", EnteErogatore: "Cooperativa Il Ponte"},
		},
		Impegni: []patto.Impegno{
			{ID: "0e000000-0000-4000-8000-000000000001", Area: "frequenza_scolastica", PersonaID: madre, Coinvolti: []string{figlio},
				Descrizione: "Accompagnare Luca a scuola e tenere i contatti con gli insegnanti", Frequenza: "ogni giorno di scuola",
				ObiettivoID: "0b000000-0000-4000-8000-000000000002"},
		},
		CaseManager: "Chiara Verdi",
		Equipe: []patto.MembroEquipe{{ID: "0f000000-0000-4000-8000-000000000001", Nome: "Giulia", Cognome: "Neri", Funzione: "Educatrice",
			Ente: "Cooperativa Il Ponte"}},
		FamiliareResponsabile: madre,
		Componenti: []patto.Componente{
			{PersonaID: madre, CodiceFiscale: "BNCLRA86A41A944X", Cognome: "Bianchi", Nome: "Laura", DataNascita: "1986-01-01", Relazione: "richiedente"},
			{PersonaID: figlio, CodiceFiscale: "BNCLCU16A01A944X", Cognome: "Bianchi", Nome: "Luca", DataNascita: "2016-01-01", Relazione: "figlio"},
		},
		Monitoraggio:      "Incontri con il case manager.",
		FrequenzaIncontri: 60,
		Dal:               "2026-10-20",
		Al:                "2027-10-19",
		Sottoscrizione: &patto.Sottoscrizione{Data: "2026-10-20", Modalita: patto.Cartacea, Scansione: "10000000-0000-4000-8000-000000000001",
			Firmatari: []patto.Firmatario{
				{Tipo: "componente", PersonaID: madre, Nome: "Bianchi Laura", Ruolo: "familiare responsabile"},
				{Tipo: "operatore", Nome: "Chiara Verdi", Ruolo: "case manager"},
			}},
	}
	raw, _ := json.Marshal(c)
	return patto.Nazionale{
		Caso: casi.Caso{ID: uuid.MustParse("20000000-0000-4000-8000-000000000001"), Numero: 123, Comune: "Casalecchio di Reno",
			Misura: casi.ADI, IDDomanda: "INPS-ADI-2026-000123"},
		Versione: patto.Versione{Versione: schede.Versione{Numero: 2, Stato: schede.Definitiva, Contenuto: raw, FinalizzataIl: &firmato,
			MotivoRiapertura: "Luca ha cambiato scuola"}, Contenuto: c},
		Attuazione: map[string]patto.Attuazione{
			"0d000000-0000-4000-8000-000000000001": {SostegnoID: "0d000000-0000-4000-8000-000000000001", Stato: patto.InCorso, AvvioEffettivo: &avvio, Versione: 3},
		},
		Riferimenti: patto.Riferimenti{
			Sostegni: []patto.TipoSostegno{
				{Codice: "tirocinio_inclusione", Etichetta: "Tirocinio finalizzato all'inclusione sociale, all'autonomia e alla riabilitazione",
					Macrolivello: "5", NomenclatoreCodice: "D5", NomenclatoreVersione: "CISIS-2013", Tirocinio: true, Valido: true},
				{Codice: "socio_educativo", Etichetta: "Sostegno socio-educativo domiciliare o territoriale", Macrolivello: "2", Valido: true},
			},
			Aree: []patto.AreaImpegno{{Codice: "frequenza_scolastica", Etichetta: "Frequenza e impegno scolastico", Valida: true}},
		},
	}
}

// The three records of a signed version match the documented shape
// (docs/formats/fsl.md), byte for byte: go test ./internal/fsl -update
// rewrites the golden file after a deliberate change of the format.
func TestRecordsGolden(t *testing.T) {
	got, err := json.MarshalIndent(fsl.Tutti(nazionale()), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "records.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("records differ from %s:\n%s", path, got)
	}
}

// The mapping rules a reader of the records relies on.
func TestMapping(t *testing.T) {
	n := nazionale()
	p := fsl.PaIS(n)
	if p.IDCaso != "C-000123" || *p.IDDomanda != "INPS-ADI-2026-000123" || p.VersionePaIS != 2 || p.Stato != "sottoscritto" ||
		*p.FamiliareResponsabileCF != "BNCLRA86A41A944X" || *p.MotivoRevisione != "Luca ha cambiato scuola" || p.NumeroSostegni != 2 {
		t.Errorf("PaIS: %+v", p)
	}
	if p.Firmatari[0].CodiceFiscale == nil || p.Firmatari[1].CodiceFiscale != nil {
		t.Error("a member signs with the codice fiscale, an operator without")
	}
	s := fsl.Sostegni(n)
	if *s[0].CodiceNomenclatore != "D5" || !s[0].Tirocinio || s[0].Stato != "in_corso" || *s[0].DataAvvioEffettiva != "2026-11-02" ||
		*s[0].CodiceFiscale != "BNCLRA86A41A944X" || s[0].Destinatario != "componente" {
		t.Errorf("tirocinio: %+v", s[0])
	}
	if s[1].CodiceNomenclatore != nil || s[1].Stato != "proposto" || s[1].Destinatario != "nucleo" || s[1].CodiceFiscale != nil {
		t.Errorf("sostegno of the nucleo, no code loaded, no progress: %+v", s[1])
	}
	i := fsl.Impegni(n)
	if len(i) != 1 || *i[0].CodiceFiscale != "BNCLRA86A41A944X" || len(i[0].CodiciFiscaliAltri) != 1 || i[0].CodiciFiscaliAltri[0] != "BNCLCU16A01A944X" {
		t.Errorf("impegni: %+v", i)
	}
	// Empty lists are [] (never null), absent values null.
	n.Versione.Contenuto.Impegni, n.Versione.Contenuto.Sostegni = nil, nil
	b, _ := json.Marshal(fsl.Tutti(n))
	if !bytes.Contains(b, []byte(`"impegni":[]`)) || !bytes.Contains(b, []byte(`"sostegni":[]`)) || !bytes.Contains(b, []byte(`"progetti_integrati":null`)) {
		t.Errorf("empty records: %s", b)
	}
}
