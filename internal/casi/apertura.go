package casi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/flusso"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// Manual opening of a case (issue 4 item 3): a family that turns up at the
// service is taken in charge by a case manager (who becomes its case
// manager) or by a coordinatore (the case waits on the board to be
// assigned). The household goes through the same checks as a line of the
// nuclei flow (internal/flusso), so that a case opened by hand is as sound
// as an imported one.

// Rows of members on the opening form: the form starts with
// RigheApertura, "Aggiungi un componente" adds one up to MaxRigheApertura.
const (
	RigheApertura    = 4
	MaxRigheApertura = 20
)

// ComponenteApertura is one member row as typed.
type ComponenteApertura struct {
	CodiceFiscale, Cognome, Nome, Sesso, DataNascita, LuogoNascita, Cittadinanza, Relazione string

	InScala, Disabilita, Svantaggio, VittimaViolenza bool
}

// Vuoto reports whether nothing was typed in the row (its check boxes do
// not count): blank rows are ignored.
func (c ComponenteApertura) Vuoto() bool {
	for _, s := range []string{c.CodiceFiscale, c.Cognome, c.Nome, c.Sesso, c.DataNascita, c.LuogoNascita, c.Relazione} {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// Apertura is the opening form as typed. Dates are YYYY-MM-DD (the value
// of an <input type="date">).
type Apertura struct {
	Misura, IDDomanda, DataDomanda, DataPAD, DataDecorrenza, StatoErogazione string

	ComuneID                   string
	Telefono, Email, Indirizzo string

	Componenti []ComponenteApertura
}

// NuovaApertura is a blank form with n member rows, the first one for the
// richiedente.
func NuovaApertura(n int) Apertura {
	a := Apertura{Misura: string(ADI)}
	for i := 0; i < n; i++ {
		a.Componenti = append(a.Componenti, nuovaRiga(i == 0))
	}
	return a
}

func nuovaRiga(richiedente bool) ComponenteApertura {
	c := ComponenteApertura{InScala: true, Cittadinanza: "Italia"}
	if richiedente {
		c.Relazione = "richiedente"
	}
	return c
}

// ComuneApertura is a comune where p may open a case.
type ComuneApertura struct {
	ID            int64
	Nome, Istat   string
	AmbitoID      int64
	Selezionabile bool
}

// ComuniApertura returns the comuni of p's scope: the case manager's
// comune; the coordinatore's ambito or comune.
func (s *Service) ComuniApertura(ctx context.Context, p authz.Principal) ([]ComuneApertura, error) {
	if !puoAprire(p) {
		return nil, ErrNotFound
	}
	comuni, err := comuniApertura(ctx, s.pool, *p.AmbitoID, p.ComuneID)
	if err != nil {
		return nil, fmt.Errorf("casi: comuni apertura: %w", err)
	}
	return comuni, nil
}

// puoAprire: the roles that open cases by hand, with a scope to open them in.
func puoAprire(p authz.Principal) bool {
	switch p.Ruolo {
	case authz.CaseManager:
		return p.AmbitoID != nil && p.ComuneID != nil
	case authz.CoordinatorePaIS:
		return p.AmbitoID != nil
	}
	return false
}

// Aperto is the outcome of a manual opening.
type Aperto struct {
	ID     uuid.UUID
	Codice string
	// Assegnato: the case was assigned to whoever opened it (a case
	// manager); otherwise it waits on the coordinatore's board.
	Assegnato bool
}

// Apri opens a case from the form: the household is checked like a line of
// the flow, then written in one transaction with its history and the
// registro. A case manager becomes the case manager of the case; a
// coordinatore's case is left to be assigned. Field errors come back in
// Italian keyed by form field, nothing written.
func (s *Service) Apri(ctx context.Context, p authz.Principal, in Apertura, v registro.Voce) (Aperto, httpx.FieldErrors, error) {
	comuni, err := s.ComuniApertura(ctx, p)
	if err != nil {
		return Aperto{}, nil, err
	}
	var comune *ComuneApertura
	for i := range comuni {
		if strconv.FormatInt(comuni[i].ID, 10) == in.ComuneID {
			comune = &comuni[i]
		}
	}
	nu, errs := s.ControllaApertura(in, comune)
	if len(errs) > 0 {
		return Aperto{}, errs, nil
	}
	senzaMisura := nu.Misura == string(Altro)
	var out Aperto
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		errs = httpx.FieldErrors{}
		if !senzaMisura {
			esiste, nellAmbito, err := domandaEsiste(ctx, tx, nu.IDDomanda, comune.AmbitoID)
			if err != nil {
				return err
			}
			switch {
			case nellAmbito:
				errs["id_domanda"] = "Id domanda: la domanda " + nu.IDDomanda + " è già nella cartella (arrivata con il flusso INPS o aperta da un collega): non si apre un secondo caso per la stessa domanda."
				return errs
			case esiste:
				// Held outside this ambito: the message says nothing of where.
				errs["id_domanda"] = MsgDomandaNonApribile
				return errs
			}
		}
		nucleoID, err := insertNucleoDichiarato(ctx, tx, nu.Contatti)
		if err != nil {
			return err
		}
		oggi := s.Oggi()
		for i, k := range nu.Componenti {
			row := righeNonVuote(in)[i]
			pid, diverso, visibile, err := personaApertura(ctx, tx, k, comune.AmbitoID)
			if err != nil {
				return err
			}
			switch {
			case diverso && visibile:
				errs[fmt.Sprintf("c%d_codice_fiscale", row)] = fmt.Sprintf("Componente %d, codice fiscale: %s è già registrato con un altro cognome o nome; verifica i dati (l'anagrafica esistente non si modifica da qui).", i+1, k.CodiceFiscale)
				continue
			case diverso:
				// Known only outside this ambito: the same words as a code
				// that does not match the names typed, nothing of where.
				errs[fmt.Sprintf("c%d_codice_fiscale", row)] = msgCFNomi(i + 1)
				continue
			}
			if err := insertComponenteApertura(ctx, tx, nucleoID, pid, k, in.Componenti[row].VittimaViolenza, oggi); err != nil {
				return err
			}
		}
		if len(errs) > 0 {
			return errs
		}
		var idDomanda *string
		var dataDomanda *time.Time
		statoErogazione := ""
		if !senzaMisura {
			idDomanda, dataDomanda, statoErogazione = &nu.IDDomanda, &nu.DataDomanda, strings.TrimSpace(in.StatoErogazione)
		}
		domandaID, err := insertDomandaApertura(ctx, tx, nu, idDomanda, nucleoID, dataDomanda, statoErogazione)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			errs["id_domanda"] = "Id domanda: la domanda " + nu.IDDomanda + " è stata appena registrata da un altro operatore."
			return errs
		}
		if err != nil {
			return err
		}
		var cm *uuid.UUID
		stato := Ricevuto
		if p.Ruolo == authz.CaseManager {
			op := p.OperatoreID
			cm, stato, out.Assegnato = &op, Assegnato, true
		}
		var numero int64
		if out.ID, numero, err = insertCasoManuale(ctx, tx, domandaID, nucleoID, comune.AmbitoID, comune.ID, cm, stato, oggi); err != nil {
			return err
		}
		out.Codice = Caso{Numero: numero}.Codice()
		op := p.OperatoreID
		if err := Storico(ctx, tx, out.ID, &op, "aperto", "", string(stato), "apertura manuale presso il servizio"); err != nil {
			return err
		}
		if cm != nil {
			if err := insertAssegnazioneManuale(ctx, tx, out.ID, op); err != nil {
				return err
			}
			if err := Storico(ctx, tx, out.ID, &op, "assegnato", "", p.NomeCompleto(), "apertura manuale"); err != nil {
				return err
			}
		}
		if err := s.Aggiorna(ctx, tx, out.ID); err != nil {
			return err
		}
		v.Azione, v.OggettoTipo, v.OggettoID, v.CasoID, v.Esito = registro.Scrittura, "caso", out.ID.String(), out.ID.String(), registro.Consentito
		v.Dettaglio = fmt.Sprintf("apertura manuale, %d componenti", len(nu.Componenti))
		return s.reg.RecordTx(ctx, tx, v)
	})
	var fe httpx.FieldErrors
	if errors.As(err, &fe) {
		return Aperto{}, fe, nil
	}
	if err != nil {
		return Aperto{}, nil, fmt.Errorf("casi: apri: %w", err)
	}
	return out, nil, nil
}

// righeNonVuote are the indexes of the rows of in that hold a member.
func righeNonVuote(in Apertura) []int {
	var out []int
	for i, c := range in.Componenti {
		if !c.Vuoto() {
			out = append(out, i)
		}
	}
	return out
}

// comeNelFlusso is a date typed in the form (gg/mm/aaaa or aaaa-mm-gg) as the
// flow writes it; what is not a date is passed on as typed, for the flow's
// checks to reject with their message.
func comeNelFlusso(s string) string {
	if d, ok := calendario.ParseData(s); ok {
		return calendario.ISO(d)
	}
	return s
}

// ControllaApertura checks the form with the checks of the nuclei flow
// (flusso.Parser, the same code the import runs) plus what only the form
// has (a comune of the scope). It returns the household as the flow would,
// or the errors keyed by form field ("misura", "c2_codice_fiscale", …).
func (s *Service) ControllaApertura(in Apertura, comune *ComuneApertura) (flusso.Nucleo, httpx.FieldErrors) {
	errs := httpx.FieldErrors{}
	oggi := s.Oggi().Format("2006-01-02")
	misura := strings.TrimSpace(in.Misura)
	senzaMisura := misura == string(Altro)
	istat := ""
	if comune == nil {
		errs["comune"] = "Comune: scegli il comune del nucleo tra quelli di tua competenza."
	} else {
		istat = comune.Istat
	}
	righe := righeNonVuote(in)
	componenti := make([]map[string]any, 0, len(righe))
	for n, i := range righe {
		c := in.Componenti[i]
		cf := codicefiscale.Normalize(c.CodiceFiscale)
		luogo, cittadinanza := s.luogoECittadinanza(n+1, i, c, cf, errs)
		componenti = append(componenti, map[string]any{
			"codice_fiscale": cf, "cognome": c.Cognome, "nome": c.Nome, "sesso": c.Sesso, "data_nascita": comeNelFlusso(c.DataNascita),
			"luogo_nascita": luogo, "cittadinanza": cittadinanza, "relazione": c.Relazione,
			"in_scala_equivalenza": c.InScala, "disabilita": c.Disabilita, "svantaggio_certificato": c.Svantaggio,
		})
	}
	riga := map[string]any{
		"versione_tracciato": flusso.VersioneTracciato,
		"id_domanda":         in.IDDomanda, "misura": misura, "data_domanda": comeNelFlusso(in.DataDomanda), "data_pad": comeNelFlusso(in.DataPAD),
		"data_decorrenza": comeNelFlusso(in.DataDecorrenza), "data_trasmissione": oggi, "stato_erogazione": in.StatoErogazione,
		"comune_residenza":                istat,
		"contatti":                        map[string]any{"telefono": in.Telefono, "email": in.Email, "indirizzo": in.Indirizzo},
		"requisiti_anagrafici_verificati": true,
		"componenti":                      componenti,
	}
	if senzaMisura {
		// A presa in carico without a measure has no domanda INPS: the
		// domanda's fields are not asked, and stand-ins pass the flow's checks.
		riga["id_domanda"], riga["data_domanda"], riga["data_pad"], riga["data_decorrenza"] = "SENZA-MISURA", oggi, "", ""
	}
	if strings.TrimSpace(in.StatoErogazione) == "" || senzaMisura {
		riga["stato_erogazione"] = "in_istruttoria" // not known at the desk: stored empty
	}
	if comune == nil {
		riga["comune_residenza"] = "000000"
	}
	line, err := json.Marshal(riga)
	if err != nil {
		errs["generale"] = "Il modulo non può essere letto."
		return flusso.Nucleo{}, errs
	}
	var nu flusso.Nucleo
	p := flusso.Parser{Oggi: s.Oggi()}
	rep, err := p.Parse(bytes.NewReader(line), func(n flusso.Nucleo) error { nu = n; return nil })
	if err != nil {
		errs["generale"] = "Il modulo non può essere letto."
		return flusso.Nucleo{}, errs
	}
	for _, sc := range rep.Scarti {
		for _, m := range strings.Split(sc.Motivo, "; ") {
			k, msg := campoDaMotivo(m, righe)
			if k == "comune" && comune == nil {
				continue
			}
			if old, ok := errs[k]; ok {
				msg = old + " " + msg
			}
			errs[k] = msg
		}
	}
	// A place or a nation longer than a name can be is said as such.
	for _, i := range righe {
		c := in.Componenti[i]
		httpx.MaxTesto(errs, fmt.Sprintf("c%d_luogo_nascita", i), c.LuogoNascita, maxLuogo)
		httpx.MaxTesto(errs, fmt.Sprintf("c%d_cittadinanza", i), c.Cittadinanza, maxLuogo)
	}
	// At the desk the code is read off a card: its first six letters must
	// be those of the surname and name typed (the flow from INPS is not
	// held to this: its names are INPS's).
	for n, i := range righe {
		c := in.Componenti[i]
		cf := codicefiscale.Normalize(c.CodiceFiscale)
		k := fmt.Sprintf("c%d_codice_fiscale", i)
		if _, ok := errs[k]; ok || codicefiscale.Validate(cf) != nil {
			continue
		}
		if !codicefiscale.CorrispondeNomi(cf, c.Cognome, c.Nome) {
			errs[k] = msgCFNomi(n + 1)
		}
	}
	return nu, errs
}

// luogoECittadinanza resolves the place of birth and the citizenship typed
// in row i (member n) to the codes the flow checks and the model stores: the
// codice catastale and the ISO 3166-1 alpha-3 code. A name that matches
// more comuni, an unknown name, or a place that is not the one the codice
// fiscale holds gets its message in errs, next to its field; what goes on
// to the flow is then a stand-in that raises no second message.
func (s *Service) luogoECittadinanza(n, i int, c ComponenteApertura, cf string, errs httpx.FieldErrors) (string, string) {
	cfValido := len(cf) == 16 && codicefiscale.Validate(cf) == nil
	nelCF := ""
	if cfValido {
		nelCF = codicefiscale.Luogo(cf)
	}
	segnaposto := nelCF // passes the flow's checks of the place
	if segnaposto == "" {
		segnaposto = "A000"
	}
	campoLuogo := fmt.Sprintf("c%d_luogo_nascita", i)
	testo := strings.TrimSpace(c.LuogoNascita)
	luogo := strings.ToUpper(testo)
	switch {
	case testo == "":
		luogo = nelCF // the form lets it be read from the codice fiscale
	case s.luoghi == nil:
	default:
		r := s.luoghi.RisolviLuogo(testo)
		switch {
		case r.Trovato:
			luogo = r.Luogo.Catastale
		case len(r.Scelte) > 0:
			errs[campoLuogo] = fmt.Sprintf("Componente %d, luogo di nascita: «%s» è il nome di più luoghi; scrivi quale: %s.",
				n, flusso.Breve(testo), r.ElencoScelte())
			luogo = segnaposto
		case !r.Codice:
			errs[campoLuogo] = fmt.Sprintf("Componente %d, luogo di nascita: «%s» non è un comune italiano né uno stato estero dell'elenco ISTAT; controlla come è scritto (per esempio Bologna, Castro (LE), Marocco) oppure scrivi il codice catastale.",
				n, flusso.Breve(testo))
			luogo = segnaposto
		}
		// A code of the right form that the list lacks (a comune soppresso)
		// goes on as typed: the flow checks it against the codice fiscale.
	}
	if _, giaErrato := errs[campoLuogo]; !giaErrato && nelCF != "" && luogo != "" && luogo != nelCF {
		errs[campoLuogo] = fmt.Sprintf("Componente %d, luogo di nascita: %s non corrisponde al codice fiscale, che indica %s; verifica il luogo di nascita e il codice fiscale.",
			n, s.etichettaLuogo(luogo), s.etichettaLuogo(nelCF))
		luogo = nelCF
	}

	cittadinanza := strings.ToUpper(strings.TrimSpace(c.Cittadinanza))
	if t := strings.TrimSpace(c.Cittadinanza); t != "" && s.luoghi != nil {
		if ci, ok := s.luoghi.RisolviCittadinanza(t); ok {
			cittadinanza = ci.ISO3
		} else if !reISO3.MatchString(t) {
			errs[fmt.Sprintf("c%d_cittadinanza", i)] = fmt.Sprintf("Componente %d, cittadinanza: «%s» non è uno stato dell'elenco ISTAT; scrivi il nome dello stato (per esempio Italia, Marocco, Romania) o «apolide».",
				n, flusso.Breve(t))
			cittadinanza = "ITA"
		}
	}
	return luogo, cittadinanza
}

// Ids of the datalists of the opening form, and the longest place or
// nation typed.
const (
	idDatalistLuoghi       = "luoghi-nascita"
	idDatalistCittadinanze = "cittadinanze"
	maxLuogo               = 80
)

// Suggerimenti are the names the opening form suggests: the comuni of the
// provinces of the comuni in scope and the foreign states (places of
// birth), and the nations (citizenships). The whole list of about 7,900
// comuni would weigh some 300 KB on every page; any other comune is
// resolved by the server from its name.
type Suggerimenti struct {
	Luoghi, Cittadinanze []string
}

func (s *Service) suggerimenti(comuni []ComuneApertura) Suggerimenti {
	var sg Suggerimenti
	if s.luoghi == nil {
		return sg
	}
	viste := map[string]bool{}
	for _, c := range comuni {
		co, ok := s.luoghi.ComuneDaISTAT(c.Istat)
		if !ok || viste[co.Provincia] {
			continue
		}
		viste[co.Provincia] = true
		for _, x := range s.luoghi.ComuniDellaProvincia(co.Provincia) {
			sg.Luoghi = append(sg.Luoghi, x.Denominazione+" ("+x.Provincia+")")
		}
	}
	for _, st := range s.luoghi.Stati() {
		sg.Luoghi = append(sg.Luoghi, st.Nome)
	}
	for _, ci := range s.luoghi.Cittadinanze() {
		sg.Cittadinanze = append(sg.Cittadinanze, ci.Nome)
	}
	return sg
}

// etichettaLuogo is a codice catastale as the form's messages name it:
// "Roma (RM), codice H501".
func (s *Service) etichettaLuogo(cat string) string {
	if s.luoghi != nil {
		if l, ok := s.luoghi.Luogo(cat); ok {
			return l.Etichetta() + ", codice " + cat
		}
	}
	return "il codice " + cat
}

var reISO3 = regexp.MustCompile(`^[A-Za-z]{3}$`)

// MsgDomandaNonApribile: a domanda that cannot be opened from here, said
// without telling whether or where it is held.
const MsgDomandaNonApribile = "Id domanda: questa domanda non può essere aperta da qui. Verifica l'identificativo sulla ricevuta INPS; se è giusto, il caso arriverà con il flusso INPS o con il trasferimento dal servizio che lo segue."

// msgCFNomi: the codice fiscale of member n does not go with the names.
func msgCFNomi(n int) string {
	return fmt.Sprintf("Componente %d, codice fiscale: non corrisponde a cognome e nome indicati; verificali sul documento (tessera sanitaria o carta d'identità).", n)
}

// campiFlusso: the flow's field names, as they start a reason, with the
// form field and the label the form shows. Longer names first.
var campiFlusso = []struct{ flusso, campo, label string }{
	{"codice fiscale", "codice_fiscale", "Codice fiscale"},
	{"codice_fiscale", "codice_fiscale", "Codice fiscale"},
	{"data_nascita", "data_nascita", "Data di nascita"},
	{"luogo_nascita", "luogo_nascita", "Luogo di nascita"},
	{"cittadinanza", "cittadinanza", "Cittadinanza"},
	{"cognome", "cognome", "Cognome"},
	{"nome", "nome", "Nome"},
	{"sesso", "sesso", "Sesso"},
	{"relazione", "relazione", "Relazione con il richiedente"},
	{"in_scala_equivalenza", "in_scala", "In scala di equivalenza"},
	{"id_domanda", "id_domanda", "Id domanda"},
	{"misura", "misura", "Misura"},
	{"data_domanda", "data_domanda", "Data della domanda"},
	{"data_pad", "data_pad", "Data di sottoscrizione del PAD"},
	{"data_decorrenza", "data_decorrenza", "Decorrenza"},
	{"stato_erogazione", "stato_erogazione", "Stato dell'erogazione"},
	{"comune_residenza", "comune", "Comune"},
	{"telefono", "telefono", "Telefono"},
	{"email", "email", "Email"},
	{"indirizzo", "indirizzo", "Indirizzo"},
}

var dataISO = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)

// campoDaMotivo turns one reason of the flow ("componente 2: campo cognome
// mancante") into the form field it is about and a message for the form.
// righe maps the flow's member number to the form's row.
func campoDaMotivo(m string, righe []int) (string, string) {
	m = dataISO.ReplaceAllString(m, "$3/$2/$1") // dates as the screens show them
	riga, componente := -1, 0
	if rest, ok := strings.CutPrefix(m, "componente "); ok {
		if n, after, ok := strings.Cut(rest, ": "); ok {
			if k, err := strconv.Atoi(n); err == nil && k >= 1 && k <= len(righe) {
				riga, componente, m = righe[k-1], k, after
			}
		}
	}
	m = strings.TrimPrefix(m, "contatti: ")
	campo, msg := "", ""
	if rest, ok := strings.CutPrefix(m, "campo "); ok && strings.HasSuffix(rest, " mancante") {
		nome := strings.TrimSuffix(rest, " mancante")
		for _, c := range campiFlusso {
			if c.flusso == nome {
				campo, msg = c.campo, c.label+": campo obbligatorio."
			}
		}
	}
	if campo == "" {
		for _, c := range campiFlusso {
			if strings.HasPrefix(m, c.flusso) {
				campo, msg = c.campo, c.label+strings.TrimPrefix(m, c.flusso)
				break
			}
		}
	}
	switch {
	case campo == "" && (strings.Contains(m, "richiedent") || strings.Contains(m, "componente")):
		return "componenti", maiuscola(m) + "."
	case campo == "":
		return "generale", maiuscola(m) + "."
	}
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	if riga >= 0 {
		return fmt.Sprintf("c%d_%s", riga, campo), fmt.Sprintf("Componente %d, %s", componente, minuscola(msg))
	}
	return campo, msg
}

func maiuscola(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func minuscola(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// Form handling.

func parseApertura(r *http.Request) Apertura {
	f := r.PostForm
	in := Apertura{
		Misura: f.Get("misura"), IDDomanda: f.Get("id_domanda"), DataDomanda: f.Get("data_domanda"), DataPAD: f.Get("data_pad"),
		DataDecorrenza: f.Get("data_decorrenza"), StatoErogazione: f.Get("stato_erogazione"), ComuneID: f.Get("comune"),
		Telefono: f.Get("telefono"), Email: f.Get("email"), Indirizzo: f.Get("indirizzo"),
	}
	n, _ := strconv.Atoi(f.Get("righe"))
	n = min(max(n, 1), MaxRigheApertura)
	for i := 0; i < n; i++ {
		g := func(k string) string { return f.Get(fmt.Sprintf("c%d_%s", i, k)) }
		in.Componenti = append(in.Componenti, ComponenteApertura{
			CodiceFiscale: g("codice_fiscale"), Cognome: g("cognome"), Nome: g("nome"), Sesso: g("sesso"),
			DataNascita: g("data_nascita"), LuogoNascita: g("luogo_nascita"), Cittadinanza: g("cittadinanza"),
			Relazione: g("relazione"), InScala: g("in_scala") == "1", Disabilita: g("disabilita") == "1",
			Svantaggio: g("svantaggio") == "1", VittimaViolenza: g("vittima_violenza") == "1",
		})
	}
	return in
}

func (h *Handler) renderApertura(w http.ResponseWriter, r *http.Request, status int, in Apertura, errs httpx.FieldErrors) {
	p := authz.PrincipalOf(r)
	comuni, err := h.svc.ComuniApertura(r.Context(), p)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if in.ComuneID == "" && len(comuni) == 1 {
		in.ComuneID = strconv.FormatInt(comuni[0].ID, 10)
	}
	h.rs.Render(w, r, status, aperturaPage(h.rs.Shell(r), in, comuni, errs, p.Ruolo == authz.CaseManager, h.svc.suggerimenti(comuni)))
}

func (h *Handler) Nuovo(w http.ResponseWriter, r *http.Request) {
	h.renderApertura(w, r, http.StatusOK, NuovaApertura(RigheApertura), nil)
}

func (h *Handler) Apri(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.rs.Error(w, r, httpx.ErrBadInput)
		return
	}
	in := parseApertura(r)
	if r.PostForm.Get("azione") == "aggiungi" {
		if len(in.Componenti) < MaxRigheApertura {
			in.Componenti = append(in.Componenti, nuovaRiga(false))
		}
		h.renderApertura(w, r, http.StatusOK, in, nil)
		return
	}
	p := authz.PrincipalOf(r)
	out, errs, err := h.svc.Apri(r.Context(), p, in, registro.VoceOf(r))
	switch {
	case err != nil:
		h.rs.Error(w, r, err)
	case len(errs) > 0:
		h.renderApertura(w, r, http.StatusUnprocessableEntity, in, errs)
	case out.Assegnato:
		httpx.Redirect(w, r, "/casi/"+out.ID.String()+"?esito=aperto")
	default:
		httpx.Redirect(w, r, h.inAttesa(out.ID)+"?"+url.Values{"aperto": {out.Codice}}.Encode())
	}
}
