#!/usr/bin/env bash
# The report in a real browser: `crm report` writes the HTML report of the bundled sample
# data (a long history, every chart drawn), of a one-year history where the flow charts
# give way to notes, and of the Online-Retail-shaped export fixture, opens each in headless Chromium (tests/browser/check_html.py), fails on console
# messages, script or log errors, failed requests or a chart that is missing or not drawn,
# and keeps full-page screenshots in ${CARGO_TARGET_DIR:-target}/test-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/browser/ensure_chromium.sh
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
out="$target/test-artifacts"
mkdir -p "$out"
charts=(pareto segments lifecycle waterfall monthly-flows migration cohorts clv-distribution clv-segments undesired-flows wallet)
expect=()
for c in "${charts[@]}"; do expect+=(--expect-chart "$c"); done

cargo build -q -p crm-core --features cli --bin crm
crm="$target/debug/crm"

# The checker itself fails on a console error and on a missing chart.
cat > "$out/bad.html" <<'HTML'
<!DOCTYPE html><html><head><meta charset="utf-8"><title>bad</title></head>
<body><svg class="chart" id="chart-a" role="img" width="10" height="10"><title>a</title></svg>
<script>console.error("boom")</script></body></html>
HTML
if python3 tests/browser/check_html.py "$out/bad.html" --expect-chart a --expect-chart missing 2> "$out/bad.log"; then
    echo "browser check: the checker passed a page with a console error and a missing chart" >&2
    exit 1
fi
grep -q "console.error: boom" "$out/bad.log" && grep -q "chart missing" "$out/bad.log"

# Three years of sample history: every chart.
"$crm" report --sample --out "$out/report" --quiet >/dev/null
python3 tests/browser/check_html.py "$out/report/report.html" --screenshot "$out/report.png" "${expect[@]}"

# One year of history: flows, migration and CLV are not yet measurable; the other charts stay.
"$crm" report --sample --out "$out/report-one-year" --as-of 2022-12-31 --quiet >/dev/null
grep -q "Not yet measurable" "$out/report-one-year/report.html"
python3 tests/browser/check_html.py "$out/report-one-year/report.html" --screenshot "$out/report-one-year.png" \
    --expect-chart pareto --expect-chart segments --expect-chart lifecycle --expect-chart cohorts \
    --expect-chart undesired-flows --expect-chart wallet

# A real export: invoice lines, cancellations, anonymous rows, Latin-1, CRLF.
"$crm" report -t tests/data/exports/online_retail.csv --customer-col CustomerID --date-col InvoiceDate \
    --quantity-col Quantity --unit-price-col UnitPrice --order-col InvoiceNo --cancellation-prefix C \
    --out "$out/report-online-retail" --quiet >/dev/null
grep -q "Not yet measurable" "$out/report-online-retail/report.html"
python3 tests/browser/check_html.py "$out/report-online-retail/report.html" --screenshot "$out/report-online-retail.png" \
    --expect-chart pareto --expect-chart segments --expect-chart lifecycle --expect-chart wallet
echo "browser check: OK (screenshots in $out)"
