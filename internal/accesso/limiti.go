package accesso

import "github.com/cartella/cartella/internal/httpx"

// Limiti are the maximum lengths, in characters, of the free-text fields of
// the ambiti's and operators' forms (docs/formats/limiti.md).
var Limiti = httpx.Limiti{Modulo: "accesso", Campi: []httpx.Limite{
	{Campo: "codice", Max: 32},
	{Campo: "denominazione", Max: 200},
	{Campo: "ente_capofila", Max: 200},
	{Campo: "comune", Max: 100},
	{Campo: "nome", Max: 100},
	{Campo: "cognome", Max: 100},
	{Campo: "comune_nascita", Max: 100},
	{Campo: "email", Max: 254},
	{Campo: "telefono", Max: 30},
	{Campo: "telefono_ufficio", Max: 30},
	{Campo: "email_ufficio", Max: 254},
	{Campo: "orari_ufficio", Max: 200},
	{Campo: "informativa_privacy", Max: 6000},
	{Campo: "motivo", Max: 2000},
	{Campo: "stato_motivo", Max: 2000},
}}

// lunghezze adds to errs the messages of the fields of kv (name, value,
// name, value, …) longer than their Limiti.
func lunghezze(errs httpx.FieldErrors, kv ...string) httpx.FieldErrors {
	for i := 0; i+1 < len(kv); i += 2 {
		if max := Limiti.Max(kv[i]); max > 0 {
			errs = httpx.MaxTesto(errs, kv[i], kv[i+1], max)
		}
	}
	return errs
}
