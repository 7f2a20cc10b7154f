package database

import "github.com/jackc/pgx/v5"

// PerChiave reads rows of two columns, a key and its value, into a map
// (e.g. each case's next appointment for a batch of cases), and closes
// rows.
func PerChiave[K comparable, V any](rows pgx.Rows) (map[K]V, error) {
	defer rows.Close()
	out := map[K]V{}
	for rows.Next() {
		var k K
		var v V
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}
