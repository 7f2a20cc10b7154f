// Package browsertest drives headless Chromium through end-to-end journeys of
// the server-rendered web app, and checks the pages with axe-core. Import it
// only from _test.go files.
//
// Every method takes the testing.TB of the caller and ends the test with
// t.Fatalf when an action fails. The message names the action, the selector
// and the page, and points to a screenshot of the page at that moment.
package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// DefaultTimeout bounds each action when Browser.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// navigationGrace is how long Click waits for a navigation to start after the
// click. A click that starts none returns after this pause.
const navigationGrace = 250 * time.Millisecond

// Browser is one tab of a headless Chromium that Start launched. Use it from
// the goroutine of the test.
type Browser struct {
	// Timeout bounds each action, waits included; zero means DefaultTimeout.
	Timeout time.Duration

	ctx context.Context // the chromedp context of the tab

	mu      sync.Mutex
	console []string // console errors since the last ConsoleErrors
}

var (
	shots      atomic.Int64 // numbers the failure screenshots of the process
	unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)
)

// Start launches headless Chromium for the test and closes it in t.Cleanup.
// Chromium is found at $CHROMIUM_PATH, /usr/bin/chromium or
// /usr/bin/chromium-browser. The browser reaches only the addresses that the
// test gives it: background networking, updates and sync are off.
func Start(t testing.TB) *Browser {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Fatalf("browsertest: Chromium not found at $CHROMIUM_PATH, /usr/bin/chromium or /usr/bin/chromium-browser: " +
			"install Debian's chromium (`apt-get install chromium`) or run `make test`, which installs it")
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(path),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000),
		chromedp.Flag("lang", "it-IT"))
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() }) // waits for Chromium to exit, then TempDir goes

	b := &Browser{ctx: ctx}
	// The first action starts the browser and ties it to ctx, so it cannot
	// run under a context with a deadline; a timer cancels a hung start.
	hung := time.AfterFunc(60*time.Second, cancel)
	err := chromedp.Do(ctx)
	hung.Stop()
	if err == nil {
		err = chromedp.Listen(ctx, b.collect)
	}
	if err == nil {
		// As a user who asked for reduced motion: Bootstrap's smooth scrolling
		// then stays off, so an element does not move between the moment a
		// click computes its position and the click itself.
		_, err = chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}}})
	}
	if err == nil {
		// Scrollbars overlay the page, as on a phone: at SetWidth(390) the
		// page is laid out 390 px wide, not 375 beside a scrollbar.
		_, err = chromedp.Call(ctx, emulation.SetScrollbarsHidden, emulation.SetScrollbarsHiddenParams{Hidden: true})
	}
	if err != nil {
		t.Fatalf("browsertest: start Chromium %s: %v", path, err)
	}
	return b
}

func chromiumPath() string {
	for _, p := range []string{os.Getenv("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if fi, err := os.Stat(p); p != "" && err == nil && !fi.IsDir() {
			return p
		}
	}
	return ""
}

// Navigate loads url and waits for the load event of the document.
func (b *Browser) Navigate(t testing.TB, url string) {
	t.Helper()
	run(b, t, "navigate to "+url, "", chromedp.Navigate(url))
}

// Fill waits for the field that matches css to be visible, clears it and
// types value into it with key events. A date field takes the ISO value
// (yyyy-mm-dd) that the browser submits: how its widget reads typed digits
// depends on the browser's locale, not on the page.
func (b *Browser) Fill(t testing.TB, css, value string) {
	t.Helper()
	dateJS := fmt.Sprintf(`(el => { if (el.type !== "date") return false; el.value = %s;
		el.dispatchEvent(new Event("input", {bubbles: true})); el.dispatchEvent(new Event("change", {bubbles: true})); return true })
		(document.querySelector(%s))`, jsString(value), jsString(css))
	run(b, t, "wait for", css, chromedp.WaitVisible(chromedp.CSS(css)))
	if run(b, t, "fill", css, chromedp.Evaluate[bool](dateJS)) {
		return
	}
	clearJS := fmt.Sprintf(`(el => { el.focus(); el.value = ""; el.dispatchEvent(new Event("input", {bubbles: true})) })
		(document.querySelector(%s))`, jsString(css))
	run(b, t, "fill", css, chromedp.Steps(chromedp.WaitVisible(chromedp.CSS(css)),
		chromedp.Evaluate[chromedp.Void](clearJS), chromedp.SendKeys(chromedp.CSS(css), value)))
}

// Select chooses the option with the given value in the select that
// matches css, as a user picking from the list would (change event fired).
func (b *Browser) Select(t testing.TB, css, value string) {
	t.Helper()
	b.selectBy(t, css, "o.value === v", value)
}

// SelectByText chooses the option whose visible text contains text.
func (b *Browser) SelectByText(t testing.TB, css, text string) {
	t.Helper()
	b.selectBy(t, css, "o.text.includes(v)", text)
}

func (b *Browser) selectBy(t testing.TB, css, match, v string) {
	t.Helper()
	js := fmt.Sprintf(`((el, v) => {
		const o = [...el.options].find(o => %s);
		if (!o) return false;
		el.value = o.value;
		el.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})(document.querySelector(%s), %s)`, match, jsString(css), jsString(v))
	run(b, t, "wait for", css, chromedp.WaitVisible(chromedp.CSS(css)))
	ok := run(b, t, "select "+v+" in", css, chromedp.Evaluate[bool](js))
	if !ok {
		t.Fatalf("browsertest: select %q: no such option in %s", v, css)
	}
}

// Upload sets the file at path (absolute) on the file input that matches
// css, as a user choosing it in the file dialog would.
func (b *Browser) Upload(t testing.TB, css, path string) {
	t.Helper()
	run(b, t, "upload "+path+" into", css, chromedp.SetUploadFiles(chromedp.CSS(css), []string{path}))
}

// Value returns the current value of the form field that matches css.
func (b *Browser) Value(t testing.TB, css string) string {
	t.Helper()
	return run(b, t, "read the value of", css, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%s).value`, jsString(css))))
}

// Click waits for the element that matches css to be visible and clicks it.
// If the click starts a navigation of the page within a short pause, such as
// the submit of a form or a link, Click returns once the new document has
// loaded.
func (b *Browser) Click(t testing.TB, css string) {
	t.Helper()
	ctx, cancel := b.actionContext()
	defer cancel()
	tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		b.fail(t, "click", css, err)
	}
	main := tree.FrameTree.Frame.ID
	started, done := make(chan struct{}), make(chan struct{})
	start, finish := sync.OnceFunc(func() { close(started) }), sync.OnceFunc(func() { close(done) })
	loading := false // the listener runs on one goroutine, in event order
	err = chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *page.EventFrameStartedLoading:
			if ev.FrameID == main {
				loading = true
				start()
			}
		case *page.EventFrameStoppedLoading: // not the end of a load that began before the click
			if ev.FrameID == main && loading {
				finish()
			}
		case *page.EventNavigatedWithinDocument:
			if ev.FrameID == main {
				start()
				finish()
			}
		}
	})
	// A link or a submit button navigates: wait for it however slow the
	// machine; anything else may or may not, within navigationGrace.
	navigates := false
	if err == nil {
		err = chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(css)))
	}
	if err == nil {
		navigates, err = chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(el => !!el && !!el.closest(
			'a[href]:not([href^="#"]):not([download]):not([target]), button[type="submit"], input[type="submit"], form button:not([type])'))
			(document.querySelector(%s))`, jsString(css))))
	}
	if err == nil {
		err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(css)))
	}
	if err != nil {
		b.fail(t, "click", css, err)
	}
	grace := time.After(navigationGrace)
	if navigates {
		grace = nil // the action's timeout (ctx) bounds the wait
	}
	select {
	case <-started:
	case <-grace:
		return
	case <-ctx.Done():
		b.fail(t, "wait for the page that the click loads", css, ctx.Err())
	}
	select {
	case <-done:
	case <-ctx.Done():
		b.fail(t, "wait for the page that the click loads", css, ctx.Err())
	}
}

// Text returns the visible text (innerText) of the first element that matches
// css. It waits up to the timeout for such an element to exist.
func (b *Browser) Text(t testing.TB, css string) string {
	t.Helper()
	return run(b, t, "read the text of", css, chromedp.Text(chromedp.CSS(css)))
}

// Exists reports whether an element matches css now, without waiting.
func (b *Browser) Exists(t testing.TB, css string) bool {
	t.Helper()
	return run(b, t, "look for", css, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(css))))
}

// SetWidth makes the viewport width px wide (and 900 px high), as a phone,
// a tablet or a desktop window shows the page; the page is laid out again.
func (b *Browser) SetWidth(t testing.TB, px int) {
	t.Helper()
	run(b, t, fmt.Sprintf("set the viewport to %d px", px), "", chromedp.EmulateViewport(int64(px), 900))
}

// Eccedenza is how many CSS pixels the page is wider than the viewport
// (0 when nothing needs scrolling sideways, WCAG 1.4.10), and the widest
// element sticking out, to say what to fix.
func (b *Browser) Eccedenza(t testing.TB) (int, string) {
	t.Helper()
	type res struct {
		Px   int
		Dove string
	}
	r := run(b, t, "measure the page width", "", chromedp.Evaluate[res](`(() => {
		const vw = document.documentElement.clientWidth;
		let dove = "", max = vw;
		for (const el of document.body.querySelectorAll("*")) {
			const r = el.getBoundingClientRect();
			if (r.right > max + 1 && getComputedStyle(el).position !== "fixed") {
				let p = el.parentElement, clipped = false;
				for (; p && p !== document.body && p !== document.documentElement; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === "auto" || o === "scroll" || o === "hidden") { clipped = true; break; } }
				if (!clipped) { max = r.right; dove = el.outerHTML.slice(0, 120); }
				else if (getComputedStyle(el).position === "absolute" && !dove) { dove = "positioned: " + el.outerHTML.slice(0, 100); }
			}
		}
		return {px: Math.max(0, document.documentElement.scrollWidth - vw), dove: dove};
	})()`))
	return r.Px, r.Dove
}

// Sovrapposizioni lists the headings and legends whose box overlaps a
// form label's (a floating label drawn over a section title), as
// "heading text ⟂ label text".
func (b *Browser) Sovrapposizioni(t testing.TB) []string {
	t.Helper()
	return run(b, t, "look for overlapping titles and labels", "", chromedp.Evaluate[[]string](`(() => {
		const vis = el => { const r = el.getBoundingClientRect();
			const shown = el.checkVisibility ? el.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true}) : true;
			return shown && r.width > 0 && r.height > 0 ? r : null; };
		const titoli = Array.from(document.querySelectorAll("main h1, main h2, main h3, main h4, main legend")).map(el => [el, vis(el)]).filter(x => x[1]);
		const etichette = Array.from(document.querySelectorAll("main label")).map(el => [el, vis(el)]).filter(x => x[1]);
		const out = [];
		for (const [h, a] of titoli) for (const [l, b] of etichette) {
			if (h.contains(l) || l.contains(h)) continue;
			const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left), dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
			if (dx > 2 && dy > 2) out.push(h.textContent.trim().slice(0, 60) + " ⟂ " + l.textContent.trim().slice(0, 60));
		}
		return out;
	})()`))
}

// Raggiungibile is an element as a user can reach it: its text and
// address, and what stands in the way ("" when nothing does).
type Raggiungibile struct {
	Testo, Href, Problema string
}

// Raggiungibili checks every element that matches css: scrolled into view,
// it must have a box, lie within the viewport's width (nothing to scroll
// sideways to) and be the element found at its centre (not covered by
// another). It does not wait.
func (b *Browser) Raggiungibili(t testing.TB, css string) []Raggiungibile {
	t.Helper()
	script := `Array.from(document.querySelectorAll(` + jsString(css) + `)).map(el => {
		el.scrollIntoView({block: "center", inline: "nearest"});
		const r = el.getBoundingClientRect(), st = getComputedStyle(el);
		let p = "";
		if (r.width < 1 || r.height < 1 || st.visibility === "hidden") p = "non visibile";
		else if (r.left < -1 || r.right > document.documentElement.clientWidth + 1) p = "fuori dallo schermo (" + Math.round(r.left) + "–" + Math.round(r.right) + " px)";
		else {
			const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
			if (!hit || !(hit === el || el.contains(hit) || hit.contains(el))) p = "coperto da " + (hit ? hit.outerHTML.slice(0, 100) : "nulla");
		}
		return {testo: (el.innerText || el.value || "").trim(), href: el.getAttribute("href") || "", problema: p};
	})`
	return run(b, t, "check what can be reached", css, chromedp.Evaluate[[]Raggiungibile](script))
}

// URL returns the address of the current document.
func (b *Browser) URL(t testing.TB) string {
	t.Helper()
	return run(b, t, "read the URL", "", chromedp.Location())
}

// Screenshot saves a PNG image of the full page at path.
func (b *Browser) Screenshot(t testing.TB, path string) {
	t.Helper()
	png := run(b, t, "take a screenshot", "", chromedp.FullScreenshot(100))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("browsertest: save screenshot: %v", err)
	}
}

// ConsoleErrors returns the console errors of the pages since Start or since
// the last call, and forgets them. They are calls of console.error and
// console.assert, uncaught exceptions, and entries of the browser log with
// the level error, such as a violation of the Content-Security-Policy or a
// sub-resource that failed to load.
func (b *Browser) ConsoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	errs := b.console
	b.console = nil
	return errs
}

// collect keeps the console errors. chromedp calls it on the goroutine that
// reads the events of the tab, before the command that follows an event
// returns, so an action that has returned left its errors here.
func (b *Browser) collect(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		args := make([]string, len(ev.Args))
		for i, a := range ev.Args {
			args[i] = remoteText(a)
		}
		msg = fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " "))
		if st := ev.StackTrace; st != nil && len(st.CallFrames) > 0 {
			msg += fmt.Sprintf(" (%s:%d)", st.CallFrames[0].URL, st.CallFrames[0].LineNumber+1)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg = "exception: " + d.Text
		if d.Exception != nil {
			desc, _, _ := strings.Cut(remoteText(d.Exception), "\n")
			msg += " " + desc
		}
		if d.URL != "" {
			msg += fmt.Sprintf(" (%s:%d)", d.URL, d.LineNumber+1)
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level != log.EntryLevelError {
			return
		}
		msg = fmt.Sprintf("log %s: %s", ev.Entry.Source, ev.Entry.Text)
		if ev.Entry.URL != "" {
			msg += " (" + ev.Entry.URL + ")"
		}
	default:
		return
	}
	b.mu.Lock()
	b.console = append(b.console, msg)
	b.mu.Unlock()
}

// remoteText renders a console argument as DevTools shows it.
func remoteText(o *runtime.RemoteObject) string {
	var s string
	if o.Type == runtime.RemoteObjectTypeString && json.Unmarshal(o.Value, &s) == nil {
		return s
	}
	if o.Description != "" {
		return o.Description
	}
	return string(o.Value) + string(o.UnserializableValue) // a primitive, or "" for undefined
}

// axeResult is what the script of CheckAccessibility returns.
type axeResult struct {
	Violations []axeViolation
	Contrast   []contrasto
}

// contrasto is the contrast of one text node axe left undecided.
type contrasto struct {
	Target, HTML, FG, BG, Note string
	Ratio                      float64
	Large                      bool
}

// contrastoJS defines window.__contrasto(el): the contrast ratio (WCAG 2.1)
// of el's text against the backgrounds behind it, composited from el up to
// the page (white below all), the text colour blended over them. A
// background image is not looked into: its element's background colour
// stands for it (what shows while the image loads).
const contrastoJS = `window.__contrasto = function (el) {
	const parse = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
		const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
	const over = (top, below) => { const a = top[3]; return [0, 1, 2].map(i => top[i] * a + below[i] * (1 - a)).concat([1]); };
	const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
		return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
	const layers = [];
	for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
		const bg = parse(getComputedStyle(e).backgroundColor);
		if (bg === null) return {ratio: 0, note: "unknown colour " + getComputedStyle(e).backgroundColor};
		if (bg[3] > 0) layers.push(bg);
		if (bg[3] >= 1) break;
	}
	let bg = [255, 255, 255, 1];
	for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
	const st = getComputedStyle(el);
	const fgRaw = parse(st.color);
	if (fgRaw === null) return {ratio: 0, note: "unknown colour " + st.color};
	const fg = over(fgRaw, bg);
	const l1 = lum(fg), l2 = lum(bg);
	const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight, 10) >= 700;
	const rgb = c => "rgb(" + c.slice(0, 3).map(Math.round).join(", ") + ")";
	return {ratio: (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05), large: size >= 24 || (bold && size >= 18.66),
		fg: rgb(fg), bg: rgb(bg), note: ""};
};`

// axeViolation is a violation as the script of CheckAccessibility returns it.
type axeViolation struct {
	ID, Impact, Help, HelpURL string
	Count                     int
	Nodes                     []struct{ Target, HTML string } // the first three
}

// CheckAccessibility runs axe-core on the current page with the WCAG 2.1 A
// and AA rules. It reports each violation of impact serious or critical with
// t.Errorf, and logs the minor and moderate ones with t.Logf. axe.min.js
// comes from web/node_modules/axe-core in the module root, the first parent
// of the working directory that holds go.mod.
func (b *Browser) CheckAccessibility(t testing.TB) {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatalf("browsertest: %v: run `make assets`", err)
	}
	// The value of the last statement, the promise of axe.run, is the result:
	// the violations, and the contrast of the text axe could not judge
	// ("incomplete": a background it cannot see through, an overlap),
	// computed here from the colours the browser resolved.
	script := src + "\n;" + `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations", "incomplete"]})
		.then(r => ({
			violations: r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
				count: v.nodes.length,
				nodes: v.nodes.slice(0, 3).map(n => ({target: n.target.map(String).join(" "), html: n.html}))})),
			contrast: r.incomplete.filter(v => v.id === "color-contrast").flatMap(v => v.nodes).map(n => {
				const sel = n.target.map(String)[0];
				const el = n.target.length === 1 ? document.querySelector(sel) : null;
				return Object.assign({target: n.target.map(String).join(" "), html: n.html.slice(0, 200)}, el ? window.__contrasto(el) : {ratio: 0, note: "not reachable"});
			})}))`
	// axe walks the whole page: on a loaded machine it needs more than a
	// click does.
	prima := b.Timeout
	b.Timeout = 4 * b.timeout()
	res := run(b, t, "run axe-core", "", chromedp.Evaluate[axeResult](contrastoJS+"\n;"+script, chromedp.EvalAwaitPromise))
	b.Timeout = prima
	vs := res.Violations
	var serious []string
	for _, c := range res.Contrast {
		need := 4.5
		if c.Large {
			need = 3
		}
		switch {
		case c.Note != "":
			t.Logf("browsertest: contrast not computed for %s (%s): %s", c.Target, c.Note, c.HTML)
		case c.Ratio < need:
			serious = append(serious, fmt.Sprintf("color-contrast (computed where axe could not decide): %.2f:1, need %.1f:1 — text %s on %s\n\t%s: %s",
				c.Ratio, need, c.FG, c.BG, c.Target, c.HTML))
		}
	}
	for _, v := range vs {
		var s strings.Builder
		fmt.Fprintf(&s, "%s (%s, %d elements): %s <%s>", v.ID, v.Impact, v.Count, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&s, "\n\t%s: %s", n.Target, n.HTML)
		}
		if v.Impact == "serious" || v.Impact == "critical" || v.ID == "color-contrast" {
			serious = append(serious, s.String())
		} else {
			t.Logf("browsertest: accessibility: %s", s.String())
		}
	}
	if len(serious) > 0 {
		t.Errorf("browsertest: %d serious or critical accessibility violations on %s:\n%s",
			len(serious), b.location(), strings.Join(serious, "\n"))
	}
}

// radice is the module root: the first parent of the working directory
// that holds go.mod.
func radice() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for ; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		if dir == filepath.Dir(dir) {
			return "", errors.New("no go.mod above the working directory")
		}
	}
}

// axeSource reads axe.min.js once.
var axeSource = sync.OnceValues(func() (string, error) {
	dir, err := radice()
	if err != nil {
		return "", fmt.Errorf("axe-core: %w", err)
	}
	src, err := os.ReadFile(filepath.Join(dir, "web", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		return "", fmt.Errorf("read axe-core: %w", err)
	}
	return string(src), nil
})

// classiCSS are the class names a stylesheet's selectors name.
var classiCSS = regexp.MustCompile(`\.(-?[A-Za-z_][A-Za-z0-9_-]*)`)

func classiDi(path string) (map[string]bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, m := range classiCSS.FindAllSubmatch(b, -1) {
		out[string(m[1])] = true
	}
	return out, nil
}

// fogli are the class names of the whole Bootstrap Italia stylesheet and of
// the part of it Cartella ships (web/sfoltisci.mjs, ADR 0018).
var fogli = sync.OnceValues(func() ([2]map[string]bool, error) {
	var out [2]map[string]bool
	dir, err := radice()
	if err != nil {
		return out, err
	}
	for i, p := range []string{
		"web/node_modules/bootstrap-italia/dist/css/bootstrap-italia.min.css",
		"web/static/vendor/bootstrap-italia/css/bootstrap-italia.usata.css",
	} {
		if out[i], err = classiDi(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
			return out, fmt.Errorf("stylesheet (make assets): %w", err)
		}
	}
	return out, nil
})

// RegoleMancanti lists the classes of the current page that Bootstrap
// Italia styles and the shipped, purged stylesheet lost: a class named only
// at run time that the purge could not see (add it to the safelist of
// web/sfoltisci.mjs).
func (b *Browser) RegoleMancanti(t testing.TB) []string {
	t.Helper()
	f, err := fogli()
	if err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	classi := run(b, t, "list the classes of the page", "", chromedp.Evaluate[[]string](
		`[...new Set([...document.querySelectorAll("[class]")].flatMap(e => [...e.classList]))].sort()`))
	var out []string
	for _, c := range classi {
		if f[0][c] && !f[1][c] {
			out = append(out, c)
		}
	}
	return out
}

func (b *Browser) timeout() time.Duration {
	if b.Timeout <= 0 {
		return DefaultTimeout
	}
	return b.Timeout
}

func (b *Browser) actionContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, b.timeout())
}

// run runs one action that returns a value under the timeout.
func run[T any](b *Browser, t testing.TB, action, css string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := b.actionContext()
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.fail(t, action, css, err)
	}
	return v
}

// fail ends the test with the action, the selector, the page and a screenshot.
func (b *Browser) fail(t testing.TB, action, css string, err error) {
	t.Helper()
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("timed out after %v", b.timeout())
	}
	msg := "browsertest: " + action
	if css != "" {
		msg += fmt.Sprintf(" %q", css)
	}
	if url := b.location(); url != "" {
		msg += " on " + url
	}
	msg += ": " + err.Error()
	name := unsafeName.ReplaceAllString(t.Name(), "_")
	path := filepath.Join(os.TempDir(), fmt.Sprintf("browsertest-%s-%d.png", name, shots.Add(1)))
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(path, png, 0o644)
	}
	if err != nil {
		path = "none: " + err.Error()
	}
	t.Fatalf("%s\nscreenshot: %s", msg, path)
}

// location returns the URL of the page, or "" when the tab does not answer.
func (b *Browser) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	url, _ := chromedp.Run(ctx, chromedp.Location())
	return url
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// Eval runs a script on the page and returns its value as a string (for
// investigating a failure; tests assert through the typed helpers).
func (b *Browser) Eval(t testing.TB, script string) string {
	t.Helper()
	return run(b, t, "evaluate a script", "", chromedp.Evaluate[string](script))
}

// Stampa prints the page as the browser's Print command does on A4 paper
// (the page's print stylesheet and @page rules apply) and returns the PDF.
func (b *Browser) Stampa(t testing.TB) []byte {
	t.Helper()
	ctx, cancel := b.actionContext()
	defer cancel()
	css := true
	res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69, PreferCSSPageSize: &css})
	if err != nil {
		b.fail(t, "print the page", "", err)
	}
	return res.Data
}

// InStampa is how the print stylesheet lays out the page on A4 paper.
type InStampa struct {
	// Larghezza is the width of the element asked for as a share of the
	// printable width (1 = the whole width between the page margins).
	Larghezza float64
	// TabelleIntere: no table row may be cut across pages, the header rows
	// repeat, no table is clipped in a scrolling box. Problemi says which
	// rule is missing where.
	Problemi []string
}

// Stampabile lays the page out for print at the printable width of A4
// paper with 15 mm margins (180 mm, 680 CSS pixels), measures the element
// that css selects and checks the tables, then lays the page out for the
// screen again.
func (b *Browser) Stampabile(t testing.TB, css string) InStampa {
	t.Helper()
	ridotto := []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}}
	ctx, cancel := b.actionContext()
	defer cancel()
	prima, err := chromedp.Run(ctx, chromedp.Evaluate[[]int64](`[window.innerWidth, window.innerHeight]`))
	if err != nil || len(prima) != 2 {
		b.fail(t, "read the viewport", "", err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print", Features: ridotto}); err != nil {
		b.fail(t, "emulate print", "", err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 680, Height: 1000, DeviceScaleFactor: 1}); err != nil {
		b.fail(t, "set the printable width", "", err)
	}
	defer func() {
		_, _ = chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "", Features: ridotto})
		_, _ = chromedp.Call(b.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: prima[0], Height: prima[1], DeviceScaleFactor: 1})
	}()
	script := fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		const out = {Larghezza: el ? el.getBoundingClientRect().width / document.documentElement.clientWidth : 0, Problemi: []};
		document.querySelectorAll(%s + ' table').forEach((tab, i) => {
			const dove = 'table ' + (i + 1) + ' (' + (tab.caption ? tab.caption.textContent.trim() : tab.className) + ')';
			tab.querySelectorAll('tr').forEach((tr, j) => {
				const s = getComputedStyle(tr);
				if (s.breakInside !== 'avoid' && s.pageBreakInside !== 'avoid') out.Problemi.push(dove + ': row ' + (j + 1) + ' may be cut across pages');
			});
			if (tab.tHead && getComputedStyle(tab.tHead).display !== 'table-header-group') out.Problemi.push(dove + ': the header row does not repeat');
			for (let p = tab.parentElement; p; p = p.parentElement) {
				const o = getComputedStyle(p).overflowX;
				if (o === 'auto' || o === 'scroll' || o === 'hidden') { out.Problemi.push(dove + ': clipped by a box with overflow ' + o); break; }
			}
			if (tab.getBoundingClientRect().right > document.documentElement.clientWidth + 1) out.Problemi.push(dove + ': wider than the paper');
		});
		return JSON.stringify(out);
	})()`, jsString(css), jsString(css))
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](script))
	if err != nil {
		b.fail(t, "measure the print layout of", css, err)
	}
	var out InStampa
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatalf("browsertest: print layout: %v", err)
	}
	return out
}
