#!/usr/bin/env bash
# Lighthouse (mobile, simulated slow 4G, its defaults) on the pages of
# issue 21, point 11, as the demo's case manager: the case list and the
# first case of that list. `make lighthouse` runs it against a running demo
# (`make run`); figures go to docs/performance.md, reports to var/lighthouse/.
#
#   tools/lighthouse/misura.sh [base URL] [account]
set -euo pipefail
BASE=${1:-http://127.0.0.1:8080}
ACCOUNT=${2:-casemanager}
DIR=$(cd "$(dirname "$0")" && pwd)
OUT=${LIGHTHOUSE_DIR:-var/lighthouse}
mkdir -p "$OUT"
jar=$(mktemp)
trap 'rm -f "$jar"' EXIT

# Sign in through the demo provider's form, as a browser would.
id=$(curl -fsS -c "$jar" -b "$jar" -L "$BASE/login" | grep -o 'name="id" value="[^"]*"' | sed 's/.*value="//; s/"$//')
curl -fsS -c "$jar" -b "$jar" -L -o /dev/null --data-urlencode "id=$id" \
  --data-urlencode "username=$ACCOUNT" --data-urlencode "password=demo" "$BASE/demo-idp/login"
sessione=$(awk '$6 ~ /cartella_sessione$/ { print $6 "=" $7 }' "$jar")
[ -n "$sessione" ] || { echo "login as $ACCOUNT failed" >&2; exit 1; }
caso=$(curl -fsS -b "$jar" "$BASE/casi" | grep -o 'href="/casi/[0-9a-f-]\{36\}"' | head -1 | sed 's/href="//; s/"$//')
[ -n "$caso" ] || { echo "no case in the list of $ACCOUNT" >&2; exit 1; }

chrome=${CHROMIUM_PATH:-/usr/bin/chromium}
flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run"
printf '%-12s %5s %5s %5s %7s %7s %7s %6s %9s\n' page perf a11y bp FCP LCP TBT CLS transfer
for pagina in casi:/casi caso:"$caso"; do
  nome=${pagina%%:*}
  CHROME_PATH=$chrome "$DIR/node_modules/.bin/lighthouse" "$BASE${pagina#*:}" --quiet \
    --chrome-flags="$flags" --extra-headers="{\"Cookie\":\"$sessione\"}" \
    --only-categories=performance,accessibility,best-practices \
    --output=json --output=html --output-path="$OUT/$nome"
  node -e '
    const r = require(process.argv[1]), c = r.categories, a = r.audits;
    const s = k => String(Math.round(c[k].score * 100));
    console.log([process.argv[2].padEnd(12), s("performance").padStart(5), s("accessibility").padStart(5),
      s("best-practices").padStart(5), a["first-contentful-paint"].displayValue.padStart(7),
      a["largest-contentful-paint"].displayValue.padStart(7), a["total-blocking-time"].displayValue.padStart(7),
      a["cumulative-layout-shift"].displayValue.padStart(6),
      (Math.round(a["total-byte-weight"].numericValue / 1024) + " KiB").padStart(9)].join(" "));
  ' "$(cd "$OUT" && pwd)/$nome.report.json" "$nome"
done
