package quadro

import "github.com/cartella/cartella/internal/httpx"

// Limiti are the maximum lengths of the quadro di analisi's fields, in
// characters (docs/formats/limiti.md): the sintesi 20,000, the texts of
// each dimension 4,000; any other field (levels, choices) 200.
var Limiti = httpx.Limiti{Modulo: "quadro", Campi: []httpx.Limite{
	{Campo: "sintesi", Max: 20000},
	{Campo: "motivo", Max: 4000},
	{Campo: "*-risorse", Max: 4000},
	{Campo: "*-note", Max: 4000},
	{Campo: "*", Max: 200},
}}
