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
#   overload      10,000 documents; 32 clients (the load the server sustains), then 2,000
#                 clients searching in a closed loop for 15 s (a shed client waits Retry-After)
#
# Builds the release binary (or measures INNOHAKU_BIN) and the driver, examples/faults.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/innohaku/target}"
cargo build --release --quiet --example faults
if [[ -n "${INNOHAKU_BIN:-}" ]]; then
  bin=$INNOHAKU_BIN
else
  cargo build --release --quiet
  bin="$CARGO_TARGET_DIR/release/innohaku"
fi
ulimit -n 20000 2>/dev/null || true
"$CARGO_TARGET_DIR/release/examples/faults" "$bin" "$@"
