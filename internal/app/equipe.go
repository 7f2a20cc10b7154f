package app

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/analisi"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/config"
	"github.com/cartella/cartella/internal/equipe"
	"github.com/cartella/cartella/internal/posta"
)

// mittente is how e-mails leave: the SMTP server of SMTP_*, the local mail
// sink of the demo when none is set, or nothing (serve mode without SMTP:
// messages stay queued and the outbox says so once in the log).
func mittente(cfg config.Config) posta.Sender {
	switch {
	case cfg.SMTPHost != "":
		return posta.SMTP{Host: cfg.SMTPHost, Port: cfg.SMTPPort, User: cfg.SMTPUser, Password: cfg.SMTPPassword}
	case cfg.PostaSink():
		return posta.SinkSender{}
	}
	return nil
}

// fonteEstratto is where the équipe's extract comes from: the sections of
// the case's latest analisi preliminare or, while the case has none, what
// the case itself knows (equipe.FonteCaso).
func fonteEstratto(pool *pgxpool.Pool, cs *casi.Service, ap *analisi.Service) equipe.FonteEstratto {
	fonteAP := equipe.FonteFunc(func(ctx context.Context, id uuid.UUID) ([]equipe.Sezione, error) {
		ss, err := ap.SezioniEstratto(ctx, id)
		if err != nil {
			return nil, err
		}
		out := make([]equipe.Sezione, len(ss))
		for i, s := range ss {
			out[i] = equipe.Sezione{Codice: s.Codice, Titolo: s.Titolo, Testo: s.Testo}
		}
		return out, nil
	})
	return equipe.ConRiserva(fonteAP, equipe.NewFonteCaso(pool, cs))
}
