package home

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/cartella/cartella/internal/authz"
)

func conta(numeri []int, ok bool, err error) func(context.Context, authz.Principal) ([]int, bool, error) {
	return func(context.Context, authz.Principal) ([]int, bool, error) { return numeri, ok, err }
}

// The home's counts are those of the sources for the operator's role, in
// the sources' order, each number with its label; a source with nothing
// for the operator adds nothing, and a role without counts has no box.
func TestLavoroDi(t *testing.T) {
	ctx := context.Background()
	cm := authz.Principal{Ruolo: authz.CaseManager}
	fonti := []Contatore{
		{Ruolo: authz.CaseManager, Voci: []VoceLavoro{{Etichetta: "casi aperti", Href: "/casi"}, {Etichetta: "scaduti", Allarme: true}}, Conta: conta([]int{5, 1}, true, nil)},
		{Ruolo: authz.CoordinatorePaIS, Voci: []VoceLavoro{{Etichetta: "da assegnare"}}, Conta: conta([]int{9}, true, nil)},
		{Ruolo: authz.CaseManager, Voci: []VoceLavoro{{Etichetta: "niente"}}, Conta: conta(nil, false, nil)},
		{Ruolo: authz.CaseManager, Voci: []VoceLavoro{{Etichetta: "incontri"}}, Conta: Uno(func(context.Context, authz.Principal) (int, bool, error) { return 2, true, nil })},
	}
	l, ok, err := lavoroDi(ctx, fonti, cm)
	want := []VoceLavoro{{Etichetta: "casi aperti", Href: "/casi", Numero: 5}, {Etichetta: "scaduti", Allarme: true, Numero: 1}, {Etichetta: "incontri", Numero: 2}}
	if err != nil || !ok || fmt.Sprint(l.Voci) != fmt.Sprint(want) {
		t.Errorf("case manager: %+v %v %v", l.Voci, ok, err)
	}
	if _, ok, err := lavoroDi(ctx, fonti, authz.Principal{Ruolo: authz.OperatoreATS}); ok || err != nil {
		t.Errorf("a role without counts: %v %v", ok, err)
	}
	guasto := errors.New("guasto")
	if _, _, err := lavoroDi(ctx, append(fonti, Contatore{Ruolo: authz.CaseManager, Conta: conta(nil, true, guasto)}), cm); !errors.Is(err, guasto) {
		t.Errorf("a source's error: %v", err)
	}
	if _, _, err := lavoroDi(ctx, []Contatore{{Ruolo: authz.CaseManager, Voci: []VoceLavoro{{}}, Conta: conta([]int{1, 2}, true, nil)}}, cm); err == nil {
		t.Error("two numbers for one label: no error")
	}
}
