package posta

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/dbtest"
)

// casella is the mail server both instances deliver to: it counts every
// message it accepts by Message-ID, and which instance handed it over.
type casella struct {
	mu       sync.Mutex
	ricevuti map[string]int       // Message-ID → deliveries
	da       map[string]string    // Message-ID → the instance of the last delivery
	quando   map[string]time.Time // Message-ID → when it was last delivered
}

func nuovaCasella() *casella {
	return &casella{ricevuti: map[string]int{}, da: map[string]string{}, quando: map[string]time.Time{}}
}

func (c *casella) consegna(istanza string, msg []byte) error {
	m, err := mail.ReadMessage(bytes.NewReader(msg))
	if err != nil {
		return err
	}
	id := m.Header.Get("Message-ID")
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ricevuti[id]++
	c.da[id] = istanza
	c.quando[id] = time.Now()
	return nil
}

// istanza is one instance's Sender: it hands the message to the casella
// after a short while (a real SMTP exchange takes some), unless blocca is
// set: then the instance dies in the middle of the delivery, which never
// completes (Send returns only when the test ends).
type istanza struct {
	nome    string
	casella *casella
	blocca  chan struct{} // nil: delivers; otherwise closed at the test's end
	presi   chan string   // the Message-ID the instance died on
	// fallisce is what Send returns once blocca is closed (nil: a
	// connection error).
	fallisce error
}

func (s *istanza) Send(ctx context.Context, _ string, _ []string, msg []byte) error {
	if s.blocca != nil {
		m, err := mail.ReadMessage(bytes.NewReader(msg))
		if err == nil {
			select {
			case s.presi <- m.Header.Get("Message-ID"):
			default:
			}
		}
		<-s.blocca
		if s.fallisce != nil {
			return s.fallisce
		}
		return errors.New("istanza morta")
	}
	time.Sleep(time.Millisecond)
	return s.casella.consegna(s.nome, msg)
}

// secondoPool is another pool on pool's database: another instance.
func secondoPool(t *testing.T, pool *pgxpool.Pool) *pgxpool.Pool {
	t.Helper()
	p, err := database.Open(context.Background(), pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// lavora runs o's worker until the test ends.
func lavora(t *testing.T, o *Outbox) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { o.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// attendiCoda waits until no message of the outbox is in coda.
func attendiCoda(t *testing.T, pool *pgxpool.Pool, entro time.Duration) {
	t.Helper()
	deadline := time.Now().Add(entro)
	for {
		var n int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM posta_uscita WHERE stato = 'in_coda'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages still queued after %v", n, entro)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// consegnatiUnaVolta checks that every message of the outbox was delivered
// once, and only once, and is marked sent; it returns them by Message-ID.
func consegnatiUnaVolta(t *testing.T, o *Outbox, c *casella, n int) map[string]Voce {
	t.Helper()
	vs, err := o.Elenco(context.Background(), 0, n+10)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != n {
		t.Fatalf("%d messages in the outbox, want %d", len(vs), n)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]Voce{}
	for _, v := range vs {
		out[v.MessageID] = v
		if got := c.ricevuti[v.MessageID]; got != 1 {
			t.Errorf("message %d received %d times, want once", v.ID, got)
		}
		if v.Stato != Inviato || v.InviatoIl == nil {
			t.Errorf("message %d: %s, sent at %v", v.ID, v.Stato, v.InviatoIl)
		}
	}
	if len(c.ricevuti) != n {
		t.Errorf("the mail server received %d distinct messages, want %d", len(c.ricevuti), n)
	}
	return out
}

// Two instances deliver the same outbox at once, each with its own pool,
// while both queue messages: every message reaches the mail server once,
// none twice, none is lost, and each was attempted once.
func TestOutboxDueIstanze(t *testing.T) {
	t.Parallel()
	poolA := dbtest.New(t)
	poolB := secondoPool(t, poolA)
	c := nuovaCasella()
	oA := NewOutbox(poolA, &istanza{nome: "A", casella: c}, from, quietLog())
	oB := NewOutbox(poolB, &istanza{nome: "B", casella: c}, from, quietLog())
	for _, o := range []*Outbox{oA, oB} {
		o.Intervallo = 100 * time.Millisecond
		lavora(t, o)
	}

	const perIstanza = 150
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, x := range []struct {
		o    *Outbox
		pool *pgxpool.Pool
	}{{oA, poolA}, {oB, poolB}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perIstanza {
				m := messaggio()
				m.Oggetto = fmt.Sprintf("Convocazione %d", i)
				m.Allegato, m.AllegatoNome, m.AllegatoMime = nil, "", ""
				if _, err := x.o.Accoda(context.Background(), x.pool, m); err != nil {
					errs <- err
					return
				}
				x.o.Sveglia()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	attendiCoda(t, poolA, 30*time.Second)

	voci := consegnatiUnaVolta(t, oA, c, 2*perIstanza)
	per := map[string]int{}
	c.mu.Lock()
	for _, ist := range c.da {
		per[ist]++
	}
	c.mu.Unlock()
	for _, v := range voci {
		if v.Tentativi != 1 {
			t.Errorf("message %d: %d attempts, want 1", v.ID, v.Tentativi)
		}
	}
	// Otherwise the test proved nothing about two deliverers.
	if per["A"] == 0 || per["B"] == 0 {
		t.Errorf("deliveries by instance: %v, want both at work", per)
	}
	t.Logf("deliveries by instance: %v", per)
}

// An instance dies in the middle of a delivery (the message claimed, its
// lease running): the other one delivers everything else meanwhile, and
// that message once its lease has run out; each message reaches the mail
// server exactly once.
func TestOutboxIstanzaMorta(t *testing.T) {
	t.Parallel()
	poolA := dbtest.New(t)
	poolB := secondoPool(t, poolA)
	c := nuovaCasella()
	blocca := make(chan struct{})
	morta := &istanza{nome: "A", casella: c, blocca: blocca, presi: make(chan string, 1)}
	oA := NewOutbox(poolA, morta, from, quietLog())
	oB := NewOutbox(poolB, &istanza{nome: "B", casella: c}, from, quietLog())
	const lease = time.Second
	for _, o := range []*Outbox{oA, oB} {
		o.Intervallo, o.Lease = 100*time.Millisecond, lease
	}
	const n = 40
	for i := range n {
		m := messaggio()
		m.Oggetto = fmt.Sprintf("Convocazione %d", i)
		accoda(t, oA, poolA, m)
	}

	// A claims a message and dies delivering it: its process writes
	// nothing more (its pool closed), the mail server never gets it.
	lavora(t, oA)
	t.Cleanup(func() { close(blocca) }) // before the worker is waited for (cleanups run last-in first-out)
	var perso string
	select {
	case perso = <-morta.presi:
	case <-time.After(30 * time.Second):
		t.Fatal("instance A claimed no message")
	}
	morteA := time.Now()
	poolA.Close()

	lavora(t, oB)
	attendiCoda(t, poolB, 30*time.Second)

	voci := consegnatiUnaVolta(t, oB, c, n)
	c.mu.Lock()
	da, quando := c.da[perso], c.quando[perso]
	for id, ist := range c.da {
		if ist != "B" {
			t.Errorf("message %s delivered by instance %s, which was dead", id, ist)
		}
	}
	c.mu.Unlock()
	if v := voci[perso]; v.Tentativi != 2 || da != "B" {
		t.Errorf("the message A died on: %d attempts, delivered by %q; want 2 attempts, by B", v.Tentativi, da)
	}
	// Not before the lease: A might only have been slow.
	if d := quando.Sub(morteA); d < lease/2 {
		t.Errorf("the message A died on was delivered %v after A took it, before its lease of %v ran out", d, lease)
	}
	for id, v := range voci {
		if id != perso && v.Tentativi != 1 {
			t.Errorf("message %d: %d attempts, want 1", v.ID, v.Tentativi)
		}
	}
}

// An instance that only stalled in the middle of a delivery, past its
// lease, comes back after the other one delivered the message, and its
// delivery fails (here a permanent refusal): the message stays delivered,
// not "Non recapitato", and is not queued again.
func TestOutboxEsitoTardivo(t *testing.T) {
	t.Parallel()
	poolA := dbtest.New(t)
	poolB := secondoPool(t, poolA)
	c := nuovaCasella()
	riprende := make(chan struct{})
	lenta := &istanza{nome: "A", casella: c, blocca: riprende, presi: make(chan string, 1),
		fallisce: &textproto.Error{Code: 550, Msg: "5.1.1 destinatario sconosciuto"}}
	oA := NewOutbox(poolA, lenta, from, quietLog())
	oB := NewOutbox(poolB, &istanza{nome: "B", casella: c}, from, quietLog())
	oA.Lease = 300 * time.Millisecond
	ctx := context.Background()
	id := accoda(t, oA, poolA, messaggio())

	fineA := make(chan error, 1)
	go func() {
		_, err := oA.Elabora(ctx)
		fineA <- err
	}()
	select {
	case <-lenta.presi:
	case <-time.After(30 * time.Second):
		close(riprende)
		t.Fatal("instance A claimed no message")
	}
	// After A's lease, B takes the message up and delivers it.
	deadline := time.Now().Add(30 * time.Second)
	for leggi(t, oB, id).Stato != Inviato {
		if time.Now().After(deadline) {
			close(riprende)
			t.Fatalf("B did not deliver the message: %+v", leggi(t, oB, id))
		}
		time.Sleep(50 * time.Millisecond)
		if _, err := oB.Elabora(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// A comes back: its delivery fails.
	close(riprende)
	if err := <-fineA; err != nil {
		t.Fatal(err)
	}
	v := leggi(t, oB, id)
	if v.Stato != Inviato || v.Errore != "" || v.Tentativi != 2 {
		t.Errorf("the message delivered by B, after A's late failure: %s, %q, %d attempts", v.Stato, v.Errore, v.Tentativi)
	}
	if n, err := oB.Elabora(ctx); err != nil || n != 0 {
		t.Errorf("the delivered message was attempted again: %d, %v", n, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.ricevuti) != 1 || c.ricevuti[v.MessageID] != 1 {
		t.Errorf("the mail server received %v, want the message once", c.ricevuti)
	}
}
