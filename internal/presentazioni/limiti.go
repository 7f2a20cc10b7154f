package presentazioni

import "github.com/cartella/cartella/internal/httpx"

// LimitiRegistrazione are the maximum lengths, in characters, of the
// free-text fields of the registration form (docs/formats/limiti.md).
var LimitiRegistrazione = httpx.Limiti{Modulo: "presentazioni: registrazione", Campi: []httpx.Limite{
	{Campo: "motivo", Max: 500},
}}
