#!/usr/bin/env bash
# HTTP throughput and tail latency of /v1/search, on loopback only.
#
#   scripts/load.sh [DOCS] [CONNECTIONS] [DURATION]      (defaults: 10000 32 20s)
#
# Builds the release binary, generates DOCS synthetic documents (seeded), serves them on a free
# 127.0.0.1 port from a temporary data directory, and runs wrk with CONNECTIONS keep-alive
# connections on 2 threads, rotating through realistic queries, after 5 seconds of the same
# load to warm up. Needs wrk (apt-get install wrk).
#
# LOAD_DATA_DIR=DIR serves a data directory built before (e.g. by `innohaku reindex`) instead:
# nothing is generated or built, and DOCS only labels the output.
set -euo pipefail
cd "$(dirname "$0")/.."
docs=${1:-10000}
connections=${2:-32}
duration=${3:-20s}
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
data=${LOAD_DATA_DIR:-$work/data}
mkdir -p "$work/seed"
[[ -n "${LOAD_DATA_DIR:-}" ]] || "$bin" generate --docs "$docs" --seed 42 > "$work/seed/synthetic.ndjson"
serve() {
  "$bin" serve --bind "127.0.0.1:$port" --data-dir "$data" --seed-dir "$work/seed" >> "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 600); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return
    sleep 0.5
  done
}
# The first start builds the index; the server measured is a second one, serving it.
if [[ -z "${LOAD_DATA_DIR:-}" ]]; then
  serve
  kill "$server"; wait "$server" 2>/dev/null || true
fi
serve
echo "serving $docs documents on 127.0.0.1:$port (RSS $(ps -o rss= -p "$server" | awk '{printf "%.0f MB", $1/1024}'))"
cat > "$work/queries.lua" <<'LUA'
local queries = {
  "kotihoito", "ikääntyneiden kotihoito", "mielenterveyspalvelut", "lastensuojelu",
  "perhekeskus", "omaishoitajien tuki", "\"sosiaali- ja terveyspalvelut\"", "etävastaanotto",
  "äldreomsorg", "familjecentral", "nuorten mielenterveys", "päihdetyö", "kuntoutus",
  "lastensuoj", "mielenterveyspalvlut", "työllisyyspalvelut", "asiakasosallisuus", "vammaispalvelut",
}
local filters = { "", "&kind=practice", "&region=pirkanmaa", "&theme=social_work&region=lappi,kainuu" }
local i = 0
request = function()
  i = i + 1
  local q = queries[(i % #queries) + 1]
  local f = filters[(i % #filters) + 1]
  local encoded = q:gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end)
  return wrk.format("GET", "/v1/search?q=" .. encoded .. f)
end
LUA
# Measured warm, as a serving instance is: the first requests fill the page cache with the
# index and the search threads' memos of analysed words. Two client threads, or one for a
# single connection (one user's searches one after the other).
threads=$((connections < 2 ? connections : 2))
wrk -t"$threads" -c"$connections" -d5s -s "$work/queries.lua" "http://127.0.0.1:$port" >/dev/null
wrk --latency -t"$threads" -c"$connections" -d"$duration" -s "$work/queries.lua" "http://127.0.0.1:$port"
echo "server RSS after load: $(ps -o rss= -p "$server" | awk '{printf "%.0f MB", $1/1024}'), peak $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$server/status")"
