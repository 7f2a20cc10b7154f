package httpx

import "testing"

// The destinations after login: local paths pass; every trick that a
// browser would turn into another site, or that carries control
// characters, becomes "/".
func TestSafeReturn(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"/casi", "/casi"},
		{"/casi/123?filtro=aperti&pagina=2", "/casi/123?filtro=aperti&pagina=2"},
		{"/controlli#elenco", "/controlli#elenco"},
		{"/%2F%2Fevil.example", "/"}, // decodes to "//evil.example": refused too
		{"", "/"},
		{"casi", "/"},
		{"//evil.example", "/"},
		{"/\t/evil.example", "/"}, // the finding: a tab, dropped by browsers
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"/ /evil.example", "/"},
		{"/\x00/evil.example", "/"},
		{"/\x7f/evil.example", "/"},
		{"/\\evil.example", "/"},
		{"/\\/evil.example", "/"},
		{"/casi\\..\\..", "/"},
		{"https://evil.example/", "/"},
		{"http:/evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"/\u00a0/evil.example", "/"}, // no-break space
		{"/\u2028/evil.example", "/"}, // line separator
		{"/\u0085/evil.example", "/"}, // next line (C1)
		{"/\xff\xfe", "/"},            // invalid UTF-8
		{"/" + string(make([]byte, 3000)), "/"},
	} {
		if got := SafeReturn(c.in); got != c.want {
			t.Errorf("SafeReturn(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
