package analisi

import "github.com/cartella/cartella/internal/httpx"

// Limiti are the maximum lengths of the analisi preliminare's fields, in
// characters (docs/formats/limiti.md): the long narrative texts 20,000, the
// notes 4,000, the anagrafica's contacts as elsewhere; any other field
// (dates, codes, choices) 200.
var Limiti = httpx.Limiti{Modulo: "analisi", Campi: []httpx.Limite{
	{Campo: "n-indirizzo", Max: 200},
	{Campo: "n-domicilio", Max: 200},
	{Campo: "n-telefono", Max: 30},
	{Campo: "n-email", Max: 254},
	{Campo: "n-note", Max: 20000},
	{Campo: "n-servizi_note", Max: 4000},
	{Campo: "n-prestazioni", Max: 4000},
	{Campo: "n-risorse", Max: 20000},
	{Campo: "n-aspirazioni", Max: 20000},
	{Campo: "n-area-*-descrizione", Max: 4000},
	{Campo: "c-*-area-*-descrizione", Max: 4000},
	{Campo: "c-*-servizi_note", Max: 4000},
	{Campo: "c-*-note", Max: 20000},
	{Campo: "c-*-risorse", Max: 20000},
	{Campo: "c-*-aspirazioni", Max: 20000},
	{Campo: "motivazione", Max: 4000},
	{Campo: "motivo", Max: 4000},
	{Campo: "*", Max: 200},
}}
