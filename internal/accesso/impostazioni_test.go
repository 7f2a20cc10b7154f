package accesso_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// The office contacts printed on the patto are part of the operator's
// profile: saved at accreditation and on edit, each refused with its
// Italian message next to the field, listed in the history when changed.
func TestContattiUfficio(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	an := anagrafica("Esposito", "Marta", nascita, "F")
	an.TelefonoUfficio, an.EmailUfficio, an.OrariUfficio = "051 6598111", "servizi.sociali@comune.example.it", "martedì 9–12"
	id, err := f.svc.AccreditOperatore(ctx, f.admin, an, accesso.NuovoRuolo{
		Ruolo: string(authz.CaseManager), ComuneID: f.comune(2), Fondo: accesso.Fondi[0], Dal: "2026-01-01"}, registro.Voce{Esito: registro.Consentito})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := f.svc.SchedaOperatore(ctx, f.admin, id, registro.Voce{Esito: registro.Consentito})
	if err != nil {
		t.Fatal(err)
	}
	if o := sc.Operatore; o.TelefonoUfficio != "051 6598111" || o.EmailUfficio != "servizi.sociali@comune.example.it" || o.OrariUfficio != "martedì 9–12" {
		t.Errorf("office contacts after accreditation: %+v", o)
	}
	bad := an
	bad.CodiceFiscale = sc.Operatore.CodiceFiscale
	bad.TelefonoUfficio, bad.EmailUfficio, bad.OrariUfficio = "chiamare il centralino", "non-una-mail", strings.Repeat("x", 201)
	err = f.svc.UpdateAnagrafica(ctx, f.admin, id, sc.Versione, bad, registro.Voce{Esito: registro.Consentito})
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe["telefono_ufficio"], "Il telefono dell'ufficio") ||
		!strings.Contains(fe["email_ufficio"], "e-mail d'ufficio valido") || !strings.Contains(fe["orari_ufficio"], "Al massimo 200 caratteri") {
		t.Errorf("invalid office contacts: %v", err)
	}
	ok := bad
	ok.TelefonoUfficio, ok.EmailUfficio, ok.OrariUfficio = "+39 051 000000", "", "su appuntamento"
	if err := f.svc.UpdateAnagrafica(ctx, f.admin, id, sc.Versione, ok, registro.Voce{Esito: registro.Consentito}); err != nil {
		t.Fatal(err)
	}
	sc, _ = f.svc.SchedaOperatore(ctx, f.admin, id, registro.Voce{Esito: registro.Consentito})
	if !strings.Contains(sc.Storico[0].Descrizione, "telefono dell'ufficio da «051 6598111» a «+39 051 000000»") {
		t.Errorf("history of the change: %+v", sc.Storico[0])
	}
	c, err := f.svc.CartaDi(ctx, *f.admin.AmbitoID, &id)
	if err != nil || c.Contatti.Telefono != "+39 051 000000" || c.Contatti.Email != "" || c.Contatti.Orari != "su appuntamento" || c.Contatti.Nome != "Marta Esposito" {
		t.Errorf("contacts for the paper: %+v %v", c.Contatti, err)
	}
}

// The ambito's settings of the printed documents: the default privacy
// notice until one is written, a PNG or JPEG logo of at most 512 KB,
// removable; only the amministratore di ambito changes them.
func TestImpostazioniAmbito(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	amb := *f.admin.AmbitoID
	c, err := f.svc.CartaDi(ctx, amb, nil)
	if err != nil || c.Informativa != accesso.InformativaPredefinita || c.Logo != nil || c.Ambito == "" {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	if !strings.Contains(accesso.InformativaPredefinita, "art. 13") {
		t.Error("the default notice does not cite GDPR art. 13")
	}
	var fe httpx.FieldErrors
	err = f.svc.SalvaImpostazioni(ctx, f.admin, accesso.ModuloImpostazioni{Informativa: strings.Repeat("è", 6001), Logo: []byte("<svg></svg>")}, registro.Voce{Esito: registro.Consentito})
	if !errors.As(err, &fe) || !strings.Contains(fe["informativa_privacy"], "Al massimo 6000 caratteri") || !strings.Contains(fe["logo"], "PNG o JPEG") {
		t.Errorf("refused settings: %v", err)
	}
	err = f.svc.SalvaImpostazioni(ctx, f.admin, accesso.ModuloImpostazioni{Logo: make([]byte, accesso.MaxLogo+1)}, registro.Voce{Esito: registro.Consentito})
	if !errors.As(err, &fe) || !strings.Contains(fe["logo"], "512 KB") {
		t.Errorf("logo too large: %v", err)
	}
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 10, 10)))
	if err := f.svc.SalvaImpostazioni(ctx, f.admin, accesso.ModuloImpostazioni{Informativa: "Informativa dell'ambito.", Logo: b.Bytes()}, registro.Voce{Esito: registro.Consentito}); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.svc.CartaDi(ctx, amb, nil); c.Informativa != "Informativa dell'ambito." || !bytes.Equal(c.Logo, b.Bytes()) {
		t.Errorf("saved settings: %q, logo %d bytes", c.Informativa, len(c.Logo))
	}
	// Saving again without a file keeps the logo; "rimuovi" removes it.
	if err := f.svc.SalvaImpostazioni(ctx, f.admin, accesso.ModuloImpostazioni{Informativa: "Informativa dell'ambito."}, registro.Voce{Esito: registro.Consentito}); err != nil {
		t.Fatal(err)
	}
	if im, _ := f.svc.Impostazioni(ctx, f.admin); im.LogoMime != "image/png" {
		t.Errorf("the logo was lost: %+v", im)
	}
	if err := f.svc.SalvaImpostazioni(ctx, f.admin, accesso.ModuloImpostazioni{RimuoviLogo: true}, registro.Voce{Esito: registro.Consentito}); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.svc.CartaDi(ctx, amb, nil); c.Logo != nil || c.Informativa != accesso.InformativaPredefinita {
		t.Errorf("after removing: %+v", c)
	}
	cm := authz.Principal{Ruolo: authz.CaseManager, AmbitoID: &amb}
	if err := f.svc.SalvaImpostazioni(ctx, cm, accesso.ModuloImpostazioni{}, registro.Voce{Esito: registro.Consentito}); !errors.Is(err, httpx.ErrForbidden) {
		t.Errorf("a case manager changes the settings: %v", err)
	}
}

// The caseload cap of the cruscotto: 40 until the ambito sets one, an
// integer from 1 to 500, each refusal with its message; nil keeps it.
func TestTettoCasi(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	amb := *f.admin.AmbitoID
	if n, err := f.svc.TettoCasi(ctx, amb); err != nil || n != 40 {
		t.Fatalf("default cap: %d %v", n, err)
	}
	voce := registro.Voce{Esito: registro.Consentito}
	for typed, msg := range map[string]string{"0": "tra 1 e 500", "501": "tra 1 e 500", "abc": "numero intero", "": "Indica il tetto", "4.5": "numero intero"} {
		var fe httpx.FieldErrors
		if err := f.svc.SalvaImpostazioni(ctx, f.admin, accesso.ModuloImpostazioni{Tetto: &typed}, voce); !errors.As(err, &fe) || !strings.Contains(fe["tetto_casi"], msg) {
			t.Errorf("cap %q: %v", typed, err)
		}
	}
	v := "25"
	if err := f.svc.SalvaImpostazioni(ctx, f.admin, accesso.ModuloImpostazioni{Tetto: &v}, voce); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SalvaImpostazioni(ctx, f.admin, accesso.ModuloImpostazioni{Informativa: "Altra."}, voce); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.svc.TettoCasi(ctx, amb); n != 25 {
		t.Errorf("cap after saving 25 and then the notice alone: %d", n)
	}
	if im, _ := f.svc.Impostazioni(ctx, f.admin); im.TettoCasi != 25 {
		t.Errorf("settings: %+v", im)
	}
}
