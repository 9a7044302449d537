# The first steps the load scripts share; sourced by them, not run. Leaves `bin` (the release
# binary, or INNOHAKU_BIN when set, to measure another build against this one), `work` (a
# temporary directory, removed on exit with the server `server` names), and `port` (a free
# loopback port).
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/innohaku/target}"
if [[ -n "${INNOHAKU_BIN:-}" ]]; then
  bin=$INNOHAKU_BIN
else
  cargo build --release --quiet
  bin="$CARGO_TARGET_DIR/release/innohaku"
fi
work=$(mktemp -d)
server=
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
