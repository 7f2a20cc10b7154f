package database

import "strconv"

// Pagina is the LIMIT … OFFSET clause of page n (from 1) of a list of
// righe rows per page: it asks one row more, so that Taglia can tell
// whether another page follows.
func Pagina(n, righe int) string {
	return " LIMIT " + strconv.Itoa(righe+1) + " OFFSET " + strconv.Itoa((max(n, 1)-1)*righe)
}

// Taglia trims rs, read with Pagina, to righe rows and reports whether
// there are more.
func Taglia[T any](rs []T, righe int) ([]T, bool) {
	if len(rs) > righe {
		return rs[:righe], true
	}
	return rs, false
}
