#!/usr/bin/env bash
# Innohaku side by side with the peer engines in ../shared/peers (Lucene 9.9 FinnishAnalyzer,
# tantivy-py with Snowball), on the same synthetic corpus and queries, in one run, one after
# the other on this machine. Everything runs locally; nothing listens on the network.
#
#   scripts/peers.sh DOCS [REPS]      e.g. scripts/peers.sh 10000 20
#
# Sets the peers up in $PEERS_WORK (default /tmp/innohaku-peers) on first use. Innohaku uses
# Voikko when it is installed; INNOHAKU_VOIKKO=off measures the default install's analysis.
set -euo pipefail
cd "$(dirname "$0")/.."
docs=${1:-10000}
reps=${2:-20}
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
