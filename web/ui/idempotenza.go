package ui

import (
	"crypto/rand"
	"encoding/base64"
)

// ChiaveIdempotenza draws a new idempotency key: 128 random bits in
// base64url. Multipart forms carry it in their action's query
// ("?idempotenza="), the others through Idempotenza.
func ChiaveIdempotenza() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
