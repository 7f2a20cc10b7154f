package posta

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/web/ui"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const from = "Cartella – Comune di Prova <cartella@comune.example>"

var pdf = []byte("%PDF-1.4\n% finto\n\x00\x01\x02\xff" + strings.Repeat("contenuto ", 40))

func messaggio() Messaggio {
	return Messaggio{
		Destinatario: "mario.bianchi@asl.example",
		Oggetto:      "Convocazione équipe multidisciplinare — caso C-000001",
		Corpo:        "Gentile Mario Bianchi,\nl'équipe è convocata il 12/05/2026 alle 10:00.\n\nCordiali saluti.",
		Allegato:     pdf, AllegatoNome: "estratto-analisi-preliminare.pdf", AllegatoMime: "application/pdf",
	}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func accoda(t *testing.T, o *Outbox, pool *pgxpool.Pool, m Messaggio) int64 {
	t.Helper()
	id, err := o.Accoda(context.Background(), pool, m)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func leggi(t *testing.T, o *Outbox, id int64) Voce {
	t.Helper()
	v, err := o.Leggi(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A queued message goes out through SMTP as a proper MIME message: encoded
// subject, Date, Message-ID, UTF-8 text and the PDF attached intact.
func TestInvioSMTP(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	srv := newSMTPServer(t)
	o := NewOutbox(pool, SMTP{Host: "127.0.0.1", Port: srv.port}, from, quietLog())
	id := accoda(t, o, pool, messaggio())
	if v := leggi(t, o, id); v.Stato != InCoda || v.Tentativi != 0 {
		t.Fatalf("queued message: %s, %d attempts", v.Stato, v.Tentativi)
	}
	n, err := o.Elabora(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("Elabora: %d, %v", n, err)
	}
	v := leggi(t, o, id)
	if v.Stato != Inviato || v.InviatoIl == nil || v.Tentativi != 1 {
		t.Errorf("after sending: %s, %v, %d attempts", v.Stato, v.InviatoIl, v.Tentativi)
	}
	got := srv.ricevuti()
	if len(got) != 1 {
		t.Fatalf("server received %d messages", len(got))
	}
	if got[0].from != "cartella@comune.example" || got[0].to != "mario.bianchi@asl.example" {
		t.Errorf("envelope %s → %s", got[0].from, got[0].to)
	}
	msg, err := mail.ReadMessage(strings.NewReader(got[0].data))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subj, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subj != "Convocazione équipe multidisciplinare — caso C-000001" {
		t.Errorf("subject %q (raw %q): %v", subj, msg.Header.Get("Subject"), err)
	}
	if !strings.HasPrefix(msg.Header.Get("Subject"), "=?utf-8?q?") {
		t.Errorf("subject not RFC 2047 encoded: %q", msg.Header.Get("Subject"))
	}
	if d, err := msg.Header.Date(); err != nil || time.Since(d) > time.Minute {
		t.Errorf("Date %q: %v", msg.Header.Get("Date"), err)
	}
	if mid := msg.Header.Get("Message-ID"); mid != v.MessageID || !strings.HasSuffix(mid, "@comune.example>") {
		t.Errorf("Message-ID %q, stored %q", mid, v.MessageID)
	}
	fromHdr, err := msg.Header.AddressList("From")
	if err != nil || fromHdr[0].Name != "Cartella – Comune di Prova" || fromHdr[0].Address != "cartella@comune.example" {
		t.Errorf("From %q: %v", msg.Header.Get("From"), err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("Content-Type %q", msg.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	p1, err := mr.NextPart() // quoted-printable is decoded by the reader
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(p1)
	if p1.Header.Get("Content-Type") != "text/plain; charset=utf-8" ||
		string(body) != "Gentile Mario Bianchi,\r\nl'équipe è convocata il 12/05/2026 alle 10:00.\r\n\r\nCordiali saluti.\r\n" {
		t.Errorf("text part %q: %q", p1.Header.Get("Content-Type"), body)
	}
	p2, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if p2.FileName() != "estratto-analisi-preliminare.pdf" || !strings.HasPrefix(p2.Header.Get("Content-Type"), "application/pdf") {
		t.Errorf("attachment %q %q", p2.FileName(), p2.Header.Get("Content-Type"))
	}
	enc, _ := io.ReadAll(p2)
	att, err := decodeBase64(enc)
	if err != nil || !bytes.Equal(att, pdf) {
		t.Errorf("attachment altered (%v)", err)
	}
	for _, l := range strings.Split(got[0].data, "\r\n") {
		if len(l) > 998 {
			t.Errorf("line of %d characters", len(l))
		}
	}
}

// A server that refuses for a while: the message is retried with a
// growing wait and delivered; one that keeps refusing gets the message
// marked errore after the last attempt; a permanent refusal at once.
func TestTentativi(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	srv := newSMTPServer(t)
	o := NewOutbox(pool, SMTP{Host: "127.0.0.1", Port: srv.port}, from, quietLog())
	o.Attesa, o.AttesaMax, o.Tentativi = 200*time.Millisecond, 400*time.Millisecond, 3
	ctx := context.Background()

	srv.rifiuta = 2
	id := accoda(t, o, pool, messaggio())
	if _, err := o.Elabora(ctx); err != nil {
		t.Fatal(err)
	}
	v := leggi(t, o, id)
	if v.Stato != InCoda || v.Tentativi != 1 || !strings.Contains(v.Errore, "451") || time.Until(v.ProssimoTentativo) < 100*time.Millisecond {
		t.Fatalf("after a refusal: %s, %d attempts, %q, next in %v", v.Stato, v.Tentativi, v.Errore, time.Until(v.ProssimoTentativo))
	}
	if n, _ := o.Elabora(ctx); n != 0 {
		t.Error("a message waiting for its retry was sent early")
	}
	if o.attesa(1) != 200*time.Millisecond || o.attesa(2) != 400*time.Millisecond || o.attesa(5) != 400*time.Millisecond {
		t.Errorf("backoff %v %v %v", o.attesa(1), o.attesa(2), o.attesa(5))
	}
	for i := 0; i < 50 && leggi(t, o, id).Stato == InCoda; i++ {
		time.Sleep(50 * time.Millisecond)
		if _, err := o.Elabora(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if v := leggi(t, o, id); v.Stato != Inviato || v.Tentativi != 3 || v.Errore != "" {
		t.Errorf("after two refusals: %s, %d attempts, %q", v.Stato, v.Tentativi, v.Errore)
	}
	if len(srv.ricevuti()) != 1 {
		t.Errorf("server received %d messages", len(srv.ricevuti()))
	}

	srv.mu.Lock()
	srv.rifiuta = 100
	srv.mu.Unlock()
	id = accoda(t, o, pool, messaggio())
	for i := 0; i < 50 && leggi(t, o, id).Stato == InCoda; i++ {
		if _, err := o.Elabora(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if v := leggi(t, o, id); v.Stato != Errore || v.Tentativi != 3 || !strings.Contains(v.Errore, "451") {
		t.Errorf("always refused: %s, %d attempts, %q", v.Stato, v.Tentativi, v.Errore)
	}

	srv.mu.Lock()
	srv.codice = "550 5.1.1 destinatario sconosciuto"
	srv.mu.Unlock()
	id = accoda(t, o, pool, messaggio())
	if _, err := o.Elabora(ctx); err != nil {
		t.Fatal(err)
	}
	if v := leggi(t, o, id); v.Stato != Errore || v.Tentativi != 1 || !strings.Contains(v.Errore, "550") {
		t.Errorf("permanent refusal: %s, %d attempts, %q", v.Stato, v.Tentativi, v.Errore)
	}
}

// STARTTLS is used when offered, and the credentials go over it.
func TestStartTLSEAutenticazione(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	srv := newSMTPServer(t)
	client := srv.withTLS(t)
	srv.user, srv.pwd = "cartella", "segreto"
	o := NewOutbox(pool, SMTP{Host: "127.0.0.1", Port: srv.port, User: "cartella", Password: "segreto", TLS: client}, from, quietLog())
	id := accoda(t, o, pool, messaggio())
	if _, err := o.Elabora(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := srv.ricevuti()
	if len(got) != 1 || !got[0].tls || got[0].auth != "cartella" {
		t.Fatalf("received %+v", got)
	}
	if v := leggi(t, o, id); v.Stato != Inviato {
		t.Errorf("stato %s", v.Stato)
	}

	// Wrong password: refused with 535, a permanent error.
	o = NewOutbox(pool, SMTP{Host: "127.0.0.1", Port: srv.port, User: "cartella", Password: "sbagliata", TLS: client}, from, quietLog())
	id = accoda(t, o, pool, messaggio())
	if _, err := o.Elabora(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v := leggi(t, o, id); v.Stato != Errore || !strings.Contains(v.Errore, "535") {
		t.Errorf("wrong password: %s %q", v.Stato, v.Errore)
	}
}

// The sink keeps the message in the database, marked as delivered to it,
// and the worker run delivers at once when woken.
func TestSink(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	o := NewOutbox(pool, SinkSender{}, from, quietLog())
	if !o.Sink() || !o.Configurata() {
		t.Fatal("sink outbox")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { o.Run(ctx); close(done) }()
	id := accoda(t, o, pool, messaggio())
	o.Sveglia()
	deadline := time.Now().Add(5 * time.Second)
	for leggi(t, o, id).Stato == InCoda && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	v := leggi(t, o, id)
	if v.Stato != Sink || v.InviatoIl == nil || !bytes.Equal(v.Allegato, pdf) {
		t.Errorf("sink: %s %v", v.Stato, v.InviatoIl)
	}
	cancel()
	<-done
}

// With no server configured the messages stay queued and one warning,
// without any personal data, is logged.
func TestSenzaServer(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	var logbuf bytes.Buffer
	o := NewOutbox(pool, nil, from, slog.New(slog.NewTextHandler(&logbuf, nil)))
	id := accoda(t, o, pool, messaggio())
	o.Run(context.Background())
	o.Run(context.Background())
	if n, err := o.Elabora(context.Background()); n != 0 || err != nil {
		t.Errorf("Elabora without sender: %d %v", n, err)
	}
	if v := leggi(t, o, id); v.Stato != InCoda || v.Tentativi != 0 {
		t.Errorf("stato %s, %d attempts", v.Stato, v.Tentativi)
	}
	log := logbuf.String()
	if strings.Count(log, "SMTP_HOST") != 1 || strings.Contains(log, "mario") || strings.Contains(log, "Convocazione") {
		t.Errorf("log: %s", log)
	}
}

func TestAccodaRifiuta(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	o := NewOutbox(pool, SinkSender{}, from, quietLog())
	ctx := context.Background()
	m := messaggio()
	m.Destinatario = "non un indirizzo"
	if _, err := o.Accoda(ctx, pool, m); err != ErrDestinatario {
		t.Errorf("bad address: %v", err)
	}
	m = messaggio()
	m.Destinatario = "a@b.example\r\nBcc: x@y.example"
	if _, err := o.Accoda(ctx, pool, m); err != ErrDestinatario {
		t.Errorf("header injection: %v", err)
	}
	m = messaggio()
	m.Oggetto = " "
	if _, err := o.Accoda(ctx, pool, m); err != ErrMessaggioVuoto {
		t.Errorf("empty subject: %v", err)
	}
	// Without attachment: a single text/plain part.
	m = messaggio()
	m.Allegato, m.AllegatoNome, m.AllegatoMime = nil, "", ""
	id := accoda(t, o, pool, m)
	raw, err := Componi(from, leggi(t, o, id), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil || msg.Header.Get("Content-Type") != "text/plain; charset=utf-8" || msg.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
		t.Errorf("plain message: %v %q", err, msg.Header)
	}
}

// The demo reader lists the sink's messages under the banner, shows one
// with its text and lets its attachment be downloaded.
func TestDemoPosta(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	o := NewOutbox(pool, SinkSender{}, from, quietLog())
	id := accoda(t, o, pool, messaggio())
	if _, err := o.Elabora(context.Background()); err != nil {
		t.Fatal(err)
	}
	rs := &httpx.Responder{Log: quietLog(), Shell: func(*http.Request) ui.Shell { return ui.Shell{Demo: true} }}
	r := chi.NewRouter()
	h := NewDemoHandler(o, rs)
	r.Get("/demo/posta", h.Elenco)
	r.Get("/demo/posta/{id}", h.Messaggio)
	r.Get("/demo/posta/{id}/allegato", h.Allegato)
	srv := httptest.NewServer(r)
	defer srv.Close()
	get := func(path string) (*http.Response, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	sid := strconv.FormatInt(id, 10)
	resp, body := get("/demo/posta")
	if resp.StatusCode != 200 || !strings.Contains(body, "nessun messaggio è uscito dal sistema") ||
		!strings.Contains(body, "mario.bianchi@asl.example") || !strings.Contains(body, `href="/demo/posta/`+sid+`"`) ||
		!strings.Contains(body, "Consegnato alla posta di prova") {
		t.Errorf("list: %d\n%s", resp.StatusCode, body)
	}
	resp, body = get("/demo/posta/" + sid)
	if resp.StatusCode != 200 || !strings.Contains(body, "l&#39;équipe è convocata il 12/05/2026") ||
		!strings.Contains(body, "estratto-analisi-preliminare.pdf") {
		t.Errorf("message: %d\n%s", resp.StatusCode, body)
	}
	resp, body = get("/demo/posta/" + sid + "/allegato")
	if resp.StatusCode != 200 || body != string(pdf) || resp.Header.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "estratto-analisi-preliminare.pdf") {
		t.Errorf("attachment: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	if resp, _ := get("/demo/posta/999999"); resp.StatusCode != 404 {
		t.Errorf("unknown message: %d", resp.StatusCode)
	}
}
