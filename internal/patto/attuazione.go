package patto

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/schede"
)

// StatoSostegno is where a sostegno stands after signing (§6.3).
type StatoSostegno string

// States of a sostegno.
const (
	Proposto    StatoSostegno = "proposto"
	Attivato    StatoSostegno = "attivato"
	InCorso     StatoSostegno = "in_corso"
	Concluso    StatoSostegno = "concluso"
	NonAttivato StatoSostegno = "non_attivato"
)

// StatiSostegno in display order.
var StatiSostegno = []StatoSostegno{Proposto, Attivato, InCorso, Concluso, NonAttivato}

// Label is the state in Italian.
func (s StatoSostegno) Label() string {
	switch s {
	case Proposto:
		return "Proposto"
	case Attivato:
		return "Attivato"
	case InCorso:
		return "In corso"
	case Concluso:
		return "Concluso"
	case NonAttivato:
		return "Non attivato"
	}
	return string(s)
}

// Attuazione is the progress of a sostegno of a signed patto: not part of
// the signed version, it changes without a new one.
type Attuazione struct {
	SostegnoID     string
	Stato          StatoSostegno
	Motivo         string
	AvvioEffettivo *time.Time
	FineEffettiva  *time.Time
	Versione       int
	AggiornataDa   string
	AggiornataIl   time.Time
}

// AttuazioneInput is the form of a sostegno's progress, as typed.
type AttuazioneInput struct {
	SostegnoID     string
	Stato          string
	Motivo         string
	AvvioEffettivo string
	FineEffettiva  string
	Versione       string
}

// DaAttuazione is the form filled with a sostegno's progress.
func DaAttuazione(a Attuazione) AttuazioneInput {
	in := AttuazioneInput{SostegnoID: a.SostegnoID, Stato: string(a.Stato), Motivo: a.Motivo, Versione: strconv.Itoa(a.Versione)}
	if a.AvvioEffettivo != nil {
		in.AvvioEffettivo = a.AvvioEffettivo.Format(time.DateOnly)
	}
	if a.FineEffettiva != nil {
		in.FineEffettiva = a.FineEffettiva.Format(time.DateOnly)
	}
	return in
}

// ConflittoAttuazione: the sostegno's progress changed since the form was
// loaded; Attuale is what it is now.
type ConflittoAttuazione struct{ Attuale Attuazione }

func (c *ConflittoAttuazione) Error() string { return "patto: attuazione cambiata nel frattempo" }

// Campo is the form field name of a sostegno's progress.
func Campo(sostegnoID, f string) string { return "a-" + sostegnoID + "-" + f }

func validaAttuazione(in AttuazioneInput, oggi time.Time) (StatoSostegno, *time.Time, *time.Time, httpx.FieldErrors) {
	errs := httpx.FieldErrors{}
	stato := StatoSostegno(in.Stato)
	valido := false
	for _, s := range StatiSostegno {
		valido = valido || s == stato
	}
	if !valido {
		errs[Campo(in.SostegnoID, "stato")] = "Scegli lo stato del sostegno."
	}
	motivo := strings.TrimSpace(in.Motivo)
	if stato == NonAttivato && motivo == "" {
		errs[Campo(in.SostegnoID, "motivo")] = "Indica perché il sostegno non è stato attivato."
	} else if utf8.RuneCountInString(motivo) > 2000 {
		errs[Campo(in.SostegnoID, "motivo")] = "Il motivo non può superare i 2000 caratteri."
	}
	parse := func(campo, v string) *time.Time {
		if v == "" {
			return nil
		}
		d, ok := calendario.ParseData(v)
		if !ok {
			errs[Campo(in.SostegnoID, campo)] = "La data non è valida: usa il formato gg/mm/aaaa."
			return nil
		}
		if d.After(oggi) {
			errs[Campo(in.SostegnoID, campo)] = "La data effettiva non può essere futura."
			return nil
		}
		return &d
	}
	avvio, fine := parse("avvio", in.AvvioEffettivo), parse("fine", in.FineEffettiva)
	if avvio != nil && fine != nil && fine.Before(*avvio) {
		errs[Campo(in.SostegnoID, "fine")] = "La fine effettiva non può precedere l'avvio."
	}
	if (stato == Attivato || stato == InCorso || stato == Concluso) && avvio == nil && len(errs) == 0 {
		errs[Campo(in.SostegnoID, "avvio")] = "Indica la data di avvio effettivo."
	}
	if stato == Concluso && fine == nil && len(errs) == 0 {
		errs[Campo(in.SostegnoID, "fine")] = "Indica la data di fine effettiva."
	}
	if len(errs) > 0 {
		return stato, avvio, fine, errs
	}
	return stato, avvio, fine, nil
}

// AggiornaSostegno records the progress of a sostegno of the newest signed
// patto, loaded at in.Versione: when it moved on, nothing is written and
// the error is a *ConflittoAttuazione. The signed version does not change.
func (s *Service) AggiornaSostegno(ctx context.Context, p authz.Principal, casoID uuid.UUID, in AttuazioneInput, v registro.Voce) (httpx.FieldErrors, error) {
	versione, _ := strconv.Atoi(in.Versione)
	stato, avvio, fine, errs := validaAttuazione(in, s.oggi())
	if len(errs) > 0 {
		return errs, nil
	}
	v.OggettoTipo = OggettoTipo
	err := s.casi.ScriviContenuto(ctx, p, casoID, v, ErrChiuso, func(tx pgx.Tx, _ casi.Caso, w *registro.Voce) (err error) {
		w.OggettoID, w.Dettaglio, err = s.aggiornaSostegno(ctx, tx, p, casoID, in, versione, stato, avvio, fine)
		return err
	})
	return nil, err
}

func (s *Service) aggiornaSostegno(ctx context.Context, tx pgx.Tx, p authz.Principal, casoID uuid.UUID, in AttuazioneInput,
	versione int, stato StatoSostegno, avvio, fine *time.Time) (string, string, error) {
	cont, _, err := s.firmatoTx(ctx, tx, casoID)
	if err != nil {
		return "", "", err
	}
	var sostegno *Sostegno
	for i := range cont.Sostegni {
		if cont.Sostegni[i].ID == in.SostegnoID {
			sostegno = &cont.Sostegni[i]
		}
	}
	if sostegno == nil {
		return "", "", ErrNonTrovata
	}
	scritta, err := scriviAttuazione(ctx, tx, casoID, in.SostegnoID, versione, stato, strings.TrimSpace(in.Motivo), avvio, fine, p.OperatoreID)
	if err != nil {
		return "", "", err
	}
	if !scritta {
		all, err := attuazioni(ctx, tx, casoID)
		if err != nil {
			return "", "", err
		}
		a, ok := all[in.SostegnoID]
		if !ok {
			return "", "", ErrNonTrovata
		}
		return "", "", &ConflittoAttuazione{Attuale: a}
	}
	rif, err := CaricaRiferimenti(ctx, tx, s.oggi())
	if err != nil {
		return "", "", err
	}
	op := p.OperatoreID
	nota := "Sostegno «" + rif.EtichettaSostegno(sostegno.Tipo) + "»: " + stato.Label()
	if m := strings.TrimSpace(in.Motivo); m != "" {
		nota += " (" + m + ")"
	}
	if err := casi.Storico(ctx, tx, casoID, &op, "sostegno", "", string(stato), nota); err != nil {
		return "", "", err
	}
	return in.SostegnoID, "attuazione del sostegno: " + string(stato), nil
}

func (s *Service) firmatoTx(ctx context.Context, q schede.Querier, casoID uuid.UUID) (Contenuto, int, error) {
	sv, err := schede.UltimaDefinitiva(ctx, q, casoID, Tipo)
	if errors.Is(err, schede.ErrNonTrovata) {
		return Contenuto{}, 0, ErrNonFirmato
	} else if err != nil {
		return Contenuto{}, 0, err
	}
	v, err := schede.Leggila[Contenuto](sv)
	return v.Contenuto, v.Numero, err
}
