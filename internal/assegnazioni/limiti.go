package assegnazioni

import (
	"net/http"
	"net/url"
	"unicode"
	"unicode/utf8"

	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/web/ui"
)

// Limiti are the maximum lengths, in characters, of the free-text fields of
// the assignment forms (docs/formats/limiti.md).
var Limiti = httpx.Limiti{Modulo: "assegnazioni", Campi: []httpx.Limite{
	{Campo: "motivo", Max: maxMotivo},
	{Campo: "motivo_tutti", Max: 500},
	{Campo: "comune", Max: 100},
}}

// lungo is the message of the first field of f longer than its limit ("":
// none).
func lungo(f url.Values) (string, string) {
	for k, m := range Limiti.Controlla(nil, f) {
		return k, m
	}
	return "", ""
}

// campoMotivo is the motivo field of the assignment forms.
func campoMotivo(f ui.Field) ui.Field {
	f.ID, f.Name, f.Label, f.MaxLength = "motivo", "motivo", "Motivo (per le riassegnazioni)", Limiti.Max("motivo")
	return f
}

// motivoScritto is the motivo as typed in a refused assignment (errore not
// empty), with its message when it is over-long: kept on the page.
func motivoScritto(r *http.Request, errore string) ui.Field {
	if r.Method != http.MethodPost || errore == "" {
		return ui.Field{}
	}
	v := r.PostFormValue("motivo")
	_, m := lungo(url.Values{"motivo": {v}})
	return ui.Field{Value: v, Error: m}
}

func minuscolaIniziale(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
