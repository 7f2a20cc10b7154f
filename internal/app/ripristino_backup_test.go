package app

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/pgcluster"
)

// The restore drill of docs/operations.md "Backups" (issue 19 point 6):
// real work through the pages, the registro sealed, a checkpoint written;
// a pg_dump of the database as its owner; a fresh cluster where the roles
// are created as "Ruoli del database" says (they are cluster-wide, not in
// the dump), pg_restore, the sessions deleted; then `cartella audit verify
// --punti` as the application's role says «catena integra», every case of
// the database answers 200 with its number to its case manager, and the
// restored installation goes on sealing what it records — although the
// new cluster's transaction ids are behind the last lotto's horizon: the
// registro notes the new cluster with a ripartenza (ADR 0023), and no
// operator step (pg_resetwal) is needed.
func TestRipristinoDaBackup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	inizio := time.Now()
	a := startApp(t)

	// The original cluster past the transaction ids the new one will
	// have used when the application writes there (a production cluster
	// has used billions; this test's private one a few thousand, fewer
	// than pg_restore burns): the new cluster's ids are then behind the
	// last lotto's horizon, the case of every real restore.
	if _, err := dbtest.Proprietario(t, a.d.pool).Exec(ctx, `DO $$
		BEGIN
			WHILE pg_current_xact_id() < '`+strconv.Itoa(xidAvanti)+`'::xid8 LOOP
				COMMIT;
			END LOOP;
		END
		$$`); err != nil {
		t.Fatal(err)
	}

	// Cases for both demo case managers, then real work through HTTP:
	// each case page read, a diary note written on each.
	fx := fixtures.New(t, a.d.pool)
	dm := fx.Demo()
	cms := []string{"casemanager", "casemanager", "casemanager", "casemanager2", "casemanager2"}
	nomi := []string{"Anna", "Bruna", "Carla", "Dora", "Elsa"}
	client := map[string]*http.Client{}
	for _, u := range []string{"casemanager", "casemanager2"} {
		client[u] = a.client(t)
		a.login(t, client[u], u, demo.Password)
	}
	note := map[uuid.UUID]string{}
	for i, u := range cms {
		caso := fx.Caso(fixtures.NuovoCaso{CaseManager: dm[u], Membri: []fixtures.Membro{fixtures.Adulto("Ripristini", nomi[i], "F", 1980+i)}})
		c := client[u]
		pagina := a.URL + "/casi/" + caso.ID.String()
		if body := get(t, c, pagina); !strings.Contains(body, caso.Codice()) {
			t.Fatalf("%s: the page lacks %s", pagina, caso.Codice())
		}
		testo := fmt.Sprintf("Colloquio %d prima del backup con %s.", i, nomi[i])
		resp, err := noFollow(c).PostForm(pagina+"/diario", url.Values{"idempotenza": {chiaveDi(t, c, pagina+"/diario")},
			"data_evento": {a.d.casi.Oggi().Format("2006-01-02")}, "categoria": {"ordinaria"}, "testo": {testo}})
		if err != nil {
			t.Fatal(err)
		}
		if readBody(t, resp); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("diary note on %s: %d", caso.Codice(), resp.StatusCode)
		}
		note[caso.ID] = testo
	}

	// Sealed, checkpointed, verified on the original.
	if err := a.d.registro.SigillaFinoAOra(ctx, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	punti := filepath.Join(dir, "registro-punti.log")
	dsn := a.d.pool.Config().ConnString()
	audit := func(dsn string, args ...string) (string, error) {
		return auditCon(ctx, dsn, chiaveTest, args...)
	}
	if out, err := audit(dsn, "checkpoint", punti); err != nil {
		t.Fatalf("checkpoint: %v\n%s", err, out)
	}
	prima, err := audit(dsn, "verify", "--punti", punti)
	if err != nil || !strings.Contains(prima, "catena integra") {
		t.Fatalf("verify before the backup: %v\n%s", err, prima)
	}
	conta := func(conn interface {
		QueryRow(context.Context, string, ...any) pgx.Row
	}) string {
		var casi, diario, voci, lotti int
		if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM caso), (SELECT count(*) FROM diario_nota),
				(SELECT count(*) FROM registro_accessi), (SELECT count(*) FROM registro_lotti)`).Scan(&casi, &diario, &voci, &lotti); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d casi, %d note, %d registrazioni, %d lotti", casi, diario, voci, lotti)
	}
	originale := conta(a.d.pool)

	// 1. The logical dump, as the owner.
	dump := filepath.Join(dir, "cartella.dump")
	proprietario := dbtest.ProprietarioURL(t, dsn)
	pgRun(t, "pg_dump", "--format=custom", "--file="+dump, "--dbname="+proprietario)

	// 2. A fresh cluster, the roles as docs/operations.md "Ruoli del
	// database" creates them, an empty database owned by the owner.
	base, err := os.MkdirTemp("", "cartella-ripristino-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil { // the postgres user reaches the data directory
		t.Fatal(err)
	}
	opzioni := pgcluster.Options{DataDir: filepath.Join(base, "data"), Ephemeral: true}
	nuovo, err := pgcluster.Start(ctx, opzioni)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nuovo.Stop() })
	u, _ := url.Parse(proprietario)
	owner := u.User.Username() // the tests' owner is the server's user (the demo's too)
	super := superConn(t, nuovo.URL("postgres"))
	for _, stmt := range []string{
		ruoloSe(owner, "CREATE ROLE "+pgx.Identifier{owner}.Sanitize()+" LOGIN"),
		"CREATE ROLE " + database.GruppoApplicazione + " NOLOGIN",
		"CREATE ROLE " + database.RuoloApplicazioneDemo + " LOGIN PASSWORD 'ripristino' IN ROLE " + database.GruppoApplicazione,
		"CREATE DATABASE cartella OWNER " + pgx.Identifier{owner}.Sanitize(),
	} {
		if _, err := super.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if _, err := superConn(t, nuovo.URL("cartella")).Exec(ctx, "ALTER SCHEMA public OWNER TO "+pgx.Identifier{owner}.Sanitize()); err != nil {
		t.Fatal(err)
	}

	// 3. pg_restore, as a superuser: every object keeps its owner.
	pgRun(t, "pg_restore", "--exit-on-error", "--dbname="+nuovo.URL("cartella"), dump)

	// 4. Nothing about transaction ids: the new cluster counts them from
	// the start again, behind the last lotto's horizon, and the registro
	// notes it at its next lotto.
	ripristinato := superConn(t, nuovo.URL("cartella"))
	var xidNuovo, orizzontePrima int64
	if err := ripristinato.QueryRow(ctx, `SELECT pg_current_xact_id()::text::bigint,
			(SELECT max(orizzonte) FROM registro_lotti)::text::bigint`).Scan(&xidNuovo, &orizzontePrima); err != nil {
		t.Fatal(err)
	}
	if xidNuovo >= orizzontePrima {
		t.Fatalf("the restored cluster's transaction id %d is not behind the last horizon %d: the drill does not test the restart",
			xidNuovo, orizzontePrima)
	}
	var lottiPrima int64
	if err := ripristinato.QueryRow(ctx, `SELECT max(lotto) FROM registro_lotti`).Scan(&lottiPrima); err != nil {
		t.Fatal(err)
	}

	// 5. No session of the dump stays live.
	if _, err := ripristinato.Exec(ctx, `DELETE FROM sessione`); err != nil {
		t.Fatal(err)
	}
	if got := conta(ripristinato); got != originale {
		t.Errorf("restored: %s; original: %s", got, originale)
	}

	// 6. The register verifies on the restored database, as the
	// application's role, against the checkpoint written before the dump.
	appURL := database.ComeRuolo(nuovo.URL("cartella"), database.RuoloApplicazioneDemo, "ripristino")
	out, err := audit(appURL, "verify", "--punti", punti)
	if err != nil || !strings.Contains(out, "catena integra") || !strings.Contains(out, "punti di controllo confrontati: 1") {
		t.Fatalf("verify after the restore: %v\n%s", err, out)
	}
	if rigaVerifica(out) != rigaVerifica(prima) {
		t.Errorf("verify after the restore: %q, before: %q", rigaVerifica(out), rigaVerifica(prima))
	}

	// The key is not in the dump: with another one nothing verifies.
	altra := filepath.Join(dir, "altra.chiave")
	if err := os.WriteFile(altra, []byte(strings.Repeat("ab", 32)), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := auditCon(ctx, appURL, altra, "verify"); err == nil || !strings.Contains(out, "un'altra chiave") {
		t.Errorf("verify with another key passed:\n%s", out)
	} else {
		t.Logf("verify with another key: %v\n%.600s", err, out)
	}

	// 7. The application on the restored database: every case readable
	// by its case manager, with its number and its note.
	pool, err := database.Open(ctx, appURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	b := startAppPool(t, pool, nil)
	vecchia := sessionCookie(client["casemanager"], a.URL)
	perCF := map[string]*http.Client{}
	for _, u := range []string{"casemanager", "casemanager2"} {
		acc, _ := demo.AccountByUsername(u)
		perCF[acc.CodiceFiscale()] = b.client(t)
		b.login(t, perCF[acc.CodiceFiscale()], u, demo.Password)
	}
	rows, err := pool.Query(ctx, `SELECT c.id, c.numero, COALESCE(o.codice_fiscale, '') FROM caso c
		LEFT JOIN operatore o ON o.id = c.case_manager_id ORDER BY c.numero`)
	if err != nil {
		t.Fatal(err)
	}
	type riga struct {
		id     uuid.UUID
		numero int64
		cf     string
	}
	var casi []riga
	for rows.Next() {
		var r riga
		if err := rows.Scan(&r.id, &r.numero, &r.cf); err != nil {
			t.Fatal(err)
		}
		casi = append(casi, r)
	}
	if rows.Err() != nil || len(casi) != len(cms) {
		t.Fatalf("%d cases restored (%v), want %d", len(casi), rows.Err(), len(cms))
	}
	for _, r := range casi {
		c := perCF[r.cf]
		if c == nil {
			t.Errorf("case %d: no demo case manager to read it", r.numero)
			continue
		}
		codice := fmt.Sprintf("C-%06d", r.numero)
		if body := get(t, c, b.URL+"/casi/"+r.id.String()); !strings.Contains(body, codice) {
			t.Errorf("restored case %s: the page lacks its number", codice)
		}
		if body := get(t, c, b.URL+"/casi/"+r.id.String()+"/diario"); !strings.Contains(body, note[r.id]) {
			t.Errorf("restored case %s: the diary lacks %q", codice, note[r.id])
		}
	}
	// A session cookie of the original does not open the restored one.
	if vecchia == nil {
		t.Fatal("no session cookie on the original")
	}
	jar := b.client(t)
	bu, _ := url.Parse(b.URL)
	jar.Jar.SetCookies(bu, []*http.Cookie{{Name: vecchia.Name, Value: vecchia.Value}})
	resp, err := noFollow(jar).Get(b.URL + "/casi")
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, resp); resp.StatusCode == http.StatusOK {
		t.Error("a session from the dump is live on the restored database")
	}

	// 8. The restored installation goes on sealing: the sign-ins, reads
	// and the note above are sealed after the restored lotti — the first
	// one a ripartenza, its horizon behind the dump's — and the chain
	// still verifies against the checkpoint written before the dump.
	caso := casi[0]
	c := perCF[caso.cf]
	pagina := b.URL + "/casi/" + caso.id.String()
	resp, err = noFollow(c).PostForm(pagina+"/diario", url.Values{"idempotenza": {chiaveDi(t, c, pagina+"/diario")},
		"data_evento": {b.d.casi.Oggi().Format("2006-01-02")}, "categoria": {"ordinaria"}, "testo": {"Colloquio dopo il ripristino."}})
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, resp); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("diary note after the restore: %d", resp.StatusCode)
	}
	if err := b.d.registro.SigillaFinoAOra(ctx, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	out, err = audit(appURL, "verify", "--punti", punti)
	if err != nil || !strings.Contains(out, "catena integra") || !strings.Contains(out, "ripartenze (ripristini in un nuovo cluster): 1") {
		t.Fatalf("verify after work on the restored database: %v\n%s", err, out)
	}
	if m := reSigillate.FindStringSubmatch(out); m == nil || m[1] != m[2] {
		t.Errorf("not every record sealed after the restore:\n%s", out)
	}
	var dopo, ripartenza, sigillateDopo int64
	var indietroTutti bool
	if err := ripristinato.QueryRow(ctx, `SELECT count(*), min(lotto) FILTER (WHERE ripartenza IS NOT NULL),
			COALESCE(sum(cardinality(voci)), 0),
			bool_and(orizzonte < (SELECT orizzonte FROM registro_lotti WHERE lotto = $1))
		FROM registro_lotti WHERE lotto > $1`, lottiPrima).Scan(&dopo, &ripartenza, &sigillateDopo, &indietroTutti); err != nil {
		t.Fatal(err)
	}
	if dopo == 0 || ripartenza != lottiPrima+1 || sigillateDopo == 0 || !indietroTutti {
		t.Errorf("lotti after the restore: %d, the ripartenza %d (want %d), %d records, horizons behind the dump's: %v",
			dopo, ripartenza, lottiPrima+1, sigillateDopo, indietroTutti)
	}
	t.Logf("restore drill: %s, in %s; the new cluster's transaction ids from %d, the dump's last horizon %d\n%s",
		originale, time.Since(inizio).Round(time.Millisecond), xidNuovo, orizzontePrima, out)
}

// auditCon runs `cartella audit args…` on dsn with the key in chiave.
func auditCon(ctx context.Context, dsn, chiave string, args ...string) (string, error) {
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": dsn, "REGISTRO_CHIAVE_FILE": chiave}[k]
	}
	var out bytes.Buffer
	err := Run(ctx, append([]string{"cartella", "audit"}, args...), env, &out, &out)
	return out.String(), err
}

// pgRun runs a client program of the clusters' PostgreSQL installation.
func pgRun(t *testing.T, nome string, args ...string) {
	t.Helper()
	p, err := pgcluster.Binario(nome)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(p, args...)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", nome, err, out)
	}
}

func superConn(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// ruoloSe is stmt unless role is the fresh cluster's superuser, which
// initdb created.
func ruoloSe(role, stmt string) string {
	if role == "postgres" {
		return "SELECT 1"
	}
	return stmt
}

// xidAvanti is where the drill moves the original cluster's transaction
// ids before the dump: past what initdb, pg_restore and the work after the
// restore use in the new cluster.
const xidAvanti = 200_000

var reSigillate = regexp.MustCompile(`(\d+) registrazioni \((\d+) sigillate`)

func rigaVerifica(s string) string { return strings.SplitN(s, "\n", 2)[0] }
