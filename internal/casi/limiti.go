package casi

import "github.com/cartella/cartella/internal/httpx"

// Limiti are the maximum lengths, in characters, of the free-text fields of
// the case's forms (docs/formats/limiti.md).
var Limiti = httpx.Limiti{Modulo: "casi", Campi: []httpx.Limite{
	{Campo: "testo", Max: 20000},               // a note of the diario sociale
	{Campo: "c*_luogo_nascita", Max: maxLuogo}, // apri un caso: a comune or state typed by name
	{Campo: "c*_cittadinanza", Max: maxLuogo},  // apri un caso: a nation typed by name
}}
