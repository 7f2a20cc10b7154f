package posta

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// Componi writes v as an RFC 5322 message: the subject RFC 2047-encoded,
// Date and Message-ID, the body as UTF-8 text (quoted-printable) and, if
// there is an attachment, multipart/mixed with it base64-encoded. Lines end
// with CRLF.
func Componi(from string, v Voce, date time.Time) ([]byte, error) {
	if strings.ContainsAny(from+v.Destinatario+v.Oggetto+v.MessageID, "\r\n") {
		return nil, fmt.Errorf("posta: header with a line break")
	}
	fromHdr := from
	if a, err := mail.ParseAddress(from); err == nil {
		fromHdr = a.String() // encodes a non-ASCII display name
	}
	var buf bytes.Buffer
	h := func(k, val string) { fmt.Fprintf(&buf, "%s: %s\r\n", k, val) }
	h("From", fromHdr)
	h("To", (&mail.Address{Address: v.Destinatario}).String())
	h("Subject", mime.QEncoding.Encode("utf-8", v.Oggetto))
	h("Date", date.Format(time.RFC1123Z))
	h("Message-ID", v.MessageID)
	h("MIME-Version", "1.0")
	h("Auto-Submitted", "auto-generated")

	corpo, err := testo(v.Corpo)
	if err != nil {
		return nil, err
	}
	if v.Allegato == nil {
		h("Content-Type", "text/plain; charset=utf-8")
		h("Content-Transfer-Encoding", "quoted-printable")
		buf.WriteString("\r\n")
		buf.Write(corpo)
		return buf.Bytes(), nil
	}

	mw := multipart.NewWriter(&buf)
	var b [12]byte
	_, _ = rand.Read(b[:])
	if err := mw.SetBoundary("cartella-" + hex.EncodeToString(b[:])); err != nil {
		return nil, err
	}
	h("Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": mw.Boundary()}))
	buf.WriteString("\r\n")

	pt, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return nil, err
	}
	if _, err := pt.Write(corpo); err != nil {
		return nil, err
	}
	mt := v.AllegatoMime
	if _, _, err := mime.ParseMediaType(mt); err != nil {
		mt = "application/octet-stream"
	}
	pa, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {mime.FormatMediaType(mt, map[string]string{"name": v.AllegatoNome})},
		"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": v.AllegatoNome})},
		"Content-Transfer-Encoding": {"base64"},
	})
	if err != nil {
		return nil, err
	}
	enc := base64.StdEncoding.EncodeToString(v.Allegato)
	for len(enc) > 76 {
		if _, err := pa.Write([]byte(enc[:76] + "\r\n")); err != nil {
			return nil, err
		}
		enc = enc[76:]
	}
	if _, err := pa.Write([]byte(enc + "\r\n")); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// testo is the body quoted-printable encoded, with CRLF line ends.
func testo(s string) ([]byte, error) {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var out bytes.Buffer
	qw := quotedprintable.NewWriter(&out)
	if _, err := qw.Write([]byte(strings.ReplaceAll(s, "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := qw.Close(); err != nil {
		return nil, err
	}
	if !bytes.HasSuffix(out.Bytes(), []byte("\r\n")) {
		out.WriteString("\r\n")
	}
	return out.Bytes(), nil
}

// parseAddress is the bare address of an RFC 5322 address ("Name <a@b>").
func parseAddress(s string) (string, error) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", err
	}
	return a.Address, nil
}
