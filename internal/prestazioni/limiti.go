package prestazioni

import "github.com/cartella/cartella/internal/httpx"

// LimitiPrestazione are the maximum lengths, in characters, of the free-text
// fields of the prestazione form (docs/formats/limiti.md): the schema's own
// (NumeroProtocolloDSU 30, ProtocolloDomanda 32) and the list of codes of
// the SINA's necessità di interventi sociali.
var LimitiPrestazione = httpx.Limiti{Modulo: "prestazioni: prestazione", Campi: []httpx.Limite{
	{Campo: "dsu_protocollo", Max: 30},
	{Campo: "protocollo_domanda", Max: 32},
	{Campo: "interventi", Max: 200},
}}

// LimitiEnte are those of the ente form (/admin/siuss): the schema's
// Denominazione (100) and the ente's code (30, so that id_flusso keeps
// within the 50 characters of IdentificazioneFlusso's Nome).
var LimitiEnte = httpx.Limiti{Modulo: "prestazioni: ente per SIUSS", Campi: []httpx.Limite{
	{Campo: "codice_ente", Max: 30},
	{Campo: "denominazione", Max: 100},
}}
