package ui

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"sort"

	"github.com/a-h/templ"
)

// ErrorSummaryDi is ErrorSummary for the form f: each error links to its
// field, in the order the fields come in the page (found by rendering f
// first: the summary stands above it); errors with no field of their own
// follow, without a link.
func ErrorSummaryDi(errs map[string]string, f templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if len(errs) == 0 {
			return nil
		}
		var buf bytes.Buffer
		if err := f.Render(ctx, &buf); err != nil {
			return err
		}
		return errorSummaryLinks(voci(buf.String(), errs)).Render(ctx, w)
	})
}

var reID = regexp.MustCompile(`\bid="([^"]+)"`)

// voceErrore is one line of the summary: the message, and the field it
// links to ("" for none).
type voceErrore struct{ Campo, Messaggio string }

// voci orders the errors by the position of their field in page (an HTML
// rendering), then the others by key.
func voci(page string, errs map[string]string) []voceErrore {
	var out []voceErrore
	visti := map[string]bool{}
	for _, m := range reID.FindAllStringSubmatch(page, -1) {
		if msg, ok := errs[m[1]]; ok && !visti[m[1]] {
			visti[m[1]] = true
			out = append(out, voceErrore{Campo: m[1], Messaggio: msg})
		}
	}
	var resto []string
	for k := range errs {
		if !visti[k] {
			resto = append(resto, k)
		}
	}
	sort.Strings(resto)
	for _, k := range resto {
		out = append(out, voceErrore{Messaggio: errs[k]})
	}
	return out
}
