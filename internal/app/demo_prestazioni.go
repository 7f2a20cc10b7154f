package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/prestazioni"
	"github.com/cartella/cartella/internal/registro"
)

// prestazioniDemo loads the example catalogue of INPS prestazioni
// (internal/demo/prestazioni-esempio.csv), sets the demo ambito's ente for
// SIUSS (its first comune, the amministratore as responsible operator) and
// records, as `casemanager` through the service the pages use, three
// prestazioni with their flows ready for INPS:
//   - on the lowest-numbered ADI case, a periodic contributo per l'alloggio
//     with ISEE (DSU protocol, year and date), quote ente and utente;
//   - on the lowest-numbered case of another measure (SFL), a one-off
//     contribution without means test;
//   - on the next ADI case, a home-care assegno di cura with a SINA
//     assessment (the oldest member), then corrected (C + I).
//
// It returns the three case codes. Run once, at the first start.
func prestazioniDemo(ctx context.Context, d *deps, log *slog.Logger) ([]string, error) {
	start := time.Now()
	cat, err := prestazioni.ParseCatalogo(bytes.NewReader(demo.CatalogoPrestazioni))
	if err != nil {
		return nil, err
	}
	if _, err := prestazioni.ImportaCatalogo(ctx, d.pool, d.registro, cat, registro.Voce{Indirizzo: "demo"}); err != nil {
		return nil, err
	}
	ps, err := demo.Principals(ctx, d.accesso)
	if err != nil {
		return nil, err
	}
	cm, amm := ps["casemanager"], ps["amministratore"]
	if cm.AmbitoID == nil {
		return nil, errors.New("demo: prestazioni: casemanager has no ambito")
	}
	comuni, err := d.accesso.Comuni(ctx, *cm.AmbitoID)
	if err != nil || len(comuni) == 0 {
		return nil, fmt.Errorf("demo: prestazioni: the ambito's comuni: %v", err)
	}
	if err := prestazioni.ConfiguraEnte(ctx, d.pool, prestazioni.Ente{AmbitoID: *cm.AmbitoID, CodiceEnte: comuni[0].CodiceCatastale,
		Belfiore: comuni[0].CodiceCatastale, Denominazione: "Comune di " + comuni[0].Denominazione + " (ente capofila)",
		CFOperatore: amm.CodiceFiscale}); err != nil {
		return nil, fmt.Errorf("demo: prestazioni: ente: %w", err)
	}
	oggi := d.casi.Oggi()
	casoDi := func(misura string, salta int) (casi.Caso, error) {
		var id uuid.UUID
		err := d.pool.QueryRow(ctx, `
			SELECT c.id FROM caso c JOIN domanda d ON d.id = c.domanda_id
			WHERE c.case_manager_id = $1 AND c.chiuso_il IS NULL AND (d.misura = 'ADI') = ($2 = 'ADI')
			ORDER BY c.numero OFFSET $3 LIMIT 1`, cm.OperatoreID, misura, salta).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return casi.Caso{}, fmt.Errorf("demo: prestazioni: no open %s case of casemanager", misura)
		}
		if err != nil {
			return casi.Caso{}, err
		}
		return d.casi.Get(ctx, d.pool, id)
	}
	membro := func(c casi.Caso, anziano bool) (string, error) {
		ms, err := d.casi.Componenti(ctx, d.pool, c.NucleoID)
		if err != nil || len(ms) == 0 {
			return "", fmt.Errorf("demo: prestazioni: members of %s: %v", c.Codice(), err)
		}
		m := ms[0]
		if anziano {
			for _, x := range ms {
				if x.DataNascita.Before(m.DataNascita) {
					m = x
				}
			}
		}
		return m.PersonaID.String(), nil
	}
	anno := oggi.Year()
	inizio := time.Date(anno, 1, 1, 0, 0, 0, 0, time.UTC)
	if oggi.Month() > 2 {
		inizio = time.Date(anno, oggi.Month()-2, 1, 0, 0, 0, 0, time.UTC)
	}
	v := voceDi(cm)
	var codici []string
	for i := range 3 {
		misura, salta := "ADI", 0
		switch i {
		case 1:
			misura = "SFL"
		case 2:
			salta = 1
		}
		c, err := casoDi(misura, salta)
		if err != nil {
			return nil, err
		}
		persona, err := membro(c, i == 2)
		if err != nil {
			return nil, err
		}
		var m prestazioni.Modulo
		switch i {
		case 0:
			m = prestazioni.Modulo{PersonaID: persona, Codice: "A1.09", Carattere: "1", ProvaMezzi: "1",
				DSUProtocollo: fmt.Sprintf("INPS-ISEE-%d-%08dA-00", anno, 4711+c.Numero), DSUAnno: fmt.Sprint(anno),
				DSUData: calendario.ISO(inizio.AddDate(0, 0, -20)), ProtocolloDomanda: fmt.Sprintf("PG/%d/%d", anno, 1200+c.Numero),
				DataInizio: calendario.ISO(inizio), DataFine: calendario.ISO(time.Date(anno, 12, 31, 0, 0, 0, 0, time.UTC)),
				Periodo: fmt.Sprint(13 - int(inizio.Month())), ImportoMensile: "300,00", QuotaEnte: "250,00", QuotaUtente: "50,00",
				SogliaISEE: "9.360,00", PresaCarico: "1", AreaUtenza: "3"}
		case 1:
			m = prestazioni.Modulo{PersonaID: persona, Codice: "A2.05", Carattere: "2", ProvaMezzi: "4",
				ProtocolloDomanda: fmt.Sprintf("PG/%d/%d", anno, 1300+c.Numero), DataErogazione: calendario.ISO(oggi.AddDate(0, 0, -7)),
				Importo: "250,00", PresaCarico: "1", AreaUtenza: "3"}
		case 2:
			m = prestazioni.Modulo{PersonaID: persona, Codice: "B1.03", Carattere: "1", ProvaMezzi: "4",
				ProtocolloDomanda: fmt.Sprintf("PG/%d/%d", anno, 1400+c.Numero), DataInizio: calendario.ISO(inizio),
				ImportoMensile: "400,00", OreMensili: "20,00", PresaCarico: "1", AreaUtenza: "2",
				SINA: true, Mobilita: "2", AttivitaVita: "2", Cognitivi: "1", Comportamentali: "1", Cure: "2", Reddituale: "2",
				Supporto: "2", Fonte: "1", Strumento: "1", FonteInvalidita: "1", Invalidita: []string{"2"}, Interventi: "B1.01"}
		}
		id, err := d.prestaz.Registra(ctx, cm, c.ID, m, v)
		if err == nil && i == 2 {
			// Corrected: the monthly amount was 420 €, not 400 (C + I).
			m.ImportoMensile, m.Versione = "420,00", "1"
			err = d.prestaz.Correggi(ctx, cm, c.ID, id, m, v)
		}
		if err != nil {
			return nil, fmt.Errorf("demo: prestazioni: %s: %w%s", c.Codice(), err, campi(err))
		}
		codici = append(codici, c.Codice())
	}
	log.Info("demo prestazioni recorded", "cases", len(codici), "elapsed", time.Since(start).Round(time.Millisecond).String())
	return codici, nil
}
