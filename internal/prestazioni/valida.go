package prestazioni

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	inpswaas "github.com/cartella/cartella/docs/specs/inps-waas"
)

// Every flow is validated against INPS's schema by xmllint (Debian's
// libxml2-utils), run as a subprocess: ADR 0020 says why a real XML Schema
// validator and why this one. The schema is the one the binary embeds
// (docs/specs/inps-waas), written once to a file xmllint reads.

// ErrValidatoreAssente: xmllint is not installed where the server runs.
var ErrValidatoreAssente = errors.New("prestazioni: xmllint (libxml2-utils) non è installato: nessun flusso può essere validato")

// ErroreSchema is a flow the schema refuses, with xmllint's messages.
type ErroreSchema struct {
	Messaggi []string // as xmllint writes them, one per error
}

func (e *ErroreSchema) Error() string {
	return "prestazioni: il flusso non è conforme allo schema PS_PSA_SINA201812.xsd: " + strings.Join(e.Messaggi, "; ")
}

// Validatore validates flows against PS_PSA_SINA201812.xsd.
type Validatore struct {
	xsd  []byte
	once sync.Once
	path string
	err  error
}

// NuovoValidatore returns the validator of the schema the binary embeds.
func NuovoValidatore() *Validatore { return &Validatore{xsd: inpswaas.PSPSASINA} }

// schema writes the schema to a file named by its hash, once.
func (v *Validatore) schema() (string, error) {
	v.once.Do(func() {
		sum := sha256.Sum256(v.xsd)
		dir := filepath.Join(os.TempDir(), "cartella-xsd-"+hex.EncodeToString(sum[:8]))
		if v.err = os.MkdirAll(dir, 0o755); v.err != nil {
			return
		}
		p := filepath.Join(dir, "PS_PSA_SINA201812.xsd")
		if b, err := os.ReadFile(p); err == nil && bytes.Equal(b, v.xsd) {
			v.path = p
			return
		}
		tmp, err := os.CreateTemp(dir, "xsd-*")
		if err != nil {
			v.err = err
			return
		}
		_, err = tmp.Write(v.xsd)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), p)
		}
		v.path, v.err = p, err
	})
	return v.path, v.err
}

// Valida validates flow against the schema: nil when valid, an
// *ErroreSchema when not, ErrValidatoreAssente without xmllint.
func (v *Validatore) Valida(ctx context.Context, flow []byte) error {
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		return ErrValidatoreAssente
	}
	p, err := v.schema()
	if err != nil {
		return fmt.Errorf("prestazioni: schema: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--noout", "--nonet", "--schema", p, "-")
	cmd.Stdin = bytes.NewReader(flow)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee) && ee.ExitCode() >= 1 && ee.ExitCode() <= 4 && ctx.Err() == nil:
		// 1: not well formed; 3: invalid; 4: the schema itself.
		e := &ErroreSchema{}
		for _, l := range strings.Split(stderr.String(), "\n") {
			l = strings.TrimSpace(l)
			if l == "" || strings.HasSuffix(l, "fails to validate") || strings.HasSuffix(l, "validates") {
				continue
			}
			e.Messaggi = append(e.Messaggi, l)
		}
		if len(e.Messaggi) == 0 {
			e.Messaggi = []string{strings.TrimSpace(stderr.String())}
		}
		return e
	default:
		return fmt.Errorf("prestazioni: xmllint: %w", err)
	}
}

// Campo is a field of the form an error of the schema is about, with what
// to tell the operator.
type Campo struct {
	Nome      string // the form's field; "" for the page
	Messaggio string
}

// campiSchema maps the schema's attributes to the form's fields and labels.
var campiSchema = map[string]struct{ campo, etichetta string }{
	"CodicePrestazione": {"codice", "Prestazione"}, "DenominazionePrestazione": {"codice", "Denominazione della prestazione (catalogo)"},
	"CaratterePrestazione": {"carattere", "Carattere"}, "PresenzaProvaMezzi": {"prova_mezzi", "Prova dei mezzi"},
	"NumeroProtocolloDSU": {"dsu_protocollo", "Protocollo DSU"}, "AnnoProtocolloDSU": {"dsu_anno", "Anno del protocollo DSU"},
	"DataDSU": {"dsu_data", "Data della DSU"}, "ProtocolloDomanda": {"protocollo_domanda", "Protocollo della pratica dell'ente"},
	"DataEvento": {"data_evento", "Data dell'evento"}, "DataInizioPrestazione": {"data_inizio", "Inizio"},
	"DataFinePrestazione": {"data_fine", "Fine"}, "DataErogazionePrestazione": {"data_erogazione", "Erogazione"},
	"ImportoPrestazione": {"importo", "Importo"}, "PeriodoErogazione": {"periodo", "Mesi di erogazione"},
	"ImportoMensile": {"importo_mensile", "Importo mensile"}, "ImportoQuotaEnte": {"quota_ente", "Quota dell'ente"},
	"ImportoQuotaUtente": {"quota_utente", "Quota dell'utente"}, "ImportoQuotaSSN": {"quota_ssn", "Quota del SSN"},
	"ImportoQuotaRichiesta": {"quota_richiesta", "Quota richiesta"}, "ImportoSogliaISEE": {"soglia_isee", "Soglia ISEE"},
	"OreServizioMensile": {"ore_mensili", "Ore di servizio al mese"}, "PresaCarico": {"presa_carico", "Presa in carico"},
	"AreaUtenza": {"area_utenza", "Area di utenza"},
	"Mobilita":   {"mobilita", "Mobilità"}, "AttivitaVitaQuotidiana": {"avq", "Attività della vita quotidiana"},
	"DisturbiAreaCognitiva": {"cognitivi", "Disturbi cognitivi"}, "DisturbiComportamentali": {"comportamentali", "Disturbi comportamentali"},
	"NecessitaCureSanitarie": {"cure", "Necessità di cure sanitarie"}, "AreaReddituale": {"reddituale", "Area reddituale"},
	"AreaSupporto": {"supporto", "Area supporto"}, "FonteDerivazioneValutazione": {"fonte", "Fonte della valutazione"},
	"StrumentoValutazione": {"strumento", "Strumento di valutazione"}, "FonteDerivazioneInvalidita": {"fonte_invalidita", "Fonte dell'invalidità"},
	"InvCiv": {"invalidita", "Invalidità civile"},
	// The person, from the case's anagrafica.
	"CodiceFiscale": {"persona_id", "Codice fiscale della persona"}, "Cognome": {"persona_id", "Cognome della persona"},
	"Nome": {"persona_id", "Nome della persona"}, "AnnoNascita": {"persona_id", "Anno di nascita della persona"},
	"LuogoNascita": {"persona_id", "Luogo di nascita della persona"}, "Genere": {"persona_id", "Sesso della persona"},
	"CodiceCittadinanza": {"persona_id", "Cittadinanza della persona"}, "CodiceRegione": {"persona_id", "Regione di residenza"},
	"CodiceComune": {"persona_id", "Comune di residenza"}, "CodiceNazione": {"persona_id", "Nazione di residenza"},
}

// Some attributes are both the person's and the ente's (Nome, Codice):
// xmllint names the element, and the ente's are told apart by it.
var (
	reAttributo = regexp.MustCompile(`[Ee]lement '(?:\{[^}]*\})?(\w+)'(?:, attribute '(\w+)')?: (.*)$`)
	reMancante  = regexp.MustCompile(`The attribute '(\w+)' is required but missing`)
	reValore    = regexp.MustCompile(`[Tt]he value '([^']*)'`)
)

// Traduci says what to correct for each of xmllint's messages in e: the
// field of the form when there is one, in Italian.
func Traduci(e *ErroreSchema) []Campo {
	var out []Campo
	for _, m := range e.Messaggi {
		g := reAttributo.FindStringSubmatch(m)
		if g == nil {
			out = append(out, Campo{"", "Il flusso per INPS non è conforme allo schema: " + m})
			continue
		}
		elem, attr, resto := g[1], g[2], g[3]
		if attr == "" {
			if mm := reMancante.FindStringSubmatch(resto); mm != nil {
				attr = mm[1]
			} else if elem == "InvCiv" || elem == "CodicePrestazione" {
				attr = elem
			}
		}
		if elem == "Ente" || elem == "IdentificazioneFlusso" {
			out = append(out, Campo{"", "I dati dell'ente per SIUSS non sono accettati da INPS (" + attr + ", " + motivo(resto) +
				"): l'amministratore di ambito li corregge in «Ente per SIUSS»."})
			continue
		}
		c, ok := campiSchema[attr]
		if elem == "CodicePrestazione" {
			c, ok = struct{ campo, etichetta string }{"interventi", "Necessità di interventi sociali"}, true
		}
		if !ok {
			out = append(out, Campo{"", "Il flusso per INPS non è conforme allo schema (" + elem + " " + attr + "): " + motivo(resto)})
			continue
		}
		msg := c.etichetta + ": " + motivo(resto) + "."
		if c.campo == "persona_id" {
			msg += " Correggi l'anagrafica della persona nella scheda del caso."
		}
		out = append(out, Campo{c.campo, msg})
	}
	return out
}

// motivo translates the facet xmllint names.
func motivo(s string) string {
	v := ""
	if g := reValore.FindStringSubmatch(s); g != nil {
		v = " («" + g[1] + "»)"
	}
	switch {
	case strings.Contains(s, "is required but missing"):
		return "manca, ed è obbligatorio per INPS"
	case strings.Contains(s, "'minLength'"), strings.Contains(s, "'length'") && strings.Contains(s, "underruns"):
		return "è troppo corto" + v
	case strings.Contains(s, "'maxLength'"), strings.Contains(s, "'length'"):
		return "è troppo lungo" + v
	case strings.Contains(s, "'pattern'"):
		return "non ha la forma richiesta" + v
	case strings.Contains(s, "'enumeration'"):
		return "non è uno dei valori ammessi" + v
	case strings.Contains(s, "'minInclusive'"), strings.Contains(s, "'maxInclusive'"):
		return "è fuori dall'intervallo ammesso" + v
	case strings.Contains(s, "not a valid value of the atomic type"):
		return "non è un valore valido" + v
	}
	return "non è accettato da INPS (" + s + ")"
}
