package registro

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
)

// Casi gives the viewer the numbers people know cases by (the casi module,
// adapted in the composition root): the register stores the case's id.
type Casi interface {
	// NumeriCasi maps case ids to their numbers ("C-000016").
	NumeriCasi(ctx context.Context, ids []string) (map[string]string, error)
	// CasoPerNumero is the id of the case whose number the text is ("C-16",
	// "16"); ok is false when the text is no case number or no case has it.
	CasoPerNumero(ctx context.Context, testo string) (id string, ok bool, err error)
}

// etichetteOggetto: the objects of the register, in words.
var etichetteOggetto = map[string]string{
	"caso": "Caso", "operatore": "Operatore", "registro": "Registro degli accessi", "diario": "Diario sociale",
	"storico": "Storico del caso", "convocazione": "Convocazione", "incontro": "Incontro", "incontri": "Incontri",
	"giustificato_motivo": "Giustificato motivo", "analisi_preliminare": "Analisi preliminare",
	"quadro_analisi": "Quadro di analisi", "equipe": "Équipe multidisciplinare",
	"equipe_convocazione": "Convocazione dell'équipe", "patto": "Patto per l'inclusione sociale",
	"monitoraggio": "Monitoraggio del patto", "segnalazione": "Segnalazione all'INPS", "controllo": "Controllo anagrafico",
	"rete_mappa": "Mappa dei servizi della rete", "invio": "Invio alla rete", "importazione": "Importazione",
	"comuni": "Comuni", "dati_demo": "Dati dimostrativi", "prova": "Prova", "ambito": "Ambito", "ente": "Ente della rete",
	"waas_siuss": "E-service dei flussi SIUSS (INPS)", "siuss_flussi": "Flussi SIUSS",
}

// OggettoLabel is an object type in words; a type this list does not know
// yet gets its code in words ("nuovo_tipo" → "Nuovo tipo").
func OggettoLabel(tipo string) string {
	if l, ok := etichetteOggetto[tipo]; ok {
		return l
	}
	s := strings.ReplaceAll(tipo, "_", " ")
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return ""
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// RuoloLabel is the role a record was made in, in words.
func RuoloLabel(ruolo string) string {
	switch ruolo {
	case "":
		return ""
	case "fruitore_pdnd":
		// Not an operator: the consumer of an e-service, with a PDND
		// voucher (internal/pdnd); the record's detail names it.
		return "Fruitore PDND dell'e-service"
	}
	return authz.Ruolo(ruolo).Label()
}

// numeriDi resolves the case numbers of the records vs through c (nil: none).
func numeriDi(ctx context.Context, c Casi, vs []Voce) (map[string]string, error) {
	if c == nil {
		return nil, nil
	}
	seen := map[string]bool{}
	var ids []string
	for _, v := range vs {
		for _, id := range []string{v.CasoID, oggettoCaso(v)} {
			if id != "" && !seen[id] {
				if _, err := uuid.Parse(id); err == nil {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return c.NumeriCasi(ctx, ids)
}

// oggettoCaso is the record's object id when the object is a case.
func oggettoCaso(v Voce) string {
	if v.OggettoTipo == "caso" {
		return v.OggettoID
	}
	return ""
}

// casoLabel is the record's case as people know it: its number, or "—".
func casoLabel(v Voce, numeri map[string]string) string {
	switch {
	case v.CasoID == "":
		return "—"
	case numeri[v.CasoID] != "":
		return numeri[v.CasoID]
	}
	return "caso non più presente"
}

// oggettoLabel names the record's object in words: an operator of the
// ambito by name, a case by number, anything else by its kind.
func oggettoLabel(v Voce, nomi map[uuid.UUID]string, numeri map[string]string) string {
	switch v.OggettoTipo {
	case "operatore":
		if id, err := uuid.Parse(v.OggettoID); err == nil {
			if n, ok := nomi[id]; ok {
				return "Operatore " + n
			}
		}
	case "caso":
		if n := numeri[v.OggettoID]; n != "" {
			return "Caso " + n
		}
	}
	return OggettoLabel(v.OggettoTipo)
}
