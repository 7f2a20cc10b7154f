# Cartella — `make run` starts the demo, `make test` runs every test.
# Both work from a clean clone on a fresh machine: they install what is
# missing (PostgreSQL server binaries, Chromium for the browser tests, the
# npm packages) before doing anything else.

SHELL := /bin/bash
GO ?= go
BIN := bin/cartella
VENDOR := web/static/vendor/bootstrap-italia
BI_DIST := web/node_modules/bootstrap-italia/dist
COMPRESSI := web/static/vendor/compressi/manifest.json
USATA := $(VENDOR)/css/bootstrap-italia.usata.css
# What the pages can name: the purge of Bootstrap Italia reads these (ADR 0018).
SORGENTI_UI := $(shell find internal web/ui -name '*.templ' -o -name '*.go' -not -name '*_test.go' 2>/dev/null)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

run: build postgres-bin ## start the demo on http://127.0.0.1:8080 (data kept in var/)
	$(BIN) demo

build: assets generate ## build bin/cartella
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o $(BIN) ./cmd/cartella

test: check-generated assets postgres-bin chromium poppler xmllint haproxy lint fuzz-brief ## run every test (unit, PostgreSQL, browser, fuzz briefly)
	$(GO) test -race -count=1 -timeout 45m ./...

# The fuzz targets (docs/architecture.md, "Fuzz targets"), package:function;
# `make fuzz FUZZ_TARGETS=flusso:FuzzRiga` runs one. go test -fuzz takes one
# target of one package at a time.
FUZZ_TUTTI := codicefiscale:FuzzCodiceFiscale codicefiscale:FuzzCompute \
	calendario:FuzzParseData calendario:FuzzParseOra flusso:FuzzRiga flusso:FuzzFlusso \
	controlli:FuzzLeggiRiga analisi:FuzzDaModulo patto:FuzzDaModulo patto:FuzzParseCatalogo \
	accesso:FuzzParseComuniISTAT accesso:FuzzRisolviLuogo stampa:FuzzPDF prestazioni:FuzzParseCatalogo prestazioni:FuzzLeggiEsiti
FUZZ_TARGETS ?= $(FUZZ_TUTTI)
# fuzz-brief counts executions, never seconds: a duration-based -fuzztime can
# fail with "context deadline exceeded" on a loaded machine, a race in Go
# 1.26's fuzz coordinator (go.dev/issue/75804, fixed in 1.27) that failed a run
# here; the new inputs it finds are shrunk for a count too.
FUZZBRIEF ?= 2000x
FUZZBRIEFMIN ?= 10x
FUZZTIME ?= 1000000x
FUZZPARALLEL ?= 1
# A new input that finds new code is shrunk for at most this long (go's
# default, 60s, stalls the long lines of the flows).
FUZZMINIMIZE ?= 5s

fuzz-brief: ## run each fuzz target briefly (FUZZBRIEF, default 2000x: two thousand inputs each)
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZBRIEF) FUZZMINIMIZE=$(FUZZBRIEFMIN)

fuzz: ## run each fuzz target for FUZZTIME (default 1000000x: a million inputs each; or e.g. 10m)
	@found=$$(grep -rhoE '^func Fuzz[A-Za-z0-9_]+' --include='*_test.go' internal | sed 's/^func //' | sort); \
	  listed=$$(for t in $(FUZZ_TUTTI); do echo $${t##*:}; done | sort); \
	  if [ "$$found" != "$$listed" ]; then echo "FUZZ_TUTTI in the Makefile and the Fuzz functions differ:"; \
	    diff <(echo "$$listed") <(echo "$$found"); exit 1; fi
	@set -eo pipefail; for t in $(FUZZ_TARGETS); do \
	  echo "fuzz $${t%%:*}.$${t##*:} for $(FUZZTIME)"; \
	  $(GO) test -run '^$$' -fuzz "^$${t##*:}\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) \
	    -parallel $(FUZZPARALLEL) -timeout 0 ./internal/$${t%%:*} \
	    | awk '/^fuzz: elapsed/ { last = $$0; next } { print } END { if (last) print last }' || { echo "fuzz $${t##*:} failed: the input is in internal/$${t%%:*}/testdata/fuzz/$${t##*:}/"; exit 1; }; \
	done

lint: ## go vet and gofmt
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$') $$(git ls-files -o --exclude-standard '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

generate: ## regenerate templ views
	$(GO) tool templ generate

check-generated: ## fail if any *_templ.go is stale (regenerating it would change it)
	@before=$$(find . -name '*_templ.go' -not -path './web/node_modules/*' | sort | xargs md5sum); \
	  $(GO) tool templ generate >/dev/null 2>&1; \
	  after=$$(find . -name '*_templ.go' -not -path './web/node_modules/*' | sort | xargs md5sum); \
	  if [ "$$before" != "$$after" ]; then \
	    echo "generated templ files were stale; they have been regenerated:"; \
	    diff <(echo "$$before") <(echo "$$after") | grep '^>' | awk '{print "  " $$3}'; \
	    echo "review and commit them"; exit 1; fi

assets: $(VENDOR)/.stamp $(USATA) $(COMPRESSI) ## copy the pinned Bootstrap Italia dist files into web/static/vendor, keep the CSS the pages use, precompress

# Brotli and gzip copies of the CSS and SVG assets, made with Node's own zlib
# (ADR 0014); the server checks each against the SHA-256 of its source.
# Only the rules of Bootstrap Italia that our templates and Go sources can
# use (PurgeCSS, ADR 0018); the journeys check every page against it.
$(USATA): $(VENDOR)/.stamp web/sfoltisci.mjs $(SORGENTI_UI) web/static/css/cartella.css
	node web/sfoltisci.mjs $(BI_DIST)/css/bootstrap-italia.min.css $@ .

$(COMPRESSI): $(VENDOR)/.stamp $(USATA) web/comprimi.mjs $(wildcard web/static/css/* web/static/img/*)
	node web/comprimi.mjs web/static

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(VENDOR)/.stamp: web/node_modules/.package-lock.json
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/css $(VENDOR)/svg $(VENDOR)/fonts
	cp $(BI_DIST)/svg/sprites.svg $(VENDOR)/svg/
	for d in Titillium_Web Lora Roboto_Mono; do \
	  mkdir -p $(VENDOR)/fonts/$$d; cp $(BI_DIST)/fonts/$$d/*.woff2 $(BI_DIST)/fonts/$$d/*.txt $(VENDOR)/fonts/$$d/; done
	cp web/node_modules/bootstrap-italia/LICENSE $(VENDOR)/ 2>/dev/null || true
	@touch $@

postgres-bin: ## install the PostgreSQL server binaries if missing
	@if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "installing PostgreSQL (Debian package postgresql)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; \
	fi

chromium: ## install Debian's Chromium for the browser tests if missing
	@if ! command -v chromium >/dev/null && [ -z "$$CHROMIUM_PATH" ]; then \
	  echo "installing Chromium (Debian package chromium)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	fi

tools/lighthouse/node_modules/.package-lock.json: tools/lighthouse/package.json tools/lighthouse/package-lock.json
	cd tools/lighthouse && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

lighthouse: tools/lighthouse/node_modules/.package-lock.json chromium ## Lighthouse (mobile, slow 4G) on /casi and a case page of a running demo: make lighthouse BASE=http://127.0.0.1:8080
	tools/lighthouse/misura.sh $(or $(BASE),http://127.0.0.1:8080)

poppler: ## install Debian's poppler-utils (pdftotext, pdftoppm) for the PDF tests if missing
	@if ! command -v pdftoppm >/dev/null || ! command -v pdftotext >/dev/null; then \
	  echo "installing poppler-utils (Debian package poppler-utils)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq poppler-utils >/dev/null; \
	fi

xmllint: ## install Debian's libxml2-utils (xmllint) for the XML Schema validation of the SIUSS flows if missing (ADR 0020)
	@if ! command -v xmllint >/dev/null; then \
	  echo "installing libxml2-utils (Debian package libxml2-utils)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libxml2-utils >/dev/null; \
	fi

haproxy: ## install Debian's haproxy for the two-instance test (TestDueIstanze, docs/operations.md "Più istanze") if missing
	@if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then \
	  echo "installing haproxy (Debian package haproxy)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq haproxy >/dev/null; \
	fi

migrate-new: ## create a new migration pair: make migrate-new name=titolo
	@test -n "$(name)" || (echo "usage: make migrate-new name=titolo"; exit 1)
	@n=$$(ls migrations/*.up.sql 2>/dev/null | wc -l); v=$$(printf '%06d' $$((n+1))); \
	  touch migrations/$${v}_$(name).up.sql migrations/$${v}_$(name).down.sql; \
	  echo "created migrations/$${v}_$(name).{up,down}.sql"

clean: ## remove build outputs (keeps the demo data in var/)
	rm -rf bin $(VENDOR) web/static/vendor/compressi

.PHONY: help run build test fuzz fuzz-brief lint generate check-generated assets postgres-bin chromium poppler xmllint haproxy lighthouse migrate-new clean
