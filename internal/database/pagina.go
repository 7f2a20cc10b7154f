package database

import "strconv"

// Pagina is the LIMIT … OFFSET clause of page n (from 1) of a list of
// righe rows per page: it asks one row more, so that Taglia can tell
// whether another page follows.
// A page number beyond MaxPagina is read as MaxPagina: an absurd number
// typed in the address (pagina=99999999999999999999) never overflows the
// offset.
func Pagina(n, righe int) string {
	n = min(max(n, 1), MaxPagina)
	return " LIMIT " + strconv.Itoa(righe+1) + " OFFSET " + strconv.Itoa((n-1)*righe)
}

// MaxPagina is the highest page number a list serves.
const MaxPagina = 1_000_000

// Taglia trims rs, read with Pagina, to righe rows and reports whether
// there are more.
func Taglia[T any](rs []T, righe int) ([]T, bool) {
	if len(rs) > righe {
		return rs[:righe], true
	}
	return rs, false
}
