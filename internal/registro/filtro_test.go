package registro

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
)

// The days of the filter accept gg/mm/aaaa as well as the date input's
// aaaa-mm-gg; each is a whole day in Rome ("al" included).
func TestFiltroDateGgMmAaaa(t *testing.T) {
	t.Parallel()
	amb := int64(1)
	for _, q := range []string{"dal=2026-03-05&al=2026-03-06", "dal=05/03/2026&al=6/3/2026"} {
		r := httptest.NewRequest("GET", "/admin/registro?"+q, nil)
		r = r.WithContext(authz.WithPrincipal(r.Context(), authz.Principal{AmbitoID: &amb}))
		f, _, errs, err := (&Handler{}).filter(r)
		if err != nil || len(errs) != 0 {
			t.Fatalf("%s: %v %v", q, errs, err)
		}
		dal, al := time.Date(2026, 3, 5, 0, 0, 0, 0, calendario.Roma), time.Date(2026, 3, 7, 0, 0, 0, 0, calendario.Roma)
		if f.Dal == nil || !f.Dal.Equal(dal) || f.Al == nil || !f.Al.Equal(al) {
			t.Errorf("%s: [%v, %v), want [%v, %v)", q, f.Dal, f.Al, dal, al)
		}
	}
	r := httptest.NewRequest("GET", "/admin/registro?dal=31/02/2026", nil)
	r = r.WithContext(authz.WithPrincipal(r.Context(), authz.Principal{AmbitoID: &amb}))
	if _, _, errs, _ := (&Handler{}).filter(r); errs["dal"] != "Data non valida (gg/mm/aaaa)." {
		t.Errorf("31/02/2026: %v", errs)
	}
}
