package ui

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

func statusText(status int) string { return strconv.Itoa(status) }

func sortedErrors(errs map[string]string) []string {
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = errs[k]
	}
	return out
}

// pageURL sets the "pagina" parameter of a list URL.
func pageURL(base string, page int) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	if page <= 1 {
		q.Del("pagina")
	} else {
		q.Set("pagina", strconv.Itoa(page))
	}
	u.RawQuery = q.Encode()
	return strings.TrimSuffix(u.String(), "?")
}
