#!/usr/bin/env bash
# Ingestion throughput, peak memory, and search latency during a full reindex, on loopback.
#
#   scripts/reindex_load.sh [DOCS] [DURATION]       (defaults: 100000 20s)
#
# Generates DOCS synthetic documents, streams them to POST /v1/documents of a fresh server,
# measures search with wrk (32 connections) at rest and while POST /v1/jobs/reindex rebuilds
# the index, and reports the server's peak resident memory. Needs wrk and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
docs=${1:-100000}
duration=${2:-20s}
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
mkdir -p "$work/empty"
"$bin" generate --docs "$docs" --seed 7 > "$work/docs.ndjson"
key=load-test-key
INNOHAKU_ADMIN_KEY=$key RUST_LOG=warn "$bin" serve --bind "127.0.0.1:$port" --data-dir "$work/data" --seed-dir "$work/empty" > "$work/server.log" 2>&1 &
server=$!
until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.2; done
# Peak heap (anonymous) memory, sampled; VmHWM below also counts the index files that the
# kernel maps into the process and can drop at any time.
( peak=0; while kill -0 "$server" 2>/dev/null; do
    anon=$(awk '/RssAnon/ {print $2}' /proc/$server/status 2>/dev/null || echo 0)
    [ "${anon:-0}" -gt "$peak" ] && peak=$anon && echo "$peak" > "$work/anon-peak"
    sleep 0.2
  done ) &
base="http://127.0.0.1:$port"
start=$(date +%s.%N)
curl -fsS -H "Authorization: Bearer $key" -H 'Content-Type: application/x-ndjson' --data-binary @"$work/docs.ndjson" "$base/v1/documents" > "$work/report.json"
end=$(date +%s.%N)
python3 - "$work/report.json" "$start" "$end" "$docs" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); secs = float(sys.argv[3]) - float(sys.argv[2])
print(f"ingested {r['inserted']} documents ({len(r['rejected'])} rejected) in {secs:.1f} s = {r['inserted'] / secs:.0f} documents/s, durable and searchable")
PY
cat > "$work/q.lua" <<'LUA'
local qs = { "kotihoito", "ikääntyneiden kotihoito", "lastensuojelu", "perhekeskus", "mielenterveyspalvelut", "omaishoitajien tuki", "äldreomsorg", "kuntoutus" }
local i = 0
request = function()
  i = i + 1
  local q = qs[(i % #qs) + 1]:gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end)
  return wrk.format("GET", "/v1/search?q=" .. q)
end
LUA
echo "== search at rest"
wrk --latency -t2 -c32 -d"$duration" -s "$work/q.lua" "$base" | grep -E "Latency|50%|99%|Requests/sec|Non-2xx|Socket errors"
echo "== search during a full reindex"
job=$(curl -fsS -X POST -H "Authorization: Bearer $key" "$base/v1/jobs/reindex" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
wrk --latency -t2 -c32 -d"$duration" -s "$work/q.lua" "$base" | grep -E "Latency|50%|99%|Requests/sec|Non-2xx|Socket errors"
until curl -fsS -H "Authorization: Bearer $key" "$base/v1/jobs/$job" | grep -q '"state":"succeeded"'; do sleep 1; done
curl -fsS -H "Authorization: Bearer $key" "$base/v1/jobs/$job"; echo
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$server/status) (all mapped pages); peak heap (RssAnon): $(awk '{printf "%.0f MB", $1/1024}' "$work/anon-peak")"
