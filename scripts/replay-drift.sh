#!/usr/bin/env bash
# Replays a drifted stream of taxi-fare requests into a running `orchestrator standalone` and watches the MLOps loop:
# serving traffic is logged → taxi_fare_monitor detects drift → a drift event triggers taxi_fare_retrain → the gate
# deploys a new version, or turns it down and an alert is raised.
#
#   dotnet run --project src/Orchestrator.Cli -- standalone      # in another terminal, from the repository root
#   scripts/replay-drift.sh                                       # then this
#
# Options: --url URL (default http://localhost:8080), --rows N (default 1000), --batch N (rows per request, default 50),
# --shift X (how far trips move: distances and times × X, default 2.5), --no-labels (send no ground truth),
# --token TOKEN (an API token, needed when the server requires sign-in: `orchestrator users token create NAME`).
# Needs bash, curl, awk and jq (Debian: apt-get install curl jq).
set -euo pipefail

url=http://localhost:8080 rows=1000 batch=50 shift=2.5 labels=1 token=""
model=taxi_fare monitor=taxi_fare_monitor retrain=taxi_fare_retrain
while [[ $# -gt 0 ]]; do
  case "$1" in
    --url) url=${2%/}; shift 2 ;;
    --rows) rows=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --shift) shift=$2; shift 2 ;;
    --no-labels) labels=0; shift ;;
    --token) token=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "error: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ $rows =~ ^[1-9][0-9]*$ && $batch =~ ^[1-9][0-9]*$ ]] || { echo "error: --rows and --batch must be whole numbers ≥ 1" >&2; exit 2; }
[[ $shift =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "error: --shift must be a number such as 2.5" >&2; exit 2; }
for tool in curl jq awk; do
  command -v "$tool" >/dev/null || { echo "error: this script needs '$tool' (Debian: apt-get install $tool)" >&2; exit 2; }
done

here=$(cd "$(dirname "$0")" && pwd)
data="$here/../dags/data/taxi-fare/taxi-fare-test.csv"
[[ -f $data ]] || { echo "error: $data not found (run the script from a checkout of the repository)" >&2; exit 2; }
# Changes through /api/v1 in a signed-in session (loopback auto sign-in included) need the antiforgery token and its
# cookie; an API token needs neither.
jar=$(mktemp)
trap 'rm -f "$jar"' EXIT
auth=(-b "$jar" -c "$jar")
if [[ -n $token ]]; then
  auth=(-H "Authorization: Bearer $token")
fi

# api METHOD PATH [BODY]: the answer's body; fails with the server's problem text on an error status.
api() {
  local method=$1 path=$2 body=${3:-} out status
  out=$(mktemp)
  if [[ -n $body ]]; then
    status=$(curl -sS -o "$out" -w '%{http_code}' -X "$method" "${auth[@]}" -H 'Content-Type: application/json' --data-binary "$body" "$url$path")
  else
    status=$(curl -sS -o "$out" -w '%{http_code}' -X "$method" "${auth[@]}" "$url$path")
  fi
  if [[ $status != 2* ]]; then
    echo "error: $method $path answered $status: $(cat "$out")" >&2
    [[ $status == 401 ]] && echo "       (the server requires sign-in: pass --token)" >&2
    rm -f "$out"; return 1
  fi
  cat "$out"; rm -f "$out"
}

# wait_run RUN_ID: polls the run until it ends, printing its tasks' states as they change; prints the final state.
wait_run() {
  local run=$1 last="" now state
  while true; do
    now=$(api GET "/api/v1/runs/$run")
    state=$(jq -r .state <<<"$now")
    local line
    line=$(jq -r '[.taskInstances[] | "\(.taskId)=\(.state)"] | join("  ")' <<<"$now")
    [[ $line != "$last" ]] && { echo "    $line" >&2; last=$line; }
    [[ $state == success || $state == failed ]] && { echo "$state"; return; }
    sleep 2
  done
}

curl -sf "$url/health" >/dev/null || { echo "error: no orchestrator at $url (start it: dotnet run --project src/Orchestrator.Cli -- standalone)" >&2; exit 1; }
if [[ -z $token ]]; then
  csrf=$(api GET /api/v1/csrf) || exit 1
  auth+=(-H "$(jq -r .headerName <<<"$csrf"): $(jq -r .token <<<"$csrf")")
fi

echo "1. Is $model in production?"
if ! production=$(api GET "/api/v1/models/$model" 2>/dev/null | jq -e -r '.aliases.production // empty'); then production=""; fi
if [[ -z $production ]]; then
  echo "   not yet: training it first with $retrain (a few minutes on 2 cores)"
  run=$(api POST "/api/v1/dags/$retrain/runs" '{"conf": {}}' | jq -r .runId)
  echo "   run $run"
  [[ $(wait_run "$run") == success ]] || { echo "error: $retrain failed; see its logs in the dashboard" >&2; exit 1; }
  production=$(api GET "/api/v1/models/$model" | jq -r '.aliases.production')
fi
echo "   production is version $production"

echo "2. Replaying $rows drifted requests ($batch rows each): trips ×$shift longer, mostly paid cash, fares up"
sent=0 labelled=0
# awk turns the test file into one request body and one label list per batch (columns as the model's signature has them).
while IFS=$'\t' read -r body truths; do
  headers=$(mktemp)
  curl -sS -o /dev/null -D "$headers" "${auth[@]}" -H 'Content-Type: application/json' --data-binary "$body" "$url/models/$model/invocations"
  id=$(awk 'tolower($1) == "x-request-id:" { gsub("\r", "", $2); print $2 }' "$headers"); rm -f "$headers"
  sent=$((sent + $(jq '.dataframe_split.data | length' <<<"$body")))
  if [[ $labels == 1 && -n $id ]]; then
    feedback=$(jq -c --arg id "$id" '{labels: [to_entries[] | {requestId: $id, row: .key, label: .value}]}' <<<"$truths")
    labelled=$((labelled + $(api POST "/models/$model/feedback" "$feedback" | jq .accepted)))
  fi
  printf '\r   %d rows sent, %d labelled' "$sent" "$labelled"
done < <(awk -F, -v rows="$rows" -v batch="$batch" -v shift="$shift" '
  NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  (NR - 2) % 53 != 0 { next }      # rows spread over the file (it is sorted by vendor), so only the shift differs
  ++taken > rows { exit }
  {
    distance = $col["trip_distance"] * shift; seconds = int($col["trip_time_in_secs"] * shift)
    payment = (NR % 10 < 7) ? "CSH" : $col["payment_type"]
    fare = $col["fare_amount"] * shift * 1.3
    row = sprintf("[\"%s\",\"%s\",%s,%d,%s,\"%s\"]", $col["vendor_id"], $col["rate_code"], $col["passenger_count"], seconds, distance, payment)
    data = data (n ? "," : "") row; truth = truth (n ? "," : "") fare; n++
    if (n == batch) { flush() }
  }
  END { if (n) flush() }
  function flush() {
    printf "{\"dataframe_split\":{\"columns\":[\"vendor_id\",\"rate_code\",\"passenger_count\",\"trip_time_in_secs\",\"trip_distance\",\"payment_type\"],\"data\":[%s]}}\t[%s]\n", data, truth
    data = ""; truth = ""; n = 0
  }' "$data")
echo

echo "3. Running $monitor now (it runs hourly by itself)"
sleep 2 # the inference log writes in the background
run=$(api POST "/api/v1/dags/$monitor/runs" '{"conf": {}}' | jq -r .runId)
echo "   run $run"
wait_run "$run" >/dev/null
drift=$(api GET "/api/v1/events?kind=drift&subject=$model&limit=20" | jq -c --arg run "$run" '[.items[] | select(.source.runId == $run)] | first // empty')
if [[ -z $drift ]]; then
  echo "   no drift detected: see the checks with  orchestrator models drift $model  (try more --rows or a larger --shift)"
  exit 0
fi
echo "   drift event #$(jq .id <<<"$drift"): $(jq -r '.payload.reason' <<<"$drift") drift, share $(jq -r '.payload.share' <<<"$drift"), features: $(jq -r '.payload.driftedFeatures | join(", ")' <<<"$drift")"

echo "4. The event triggers $retrain"
for _ in $(seq 1 60); do
  retrain_run=$(api GET "/api/v1/events/$(jq .id <<<"$drift")" | jq -r --arg dag "$retrain" '[.triggeredRuns[] | select(.dagId == $dag)] | first | .runId // empty')
  [[ -n $retrain_run ]] && break
  sleep 1
done
[[ -n ${retrain_run:-} ]] || { echo "error: no run of $retrain was triggered within a minute" >&2; exit 1; }
echo "   run $retrain_run"
wait_run "$retrain_run" >/dev/null

echo "5. Outcome"
now=$(api GET "/api/v1/models/$model" | jq -r '.aliases.production')
if [[ $now != "$production" ]]; then
  echo "   the gate passed: version $now is in production (was $production), served at $url/models/$model/invocations"
else
  echo "   production unchanged (version $now). Alerts:"
  api GET "/api/v1/alerts?dagId=$retrain&limit=5" | jq -r '.items[] | "   [\(.severity)] \(.kind): \(.message) (\(.state))"'
fi
echo
echo "The same from the CLI:  orchestrator events list --kind drift · orchestrator runs list --dag $retrain · orchestrator alerts list"
echo "and in the dashboard:   $url/monitoring"
