package app

import (
	"context"
	"slices"

	"github.com/cartella/cartella/internal/accesso"

	"github.com/cartella/cartella/internal/analisi"
	"github.com/cartella/cartella/internal/assegnazioni"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/controlli"
	"github.com/cartella/cartella/internal/equipe"
	"github.com/cartella/cartella/internal/home"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/monitoraggio"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/presentazioni"
	"github.com/cartella/cartella/internal/prestazioni"
	"github.com/cartella/cartella/internal/quadro"
	"github.com/cartella/cartella/internal/report"
	"github.com/cartella/cartella/internal/rete"
	"github.com/cartella/cartella/internal/segnalazioni"
)

// The seams of the modules, wired here as lists: a module that wants a card
// on the case page, a count on the home or a say in the case's deadlines
// adds one line below (docs/architecture.md, "Adding a module").

// sezioniCaso are the sections of the case page (/casi/{id}), in the order
// the page shows them: each module that owns a part of the case gives its
// card (title, where it stands, link).
func sezioniCaso(cs *casi.Service, is *incontri.Service, pr *presentazioni.Service, as *analisi.Service, qs *quadro.Service, ps *patto.Service,
	ms *monitoraggio.Service, ss *segnalazioni.Service, ctl *controlli.Service, rs *rete.Service, prs *prestazioni.Service) []casi.FonteSezione {
	return []casi.FonteSezione{
		is,
		pr,
		cs.SezioneDiario(),
		as.Sezione(),
		equipe.FonteSezione{},
		qs.Sezione(),
		ps.Sezione(),
		ms,
		ss,
		rs.SezioneInvii(),
		ctl,
		prs,
	}
}

// lavoro are the home's work counts: each module counts its own work, with
// the role it is for and the list behind each number. The home shows a
// role's counts in the order of this list.
func lavoro(cs *casi.Service, is *incontri.Service, pr *presentazioni.Service, ps *patto.Service, bs *assegnazioni.Service, ss *segnalazioni.Service,
	ks *controlli.Service, rs *rete.Service, pz *prestazioni.Service) []home.Contatore {
	return slices.Concat(cs.Contatori("/agenda"), is.Contatori(), pr.Contatori(), ps.Contatori(), bs.Contatori(), ss.Contatori(), ks.Contatori(),
		rs.ContatoriInvii(), pz.Contatori())
}

// collegaScadenze gives casi the modules its deadlines and the case's next
// appointment are computed from (the meetings and the registrations of
// presentations; who is tenuto agli obblighi, from the analisi preliminare;
// the monitoring meetings), and
// the agenda the appointments the monitoring keeps. Every composition of
// casi calls it: the server and the import command.
func collegaScadenze(cs *casi.Service, is *incontri.Service, ms *monitoraggio.Service, pr *presentazioni.Service, as *analisi.Service) {
	cs.ConScadenze([]casi.FonteSituazione{is, pr, as}, []casi.FonteAppuntamenti{is, ms})
	is.ConAppuntamenti(ms)
}

// fornitoriReport are the providers of the cruscotto's indicators
// (/report, docs/indicatori.md), in the order the page shows them; the
// rows of the durations (report.Tempi) that incontri, analisi and patto
// give are joined in one table where the first of them stands.
func fornitoriReport(cs *casi.Service, is *incontri.Service, as *analisi.Service, ps *patto.Service, ms *monitoraggio.Service,
	ss *segnalazioni.Service, ks *controlli.Service, rs *rete.Service) []report.Fornitore {
	return []report.Fornitore{cs, is, as, ps, ms, ss, ks, rs}
}

// fornitoriDataset are the modules that add columns to the case-level
// dataset (report.FornitoreDataset, docs/formats/dataset.md, "Colonne dei
// moduli"), in the order of the columns.
func fornitoriDataset(is *incontri.Service, as *analisi.Service, ps *patto.Service) []report.FornitoreDataset {
	return []report.FornitoreDataset{is, as, ps}
}

// dettagliReport are the modules that list the cases behind the cells of
// their indicators, for the coordinatore PaIS's drill-down (/report/casi).
func dettagliReport(cs *casi.Service) []report.Dettagliante {
	return []report.Dettagliante{cs}
}

// comuniReport lists an ambito's comuni for the cruscotto's choice.
func comuniReport(as *accesso.Service) report.ElencoComuni {
	return func(ctx context.Context, ambitoID int64) ([]report.Comune, error) {
		cc, err := as.Comuni(ctx, ambitoID)
		if err != nil {
			return nil, err
		}
		out := make([]report.Comune, len(cc))
		for i, c := range cc {
			out[i] = report.Comune{ID: c.ID, Nome: c.Denominazione}
		}
		return out, nil
	}
}

// tettoReport is the caseload cap an ambito sets on /admin/ambito, for the
// cruscotto's caseload indicator (report reads no table of accesso).
func tettoReport(as *accesso.Service) report.TettoCasi { return as.TettoCasi }

// lettoriReport are the scopes of the operators who read the cruscotto
// today, whose default page the server prepares ahead.
func lettoriReport(as *accesso.Service) report.ElencoLettori {
	return func(ctx context.Context) ([]report.LettoreCruscotto, error) {
		ss, err := as.ScopiAttivi(ctx, string(authz.OperatoreATS), string(authz.CoordinatorePaIS))
		if err != nil {
			return nil, err
		}
		out := make([]report.LettoreCruscotto, len(ss))
		for i, x := range ss {
			out[i] = report.LettoreCruscotto{Ruolo: authz.Ruolo(x.Ruolo), AmbitoID: x.AmbitoID, ComuneID: x.ComuneID}
		}
		return out, nil
	}
}
