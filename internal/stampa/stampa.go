// Package stampa writes the documents Cartella gives or sends on paper as
// PDF (the patto to sign and as signed, the équipe's extract of the
// analisi preliminare): A4 pages with the ente's header (its name, the
// ambito, an optional logo) and a foot with "Pagina n di m" on every page,
// a title, and titled blocks of paragraphs, lists and tables whose rows are
// never cut across pages. The text is set in Titillium Web, the typeface of
// Bootstrap Italia, embedded as TrueType with its UTF-8 glyphs, through
// codeberg.org/go-pdf/fpdf (ADR 0015).
package stampa

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
)

// Documento is what to print.
type Documento struct {
	// Intestazione is the ente's header, repeated at the top of every page.
	Intestazione Intestazione
	Titolo       string
	// Sottotitolo: lines under the title (the family, the case, the date).
	Sottotitolo string
	// Avviso, if set, is a framed notice under the title (e.g. "Bozza: …").
	Avviso  string
	Blocchi []Blocco
	// Piede is printed at the foot of every page, left of the page number
	// (e.g. "Documento riservato: contiene dati personali").
	Piede string
	// Creato, if set, is the document's creation date in its metadata.
	Creato time.Time
}

// Intestazione is the ente's header: the first line in bold (e.g. "Comune
// di Bari"), the others smaller (the ambito, the office); the logo, a PNG
// or JPEG, to their left.
type Intestazione struct {
	Righe []string
	Logo  []byte
}

// Blocco is a titled block: paragraphs (Testo keeps its line breaks, an
// empty line separates paragraphs), then a list, then a table, then more
// paragraphs (Chiusura).
type Blocco struct {
	Titolo   string
	Testo    string
	Voci     []Voce
	Tabella  *Tabella
	Chiusura string
}

// Voce is an item of a list: a line in bold and the details under it.
type Voce struct {
	Testo    string
	Dettagli []string
}

// Tabella is a table with a header row, repeated when the table goes on to
// another page; a row is never cut across pages.
type Tabella struct {
	Colonne []Colonna
	Righe   [][]string
	// AltezzaRiga is the least height of a row in millimetres (e.g. room for
	// a handwritten signature); 0 fits the text.
	AltezzaRiga float64
}

// Colonna is a column: its heading and its share of the width (the shares
// of a table are relative to their sum).
type Colonna struct {
	Titolo string
	Peso   float64
}

// ErrVuoto: a document with neither title nor blocks.
var ErrVuoto = errors.New("stampa: empty document")

// ErrLogo: the logo is neither a PNG nor a JPEG.
var ErrLogo = errors.New("stampa: the logo is neither PNG nor JPEG")

//go:embed font/TitilliumWeb-Regular.ttf font/TitilliumWeb-SemiBold.ttf
var fonts embed.FS

// Page geometry, in millimetres, and type sizes, in points.
const (
	margine      = 20.0
	margineAlto  = 14.0
	margineBasso = 22.0
	altezzaLogo  = 16.0

	corpoTesto    = 10.5
	corpoTitolo   = 17.0
	corpoBlocco   = 12.5
	corpoPiede    = 8.5
	corpoTabella  = 9.5
	interlinea    = 5.2 // mm, for corpoTesto
	interlineaTab = 4.6 // mm, for corpoTabella
)

const famiglia = "titillium"

// Colours (RGB): the text, a grey for secondary lines, Bootstrap Italia's
// blue for titles and rules.
var (
	nero   = [3]int{25, 25, 25}
	grigio = [3]int{85, 85, 85}
	blu    = [3]int{0, 89, 179}
)

// MimeLogo reports the type of a logo by its content: "image/png",
// "image/jpeg", or "" for anything else.
func MimeLogo(b []byte) string {
	switch m, _, _ := strings.Cut(http.DetectContentType(b), ";"); m {
	case "image/png", "image/jpeg":
		return m
	}
	return ""
}

// PDF renders doc as a PDF document.
func PDF(doc Documento) ([]byte, error) {
	if strings.TrimSpace(doc.Titolo) == "" && len(doc.Blocchi) == 0 {
		return nil, ErrVuoto
	}
	doc = pulito(doc)
	regular, err := fonts.ReadFile("font/TitilliumWeb-Regular.ttf")
	if err != nil {
		return nil, err
	}
	bold, err := fonts.ReadFile("font/TitilliumWeb-SemiBold.ttf")
	if err != nil {
		return nil, err
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(famiglia, "", regular)
	pdf.AddUTF8FontFromBytes(famiglia, "B", bold)
	pdf.SetMargins(margine, margineAlto, margine)
	pdf.SetAutoPageBreak(true, margineBasso)
	pdf.SetProducer("Cartella", true)
	pdf.SetCreator("Cartella", true)
	if doc.Titolo != "" {
		pdf.SetTitle(doc.Titolo, true)
	}
	if !doc.Creato.IsZero() {
		pdf.SetCreationDate(doc.Creato)
		pdf.SetModificationDate(doc.Creato)
	} else {
		// Reproducible output: no clock in the file.
		pdf.SetCreationDate(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	pdf.SetCatalogSort(true)

	s := &scrittore{pdf: pdf, doc: doc}
	if len(doc.Intestazione.Logo) > 0 {
		tipo := ""
		switch MimeLogo(doc.Intestazione.Logo) {
		case "image/png":
			tipo = "PNG"
		case "image/jpeg":
			tipo = "JPG"
		default:
			return nil, ErrLogo
		}
		info := pdf.RegisterImageOptionsReader("logo", fpdf.ImageOptions{ImageType: tipo}, bytes.NewReader(doc.Intestazione.Logo))
		if pdf.Err() || info == nil {
			return nil, fmt.Errorf("%w: %v", ErrLogo, pdf.Error())
		}
		s.logo = true
	}
	pdf.SetHeaderFunc(s.intestazione)
	pdf.SetFooterFunc(s.piede)
	pdf.AliasNbPages("{nb}")
	pdf.AddPage()
	s.corpo()
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// testo makes s printable: control characters other than the line break
// become spaces, characters beyond the Basic Multilingual Plane (emoji),
// which the PDF's font encoding cannot hold, a question mark.
func testo(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == utf8.RuneError, r > 0xFFFF:
			return '?'
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)
}

// pulito is doc with every text made printable.
func pulito(doc Documento) Documento {
	doc.Intestazione.Righe = append([]string(nil), doc.Intestazione.Righe...)
	for i, r := range doc.Intestazione.Righe {
		doc.Intestazione.Righe[i] = testo(r)
	}
	doc.Titolo, doc.Sottotitolo, doc.Avviso, doc.Piede = testo(doc.Titolo), testo(doc.Sottotitolo), testo(doc.Avviso), testo(doc.Piede)
	blocchi := make([]Blocco, len(doc.Blocchi))
	for i, b := range doc.Blocchi {
		b.Titolo, b.Testo, b.Chiusura = testo(b.Titolo), testo(b.Testo), testo(b.Chiusura)
		voci := make([]Voce, len(b.Voci))
		for j, v := range b.Voci {
			v.Testo = testo(v.Testo)
			v.Dettagli = append([]string(nil), v.Dettagli...)
			for k, d := range v.Dettagli {
				v.Dettagli[k] = testo(d)
			}
			voci[j] = v
		}
		b.Voci = voci
		if b.Tabella != nil {
			t := *b.Tabella
			t.Colonne = append([]Colonna(nil), t.Colonne...)
			for j := range t.Colonne {
				t.Colonne[j].Titolo = testo(t.Colonne[j].Titolo)
				if t.Colonne[j].Peso < 0 {
					t.Colonne[j].Peso = 0
				}
			}
			righe := make([][]string, len(t.Righe))
			for j, r := range t.Righe {
				righe[j] = make([]string, len(r))
				for k, c := range r {
					righe[j][k] = testo(c)
				}
			}
			t.Righe = righe
			b.Tabella = &t
		}
		blocchi[i] = b
	}
	doc.Blocchi = blocchi
	return doc
}

type scrittore struct {
	pdf  *fpdf.Fpdf
	doc  Documento
	logo bool
}

func (s *scrittore) font(stile string, size float64, c [3]int) {
	s.pdf.SetFont(famiglia, stile, size)
	s.pdf.SetTextColor(c[0], c[1], c[2])
}

func (s *scrittore) larghezzaUtile() float64 {
	w, _ := s.pdf.GetPageSize()
	return w - 2*margine
}

// intestazione draws the ente's header: logo, lines, a rule.
func (s *scrittore) intestazione() {
	p := s.pdf
	righe := s.doc.Intestazione.Righe
	if len(righe) == 0 && !s.logo {
		return
	}
	x := margine
	y := margineAlto
	if s.logo {
		info := p.GetImageInfo("logo")
		w := altezzaLogo * info.Width() / info.Height()
		if w > 40 {
			w = 40
		}
		p.ImageOptions("logo", margine, y, w, 0, false, fpdf.ImageOptions{}, 0, "")
		x += w + 4
	}
	p.SetXY(x, y)
	for i, r := range righe {
		if i == 0 {
			s.font("B", 12.5, blu)
			p.SetX(x)
			p.CellFormat(0, 6, r, "", 1, "L", false, 0, "")
			continue
		}
		s.font("", 9.5, grigio)
		p.SetX(x)
		p.CellFormat(0, 4.6, r, "", 1, "L", false, 0, "")
	}
	bottom := p.GetY()
	if s.logo && y+altezzaLogo > bottom {
		bottom = y + altezzaLogo
	}
	w, _ := p.GetPageSize()
	p.SetDrawColor(blu[0], blu[1], blu[2])
	p.SetLineWidth(0.5)
	p.Line(margine, bottom+2, w-margine, bottom+2)
	p.SetY(bottom + 7)
}

// piede draws the foot: a rule, the document's line, "Pagina n di m".
func (s *scrittore) piede() {
	p := s.pdf
	w, h := p.GetPageSize()
	y := h - margineBasso + 6
	p.SetDrawColor(160, 160, 160)
	p.SetLineWidth(0.2)
	p.Line(margine, y, w-margine, y)
	s.font("", corpoPiede, grigio)
	p.SetXY(margine, y+1.5)
	numero := fmt.Sprintf("Pagina %d di {nb}", p.PageNo())
	wn := p.GetStringWidth(fmt.Sprintf("Pagina %d di %d", p.PageNo(), 999)) + 2
	if s.doc.Piede != "" {
		righe := p.SplitText(s.doc.Piede, w-2*margine-wn)
		if len(righe) > 0 {
			p.CellFormat(w-2*margine-wn, 4, righe[0], "", 0, "L", false, 0, "")
		}
	}
	p.SetXY(w-margine-wn, y+1.5)
	p.CellFormat(wn, 4, numero, "", 0, "R", false, 0, "")
}

// spazio starts a new page unless h millimetres fit above the foot.
func (s *scrittore) spazio(h float64) {
	_, ph := s.pdf.GetPageSize()
	if s.pdf.GetY()+h > ph-margineBasso {
		s.pdf.AddPage()
	}
}

func (s *scrittore) corpo() {
	p := s.pdf
	wu := s.larghezzaUtile()
	if t := strings.TrimSpace(s.doc.Titolo); t != "" {
		s.font("B", corpoTitolo, nero)
		p.MultiCell(wu, 7.5, t, "", "L", false)
	}
	if st := strings.TrimSpace(s.doc.Sottotitolo); st != "" {
		p.Ln(1)
		s.font("", corpoTesto, grigio)
		for _, l := range strings.Split(st, "\n") {
			p.MultiCell(wu, interlinea, strings.TrimSpace(l), "", "L", false)
		}
	}
	p.Ln(3)
	if a := strings.TrimSpace(s.doc.Avviso); a != "" {
		s.font("B", corpoTesto, [3]int{120, 60, 0})
		p.SetDrawColor(200, 120, 0)
		p.SetFillColor(255, 244, 229)
		p.SetLineWidth(0.4)
		p.MultiCell(wu, interlinea+1, a, "1", "L", true)
		p.Ln(3)
	}
	for _, b := range s.doc.Blocchi {
		s.blocco(b)
	}
}

func (s *scrittore) blocco(b Blocco) {
	p := s.pdf
	wu := s.larghezzaUtile()
	if t := strings.TrimSpace(b.Titolo); t != "" {
		// Keep a heading with at least two lines of what follows.
		s.spazio(9 + 2*interlinea + 4)
		p.Ln(2)
		s.font("B", corpoBlocco, blu)
		p.MultiCell(wu, 6.5, t, "", "L", false)
		p.Ln(1)
	}
	s.paragrafi(b.Testo)
	for _, v := range b.Voci {
		s.voce(v)
	}
	if len(b.Voci) > 0 {
		p.Ln(1.5)
	}
	if b.Tabella != nil {
		s.tabella(*b.Tabella)
	}
	s.paragrafi(b.Chiusura)
	p.Ln(2)
}

func (s *scrittore) paragrafi(testo string) {
	p := s.pdf
	testo = strings.ReplaceAll(strings.ReplaceAll(testo, "\r\n", "\n"), "\t", "    ")
	testo = strings.Trim(testo, "\n ")
	if testo == "" {
		return
	}
	s.font("", corpoTesto, nero)
	for _, l := range strings.Split(testo, "\n") {
		if strings.TrimSpace(l) == "" {
			p.Ln(interlinea / 2)
			continue
		}
		p.MultiCell(s.larghezzaUtile(), interlinea, l, "", "L", false)
	}
	p.Ln(1.5)
}

// voce writes a list item: a bullet, its line in bold, the details indented.
func (s *scrittore) voce(v Voce) {
	p := s.pdf
	rientro := 5.0
	wu := s.larghezzaUtile() - rientro
	s.font("B", corpoTesto, nero)
	righe := p.SplitText(v.Testo, wu)
	s.spazio(float64(len(righe)) * interlinea)
	p.SetX(margine)
	p.CellFormat(rientro, interlinea, "•", "", 0, "L", false, 0, "")
	p.MultiCell(wu, interlinea, v.Testo, "", "L", false)
	s.font("", corpoTesto, nero)
	for _, d := range v.Dettagli {
		p.SetX(margine + rientro)
		p.MultiCell(wu, interlinea, d, "", "L", false)
	}
	p.Ln(1)
}

// tabella draws t with its header row; a row that does not fit on the page
// goes to the next one, under the header again.
func (s *scrittore) tabella(t Tabella) {
	p := s.pdf
	if len(t.Colonne) == 0 {
		return
	}
	wu := s.larghezzaUtile()
	tot := 0.0
	for _, c := range t.Colonne {
		tot += c.Peso
	}
	larg := make([]float64, len(t.Colonne))
	for i, c := range t.Colonne {
		if tot > 0 {
			larg[i] = wu * c.Peso / tot
		} else {
			larg[i] = wu / float64(len(t.Colonne))
		}
	}
	const pad = 1.5
	altezza := func(celle []string, stile string) (float64, [][]string) {
		s.font(stile, corpoTabella, nero)
		righe := make([][]string, len(larg))
		n := 1
		for i := range larg {
			c := ""
			if i < len(celle) {
				c = celle[i]
			}
			for _, par := range strings.Split(c, "\n") {
				righe[i] = append(righe[i], p.SplitText(par, larg[i]-2*pad)...)
			}
			if len(righe[i]) > n {
				n = len(righe[i])
			}
		}
		return float64(n)*interlineaTab + 2*pad, righe
	}
	disegna := func(righe [][]string, h float64, stile string, sfondo bool) {
		x, y := margine, p.GetY()
		p.SetDrawColor(150, 150, 150)
		p.SetLineWidth(0.2)
		if sfondo {
			p.SetFillColor(230, 238, 247)
		}
		for i, w := range larg {
			stileRect := "D"
			if sfondo {
				stileRect = "FD"
			}
			p.Rect(x, y, w, h, stileRect)
			s.font(stile, corpoTabella, nero)
			for j, l := range righe[i] {
				p.SetXY(x+pad, y+pad+float64(j)*interlineaTab)
				p.CellFormat(w-2*pad, interlineaTab, l, "", 0, "L", false, 0, "")
			}
			x += w
		}
		p.SetXY(margine, y+h)
	}
	titoli := make([]string, len(t.Colonne))
	for i, c := range t.Colonne {
		titoli[i] = c.Titolo
	}
	hTit, rTit := altezza(titoli, "B")
	intestazione := func() { disegna(rTit, hTit, "B", true) }
	_, ph := p.GetPageSize()
	fondo := ph - margineBasso
	// Keep the header with the first row.
	primo := hTit
	if len(t.Righe) > 0 {
		h, _ := altezza(t.Righe[0], "")
		primo += max(h, t.AltezzaRiga)
	}
	s.spazio(primo)
	intestazione()
	altezzaMassima := fondo - margineAlto - 40 // the body of a page under the header
	for _, r := range t.Righe {
		h, righe := altezza(r, "")
		h = max(h, t.AltezzaRiga)
		if h > altezzaMassima {
			// A row taller than a page: its cells as paragraphs, nothing lost.
			s.font("", corpoTabella, nero)
			for i, c := range r {
				if i < len(titoli) && titoli[i] != "" {
					c = titoli[i] + ": " + c
				}
				p.MultiCell(wu, interlineaTab, c, "", "L", false)
			}
			p.Ln(2)
			continue
		}
		if p.GetY()+h > fondo {
			p.AddPage()
			intestazione()
		}
		disegna(righe, h, "", false)
	}
	p.Ln(2)
}
