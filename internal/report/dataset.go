package report

import "context"

// The case-level pseudonymised dataset (issue 17, point 4): one row per
// case of the scope open on some day of the period, the case never named.
// The row is built from the base of casi (the cases, in a stable order)
// and the columns each other module adds for a batch of cases; the report
// joins them batch by batch, so that memory stays constant whatever the
// number of rows. Module columns are defined in docs/formats/dataset.md.

// CasoDataset is one case of the base: its internal id (never written to
// the file: the report replaces it with the pseudonymous id of the
// ambito) and the base columns' values.
type CasoDataset struct {
	ID     string // caso.id
	Valori []string
}

// BaseDataset lists the cases of the dataset (implemented by casi).
type BaseDataset interface {
	// ColonneBase: the names of the base columns, in order.
	ColonneBase() []string
	// ContaDataset: how many cases the dataset of f has (for progress).
	ContaDataset(ctx context.Context, f Filtro) (int, error)
	// ScorriDataset reads the cases of f in id order, with one query
	// whose rows are read as they come, and calls fn with each batch of n
	// (the last may be shorter); an error of fn stops it and is returned.
	// The batch is reused: fn must not keep it.
	ScorriDataset(ctx context.Context, f Filtro, n int, fn func([]CasoDataset) error) error
}

// FornitoreDataset is a module that adds columns to the dataset.
type FornitoreDataset interface {
	// ColonneDataset: the names of the columns added, in order.
	ColonneDataset() []string
	// ValoriDataset: for each case of the batch the module knows, its
	// values (len(ColonneDataset()) of them); a case absent from the map
	// has empty cells.
	ValoriDataset(ctx context.Context, f Filtro, casi []string) (map[string][]string, error)
}
