package schede

import "testing"

func TestRevisione(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{
		"3": 3, " 12 ": 12, "0": 0, "": -1, "abc": -1, "-4": -1,
		"99999999999999999999": -1, "2147483648": -1, "2147483647": 2147483647,
	} {
		if got := Revisione(in); got != want {
			t.Errorf("Revisione(%q) = %d, want %d", in, got, want)
		}
	}
}
