// Package assegnazioni is the coordinatore PaIS's board (/assegnazioni):
// the incoming cases of their scope with the anagrafica needed to assign
// them, never their content (domain.md §1.1); the assignment of one case
// or many to a case manager of the case's comune; the workload of the case
// managers and the reassignment of all the cases of one of them; the
// transfer of a case to another comune or ambito.
//
// The cases are casi's: this package reads and writes them only through
// casi.Service (its narrow board methods: ElencoAmbito, CaseManagers,
// Carichi, AssegnaCaso, Trasferisci…). It owns who may do what (a
// coordinatore PaIS, within their ambito or comune), the forms, the
// messages and the pages, and records every read and refusal in the
// registro.
package assegnazioni
