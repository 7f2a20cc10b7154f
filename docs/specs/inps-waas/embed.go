// Package inpswaas gives the binary INPS's WaaS contract, the files of this
// folder as INPS publishes them (README.md): the XML Schema of the
// PS-PSA-SINA flow, that internal/prestazioni validates every flow against
// before storing it (ADR 0020), and the OpenAPI of the e-service.
package inpswaas

import _ "embed"

// PSPSASINA is PS_PSA_SINA201812.xsd, unchanged.
//
//go:embed PS_PSA_SINA201812.xsd
var PSPSASINA []byte

// APIComuni is api-comuni.yaml (v2.0.1), unchanged.
//
//go:embed api-comuni.yaml
var APIComuni []byte
