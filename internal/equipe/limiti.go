package equipe

import "github.com/cartella/cartella/internal/httpx"

// Limiti are the maximum lengths, in characters, of the free-text fields of
// the équipe's forms (docs/formats/limiti.md).
var Limiti = httpx.Limiti{Modulo: "equipe", Campi: []httpx.Limite{
	{Campo: "nome", Max: 150},
	{Campo: "cognome", Max: 150},
	{Campo: "funzione", Max: 150},
	{Campo: "ente", Max: 200},
	{Campo: "email", Max: 254},
	{Campo: "luogo", Max: 200},
	{Campo: "ordine_del_giorno", Max: 4000},
}}
