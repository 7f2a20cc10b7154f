package prestazioni

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
)

// The PS-PSA-SINA flow (docs/specs/inps-waas/PS_PSA_SINA201812.xsd,
// specification §5): one Beneficiario with one PrestazioniSociali, as
// cooperazione applicativa requires. Attributes the schema makes optional
// are left out when empty; dates are xs:date (aaaa-mm-gg), amounts
// xs:decimal with a point.

// NamespaceCasellario is the schema's target namespace.
const NamespaceCasellario = "http://inps.it/Casellario"

type xmlFlusso struct {
	XMLName         xml.Name           `xml:"Flusso"`
	Xmlns           string             `xml:"xmlns,attr"`
	Identificazione xmlIdentificazione `xml:"IdentificazioneFlusso"`
	Beneficiario    xmlBeneficiario    `xml:"Beneficiario"`
}

type xmlIdentificazione struct {
	Nome string  `xml:"Nome,attr"`
	Ente xmlEnte `xml:"Ente"`
}

type xmlEnte struct {
	Codice        string `xml:"Codice,attr"`
	Denominazione string `xml:"Denominazione,attr,omitempty"`
	Indirizzo     string `xml:"Indirizzo,attr"`
	CFOperatore   string `xml:"CFOperatore,attr"`
}

type xmlBeneficiario struct {
	CodiceFiscale string         `xml:"CodiceFiscale,attr"`
	Anagrafica    xmlAnagrafica  `xml:"Anagrafica"`
	Indirizzo     xmlIndirizzo   `xml:"Indirizzo"`
	Prestazione   xmlPrestazione `xml:"PrestazioniSociali"`
}

type xmlAnagrafica struct {
	Cognome            string `xml:"Cognome,attr"`
	Nome               string `xml:"Nome,attr"`
	AnnoNascita        string `xml:"AnnoNascita,attr"`
	LuogoNascita       string `xml:"LuogoNascita,attr"`
	Genere             string `xml:"Genere,attr"`
	CodiceCittadinanza string `xml:"CodiceCittadinanza,attr"`
}

type xmlIndirizzo struct {
	CodiceRegione string `xml:"CodiceRegione,attr,omitempty"`
	CodiceComune  string `xml:"CodiceComune,attr,omitempty"`
	CodiceNazione string `xml:"CodiceNazione,attr"`
}

type xmlPrestazione struct {
	SINA                      *xmlSINA `xml:"SINA,omitempty"`
	TipoOperazione            string   `xml:"TipoOperazione,attr"`
	PresenzaProvaMezzi        string   `xml:"PresenzaProvaMezzi,attr"`
	CaratterePrestazione      string   `xml:"CaratterePrestazione,attr,omitempty"`
	NumeroProtocolloDSU       string   `xml:"NumeroProtocolloDSU,attr,omitempty"`
	AnnoProtocolloDSU         string   `xml:"AnnoProtocolloDSU,attr,omitempty"`
	DataDSU                   string   `xml:"DataDSU,attr,omitempty"`
	CodicePrestazione         string   `xml:"CodicePrestazione,attr"`
	DenominazionePrestazione  string   `xml:"DenominazionePrestazione,attr"`
	ProtocolloDomanda         string   `xml:"ProtocolloDomanda,attr"`
	DataEvento                string   `xml:"DataEvento,attr,omitempty"`
	DataInizioPrestazione     string   `xml:"DataInizioPrestazione,attr,omitempty"`
	DataFinePrestazione       string   `xml:"DataFinePrestazione,attr,omitempty"`
	DataErogazionePrestazione string   `xml:"DataErogazionePrestazione,attr,omitempty"`
	ImportoPrestazione        string   `xml:"ImportoPrestazione,attr,omitempty"`
	PeriodoErogazione         string   `xml:"PeriodoErogazione,attr,omitempty"`
	ImportoMensile            string   `xml:"ImportoMensile,attr,omitempty"`
	ImportoQuotaEnte          string   `xml:"ImportoQuotaEnte,attr,omitempty"`
	ImportoQuotaUtente        string   `xml:"ImportoQuotaUtente,attr,omitempty"`
	ImportoQuotaSSN           string   `xml:"ImportoQuotaSSN,attr,omitempty"`
	ImportoQuotaRichiesta     string   `xml:"ImportoQuotaRichiesta,attr,omitempty"`
	ImportoSogliaISEE         string   `xml:"ImportoSogliaISEE,attr,omitempty"`
	OreServizioMensile        string   `xml:"OreServizioMensile,attr,omitempty"`
	PresaCarico               string   `xml:"PresaCarico,attr"`
	AreaUtenza                string   `xml:"AreaUtenza,attr,omitempty"`
}

type xmlSINA struct {
	Interventi                  *xmlInterventi `xml:"NecessitaInterventiSociali,omitempty"`
	Invalidita                  *xmlInvalidita `xml:"InvaliditaCivile,omitempty"`
	Mobilita                    string         `xml:"Mobilita,attr"`
	AttivitaVitaQuotidiana      string         `xml:"AttivitaVitaQuotidiana,attr"`
	DisturbiAreaCognitiva       string         `xml:"DisturbiAreaCognitiva,attr,omitempty"`
	DisturbiComportamentali     string         `xml:"DisturbiComportamentali,attr"`
	NecessitaCureSanitarie      string         `xml:"NecessitaCureSanitarie,attr,omitempty"`
	AreaReddituale              string         `xml:"AreaReddituale,attr"`
	AreaSupporto                string         `xml:"AreaSupporto,attr"`
	FonteDerivazioneValutazione string         `xml:"FonteDerivazioneValutazione,attr"`
	StrumentoValutazione        string         `xml:"StrumentoValutazione,attr"`
	FonteDerivazioneInvalidita  string         `xml:"FonteDerivazioneInvalidita,attr,omitempty"`
}

type xmlInterventi struct {
	Codici []string `xml:"CodicePrestazione"`
}

type xmlInvalidita struct {
	InvCiv []string `xml:"InvCiv"`
}

// Operazione is the TipoOperazione of a flow.
type Operazione string

// The operations (TipoOperazione).
const (
	Inserimento   Operazione = "I"
	Cancellazione Operazione = "C"
)

// IDFlusso is the flow's identifier as the specification (§3.2) shapes it:
// EEEEE.TIPO.AAAAMMGG.NNNNNNN, the ente's code, PS, the day of creation in
// Italy and the day's progressivo on seven digits. It is also the Nome of
// IdentificazioneFlusso (at most 50 characters: the ente's code has at
// most 30).
func IDFlusso(codiceEnte string, ts time.Time, progressivo int) string {
	return fmt.Sprintf("%s.PS.%s.%07d", codiceEnte, ts.In(calendario.Roma).Format("20060102"), progressivo)
}

// ComponiFlusso writes the XML of the flow idFlusso for ente, beneficiary b
// and prestazione d, with operation op. It does not validate it: Valida
// does.
func ComponiFlusso(idFlusso string, ente Ente, b casi.BeneficiarioSIUSS, d Dati, op Operazione) ([]byte, error) {
	f := xmlFlusso{Xmlns: NamespaceCasellario}
	f.Identificazione = xmlIdentificazione{Nome: idFlusso, Ente: xmlEnte{Codice: ente.CodiceEnte,
		Denominazione: ente.Denominazione, Indirizzo: ente.Belfiore, CFOperatore: ente.CFOperatore}}
	f.Beneficiario = xmlBeneficiario{CodiceFiscale: b.CodiceFiscale,
		Anagrafica: xmlAnagrafica{Cognome: tronca(b.Cognome, 36), Nome: tronca(b.Nome, 36),
			AnnoNascita: strconv.Itoa(b.DataNascita.Year()), LuogoNascita: LuogoNascita(b),
			Genere: genere(b.Sesso), CodiceCittadinanza: CodiceCittadinanza(b.Cittadinanza)},
		Indirizzo: xmlIndirizzo{CodiceRegione: CodiceRegione(b.Regione), CodiceComune: b.ComuneISTAT, CodiceNazione: "380"},
	}
	p := xmlPrestazione{TipoOperazione: string(op), PresenzaProvaMezzi: d.ProvaMezzi, CaratterePrestazione: d.Carattere,
		NumeroProtocolloDSU: d.DSUProtocollo, AnnoProtocolloDSU: d.DSUAnno, DataDSU: data(d.DSUData),
		CodicePrestazione: d.Codice, DenominazionePrestazione: d.Denominazione, ProtocolloDomanda: d.ProtocolloDomanda,
		DataEvento: data(d.DataEvento), DataInizioPrestazione: data(d.DataInizio), DataFinePrestazione: data(d.DataFine),
		DataErogazionePrestazione: data(d.DataErogazione), ImportoPrestazione: d.Importo, ImportoMensile: d.ImportoMensile,
		ImportoQuotaEnte: d.QuotaEnte, ImportoQuotaUtente: d.QuotaUtente, ImportoQuotaSSN: d.QuotaSSN,
		ImportoQuotaRichiesta: d.QuotaRichiesta, ImportoSogliaISEE: d.SogliaISEE, OreServizioMensile: d.OreMensili,
		PresaCarico: d.PresaCarico, AreaUtenza: d.AreaUtenza}
	if d.Periodo > 0 {
		p.PeriodoErogazione = strconv.Itoa(d.Periodo)
	}
	if s := d.SINA; s != nil {
		x := &xmlSINA{Mobilita: s.Mobilita, AttivitaVitaQuotidiana: s.AttivitaVita, DisturbiAreaCognitiva: s.Cognitivi,
			DisturbiComportamentali: s.Comportamentali, NecessitaCureSanitarie: s.Cure, AreaReddituale: s.Reddituale,
			AreaSupporto: s.Supporto, FonteDerivazioneValutazione: s.Fonte, StrumentoValutazione: s.Strumento,
			FonteDerivazioneInvalidita: s.FonteInvalidita}
		if len(s.Interventi) > 0 {
			x.Interventi = &xmlInterventi{Codici: s.Interventi}
		}
		if len(s.Invalidita) > 0 {
			x.Invalidita = &xmlInvalidita{InvCiv: s.Invalidita}
		}
		p.SINA = x
	}
	f.Beneficiario.Prestazione = p
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("prestazioni: flusso: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func data(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// tronca cuts s to n characters: the schema's limit for names (36); a
// longer name is cut, as on INPS's own forms.
func tronca(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n]))
}

func genere(sesso string) string {
	if sesso == "F" {
		return "2"
	}
	return "1"
}

var reBelfiore = regexp.MustCompile(`^[A-Z][0-9]{3}$`)

// omocodia maps the letters that replace digits in an omocode codice
// fiscale back to the digits.
var omocodia = map[byte]byte{'L': '0', 'M': '1', 'N': '2', 'P': '3', 'Q': '4', 'R': '5', 'S': '6', 'T': '7', 'U': '8', 'V': '9'}

// LuogoNascita is the codice catastale of the place of birth: as recorded,
// else the one the codice fiscale holds (characters 12–15, omocodia undone).
func LuogoNascita(b casi.BeneficiarioSIUSS) string {
	if l := strings.ToUpper(strings.TrimSpace(b.LuogoNascita)); reBelfiore.MatchString(l) {
		return l
	}
	cf := strings.ToUpper(b.CodiceFiscale)
	if len(cf) != 16 {
		return ""
	}
	out := []byte(cf[11:15])
	for i := 1; i < 4; i++ {
		if d, ok := omocodia[out[i]]; ok {
			out[i] = d
		}
	}
	return string(out)
}

// CodiceCittadinanza is the citizenship as the flow codes it: ISO 3166-1
// numeric (Italy 380), 990 ("non disponibile", specification table 6) when
// not recorded, stateless or unknown.
func CodiceCittadinanza(iso3 string) string {
	iso3 = strings.ToUpper(strings.TrimSpace(iso3))
	if iso3 == "" || iso3 == "XXA" {
		return "990"
	}
	r, err := language.ParseRegion(iso3)
	if err != nil || r.M49() <= 0 || r.M49() >= 999 {
		return "990"
	}
	return fmt.Sprintf("%03d", r.M49())
}

// regioni are ISTAT's codes of the regions, by the start of their name.
var regioni = []struct{ prefisso, codice string }{
	{"piemonte", "01"}, {"valle d", "02"}, {"lombardia", "03"}, {"trentino", "04"}, {"veneto", "05"},
	{"friuli", "06"}, {"liguria", "07"}, {"emilia", "08"}, {"toscana", "09"}, {"umbria", "10"},
	{"marche", "11"}, {"lazio", "12"}, {"abruzzo", "13"}, {"molise", "14"}, {"campania", "15"},
	{"puglia", "16"}, {"basilicata", "17"}, {"calabria", "18"}, {"sicilia", "19"}, {"sardegna", "20"},
}

// CodiceRegione is the ISTAT code of regione (by name), "" when unknown.
func CodiceRegione(nome string) string {
	n := strings.ToLower(strings.TrimSpace(nome))
	for _, r := range regioni {
		if strings.HasPrefix(n, r.prefisso) {
			return r.codice
		}
	}
	return ""
}
