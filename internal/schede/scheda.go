package schede

import "time"

// Letta is a version with its content decoded into the module's C.
type Letta[C any] struct {
	Versione
	Contenuto C
}

// Leggila decodes the content of v.
func Leggila[C any](v Versione) (Letta[C], error) {
	c, err := Decodifica[C](v)
	return Letta[C]{Versione: v, Contenuto: c}, err
}

// Scheda is what Modulo reads for a page: the case K, the version asked
// for (nil: the case has none yet), the versions, the reference lists R
// valid today. A module's view embeds it and adds what is its own.
type Scheda[K, C, R any] struct {
	Caso        K
	Versione    *Letta[C]
	Versioni    []Versione // newest first
	Riferimenti R
	Oggi        time.Time
}

// Bozza reports whether the version shown is a draft.
func (sc Scheda[K, C, R]) Bozza() bool { return sc.Versione != nil && !sc.Versione.Definitiva() }

// Mostrata is the content and revisione of the version shown (Vista); ok
// is false when there is none.
func (sc Scheda[K, C, R]) Mostrata() (cont C, revisione int, ok bool) {
	if sc.Versione == nil {
		return cont, 0, false
	}
	return sc.Versione.Contenuto, sc.Versione.Revisione, true
}

// Confronto is the difference between two versions: the module's view S
// of the scheda (at its newest version), the two sides and what changed,
// labelled, with the values as shown.
type Confronto[S, C any] struct {
	Scheda      S
	Prima, Dopo Letta[C]
	Differenze  []Differenza
}
