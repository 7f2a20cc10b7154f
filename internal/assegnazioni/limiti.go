package assegnazioni

import (
	"net/url"

	"github.com/cartella/cartella/internal/httpx"
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
