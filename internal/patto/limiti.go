package patto

import "github.com/cartella/cartella/internal/httpx"

// Limiti are the maximum lengths of the patto's fields, in characters
// (docs/formats/limiti.md): every text MaxTesto, as Formati checks it too;
// the reason of a revision 4,000.
var Limiti = httpx.Limiti{Modulo: "patto", Campi: []httpx.Limite{
	{Campo: "motivo", Max: 4000},
	{Campo: "*", Max: MaxTesto},
}}
