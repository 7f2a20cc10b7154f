package posta

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpServer is a minimal SMTP responder for the tests: it records every
// message accepted with DATA, can refuse RCPT a number of times (transient
// 451 or permanent 550), and can offer STARTTLS and AUTH PLAIN.
type smtpServer struct {
	ln   net.Listener
	port int

	mu        sync.Mutex
	messaggi  []ricevuto
	rifiuta   int    // refuse the next n RCPT
	codice    string // the refusal's reply, e.g. "451 4.3.0 try later"
	tlsConf   *tls.Config
	user, pwd string
}

type ricevuto struct {
	from, to string
	data     string
	tls      bool
	auth     string // the user that authenticated, if any
}

func newSMTPServer(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, port: ln.Addr().(*net.TCPAddr).Port, codice: "451 4.3.0 Riprova più tardi"}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) ricevuti() []ricevuto {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ricevuto(nil), s.messaggi...)
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	rd := bufio.NewReader(c)
	reply := func(l string) { _, _ = c.Write([]byte(l + "\r\n")) }
	reply("220 test ESMTP")
	var cur ricevuto
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		cmd := strings.ToUpper(line)
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			ext := []string{"250-test", "250-8BITMIME"}
			if s.tlsConf != nil && !cur.tls {
				ext = append(ext, "250-STARTTLS")
			}
			if s.user != "" {
				ext = append(ext, "250-AUTH PLAIN")
			}
			ext = append(ext, "250 SIZE 10000000")
			reply(strings.Join(ext, "\r\n"))
		case cmd == "STARTTLS":
			reply("220 2.0.0 pronto")
			tc := tls.Server(c, s.tlsConf)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, rd = tc, bufio.NewReader(tc)
			cur = ricevuto{tls: true}
		case strings.HasPrefix(cmd, "AUTH PLAIN "):
			b, _ := base64.StdEncoding.DecodeString(line[len("AUTH PLAIN "):])
			parts := strings.Split(string(b), "\x00")
			if len(parts) == 3 && parts[1] == s.user && parts[2] == s.pwd {
				cur.auth = parts[1]
				reply("235 2.7.0 ok")
			} else {
				reply("535 5.7.8 credenziali errate")
			}
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			cur.from = indirizzo(line[len("MAIL FROM:"):])
			reply("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			s.mu.Lock()
			refuse := s.rifiuta > 0
			if refuse {
				s.rifiuta--
			}
			s.mu.Unlock()
			if refuse {
				reply(s.codice)
				continue
			}
			cur.to = indirizzo(line[len("RCPT TO:"):])
			reply("250 ok")
		case cmd == "DATA":
			reply("354 fine con <CRLF>.<CRLF>")
			var data strings.Builder
			for {
				l, err := rd.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			cur.data = data.String()
			s.mu.Lock()
			s.messaggi = append(s.messaggi, cur)
			s.mu.Unlock()
			reply("250 2.0.0 accettato")
		case cmd == "RSET":
			reply("250 ok")
		case cmd == "QUIT":
			reply("221 arrivederci")
			return
		default:
			reply("502 comando non implementato")
		}
	}
}

// withTLS makes the server offer STARTTLS with a fresh self-signed
// certificate for 127.0.0.1; it returns the client configuration trusting it.
func (s *smtpServer) withTLS(t *testing.T) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	s.tlsConf = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

func decodeBase64(b []byte) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(b)))
}

// indirizzo is the path of MAIL FROM / RCPT TO, without its parameters.
func indirizzo(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '>'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimPrefix(s, "<")
}
