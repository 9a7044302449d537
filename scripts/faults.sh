#!/usr/bin/env bash
# The fault scenarios of issue 23 at full size, on loopback only, one line per scenario with
# its counts (sent, acknowledged, lost, 5xx, shed, p99 of admitted requests):
#
#   scripts/faults.sh [kill-ingest] [kill-reindex] [disk-full] [overload]   (default: all)
#
#   kill-ingest   12 rounds: four writers post batches of 40 documents, SIGKILL at a random
#                 moment, restart; every acknowledged document must be there
#   kill-reindex  20,000 documents, 6 reindex jobs killed at random moments; the serving index
#                 keeps all of them and the jobs are reported interrupted
#   disk-full     6 rounds on a 64 MB tmpfs (needs root to mount): ingest until refused, free
#                 space, write again without a restart, full again, stop, three starts on the
#                 full disk, free space, start; every acknowledged document must be there
#   overload      10,000 documents, the server and the load client pinned to CPUs of their
#                 own (taskset; on two CPUs the server on CPU 1, the client on CPU 0;
#                 OVERLOAD_PIN=off shares them). 15 s each after a 3 s warm-up, each on a
#                 fresh server: 32 closed-loop clients (the load the server sustains: the
#                 search box's figure), ten times the rate they were served at on 320
#                 connections, open loop, then 2,000 closed-loop clients (a shed client waits
#                 Retry-After). Figures in docs/performance.md, "Overload". Each line
#                 gives the p99 of admitted searches seen by the client and by the server
#                 (its /metrics histogram)
#
# Builds the release binary (or measures INNOHAKU_BIN) and the driver, examples/faults.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/innohaku/target}"
# One build of both: built apart, the library is built twice, with and without the features
# the example's dev-dependencies add.
cargo build --release --quiet --example faults --bin innohaku
bin=${INNOHAKU_BIN:-$CARGO_TARGET_DIR/release/innohaku}
ulimit -n 20000 2>/dev/null || true
"$CARGO_TARGET_DIR/release/examples/faults" "$bin" "$@"
