package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/a-h/templ"
)

// The summary lists the errors in the order of their fields in the page,
// each a link to its field; an error without a field comes last (issue 21,
// point 5).
func TestErrorSummaryInOrdineDiPagina(t *testing.T) {
	form := templ.Raw(`<form><input id="zeta"><select id="alfa"></select><textarea id="medio"></textarea></form>`)
	errs := map[string]string{"alfa": "Errore di alfa.", "zeta": "Errore di zeta.", "medio": "Errore di medio.", "generale": "Errore generale."}
	var b strings.Builder
	if err := ErrorSummaryDi(errs, form).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	z, a, m, g := strings.Index(got, `href="#zeta"`), strings.Index(got, `href="#alfa"`), strings.Index(got, `href="#medio"`), strings.Index(got, "Errore generale.")
	if z < 0 || a < 0 || m < 0 || g < 0 || !(z < a && a < m && m < g) {
		t.Errorf("not in page order with links:\n%s", got)
	}
	if strings.Contains(got, `href="#generale"`) {
		t.Error("an error without a field got a link")
	}
	b.Reset()
	if err := ErrorSummaryDi(nil, form).Render(context.Background(), &b); err != nil || b.Len() != 0 {
		t.Errorf("no errors: %q %v", b.String(), err)
	}
}
