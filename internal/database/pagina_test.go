package database

import "testing"

func TestPagina(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: " LIMIT 26 OFFSET 0", 1: " LIMIT 26 OFFSET 0", 3: " LIMIT 26 OFFSET 50"} {
		if got := Pagina(n, 25); got != want {
			t.Errorf("Pagina(%d) = %q, want %q", n, got, want)
		}
	}
	if rs, more := Taglia([]int{1, 2, 3}, 2); len(rs) != 2 || !more {
		t.Errorf("Taglia: %v %v", rs, more)
	}
	if rs, more := Taglia([]int{1, 2}, 2); len(rs) != 2 || more {
		t.Errorf("Taglia, last page: %v %v", rs, more)
	}
}
