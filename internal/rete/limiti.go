package rete

import "github.com/cartella/cartella/internal/httpx"

// Limiti are the maximum lengths, in characters, of the free-text fields of
// the rete's forms (docs/formats/limiti.md). "motivo" is the reason typed
// when an ente refuses an invio (without the protocollo's list); the
// withdrawal's reason is MaxMotivoRitiro.
var Limiti = httpx.Limiti{Modulo: "rete", Campi: []httpx.Limite{
	{Campo: "denominazione", Max: 200},
	{Campo: "codice_fiscale", Max: 16},
	{Campo: "indirizzo", Max: 200},
	{Campo: "telefono", Max: 30},
	{Campo: "email", Max: 254},
	{Campo: "pec", Max: 254},
	{Campo: "referente", Max: 200},
	{Campo: "descrizione", Max: 4000},
	{Campo: "destinatari", Max: 2000},
	{Campo: "criteri_accesso", Max: 2000},
	{Campo: "modalita_accesso", Max: 2000},
	{Campo: "contatti", Max: 2000},
	{Campo: "capacita", Max: 9},
	{Campo: "titolo", Max: 300},
	{Campo: "priorita", Max: 4000},
	{Campo: "giorni_risposta_cm", Max: 3},
	{Campo: "giorni_risposta_persona", Max: 3},
	{Campo: "motivi_rifiuto", Max: 4000},
	{Campo: "motivazione", Max: MaxMotivazione},
	{Campo: "consenso_da", Max: MaxConsensoDa},
	{Campo: "motivo", Max: 500},
	{Campo: "nota", Max: 4000},
	{Campo: "esito_testo", Max: 4000},
	{Campo: "testo", Max: 4000},
}}

// lunghezze adds to fe the messages of the fields of kv (name, value, …)
// longer than their Limiti; a field that has a message already keeps it
// unless it is over-long.
func lunghezze(fe httpx.FieldErrors, kv ...string) httpx.FieldErrors {
	for i := 0; i+1 < len(kv); i += 2 {
		if max := Limiti.Max(kv[i]); max > 0 {
			fe = httpx.MaxTesto(fe, kv[i], kv[i+1], max)
		}
	}
	return fe
}
