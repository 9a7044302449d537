#!/usr/bin/env bash
# Runs deploy/Containerfile's steps as a script, without a container engine, and checks what
# they produce: each stage is a directory under a temporary one, WORKDIR and COPY work in it,
# RUN runs there with the stage's ENV. Then the final stage's entrypoint is started as its USER
# (when run as root), with its VOLUME as the data directory and the rest of the image
# read-only (when `unshare` can make it so), and must answer /readyz and a search, and write
# nothing in the image outside the volume.
#
#   deploy/build-steps.sh                      # runs the recipe's `cargo build` too
#   INNOHAKU_BIN=target/release/innohaku deploy/build-steps.sh   # reuses a built binary there
#
# What it cannot do: pull the base images. A stage starts empty, so RUN steps may use only
# what the host has (here: cargo) and relative paths, and the final stage runs on the host's
# glibc in place of the distroless image's. KEEP=1 keeps the directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
context=$(cd "$here/.." && pwd)
recipe=${RECIPE:-$here/Containerfile}
work=$(mktemp -d "${TMPDIR:-/tmp}/innohaku-build-steps.XXXXXX")
# The image's user must reach its files, as it would in a container.
chmod 755 "$work"
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "kept $work" && return
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "build-steps: $*" >&2; exit 1; }
json_array() { python3 -c 'import json, sys; print("\n".join(json.loads(sys.argv[1])))' "$1"; }

# The recipe's instructions, one a line: continuation lines joined, comments dropped.
instructions=$(sed -e 's/^[[:space:]]*#.*$//' "$recipe" | awk '
  /\\[[:space:]]*$/ { sub(/\\[[:space:]]*$/, ""); line = line $0; next }
  { line = line $0; if (line ~ /[^[:space:]]/) print line; line = "" }')

stage= root= cwd= user= volumes=() entrypoint=() cmd=() envs=()
declare -A stages
while IFS= read -r line; do
  op=${line%% *}
  args=${line#* }
  args=${args#"${args%%[![:space:]]*}"}
  case ${op^^} in
  FROM)
    read -r _image as name <<<"$args"
    [ "${as^^}" = AS ] || name=stage$(( ${#stages[@]} + 1 ))
    stage=$name root=$work/$name cwd=/ user= volumes=() entrypoint=() cmd=() envs=()
    mkdir -p "$root"
    stages[$stage]=$root
    echo "== stage $stage (from $_image; starts empty here)"
    ;;
  WORKDIR)
    cwd=$args
    mkdir -p "$root$cwd"
    ;;
  COPY)
    from= chown= words=()
    read -r -a words <<<"$args"
    while [[ ${words[0]} == --* ]]; do
      case ${words[0]} in
      --from=*) from=${words[0]#--from=} ;;
      --chown=*) chown=${words[0]#--chown=} ;;
      *) fail "COPY option ${words[0]} is not understood" ;;
      esac
      words=("${words[@]:1}")
    done
    dest=${words[-1]}
    [[ $dest == /* ]] || dest=$cwd/$dest
    for src in "${words[@]:0:${#words[@]}-1}"; do
      if [ -n "$from" ]; then
        [ -n "${stages[$from]:-}" ] || fail "COPY --from=$from: no such stage"
        target=$root$dest
        mkdir -p "$(dirname "$target")"
        cp -a "${stages[$from]}$src" "$target"
      elif [ "$src" = . ]; then
        # The build context, less what .containerignore leaves out.
        excludes=()
        while IFS= read -r pattern; do
          [ -n "$pattern" ] && excludes+=("--exclude=./$pattern")
        done < <(grep -v '^#' "$context/.containerignore" 2>/dev/null || true)
        mkdir -p "$root$dest"
        tar -C "$context" "${excludes[@]}" -cf - . | tar -C "$root$dest" -xf -
      else
        mkdir -p "$(dirname "$root$dest")"
        cp -a "$context/$src" "$root$dest"
      fi
      if [ -n "$chown" ] && [ "$(id -u)" = 0 ]; then
        chown -R "$chown" "$root$dest"
      fi
    done
    ;;
  RUN)
    [[ $args =~ (^|[[:space:]])/ ]] && fail "RUN with an absolute path cannot run here: $args"
    if [ -n "${INNOHAKU_BIN:-}" ] && [[ $args == "cargo build"* ]]; then
      echo "-- RUN $args: reusing $INNOHAKU_BIN"
      install -D -m 0755 "$INNOHAKU_BIN" "$root$cwd/target/release/innohaku"
    else
      echo "-- RUN $args"
      (cd "$root$cwd" && env "${envs[@]}" bash -euo pipefail -c "$args")
    fi
    ;;
  ENV)
    eval "pairs=($args)"
    envs+=("${pairs[@]}")
    ;;
  USER) user=$args ;;
  VOLUME) mapfile -t volumes < <(json_array "$args") ;;
  ENTRYPOINT) mapfile -t entrypoint < <(json_array "$args") ;;
  CMD) mapfile -t cmd < <(json_array "$args") ;;
  EXPOSE) ;;
  *) fail "instruction $op is not understood" ;;
  esac
done <<<"$instructions"

echo "== checking the final stage ($stage)"
[ -n "$user" ] && [ "${user%%:*}" != 0 ] && [ "${user%%:*}" != root ] || fail "the image must run as a non-root USER"
[ ${#volumes[@]} = 1 ] || fail "expected one VOLUME, for the data"
data=$root${volumes[0]}
[ -d "$data" ] || fail "the volume ${volumes[0]} is not created in the image"
exe=$root${entrypoint[0]}
[ -x "$exe" ] || fail "the entrypoint ${entrypoint[0]} is not an executable in the image"
if [ "$(id -u)" = 0 ]; then
  [ "$(stat -c %u:%g "$data")" = "$user" ] || fail "the volume is not owned by USER $user"
fi
echo "image: $(du -sh "$root" | cut -f1), entrypoint $("$exe" --version)"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run_env=("${envs[@]}" "INNOHAKU_DATA_DIR=$data" "INNOHAKU_BIND=127.0.0.1:$port")
command=("$exe" "${entrypoint[@]:1}" "${cmd[@]}")
touch "$work/started"
sleep 1
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  command=(setpriv --reuid "${user%%:*}" --regid "${user##*:}" --clear-groups "${command[@]}")
  how="as user $user"
  if unshare --mount true 2>/dev/null; then
    # The image read-only except its volume, as `--read-only -v …:/data` runs it.
    # (The volume is a mount of its own first, so that the image's read-only mount, taken
    # with its submounts, leaves it writable.)
    command=(unshare --mount sh -c 'mount --bind "$2" "$2" && mount --rbind "$1" "$1" \
      && mount -o remount,bind,ro "$1" && shift 2 && exec "$@"' sh "$root" "$data" "${command[@]}")
    how="$how, image read-only"
  fi
else
  how="as $(id -un) (not root: USER and the read-only image are not applied)"
fi
(cd "$root" && exec env -i PATH=/usr/bin:/bin "${run_env[@]}" "${command[@]}") > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 200); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; fail "the server exited"; }
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work/server.log" >&2; fail "not ready"; }
curl -fsS "http://127.0.0.1:$port/v1/search?q=kotihoito" >/dev/null || fail "search failed"
kill -TERM "$server"
wait "$server" || fail "the server did not exit cleanly on SIGTERM"
server=
written=$(find "$root" -newer "$work/started" -not -path "$data" -not -path "$data/*" -print)
[ -z "$written" ] || fail "the server wrote outside the volume: $written"
[ -n "$(ls -A "$data")" ] || fail "the server wrote nothing in the volume"
echo "ok: served $how, wrote only in ${volumes[0]}"
