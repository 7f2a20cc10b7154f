package app

import (
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/equipe"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/monitoraggio"
	"github.com/cartella/cartella/internal/schede"
	"github.com/cartella/cartella/internal/segnalazioni"
)

// sezioniCaso are the sections of the case page (/casi/{id}), in the order
// the page shows them: each module that owns a part of the case gives its
// card (title, where it stands, link). A new module adds its source here.
func sezioniCaso(pool *pgxpool.Pool, cs *casi.Service, is *incontri.Service, ms *monitoraggio.Service, ss *segnalazioni.Service) []casi.FonteSezione {
	return []casi.FonteSezione{
		is,
		cs.SezioneDiario(),
		schede.Sezione{Pool: pool, Tipo: schede.AnalisiPreliminare, Titolo: "Analisi preliminare", Percorso: "analisi-preliminare",
			Nessuna: "Non ancora iniziata", Definitiva: "definitiva", ConEsito: true},
		equipe.FonteSezione{},
		schede.Sezione{Pool: pool, Tipo: schede.QuadroAnalisi, Titolo: "Quadro di analisi", Percorso: "quadro-di-analisi",
			Nessuna: "Non ancora iniziato", Definitiva: "definitiva", ConEsito: true},
		// A finalised patto is a signed one.
		schede.Sezione{Pool: pool, Tipo: schede.Patto, Titolo: "Patto per l'inclusione sociale", Percorso: "patto",
			Nessuna: "Non ancora iniziato", Definitiva: "sottoscritta"},
		ms,
		ss,
	}
}

// collegaScadenze gives casi the modules its deadlines and the case's next
// appointment are computed from (the meetings; the monitoring meetings), and
// the agenda the appointments the monitoring keeps. Every composition of
// casi calls it: the server and the import command.
func collegaScadenze(cs *casi.Service, is *incontri.Service, ms *monitoraggio.Service) {
	cs.ConScadenze([]casi.FonteSituazione{is}, []casi.FonteAppuntamenti{is, ms})
	is.ConAppuntamenti(ms)
}
