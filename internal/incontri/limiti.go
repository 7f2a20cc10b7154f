package incontri

import "github.com/cartella/cartella/internal/httpx"

// The maximum lengths, in characters, of the free-text fields of the
// incontri's forms (docs/formats/limiti.md), one table per form since
// "note" and "motivo" differ between them.
var (
	LimitiConvocazione = httpx.Limiti{Modulo: "incontri: convocazione", Campi: []httpx.Limite{
		{Campo: "luogo", Max: 200},
		{Campo: "note", Max: 2000},
	}}
	LimitiIncontro = httpx.Limiti{Modulo: "incontri: incontro registrato", Campi: []httpx.Limite{
		{Campo: "luogo", Max: 200},
		{Campo: "note", Max: 5000},
		{Campo: "motivo_*", Max: 500},
	}}
	LimitiGiustificazione = httpx.Limiti{Modulo: "incontri: assenza giustificata", Campi: []httpx.Limite{
		{Campo: "motivo", Max: 500},
		{Campo: "documento", Max: 200},
	}}
	LimitiAgenda = httpx.Limiti{Modulo: "incontri: disponibilità dell'agenda", Campi: []httpx.Limite{
		{Campo: "ufficio", Max: 200},
	}}
)
