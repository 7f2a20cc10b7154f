package flusso

// The wire form of a line. Text fields are strings, so that a bad value is
// reported by the checks with all the others instead of stopping the JSON
// decoder; the two flags whose absence would be ambiguous (their default
// would be true) and the version are pointers, so that absence is seen.
// Field order is the order Genera writes them.

type rigaJSON struct {
	VersioneTracciato             *int              `json:"versione_tracciato"`
	IDDomanda                     string            `json:"id_domanda"`
	Misura                        string            `json:"misura"`
	DataDomanda                   string            `json:"data_domanda"`
	DataPAD                       string            `json:"data_pad,omitempty"`
	DataDecorrenza                string            `json:"data_decorrenza,omitempty"`
	DataTrasmissione              string            `json:"data_trasmissione"`
	StatoErogazione               string            `json:"stato_erogazione"`
	ComuneResidenza               string            `json:"comune_residenza"`
	Contatti                      *contattiJSON     `json:"contatti"`
	RequisitiAnagraficiVerificati *bool             `json:"requisiti_anagrafici_verificati"`
	EsitiControlli                string            `json:"esiti_controlli,omitempty"`
	AltrePrestazioni              []prestazioneJSON `json:"altre_prestazioni,omitempty"`
	Componenti                    []componenteJSON  `json:"componenti"`
}

type contattiJSON struct {
	Telefono  string `json:"telefono,omitempty"`
	Email     string `json:"email,omitempty"`
	Indirizzo string `json:"indirizzo"`
}

type componenteJSON struct {
	CodiceFiscale         string               `json:"codice_fiscale"`
	Cognome               string               `json:"cognome"`
	Nome                  string               `json:"nome"`
	Sesso                 string               `json:"sesso"`
	DataNascita           string               `json:"data_nascita"`
	LuogoNascita          string               `json:"luogo_nascita"`
	Cittadinanza          string               `json:"cittadinanza"`
	TitoloSoggiorno       *titoloSoggiornoJSON `json:"titolo_soggiorno,omitempty"`
	Relazione             string               `json:"relazione"`
	InScalaEquivalenza    *bool                `json:"in_scala_equivalenza"`
	Disabilita            bool                 `json:"disabilita,omitempty"`
	SvantaggioCertificato bool                 `json:"svantaggio_certificato,omitempty"`
	Residenza             string               `json:"residenza,omitempty"`
	Domicilio             string               `json:"domicilio,omitempty"`
	Telefono              string               `json:"telefono,omitempty"`
	Email                 string               `json:"email,omitempty"`
}

type titoloSoggiornoJSON struct {
	Tipo     string `json:"tipo"`
	Scadenza string `json:"scadenza,omitempty"`
}

type prestazioneJSON struct {
	Codice        string `json:"codice"`
	Descrizione   string `json:"descrizione,omitempty"`
	CodiceFiscale string `json:"codice_fiscale,omitempty"`
}

// The same fields as a schema, for the slow path that explains a line the
// decoder refused (unknown fields, wrong JSON types) field by field.

type tipoJSON int

const (
	tTesto tipoJSON = iota
	tBooleano
	tIntero
	tOggetto
	tLista // of objects
)

type campoJSON struct {
	tipo  tipoJSON
	campi map[string]campoJSON // of the object, or of each object in the list
}

var (
	testo    = campoJSON{tipo: tTesto}
	booleano = campoJSON{tipo: tBooleano}

	schemaTitolo      = map[string]campoJSON{"tipo": testo, "scadenza": testo}
	schemaPrestazione = map[string]campoJSON{"codice": testo, "descrizione": testo, "codice_fiscale": testo}
	schemaContatti    = map[string]campoJSON{"telefono": testo, "email": testo, "indirizzo": testo}
	schemaComponente  = map[string]campoJSON{
		"codice_fiscale": testo, "cognome": testo, "nome": testo, "sesso": testo, "data_nascita": testo,
		"luogo_nascita": testo, "cittadinanza": testo, "titolo_soggiorno": {tipo: tOggetto, campi: schemaTitolo},
		"relazione": testo, "in_scala_equivalenza": booleano, "disabilita": booleano, "svantaggio_certificato": booleano,
		"residenza": testo, "domicilio": testo, "telefono": testo, "email": testo,
	}
	schemaNucleo = map[string]campoJSON{
		"versione_tracciato": {tipo: tIntero}, "id_domanda": testo, "misura": testo, "data_domanda": testo,
		"data_pad": testo, "data_decorrenza": testo, "data_trasmissione": testo, "stato_erogazione": testo,
		"comune_residenza": testo, "contatti": {tipo: tOggetto, campi: schemaContatti},
		"requisiti_anagrafici_verificati": booleano, "esiti_controlli": testo,
		"altre_prestazioni": {tipo: tLista, campi: schemaPrestazione},
		"componenti":        {tipo: tLista, campi: schemaComponente},
	}
)
