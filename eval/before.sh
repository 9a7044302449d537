#!/usr/bin/env bash
# Serves the sample catalogue with Innohaku as it was at an earlier commit, so that
# `cargo run --release --example search_eval -- --before http://127.0.0.1:PORT` compares
# with it in the same run. Default: the last commit before the work on multi-word queries
# (relaxed matching, derivations, function words, titles).
#
#   eval/before.sh [COMMIT] [PORT]      # builds once (its own target directory), then serves
set -euo pipefail
commit=${1:-95de6e4}
port=${2:-18181}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${TMPDIR:-/tmp}/innohaku-at-$commit
target=${BEFORE_TARGET_DIR:-$HOME/.cache/innohaku/target-before}
[ -d "$work" ] || git -C "$root" worktree add --detach "$work" "$commit" >&2
CARGO_TARGET_DIR=$target cargo build --release --locked --manifest-path "$work/Cargo.toml" >&2
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
echo "serving $commit on http://127.0.0.1:$port" >&2
"$target/release/innohaku" serve --bind "127.0.0.1:$port" --data-dir "$data" \
    --seed-dir "$root/data/sample"
