// Package importazioni brings the households of the nuclei flow into Cartella
// from the importazioni page: the upload of a file (docs/formats/nuclei.md)
// by the coordinatore PaIS or the operatore ATS, its import run in the
// background with its progress, and the report of every rejected line, all
// within the principal's ambito. `cartella import nuclei` runs the same
// engine from the command line.
//
// Reading and checking the file is internal/flusso's. The import engine
// (motore.go) is this package's: it decides, for each household, whether it
// is new, changed or unchanged (idempotent by id_domanda), rejects what
// cannot go in with the reason, and hands the writes to casi, which owns
// persona, nucleo with its composition history, domanda and caso (new
// households in bulk, a changed one all or nothing). This package also owns
// the lifecycle around it: the importazione record, the uploaded file (in
// the Deposito, removed on every path), the background run bounded by the
// server's life, its heartbeat and the recovery of the imports whose
// process died (interrotta, counters as committed, taken up by uploading
// the file again), who may see which import (the ambito of the
// principal), and the report.
package importazioni

import (
	"errors"
	"fmt"
	"time"

	"github.com/cartella/cartella/internal/flusso"
	"github.com/cartella/cartella/internal/httpx"
)

// Errors, wrapping the kinds httpx maps to a status.
var (
	// ErrNotFound: no such import, or one of another ambito (not told apart).
	ErrNotFound = fmt.Errorf("importazioni: importazione: %w", httpx.ErrNotFound)
	// ErrNoAmbito: the principal acts in no ambito, so there is nothing to import into.
	ErrNoAmbito = fmt.Errorf("importazioni: no ambito: %w", httpx.ErrForbidden)
	// ErrFileVuoto: the file holds nothing.
	ErrFileVuoto = errors.New("importazioni: empty file")
)

// Stati of an import.
const (
	InCorso    = "in_corso"
	Completata = "completata"
	Fallita    = "fallita"
	// Interrotta: the process running it stopped before its end (a crash,
	// kill -9, a shutdown). The households confirmed until then stay and
	// are counted; uploading the same file again completes it.
	Interrotta = "interrotta"
)

// Importazione is an import of the flow as the list, the progress page and
// the command line show it.
type Importazione struct {
	ID         int64
	AmbitoID   int64
	Operatore  string // "Nome Cognome"; empty when started from the command line
	FileNome   string
	FileByte   int64
	Stato      string // InCorso, Completata, Fallita, Interrotta
	ByteLetti  int64
	Righe      int
	Inseriti   int
	Aggiornati int
	Invariati  int
	Scartati   int
	Errore     string // why it failed, never personal data
	IniziataIl time.Time
	ConclusaIl *time.Time
	RipresaDi  int64     // the interrupted import this one takes up (0: none)
	RipresaIn  int64     // the latest import that took this one up (0: none)
	Battito    time.Time // last heartbeat of the process running it
}

// Percentuale of the file read, 0–100: what the progress bar shows.
func (i Importazione) Percentuale() int {
	switch {
	case i.Stato == Completata:
		return 100
	case i.FileByte <= 0:
		return 0
	}
	return int(min(i.ByteLetti*100/i.FileByte, 100))
}

// Da says who started the import, for people.
func (i Importazione) Da() string {
	if i.Operatore == "" {
		return "riga di comando"
	}
	return i.Operatore
}

// InCorso reports whether the import is still running.
func (i Importazione) InCorso() bool { return i.Stato == InCorso }

// StatoLabel is the state in Italian.
func (i Importazione) StatoLabel() string {
	switch i.Stato {
	case InCorso:
		return "In corso"
	case Completata:
		return "Completata"
	case Fallita:
		return "Non riuscita"
	case Interrotta:
		return "Interrotta"
	}
	return i.Stato
}

// Riprendibile reports whether the page offers to upload the file again to
// complete the import.
func (i Importazione) Riprendibile() bool { return i.Stato == Interrotta || i.Stato == Fallita }

// Riepilogo is the one-line summary of the counters.
func (i Importazione) Riepilogo() string {
	return fmt.Sprintf("%d righe lette, %d nuclei inseriti, %d aggiornati, %d invariati, %d righe scartate",
		i.Righe, i.Inseriti, i.Aggiornati, i.Invariati, i.Scartati)
}

// Scarto is a rejected line with its reasons (the importazione_scarto row).
type Scarto = flusso.Scarto
