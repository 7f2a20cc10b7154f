// Package posta is Cartella's outgoing e-mail: an outbox in the database
// (table posta_uscita) that modules write to inside their own transaction,
// and a worker that delivers the queued messages with retries and backoff.
//
// Delivery goes through a Sender: SMTP (net/smtp, STARTTLS when the server
// offers it, optional authentication) in production; in demo mode and in
// tests, when no SMTP server is configured, the Sink: the message stays in
// the database marked as delivered to the sink (stato 'sink'), and the demo
// pages /demo/posta show it. In `cartella serve` with no SMTP server the
// messages stay queued, and a warning is logged once.
//
// Messages carry personal data: nothing of their content or recipients is
// ever logged, only their id.
package posta

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/httpx"
)

// Errors.
var (
	ErrNotFound          = fmt.Errorf("posta: messaggio: %w", httpx.ErrNotFound)
	ErrDestinatario      = errors.New("posta: invalid recipient address")
	ErrMessaggioVuoto    = errors.New("posta: message without subject or body")
	ErrAllegatoSenzaNome = errors.New("posta: attachment without a file name")
)

// Stato of a message in the outbox.
const (
	InCoda  = "in_coda"
	Inviato = "inviato"
	Errore  = "errore"
	Sink    = "sink"
)

// Messaggio is an e-mail to queue: one recipient, a plain text body in
// UTF-8, at most one attachment.
type Messaggio struct {
	Destinatario string // an address, e.g. "mario.rossi@asl.example"
	Oggetto      string
	Corpo        string
	Allegato     []byte
	AllegatoNome string // file name shown to the recipient, e.g. "estratto.pdf"
	AllegatoMime string // e.g. "application/pdf"
	CasoID       *uuid.UUID
}

// Sender delivers one composed message (RFC 5322, CRLF line ends).
type Sender interface {
	Send(ctx context.Context, from string, to []string, msg []byte) error
}

// SinkSender is the local mail sink of demo mode and tests: delivering is
// a no-op, the outbox marks the message stato 'sink' and the demo pages
// show it. Nothing leaves the system.
type SinkSender struct{}

// Send does nothing.
func (SinkSender) Send(context.Context, string, []string, []byte) error { return nil }

// Outbox queues and delivers messages.
type Outbox struct {
	pool   *pgxpool.Pool
	sender Sender // nil: no SMTP server configured, messages stay queued
	from   string // the From header, e.g. "Cartella <cartella@comune.example>"
	log    *slog.Logger

	// Tentativi is how many delivery attempts a message gets before it is
	// marked errore; Attesa the wait after the first failure, doubled at
	// each further one up to AttesaMax; Intervallo how often the worker
	// looks at the queue when nobody wakes it.
	Tentativi  int
	Attesa     time.Duration
	AttesaMax  time.Duration
	Intervallo time.Duration
	// Lease is how long a message being delivered is kept from the other
	// workers: if the process dies mid-delivery, it is retried after it.
	Lease time.Duration

	sveglia  chan struct{}
	avvisato sync.Once
	now      func() time.Time
}

// NewOutbox returns the outbox. sender nil means no server is configured:
// Accoda still works, nothing is delivered.
func NewOutbox(pool *pgxpool.Pool, sender Sender, from string, log *slog.Logger) *Outbox {
	return &Outbox{
		pool: pool, sender: sender, from: from, log: log,
		Tentativi: 8, Attesa: time.Minute, AttesaMax: time.Hour, Intervallo: 30 * time.Second, Lease: 10 * time.Minute,
		sveglia: make(chan struct{}, 1), now: time.Now,
	}
}

// Sink reports whether messages go to the local mail sink.
func (o *Outbox) Sink() bool {
	_, ok := o.sender.(SinkSender)
	return ok
}

// Configurata reports whether messages are delivered at all.
func (o *Outbox) Configurata() bool { return o.sender != nil }

// Accoda writes m to the outbox with q, the caller's transaction: the
// message exists if and only if the caller's write commits. It returns the
// message's id. Call Sveglia after the commit to deliver it at once.
func (o *Outbox) Accoda(ctx context.Context, q database.Querier, m Messaggio) (int64, error) {
	addr, err := mail.ParseAddress(m.Destinatario)
	if err != nil || strings.ContainsAny(m.Destinatario, "\r\n") {
		return 0, ErrDestinatario
	}
	if strings.TrimSpace(m.Oggetto) == "" || strings.TrimSpace(m.Corpo) == "" {
		return 0, ErrMessaggioVuoto
	}
	if m.Allegato != nil && m.AllegatoNome == "" {
		return 0, ErrAllegatoSenzaNome
	}
	if m.Allegato != nil && m.AllegatoMime == "" {
		m.AllegatoMime = "application/octet-stream"
	}
	id, err := inserisciMessaggio(ctx, q, o.nuovoMessageID(), addr.Address, m)
	if err != nil {
		return 0, fmt.Errorf("posta: accoda: %w", err)
	}
	return id, nil
}

// nuovoMessageID is a globally unique Message-ID in the From address's
// domain; it is stored, so that a retried message keeps it.
func (o *Outbox) nuovoMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	dominio := "cartella.invalid"
	if a, err := mail.ParseAddress(o.from); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok && d != "" {
			dominio = d
		}
	}
	return "<" + hex.EncodeToString(b[:]) + "@" + dominio + ">"
}

// Sveglia wakes the worker: messages just committed go out at once.
func (o *Outbox) Sveglia() {
	select {
	case o.sveglia <- struct{}{}:
	default:
	}
}

// Run delivers queued messages until ctx ends: at every Sveglia and every
// Intervallo. With no sender it logs once that messages stay queued and
// returns.
func (o *Outbox) Run(ctx context.Context) {
	if o.sender == nil {
		o.avvisato.Do(func() {
			o.log.Warn("posta: no SMTP server configured (SMTP_HOST): e-mails stay queued in posta_uscita and are not sent")
		})
		return
	}
	t := time.NewTicker(o.Intervallo)
	defer t.Stop()
	for {
		if _, err := o.Elabora(ctx); err != nil && ctx.Err() == nil {
			o.log.Error("posta: outbox", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-o.sveglia:
		}
	}
}

// Elabora delivers every message due now, one at a time, and returns how
// many it attempted. Several workers (several instances) may run it: each
// message is claimed with SKIP LOCKED and a lease.
func (o *Outbox) Elabora(ctx context.Context) (int, error) {
	if o.sender == nil {
		return 0, nil
	}
	n := 0
	for ctx.Err() == nil {
		m, ok, err := o.prendi(ctx)
		if err != nil || !ok {
			return n, err
		}
		n++
		raw, err := Componi(o.from, m, o.now())
		if err == nil {
			err = o.sender.Send(ctx, o.from, []string{m.Destinatario}, raw)
		}
		if err := o.esito(ctx, m, err); err != nil {
			return n, err
		}
	}
	return n, ctx.Err()
}

// prendi claims the next due message: its attempt is counted and it is
// hidden from the other workers for Lease.
func (o *Outbox) prendi(ctx context.Context) (Voce, bool, error) {
	v, err := prendi(ctx, o.pool, o.Lease)
	if errors.Is(err, pgx.ErrNoRows) {
		return Voce{}, false, nil
	}
	if err != nil {
		return Voce{}, false, fmt.Errorf("posta: prendi: %w", err)
	}
	return v, true, nil
}

// esito records a delivery: sent (or delivered to the sink), to be retried
// after a wait that doubles at each failure, or given up after the last
// attempt or at once on a permanent refusal (SMTP 5xx). A failure is
// recorded only if the message was not claimed again meanwhile: a worker
// that stalled past its lease (a frozen process, a paused VM) must not
// mark as not delivered, or put back in the queue, a message another
// worker has taken up, and perhaps delivered, since.
func (o *Outbox) esito(ctx context.Context, m Voce, sendErr error) error {
	var err error
	nostro := true
	switch {
	case sendErr == nil:
		stato := Inviato
		if o.Sink() {
			stato = Sink
		}
		err = segnaInviato(ctx, o.pool, m.ID, stato)
		if err == nil {
			o.log.Info("posta: message sent", "posta_id", m.ID, "stato", stato, "tentativi", m.Tentativi)
		}
	case permanente(sendErr) || m.Tentativi >= o.Tentativi:
		nostro, err = segnaErrore(ctx, o.pool, m.ID, m.Tentativi, troncato(sendErr.Error()))
		if err == nil && nostro {
			o.log.Error("posta: message given up", "posta_id", m.ID, "tentativi", m.Tentativi, "permanente", permanente(sendErr))
		}
	default:
		nostro, err = riprova(ctx, o.pool, m.ID, m.Tentativi, o.attesa(m.Tentativi), troncato(sendErr.Error()))
		if err == nil && nostro {
			o.log.Warn("posta: delivery failed, will retry", "posta_id", m.ID, "tentativi", m.Tentativi, "attesa", o.attesa(m.Tentativi).String())
		}
	}
	if err != nil {
		return fmt.Errorf("posta: esito: %w", err)
	}
	if !nostro {
		o.log.Warn("posta: delivery failed after the lease: the message was claimed again meanwhile, outcome left to that attempt",
			"posta_id", m.ID, "tentativi", m.Tentativi)
	}
	return nil
}

// attesa is the wait after the n-th failed attempt: Attesa, doubled at
// each further failure, at most AttesaMax.
func (o *Outbox) attesa(n int) time.Duration {
	d := o.Attesa
	for i := 1; i < n && d < o.AttesaMax; i++ {
		d *= 2
	}
	return min(d, o.AttesaMax)
}

// permanente reports an SMTP refusal that retrying cannot fix (5xx).
func permanente(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500 && te.Code < 600
}

func troncato(s string) string {
	if len(s) > 500 {
		return s[:500]
	}
	return s
}
