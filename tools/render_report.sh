#!/bin/sh
# Renders a seiscluster HTML report in headless Chromium (Debian's `chromium` package):
# a PNG screenshot, and a check that the page logs no console errors and needs no network.
# Usage: tools/render_report.sh REPORT.html SCREENSHOT.png [WIDTH HEIGHT]
# With PALETTE=1 the screenshot is reduced to a 256-colour palette by fast octree (median cut
# turned viridis yellow orange) (needs Pillow in $PYTHON,
# default python3), which keeps docs/report-screenshot.png under 500 KB.
set -eu
report=$1
shot=$2
width=${3:-1400}
height=${4:-3000}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
url="file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
# No network: an unreachable proxy makes any remote fetch fail (and log an error).
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --proxy-server=127.0.0.1:9 --enable-logging=stderr --v=0 \
  --window-size="$width,$height" --screenshot="$shot" "$url" 2>"$log" >/dev/null
if grep -E "CONSOLE|Uncaught|ERR_|Failed to load" "$log"; then
  echo "error: $report: the page logged errors (above)" >&2
  exit 1
fi
if [ "${PALETTE:-0}" = 1 ]; then
  "${PYTHON:-python3}" -c 'import sys; from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
im.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(sys.argv[1], optimize=True)' "$shot"
fi
echo "rendered $report to $shot ($(wc -c <"$shot") bytes), no console errors"
