package patto_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/stampa/pdftest"
)

// stemma is a small coat of arms for the ambito's logo: a blue shield with
// a white cross.
func stemma(t *testing.T) []byte {
	t.Helper()
	const w, h = 96, 120
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			dx := float64(x) - w/2
			dentro := y < 70 || dx*dx/float64(w*w/4)+float64((y-70)*(y-70))/float64((h-70)*(h-70)) <= 1
			if !dentro {
				continue
			}
			c := color.RGBA{0, 89, 179, 255}
			if (x > 40 && x < 56) || (y > 38 && y < 54) {
				c = color.RGBA{255, 255, 255, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The patto on paper (issue 21, point 3): the version to sign has no
// "Bozza", the ente's header (comune, ambito, logo), each signer of the
// signing form with their codice fiscale (not the 10-year-old), place and
// date, the case manager's office contacts, the ambito's privacy notice,
// "Pagina 1 di N"; the draft says it is a draft; the signed version prints
// who signed, when and how. The PDF is read with pdftotext and drawn with
// pdftoppm (with SCREENSHOT_DIR: patto-pagina-1.png, …).
func TestPattoSuCarta(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	ctx := context.Background()
	adm := f.people["amministratore"]
	cm := f.people["casemanager"]

	// The ambito's privacy notice and logo, the case manager's contacts.
	const informativa = "Informativa dell'Ambito di prova ai sensi dell'art. 13 del GDPR: i dati sono trattati per il patto."
	if err := f.acc.SalvaImpostazioni(ctx, adm, accesso.ModuloImpostazioni{Informativa: informativa, Logo: stemma(t)}, registro.Voce{Esito: registro.Consentito}); err != nil {
		t.Fatal(err)
	}
	sc, err := f.acc.SchedaOperatore(ctx, adm, cm.OperatoreID, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	o := sc.Operatore
	an := accesso.Anagrafica{CodiceFiscale: o.CodiceFiscale, Nome: o.Nome, Cognome: o.Cognome, DataNascita: calendario.ISO(*o.DataNascita),
		ComuneNascita: o.ComuneNascita, Genere: o.Genere, Email: o.Email, Telefono: o.Telefono,
		TelefonoUfficio: "080 5771111", EmailUfficio: "servizisociali@comune.example.it", OrariUfficio: "lunedì e giovedì 9–12"}
	if err := f.acc.UpdateAnagrafica(ctx, adm, cm.OperatoreID, sc.Versione, an, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	im, err := f.acc.Impostazioni(ctx, adm)
	if err != nil {
		t.Fatal(err)
	}
	var comune string
	if err := f.pool.QueryRow(ctx, `SELECT co.denominazione FROM caso c JOIN comune co ON co.id = c.comune_id WHERE c.id = $1`, f.caso).Scan(&comune); err != nil {
		t.Fatal(err)
	}

	if st, _, _ := f.post(t, "casemanager", f.base()+"/inizia", nil); st != http.StatusSeeOther {
		t.Fatalf("start: %d", st)
	}
	if st, _, _ := f.post(t, "casemanager", f.base(), f.modulo(f.corrente(t), f.laura.String())); st != http.StatusSeeOther {
		t.Fatalf("save: %d", st)
	}
	v := f.corrente(t)
	firmatari := patto.Firmatari(v.Contenuto, oggi)

	// The version to sign.
	st, body := f.get(t, "casemanager", f.base()+"/patto.pdf?copia=firma")
	if st != 200 {
		t.Fatalf("version to sign: %d", st)
	}
	testo := pdftest.Testo(t, []byte(body))
	if strings.Contains(testo, "Bozza") {
		t.Errorf("the version to sign says Bozza:\n%s", testo)
	}
	pagine := strings.Count(strings.TrimRight(testo, "\f\n"), "\f") + 1
	pdftest.Contiene(t, testo, "Comune di "+comune, im.Denominazione, "Il nostro patto per l'inclusione sociale",
		"Bianchi Laura", "BNCLRA86A41A944X", "familiare responsabile", v.Contenuto.CaseManager, o.CodiceFiscale, "case manager",
		"Neri Giulia", "Firmatario", "Codice fiscale", "Firma",
		"Letto, confermato e sottoscritto a "+comune+", il",
		"Telefono: 080 5771111", "E-mail: servizisociali@comune.example.it", "Orari di ricevimento: lunedì e giovedì 9–12",
		"Informativa sul trattamento dei dati personali", informativa,
		"Pagina 1 di "+itoa(pagine))
	if strings.Contains(testo, "BNCLCU16A01A944X") {
		t.Error("the 10-year-old is among the signatories")
	}
	if len(firmatari) != 3 {
		t.Errorf("signatories %+v, want Laura, the case manager, the educator", firmatari)
	}
	if n := len(pdftest.Pagine(t, []byte(body), "patto")); n != pagine {
		t.Errorf("pdftoppm draws %d pages, pdftotext reads %d", n, pagine)
	}
	// The signing form offers exactly the same people.
	_, page := f.get(t, "casemanager", f.base())
	if n := strings.Count(page, `name="firmatario"`); n != len(firmatari) {
		t.Errorf("the signing form offers %d signatories, the paper %d", n, len(firmatari))
	}
	for _, x := range firmatari {
		if !strings.Contains(page, `value="`+x.Chiave+`"`) {
			t.Errorf("the signing form lacks %s", x.Nome)
		}
	}

	// The print view says the same: the version to sign without the draft's
	// notice, the draft with it.
	_, html := f.get(t, "casemanager", f.base()+"/stampa?copia=firma")
	if strings.Contains(html, `data-testid="bozza-stampa"`) || !strings.Contains(html, "Letto, confermato e sottoscritto a "+comune) ||
		!strings.Contains(html, "BNCLRA86A41A944X") || !strings.Contains(html, "Telefono: 080 5771111") || !strings.Contains(html, `data-testid="tabella-firme"`) {
		t.Error("the print view of the version to sign lacks its parts or says Bozza")
	}
	if _, html := f.get(t, "casemanager", f.base()+"/stampa"); !strings.Contains(html, `data-testid="bozza-stampa"`) {
		t.Error("the print view of the draft does not say Bozza")
	}

	// The draft stays marked as a draft.
	_, body = f.get(t, "casemanager", f.base()+"/patto.pdf")
	pdftest.Contiene(t, pdftest.Testo(t, []byte(body)), "Bozza: il contenuto può ancora cambiare")

	// Signed: who signed, when, how.
	fm := firma(v.Revisione, patto.OTP, "o:cm", "c:"+f.laura.String())
	if st, loc, _ := f.postFile(t, "casemanager", f.base()+"/sottoscrivi", fm, "", nil); st != http.StatusSeeOther {
		t.Fatalf("sign: %d %q", st, loc)
	}
	_, body = f.get(t, "casemanager", f.base()+"/patto.pdf?copia=firma")
	testo = pdftest.Testo(t, []byte(body))
	pdftest.Contiene(t, testo, "Sottoscrizione", "Il patto è stato sottoscritto a "+comune+" il 20/10/2026",
		"Modalità: Firma con codice OTP.", "Ha firmato", "Bianchi Laura", "BNCLRA86A41A944X", v.Contenuto.CaseManager, o.CodiceFiscale)
	if strings.Contains(testo, "Bozza") || strings.Contains(testo, "Letto, confermato e sottoscritto") {
		t.Errorf("the signed version prints as a draft or with empty signature lines:\n%s", testo)
	}
	pdftest.Pagine(t, []byte(body), "patto-firmato")
}
