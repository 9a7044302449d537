#!/usr/bin/env bash
# Innohaku side by side with the peer engines in ../shared/peers (Lucene 9.9 FinnishAnalyzer,
# tantivy-py with Snowball), on the same synthetic corpus and queries, in one run, one after
# the other on this machine. Everything runs locally; nothing listens on the network.
#
#   scripts/peers.sh DOCS [REPS]      e.g. scripts/peers.sh 10000 20
#
# Then, because this machine's speed drifts within minutes, ROUNDS (default 3) more rounds
# measure Lucene's and Innohaku's top 10 + count alternately on the indexes just built, and
# the ratio of their medians is printed for each round.
#
# Sets the peers up in $PEERS_WORK (default /tmp/innohaku-peers) on first use. Innohaku uses
# Voikko when it is installed; INNOHAKU_VOIKKO=off measures the default install's analysis.
set -euo pipefail
cd "$(dirname "$0")/.."
docs=${1:-10000}
reps=${2:-20}
rounds=${ROUNDS:-3}
peers=$(cd ../shared/peers && pwd)
work=${PEERS_WORK:-/tmp/innohaku-peers}
export PEERS_WORK=$work
[ -f "$work/env.sh" ] || bash "$peers/setup.sh"
# shellcheck disable=SC1091
source "$work/env.sh"
corpus="$work/corpus-$docs"
[ -f "$corpus/queries.txt" ] || python3 "$peers/gen_corpus.py" "$docs" "$corpus"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/innohaku/target}"
cargo build --release --quiet --example peer_bench
peak() { /usr/bin/time -f "  peak RSS %M KB" "$@"; }
echo "== Lucene (FinnishAnalyzer)"
peak "$PEER_JAVA" -Xmx4g -cp "$PEER_CP" LuceneBench index "$work/lucene-$docs" "$corpus/docs.tsv"
peak "$PEER_JAVA" -Xmx4g -cp "$PEER_CP" LuceneBench search "$work/lucene-$docs" "$corpus/queries.txt" "$reps"
echo "== tantivy-py (Snowball)"
peak python3 "$peers/tantivy_bench.py" "$corpus/docs.tsv" "$corpus/queries.txt" "$reps" "$work/tantivy-$docs"
echo "== Innohaku (full Finnish analysis)"
peak "$CARGO_TARGET_DIR/release/examples/peer_bench" "$corpus/docs.ndjson" "$corpus/queries.txt" "$reps" "$work/innohaku-$docs"
echo "== Alternating rounds: top 10 + count, p50 (Innohaku OR / Lucene)"
p50() { sed -n "s/.*$1.* p50 \([0-9.]*\) us.*/\1/p" | head -1; }
for round in $(seq 1 "$rounds"); do
  lucene=$("$PEER_JAVA" -Xmx4g -cp "$PEER_CP" LuceneBench search "$work/lucene-$docs" "$corpus/queries.txt" "$reps" 2>/dev/null | p50 'top10+count')
  ours=$(PEER_BENCH_REUSE=1 PEER_BENCH_ROWS=or "$CARGO_TARGET_DIR/release/examples/peer_bench" "$corpus/docs.ndjson" "$corpus/queries.txt" "$reps" "$work/innohaku-$docs" | p50 'top10+count (OR)')
  echo "round $round: Lucene $lucene us, Innohaku $ours us, ratio $(python3 -c "print(f'{$ours / $lucene:.2f}')")"
done
