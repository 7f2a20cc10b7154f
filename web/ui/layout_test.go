package ui

import "testing"

// One entry of the navigation is current: the section the page is in, the
// more specific one when two contain it.
func TestActive(t *testing.T) {
	nav := []NavItem{{"Home", "/"}, {"Casi", "/casi"}, {"Apri un caso", "/casi/nuovo"}, {"Segnalazioni", "/casi/segnalazioni"}, {"Agenda", "/agenda"}}
	for _, tc := range []struct{ path, want string }{
		{"/", "Home"},
		{"/casi", "Casi"},
		{"/casi/0b9f0c4e-0000-4a0e-9a7e-000000000001/patto", "Casi"},
		{"/casi/nuovo", "Apri un caso"},
		{"/casi/segnalazioni", "Segnalazioni"},
		{"/agenda/settimana", "Agenda"},
		{"/casinò", ""},
	} {
		s := Shell{Current: tc.path, Nav: nav}
		var got []string
		for _, n := range nav {
			if s.active(n) {
				got = append(got, n.Label)
			}
		}
		if (tc.want == "" && len(got) != 0) || (tc.want != "" && (len(got) != 1 || got[0] != tc.want)) {
			t.Errorf("%s: current %v, want %q", tc.path, got, tc.want)
		}
	}
}
