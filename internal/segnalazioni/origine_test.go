package segnalazioni

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/registro"
)

// daControlli drafts, as the controlli would, a segnalazione of the case's
// mother (in approvazione, origine controlli).
func (f *fixture) daControlli(t *testing.T) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	var id uuid.UUID
	err := pgx.BeginFunc(ctx, f.pool, func(tx pgx.Tx) error {
		var err error
		id, _, err = f.svc.CreaDaControlli(ctx, tx, DaControlli{CasoID: f.caso, CodiceFiscale: "BNCLRA86A41A944X",
			Tipo: TipoPerditaResidenza, DataEvento: calendario.Giorno(f.now.AddDate(0, -3, 0)), DataAccertamento: calendario.Giorno(f.now),
			Descrizione: "Controllo ex post: cancellata dall'anagrafe per trasferimento all'estero.", Operatore: f.people["respcontrolli"].OperatoreID})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// The segnalazioni drafted by the controlli go to the coordinatore
// controlli of the comune, on the same pages, and only to them: the
// coordinatore PaIS neither lists, opens, decides nor exports them, and
// the coordinatore controlli sees nothing of the case managers' ones;
// each sees only their own batches; the home counts them.
func TestSegnalazioniDeiControlli(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	pais, cc := f.people["coordinatore"], f.people["coordcontrolli"]
	dalCaso := f.crea(t, true)
	dc := f.daControlli(t)
	dc2 := f.daControlli(t)

	// The queues.
	codaDi := func(p authz.Principal) []uuid.UUID {
		t.Helper()
		c, err := f.svc.Coda(ctx, p, 1, registro.Voce{})
		if err != nil {
			t.Fatal(err)
		}
		var ids []uuid.UUID
		for _, r := range c.Righe {
			ids = append(ids, r.ID)
		}
		return ids
	}
	if got := codaDi(pais); len(got) != 1 || got[0] != dalCaso {
		t.Errorf("coordinatore PaIS's queue: %v, want only the case manager's %v", got, dalCaso)
	}
	if got := codaDi(cc); len(got) != 2 || got[0] != dc || got[1] != dc2 {
		t.Errorf("coordinatore controlli's queue: %v, want %v %v", got, dc, dc2)
	}
	// The home counts.
	conta := func(p authz.Principal) []int {
		t.Helper()
		for _, c := range f.svc.Contatori() {
			if c.Ruolo == p.Ruolo {
				n, ok, err := c.Conta(ctx, p)
				if err != nil || !ok {
					t.Fatal(err, ok)
				}
				return n
			}
		}
		t.Fatalf("no count for %s", p.Ruolo)
		return nil
	}
	if n := conta(cc); n[0] != 2 || n[1] != 0 {
		t.Errorf("coordinatore controlli's home: %v", n)
	}
	if n := conta(pais); n[0] != 1 {
		t.Errorf("coordinatore PaIS's home: %v", n)
	}

	// The decision page: each only their own.
	if _, err := f.svc.Decisione(ctx, pais, dc, registro.Voce{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("PaIS opens a controlli segnalazione: %v", err)
	}
	if _, err := f.svc.Decisione(ctx, cc, dalCaso, registro.Voce{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("coordinatore controlli opens a case manager's segnalazione: %v", err)
	}
	d, err := f.svc.Decisione(ctx, cc, dc, registro.Voce{})
	if err != nil || d.Tipo.Codice != TipoPerditaResidenza || d.CodiceFiscale != "BNCLRA86A41A944X" || d.Stato != InApprovazione {
		t.Fatalf("decision: %v %+v", err, d)
	}
	if page := render(t, d); !strings.Contains(page, "Redatta dai controlli anagrafici") || !strings.Contains(page, "Perdita del requisito di residenza") {
		t.Error("the decision page does not say the controlli drafted it")
	}
	// Deciding: PaIS refused (404, recorded), coordinatore controlli approves one, refuses the other.
	negati := `SELECT count(*) FROM registro_accessi WHERE esito = 'negato' AND oggetto_id = $1`
	if err := f.svc.Approva(ctx, pais, dc, ver(d.Versione), registro.Voce{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("PaIS approves a controlli segnalazione: %v", err)
	}
	if f.count(t, negati, dc.String()) < 2 {
		t.Error("the refusals are not recorded")
	}
	if err := f.svc.Approva(ctx, cc, dalCaso, ver(f.dettaglio(t, dalCaso).Versione), registro.Voce{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("coordinatore controlli approves a case manager's segnalazione: %v", err)
	}
	if err := f.svc.Approva(ctx, cc, dc, ver(d.Versione), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	d2, err := f.svc.Decisione(ctx, cc, dc2, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Respingi(ctx, cc, dc2, ver(d2.Versione), "Il trasferimento è stato annullato: nessuna perdita del requisito.", registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if n := conta(cc); n[0] != 0 || n[1] != 1 {
		t.Errorf("coordinatore controlli's home after the decisions: %v", n)
	}
	// A coordinatore controlli of another comune sees nothing.
	altro := cc
	altro.ComuneID = new(int64)
	*altro.ComuneID = *cc.ComuneID + 1
	if got := codaDi(altro); len(got) != 0 {
		t.Errorf("another comune's queue: %v", got)
	}
	if _, err := f.svc.Decisione(ctx, altro, dc, registro.Voce{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("another comune opens it: %v", err)
	}

	// The export: PaIS's carries only the case manager's; the controlli's only theirs.
	if err := f.svc.Approva(ctx, pais, dalCaso, ver(f.dettaglio(t, dalCaso).Versione), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	invPaIS, err := f.svc.Esporta(ctx, pais, registro.Voce{})
	if err != nil || invPaIS.Numero != 1 {
		t.Fatalf("PaIS export: %v %+v", err, invPaIS)
	}
	invCC, err := f.svc.Esporta(ctx, cc, registro.Voce{})
	if err != nil || invCC.Numero != 1 {
		t.Fatalf("controlli export: %v %+v", err, invCC)
	}
	if _, err := f.svc.Esporta(ctx, cc, registro.Voce{}); !errors.Is(err, ErrNienteDaInviare) {
		t.Errorf("second controlli export: %v", err)
	}
	var inCC uuid.UUID
	if err := f.pool.QueryRow(ctx, `SELECT id FROM segnalazione WHERE invio_id = $1`, invCC.ID).Scan(&inCC); err != nil || inCC != dc {
		t.Errorf("the controlli batch carries %v (%v), want %v", inCC, err, dc)
	}
	// The batches: each sees only their own.
	for _, c := range []struct {
		p          authz.Principal
		suo, altro int64
	}{{pais, invPaIS.ID, invCC.ID}, {cc, invCC.ID, invPaIS.ID}} {
		in, err := f.svc.Invii(ctx, c.p, registro.Voce{})
		if err != nil || len(in.Invii) != 1 || in.Invii[0].ID != c.suo {
			t.Errorf("%s's batches: %v %+v", c.p.Ruolo, err, in.Invii)
		}
		if _, err := f.svc.FileInvio(ctx, c.p, c.altro, registro.Voce{}); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s downloads the other's batch: %v", c.p.Ruolo, err)
		}
		if _, err := f.svc.Invio(ctx, c.p, c.altro, 1, registro.Voce{}); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s opens the other's batch: %v", c.p.Ruolo, err)
		}
		if _, err := f.svc.FileInvio(ctx, c.p, c.suo, registro.Voce{}); err != nil {
			t.Errorf("%s downloads their batch: %v", c.p.Ruolo, err)
		}
	}
	// The esito INPS of a controlli segnalazione: only the coordinatore controlli records it.
	d, err = f.svc.Decisione(ctx, cc, dc, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	in := EsitoInput{Esito: "acquisita", Data: calendario.ISO(f.now), Versione: ver(d.Versione)}
	if _, err := f.svc.RegistraEsito(ctx, pais, dc, in, registro.Voce{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("PaIS records the esito of a controlli segnalazione: %v", err)
	}
	if _, err := f.svc.RegistraEsito(ctx, cc, dc, in, registro.Voce{}); err != nil {
		t.Errorf("coordinatore controlli records the esito: %v", err)
	}
}

// The case manager reads, on the case, a segnalazione the controlli drafted
// about a member, but it is not theirs: refused by the coordinatore
// controlli it stays respinta, never comes back to the case manager to
// correct, and cannot be edited or cancelled by them.
func TestSegnalazioneDeiControlliSoloLettura(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	cm, cc := f.people["casemanager"], f.people["coordcontrolli"]
	id := f.daControlli(t)
	dec, err := f.svc.Decisione(ctx, cc, id, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Respingi(ctx, cc, id, strconv.Itoa(dec.Versione), "La cancellazione risulta annullata in autotutela.", registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	sc, err := f.svc.Dettaglio(ctx, cm, f.caso, id, registro.Voce{})
	if err != nil {
		t.Fatalf("the case manager cannot read the controlli's segnalazione on the case: %v", err)
	}
	if sc.Segnalazione.DelCaseManager() || sc.Segnalazione.Stato != Respinta {
		t.Errorf("origine %q, stato %s", sc.Segnalazione.Origine, sc.Segnalazione.Stato)
	}
	v := strconv.Itoa(sc.Segnalazione.Versione)
	if err := f.svc.Annulla(ctx, cm, f.caso, id, v, "", registro.Voce{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("the case manager cancels the controlli's segnalazione: %v", err)
	}
	if err := f.svc.Modifica(ctx, cm, f.caso, id, f.valida(), true, registro.Voce{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("the case manager edits the controlli's segnalazione: %v", err)
	}
	mie, err := f.svc.DaRivedere(ctx, cm, 1, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range mie.Righe {
		if r.ID == id {
			t.Error("the refused controlli segnalazione is among the case manager's to correct")
		}
	}
}
