package httpx

import (
	"net/url"
	"strings"
	"testing"
)

func TestID(t *testing.T) {
	for s, want := range map[string]int64{"": 0, "7": 7, " 12 ": 12, "-1": 0, "abc": 0, "2147483647": 2147483647,
		"2147483648": 0, "9223372036854775808": 0, "99999999999999999999": 0, "1e3": 0} {
		if got := ID(s); got != want {
			t.Errorf("ID(%q) = %d, want %d", s, got, want)
		}
	}
}

// Limits are counted in characters, not bytes; a * stands for an id in
// the name; the first matching row wins; the message names both numbers.
func TestLimiti(t *testing.T) {
	l := Limiti{Modulo: "prova", Campi: []Limite{{"note", 5}, {"c-*-note", 3}, {"*", 10}}}
	for campo, want := range map[string]int{"note": 5, "c-1234-note": 3, "c-ab-cd-note": 3, "altro": 10} {
		if got := l.Max(campo); got != want {
			t.Errorf("Max(%q) = %d, want %d", campo, got, want)
		}
	}
	if got := (Limiti{}).Max("x"); got != 0 {
		t.Errorf("no limits: %d", got)
	}
	errs := l.Controlla(nil, url.Values{"note": {"èèèèè"}, "c-1-note": {"abcd"}, "altro": {strings.Repeat("x", 10)}})
	if len(errs) != 1 || errs["c-1-note"] != "Al massimo 3 caratteri: ne hai scritti 4." {
		t.Errorf("Controlla: %v", errs)
	}
	errs = FieldErrors{"note": "Scrivi la nota."}
	if MaxTesto(errs, "note", "èèèèèè", 5); errs["note"] != "Al massimo 5 caratteri: ne hai scritti 6." {
		t.Errorf("the length's message replaces the other: %v", errs)
	}
}
