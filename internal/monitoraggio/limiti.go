package monitoraggio

import "github.com/cartella/cartella/internal/httpx"

// The maximum lengths, in characters, of the free-text fields of the
// monitoring forms (docs/formats/limiti.md): planning, registering and
// cancelling an incontro.
var (
	LimitiPianifica = httpx.Limiti{Modulo: "monitoraggio: incontro pianificato", Campi: []httpx.Limite{
		{Campo: "luogo", Max: 200},
		{Campo: "note", Max: 2000},
	}}
	LimitiRegistra = httpx.Limiti{Modulo: "monitoraggio: incontro registrato", Campi: []httpx.Limite{
		{Campo: "nota_r_*", Max: 1000},
		{Campo: "nota_i_*", Max: 1000},
		{Campo: "note", Max: 5000},
		{Campo: "partecipanti", Max: 1000},
	}}
	LimitiAnnulla = httpx.Limiti{Modulo: "monitoraggio: annullamento", Campi: []httpx.Limite{
		{Campo: "motivo", Max: 500},
	}}
)
