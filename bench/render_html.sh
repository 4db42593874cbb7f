#!/usr/bin/env bash
# Render the HTML report of examples/shop and screenshot it with headless Chromium, to check
# by eye that the page renders offline (the page's CSP blocks any network load anyway).
#
#   bench/render_html.sh [PROJECT] [SCREENSHOT]
#
# Needs `shipcheck` (or SHIPCHECK="python -m shipcheck") and Debian's `chromium`
# (apt-get install -y chromium). Exit code: 0 when the screenshot was written.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
project="${1:-$here/examples/shop}"
screenshot="${2:-/tmp/shipcheck-report.png}"
if [ -n "${SHIPCHECK:-}" ]; then
  shipcheck="$SHIPCHECK"
elif command -v shipcheck >/dev/null; then
  shipcheck=shipcheck
else
  shipcheck="python3 -m shipcheck"
fi
browser="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [ -z "$browser" ]; then
  echo "render_html: chromium not found (apt-get install -y chromium)" >&2
  exit 2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
report="$work/report.html"
# Exit code 1 only means the example's gate fails, which is expected.
$shipcheck scan "$project" --format html --output "$report" || [ $? -eq 1 ]
sandbox=()
if [ "$(id -u)" = "0" ]; then sandbox=(--no-sandbox); fi
"$browser" --headless "${sandbox[@]}" --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
  --user-data-dir="$work/profile" --window-size=1280,2000 \
  --screenshot="$screenshot" "file://$report" >"$work/chromium.log" 2>&1 || {
  cat "$work/chromium.log" >&2
  exit 1
}
test -s "$screenshot"
echo "render_html: wrote $screenshot ($(wc -c <"$screenshot") bytes) from $report"
