// Package importazioni brings the households of the nuclei flow into Cartella
// from the importazioni page: the upload of a file (docs/formats/nuclei.md)
// by the coordinatore PaIS or the operatore ATS, its import run in the
// background with its progress, and the report of every rejected line, all
// within the principal's ambito. `cartella import nuclei` runs the same
// engine from the command line.
//
// Reading and checking the file is internal/flusso's; writing the
// households (persona, nucleo with its composition history, domanda, caso,
// all or nothing per household, idempotent by id_domanda) is the import
// engine the composition root hands in as a Motore (casi.Service.Importa).
// This package owns the lifecycle around it: the importazione record, the
// uploaded file, the background run bounded by the server's life, who may
// see which import (the ambito of the principal), and the report.
package importazioni

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/flusso"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
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

// Motore applies the flow read from r to the import id (already recorded,
// stato in_corso) of ambito ambitoID: it writes the households, the
// rejected lines and the progress into the importazione row as it goes,
// records the writes in the registro (v says who and from where), and ends
// the row completata or fallita. casi.Service.Importa is the one in use.
type Motore func(ctx context.Context, id, ambitoID int64, operatore *uuid.UUID, r io.Reader, v registro.Voce) error

// MotoreDi adapts an engine whose import also returns the import as it
// ended (casi.Service.Importa): nucleo reads it back itself.
func MotoreDi[T any](importa func(ctx context.Context, id, ambitoID int64, operatore *uuid.UUID, r io.Reader, v registro.Voce) (T, error)) Motore {
	return func(ctx context.Context, id, ambitoID int64, operatore *uuid.UUID, r io.Reader, v registro.Voce) error {
		_, err := importa(ctx, id, ambitoID, operatore, r, v)
		return err
	}
}

// Stati of an import.
const (
	InCorso    = "in_corso"
	Completata = "completata"
	Fallita    = "fallita"
)

// Importazione is an import of the flow as the list, the progress page and
// the command line show it.
type Importazione struct {
	ID         int64
	AmbitoID   int64
	Operatore  string // "Nome Cognome"; empty when started from the command line
	FileNome   string
	FileByte   int64
	Stato      string // InCorso, Completata, Fallita
	ByteLetti  int64
	Righe      int
	Inseriti   int
	Aggiornati int
	Invariati  int
	Scartati   int
	Errore     string // why it failed, never personal data
	IniziataIl time.Time
	ConclusaIl *time.Time
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
	}
	return i.Stato
}

// Riepilogo is the one-line summary of the counters.
func (i Importazione) Riepilogo() string {
	return fmt.Sprintf("%d righe lette, %d nuclei inseriti, %d aggiornati, %d invariati, %d righe scartate",
		i.Righe, i.Inseriti, i.Aggiornati, i.Invariati, i.Scartati)
}

// Scarto is a rejected line with its reasons (the importazione_scarto row).
type Scarto = flusso.Scarto
