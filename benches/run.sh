#!/usr/bin/env bash
# Side-by-side benchmark: wm-hooks against the tools a user would otherwise use.
# Runs from a clone: it builds target/release/wm-hooks when that is missing, and
# installs the peers it lacks (Debian's packages with apt-get, express and
# ioredis with npm) before the first section.
#
#   benches/run.sh setup      only installs the peers (apt-get needs root)
#   benches/run.sh            all sections
#   ./run.sh verify     verify-signature: openssl+sh, Python seed, Node seed, wm-hooks
#   ./run.sh listen     listener under wrk load: nginx, webhook (adnanh), express seed, wm-hooks
#   ./run.sh send       senders into nginx: wrk, curl loops, wm-hooks send-test
#   ./run.sh ingest     durable receivers (needs redis-server): express + ioredis, wm-hooks ingest
#
# Each section prints a markdown table (and writes it to $BENCH_OUT/<section>.md).
# Everything binds 127.0.0.1 only; every load loop is bounded in time or count.
# See benches/README.md for setup and for every knob below.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEERS=$HERE/peers

# ---------------------------------------------------------------------------
# The binary under test. The wm-hooks rows are skipped (and say so) when it is absent.
ROOT=$(cd "$HERE/.." && pwd)
WM_HOOKS_DEFAULT=$ROOT/target/release/wm-hooks
WM_HOOKS=${WM_HOOKS:-$WM_HOOKS_DEFAULT}

# ===========================================================================
# wm-hooks invocations: the ONLY places where its flags appear. Adjust them
# here (or override them from the environment) when the CLI changes.
# Each is a shell command line, expanded with eval at the moment it is run,
# with these variables set:
#   WM_VERIFY_CMD   $SECRET $SIG (sha256=<hex>) $PAYLOAD (file path)    exit 0 valid / 1 invalid
#   WM_LISTEN_CMD   $PORT $SECRET          stdout is redirected to a record file (one JSON line per event)
#   WM_SEND_CMD     $URL $SECRET $COUNT $CONC
WM_VERIFY_CMD=${WM_VERIFY_CMD:-'"$WM_HOOKS" verify-signature --secret "$SECRET" --signature "$SIG" --payload-file "$PAYLOAD"'}
WM_LISTEN_CMD=${WM_LISTEN_CMD:-'"$WM_HOOKS" listen --host 127.0.0.1 --port "$PORT" --secret "$SECRET" --json'}
WM_SEND_CMD=${WM_SEND_CMD:-'"$WM_HOOKS" send-test --to "$URL" --secret "$SECRET" --count "$COUNT" --concurrency "$CONC"'}
WM_LISTEN_PATH=${WM_LISTEN_PATH:-/webhooks/whatsapp}   # where `wm-hooks listen` takes POSTs
#   WM_INGEST_CMD   $PORT $SECRET $STORE (redis://127.0.0.1:P/0 or sqlite:PATH)
#   WM_STORED_CMD   $STORE -> prints how many events the store holds
WM_INGEST_CMD=${WM_INGEST_CMD:-'"$WM_HOOKS" ingest --host 127.0.0.1 --port "$PORT" --secret "$SECRET" --store "$STORE"'}
WM_STORED_CMD=${WM_STORED_CMD:-'"$WM_HOOKS" store stats --store "$STORE" --json | "$PYTHON" -c "import json,sys; print(json.load(sys.stdin)[\"stored\"])"'}
# ===========================================================================

# Knobs (environment). With these defaults a full run takes about 80 s on 2 cores
# without the wm-hooks rows, about 100 s with them.
SECRET=${BENCH_SECRET:-bench-webhook-secret}
BENCH_OUT=${BENCH_OUT:-${TMPDIR:-/tmp}/wm-hooks-bench}   # results + scratch, outside any repo
PORT_BASE=${BENCH_PORT_BASE:-18080}          # ports PORT_BASE+1 .. +6 on 127.0.0.1
PYTHON=${BENCH_PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3 )}
NODE=${BENCH_NODE:-$(command -v node || echo node)}
VERIFY_RUNS=${VERIFY_RUNS:-30}               # timed runs per verify command
VERIFY_WARMUP=${VERIFY_WARMUP:-3}
LOAD_SECONDS=${LOAD_SECONDS:-10}             # wrk duration per listener
LOAD_WARMUP_SECONDS=${LOAD_WARMUP_SECONDS:-1}
LOAD_THREADS=${LOAD_THREADS:-1}
LOAD_CONNECTIONS=${LOAD_CONNECTIONS:-32}
SEND_SECONDS=${SEND_SECONDS:-5}              # wrk duration for the sender ceiling
CURL_COUNT=${CURL_COUNT:-200}                # events per curl loop
CURL_RUNS=${CURL_RUNS:-3}
SEND_COUNT=${SEND_COUNT:-10000}              # events for the concurrent send-test row
SEND_CONCURRENCY=${SEND_CONCURRENCY:-$LOAD_CONNECTIONS}
SEND_RUNS=${SEND_RUNS:-5}
INGEST_COUNT=${INGEST_COUNT:-20000}          # events per ingest run (fresh message ids: send-test is the load)
INGEST_RUNS=${INGEST_RUNS:-3}
DRAIN_MAX_SECONDS=${DRAIN_MAX_SECONDS:-30}   # how long to wait for a listener to go idle after the load
BENCH_PIN=${BENCH_PIN:-0}                    # 1: server on CPU 0, load generator on CPU 1

# A shell may export variables that change what is measured; two of
# them change what is measured: NODE_EXTRA_CA_CERTS makes every node start parse a
# CA bundle (~70 ms a start here), RUST_BACKTRACE=1 makes Rust error values capture a
# backtrace. Neither is part of the work being compared; BENCH_KEEP_ENV=1 keeps them.
if [ "${BENCH_KEEP_ENV:-0}" != 1 ]; then unset NODE_EXTRA_CA_CERTS RUST_BACKTRACE RUST_LIB_BACKTRACE; fi

NODE_DEPS=${BENCH_DEPS:-${TMPDIR:-/tmp}/wm-hooks-bench-deps}   # express, installed by `run.sh setup`
EVENT=$PEERS/event.json                      # the ~600-byte message.received event
DATA=$BENCH_OUT/data
RUN_DIR=$BENCH_OUT/runs/$(date -u +%Y%m%dT%H%M%SZ)-$$   # created by main

STARTED_PIDS=()
cleanup() {
  local p
  for p in "${STARTED_PIDS[@]}"; do
    kill -0 "$p" 2>/dev/null && kill -TERM "$p" 2>/dev/null
  done
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }
have() { command -v "$1" >/dev/null 2>&1; }
wm_present() { [ -x "$WM_HOOKS" ] && [ -f "$WM_HOOKS" ]; }
wm_skip_note() { echo "wm-hooks rows skipped: no executable at WM_HOOKS=$WM_HOOKS (build it, or set WM_HOOKS=/path/to/wm-hooks)"; }

# expand TEMPLATE -> one command line, each word quoted for hyperfine -N / eval
expand_cmd() {
  local __words a out=""
  eval "__words=( $1 )"
  for a in "${__words[@]}"; do out+="$(printf '%q' "$a") "; done
  printf '%s' "${out% }"
}

q() { printf '%q' "$1"; }
hmac_hex() { local o; o=$(openssl dgst -sha256 -hmac "$SECRET" -r <"$1") && printf '%s' "${o%% *}"; }
# the same signature with its last hex digit changed
flip_sig() { local s=$1 last=${1: -1}; [ "$last" = 0 ] && printf '%s1' "${s%?}" || printf '%s0' "${s%?}"; }

require_tools() {
  local t missing=()
  for t in "$@"; do have "$t" || missing+=("$t"); done
  [ ${#missing[@]} -eq 0 ] || die "missing tools: ${missing[*]} (run 'benches/run.sh setup' as root)"
}

env_header() {
  echo "- date (UTC): $(date -u '+%Y-%m-%d %H:%M'); host: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(grep -q sha_ni /proc/cpuinfo && echo SHA-NI || echo no SHA-NI); load avg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  if wm_present; then
    echo "- wm-hooks: $WM_HOOKS ($(timeout 5 "$WM_HOOKS" --version 2>/dev/null | head -1 || echo 'version unknown'))"
  else
    echo "- $(wm_skip_note)"
  fi
}

section_done() { # name start_epoch
  local secs=$(( $(date +%s) - $2 ))
  echo
  echo "_section '$1' took ${secs} s; raw data in ${RUN_DIR#"$HERE"/}_"
  echo
}

# ---------------------------------------------------------------------------
# Process-tree helpers for the listeners (peak RSS and CPU from /proc)
tree_pids() {
  local p=$1 c
  [ -d /proc/"$p" ] || return 0
  echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do tree_pids "$c"; done
}
tree_hwm_kib() { # sum of VmHWM (peak RSS) over the process and its live children
  local p sum=0 v
  for p in $(tree_pids "$1"); do
    v=$(awk '/^VmHWM:/ {print $2}' /proc/"$p"/status 2>/dev/null)
    sum=$(( sum + ${v:-0} ))
  done
  echo "$sum"
}
tree_cpu_ticks() { # utime+stime+cutime+cstime over the tree, in clock ticks
  local p sum=0 v
  for p in $(tree_pids "$1"); do
    v=$(awk '{ sub(/.*\) /, ""); print $12 + $13 + $14 + $15 }' /proc/"$p"/stat 2>/dev/null)
    sum=$(( sum + ${v:-0} ))
  done
  echo "$sum"
}
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
forks_total() { awk '/^processes / {print $2}' /proc/stat; }   # forks + clones since boot, whole box

port_free() { ! (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
wait_http() { # pid port: up to 10 s for any HTTP answer
  local i
  for i in $(seq 100); do
    kill -0 "$1" 2>/dev/null || return 1
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$2/" && return 0
    sleep 0.1
  done
  return 1
}
stop_pid() {
  local p=$1 i
  kill -TERM "$p" 2>/dev/null || return 0
  for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
  wait "$p" 2>/dev/null
  return 0
}
# wait_idle PID [report]: wait (at most DRAIN_MAX_SECONDS) until the process tree
# uses < 5% of a core over 0.2 s; with 'report', print how long it stayed busy
# ("0" when it was idle at once, ">N (still busy)" when the bound was hit)
wait_idle() {
  local pid=$1 c prev=-1 i idle=0 t0
  t0=$(date +%s%N)
  for i in $(seq $(( DRAIN_MAX_SECONDS * 5 ))); do
    sleep 0.2
    c=$(tree_cpu_ticks "$pid")
    if [ "$prev" -ge 0 ] && [ $(( c - prev )) -le 1 ]; then idle=1; break; fi
    prev=$c
  done
  [ "${2:-}" = report ] || return 0
  awk -v a="$t0" -v b="$(date +%s%N)" -v lim="$DRAIN_MAX_SECONDS" -v idle="$idle" \
    'BEGIN { d = (b - a) / 1e9 - 0.4; if (d < 0) d = 0; if (!idle) printf ">%d (still busy)", lim; else if (d < 0.25) print "0"; else printf "%.1f", d }'
}
SRV_PREFIX=(); LOAD_PREFIX=()
if [ "$BENCH_PIN" = 1 ]; then SRV_PREFIX=(taskset -c 0); LOAD_PREFIX=(taskset -c 1); fi

# start_server NAME PORT CMD...   (stdout -> $RUN_DIR/NAME.out, stderr -> NAME.err); sets SPID
start_server() {
  local name=$1 port=$2; shift 2
  port_free "$port" || { log "port $port on 127.0.0.1 is in use (set BENCH_PORT_BASE)"; return 1; }
  "${SRV_PREFIX[@]}" "$@" >"$RUN_DIR/$name.out" 2>"$RUN_DIR/$name.err" &
  SPID=$!
  STARTED_PIDS+=("$SPID")
  if ! wait_http "$SPID" "$port"; then
    log "$name exited, or did not answer on port $port within 10 s; its stderr:"; tail -5 "$RUN_DIR/$name.err" >&2
    stop_pid "$SPID"; return 1
  fi
}
nginx_prepare() { # port -> prints the scratch prefix dir holding nginx.conf for that port
  local dir=$RUN_DIR/nginx-$1
  mkdir -p "$dir"
  sed -e "s|@PORT@|$1|g; s|@DIR@|$dir|g" "$PEERS/nginx.conf.in" >"$dir/nginx.conf"
  printf '%s' "$dir"
}
nginx_requests() { curl -s --max-time 2 "http://127.0.0.1:$1/__nginx_status" | awk 'NR == 3 {print $3}'; }

http_code() { # url sig -> status code of a POST of $EVENT
  local h=()
  [ -n "$2" ] && h=(-H "X-Signature-256: $2")
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'Content-Type: application/json' "${h[@]}" \
    --data-binary @"$EVENT" "$1"
}

# run_wrk URL SECONDS OUTFILE -> sets W_* from the WRKRESULT line
run_wrk() {
  local url=$1 secs=$2 out=$3 line kv
  WRK_BODY_FILE=$EVENT WRK_SIGNATURE=$EVENT_SIG timeout $(( secs + 15 )) \
    "${LOAD_PREFIX[@]}" wrk -t"$LOAD_THREADS" -c"$LOAD_CONNECTIONS" -d"${secs}s" --latency \
    -s "$PEERS/wrk_post.lua" "$url" >"$out" 2>&1
  line=$(grep '^WRKRESULT ' "$out" | tail -1)
  W_requests=0 W_duration_us=1 W_status=0 W_connect=0 W_read=0 W_write=0 W_timeout=0 W_p50_us=0 W_p99_us=0
  [ -n "$line" ] || { log "wrk gave no result for $url:"; tail -5 "$out" >&2; return 1; }
  for kv in ${line#WRKRESULT }; do printf -v "W_${kv%%=*}" '%s' "${kv#*=}"; done
}

# ===========================================================================
# verify
# ===========================================================================
section_verify() {
  local t0; t0=$(date +%s)
  require_tools openssl hyperfine "$PYTHON" "$NODE" /usr/bin/time
  "$PYTHON" "$PEERS/make_payloads.py" "$DATA" || die "could not write payloads"

  echo "## verify-signature: one process per check (valid signature, payload from a file)"
  echo
  env_header
  echo "- each row: median of $VERIFY_RUNS runs after $VERIFY_WARMUP warm-up runs (hyperfine -N, no shell in between); min-max beside it"
  echo "- 'check' = exit codes for a valid / a wrong signature (want 0/1); peak RSS from one /usr/bin/time run"
  echo

  # the physical floor: SHA-256 throughput of this CPU (OpenSSL uses SHA-NI where present)
  local bps floor10
  bps=$(openssl speed -mr -evp sha256 -seconds 1 -bytes 16384 2>/dev/null | awk -F: '/^\+F:/ {print $4; exit}')
  floor10=$(awk -v b="${bps:-0}" 'BEGIN { if (b > 0) printf "%.2f", 10485760 / b * 1000; else print "?" }')

  echo "| payload | command | median ms | min-max ms | cpu ms (user+sys) | peak RSS MiB | check |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | --- |"
  local pf size json
  for pf in payload-1k.json payload-10m.json; do
    PAYLOAD=$DATA/$pf
    SIG="sha256=$(hmac_hex "$PAYLOAD")"
    local bad; bad=$(flip_sig "$SIG")
    size=$([ "$pf" = payload-1k.json ] && echo "1 KiB" || echo "10 MiB")
    local names=() cmds=()
    if [ "$pf" = payload-1k.json ]; then names+=("floor: /bin/true (process start)"); cmds+=("/bin/true"); fi
    local args; args="--secret $(q "$SECRET") --signature $(q "$SIG") --payload-file $(q "$PAYLOAD")"
    names+=("openssl dgst -hmac + sh compare"); cmds+=("$(q "$PEERS/verify_openssl.sh") $args")
    names+=("python3 seed (hmac.compare_digest)"); cmds+=("$(q "$PYTHON") $(q "$PEERS/verify_seed.py") $args")
    names+=("node seed (timingSafeEqual)"); cmds+=("$(q "$NODE") $(q "$PEERS/verify_seed.js") $args")
    if wm_present; then names+=("**wm-hooks verify-signature**"); cmds+=("$(expand_cmd "$WM_VERIFY_CMD")"); fi

    # correctness + peak RSS, one run each
    local i checks=() rss=() c_ok c_bad tf=$RUN_DIR/time.txt
    for i in "${!cmds[@]}"; do
      : >"$tf"
      eval "/usr/bin/time -o $(q "$tf") -f %M ${cmds[$i]}" </dev/null >/dev/null 2>&1; c_ok=$?
      rss+=("$(tail -1 "$tf")")
      if [ "${cmds[$i]}" = /bin/true ]; then checks+=("-"); continue; fi
      eval "${cmds[$i]//$SIG/$bad}" </dev/null >/dev/null 2>&1; c_bad=$?
      if [ "$c_ok" = 0 ] && [ "$c_bad" = 1 ]; then checks+=("ok 0/1"); else checks+=("**WRONG $c_ok/$c_bad**"); fi
    done

    json=$RUN_DIR/verify-${pf%.json}.json
    local hf_args=()
    for i in "${!cmds[@]}"; do hf_args+=(-n "${names[$i]}" "${cmds[$i]}"); done
    if ! timeout 300 hyperfine -N -i --style basic --runs "$VERIFY_RUNS" --warmup "$VERIFY_WARMUP" \
        --export-json "$json" "${hf_args[@]}" >"$RUN_DIR/verify-${pf%.json}.hyperfine.txt" 2>&1; then
      log "hyperfine failed for $pf; see $RUN_DIR/verify-${pf%.json}.hyperfine.txt"; continue
    fi
    "$PYTHON" - "$json" "$size" "${checks[@]}" -- "${rss[@]}" <<'EOF'
import json, sys
path, size, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
sep = rest.index("--")
checks, rss = rest[:sep], rest[sep + 1:]
f = lambda s: f"{s*1000:.2f}" if s < 0.01 else f"{s*1000:.1f}"
for i, r in enumerate(json.load(open(path))["results"]):
    cpu = (r["user"] + r["system"])
    m = f"{int(rss[i]) / 1024:.1f}" if rss[i].isdigit() else "-"
    print(f"| {size} | {r['command']} | {f(r['median'])} | {f(r['min'])}-{f(r['max'])} | {f(cpu)} | {m} | {checks[i]} |")
EOF
  done
  echo
  echo "Physical floor: SHA-256 on this CPU runs at $(awk -v b="${bps:-0}" 'BEGIN { printf "%.2f", b / 1e9 }') GB/s (\`openssl speed -evp sha256\`, 16 KiB blocks), so hashing 10 MiB takes at least **${floor10} ms**; for 1 KiB it is ~1 µs and the floor is process start (/bin/true row)."
  wm_present || { echo; echo "_$(wm_skip_note)_"; }
  section_done verify "$t0"
}

# ===========================================================================
# listen
# ===========================================================================
# listen_row NAME PORT PATH VERIFIES(0/1) RECORDS(0/1) HANDSHAKE(0/1) CMD...
listen_row() {
  local name=$1 port=$2 path=$3 verifies=$4 records=$5 handshake=$6; shift 6
  local url="http://127.0.0.1:$port$path" check="" c1 c2 l0 l1 cpu0 cpu1 hwm rec f fk0 fk1
  f=listen-$(printf '%s' "$name" | tr -c 'A-Za-z0-9.-' '_' | tr -s _ | sed 's/_$//')   # file-name stem
  if ! start_server "$f" "$port" "$@"; then
    echo "| $name | failed to start (see ${RUN_DIR#"$HERE"/}/$f.err) | | | | | | | | | | |"; return
  fi
  c1=$(http_code "$url" "$EVENT_SIG")
  if [ "$verifies" = 1 ]; then
    c2=$(http_code "$url" "$(flip_sig "$EVENT_SIG")")
    case "$c1:$c2" in 2??:2??) check="**accepts a wrong signature** ($c1/$c2)" ;;
                      2??:*) check="ok $c1/$c2" ;; *) check="**valid got $c1**/$c2" ;; esac
  else
    check="no check ($c1)"
  fi
  if [ "$handshake" = 1 ]; then
    local hs
    hs=$(curl -s --max-time 5 "$url?hub.mode=subscribe&hub.challenge=bench123&hub.verify_token=$SECRET")
    [ "$hs" = bench123 ] && check+=", GET ok" || check+=", **GET answered '$hs'**"
  fi
  # warm-up load (JIT, caches), not counted; then let any backlog it left finish
  run_wrk "$url" "$LOAD_WARMUP_SECONDS" "$RUN_DIR/$f.wrk-warmup.txt" >/dev/null 2>&1
  wait_idle "$SPID"
  l0=$(wc -l <"$RUN_DIR/$f.out"); cpu0=$(tree_cpu_ticks "$SPID"); fk0=$(forks_total)
  if ! run_wrk "$url" "$LOAD_SECONDS" "$RUN_DIR/$f.wrk.txt"; then
    echo "| $name | wrk failed (see ${RUN_DIR#"$HERE"/}/$f.wrk.txt) | | | | | | | | | | |"; stop_pid "$SPID"; return
  fi
  # Wait for the server to go idle: a server that answers before it has done the
  # work (webhook runs its command after the 200) still has a backlog here.
  local drain
  drain=$(wait_idle "$SPID" report)
  l1=$(wc -l <"$RUN_DIR/$f.out"); cpu1=$(tree_cpu_ticks "$SPID"); hwm=$(tree_hwm_kib "$SPID"); fk1=$(forks_total)
  stop_pid "$SPID"
  if [ "$records" = 1 ]; then
    local d=$(( l1 - l0 - W_requests ))
    if [ "$d" = 0 ]; then rec="$(( l1 - l0 )) / $W_requests ok"
    elif [ "$d" -gt 0 ] && [ "$d" -le "$LOAD_CONNECTIONS" ]; then rec="$(( l1 - l0 )) / $W_requests ok (+$d in flight)"
    else rec="**$(( l1 - l0 )) / $W_requests MISMATCH**"; fi
    # the record file is ~1 KiB per event (tens of MB a run): keep the first lines
    # only, unless the count was wrong or BENCH_KEEP_RECORDS=1
    if [ "${BENCH_KEEP_RECORDS:-0}" != 1 ] && [ "${rec#*MISMATCH}" = "$rec" ]; then
      head -n 20 "$RUN_DIR/$f.out" >"$RUN_DIR/$f.out.head" && rm -f "$RUN_DIR/$f.out"
    fi
  else
    rec="n/a"
  fi
  awk -v n="$name" -v rq="$W_requests" -v dus="$W_duration_us" -v p50="$W_p50_us" -v p99="$W_p99_us" \
      -v st="$W_status" -v se="$(( W_connect + W_read + W_write + W_timeout ))" \
      -v cpu="$(( cpu1 - cpu0 ))" -v tck="$CLK_TCK" -v hwm="$hwm" -v rec="$rec" -v chk="$check" -v dr="$drain" \
      -v fk="$(( fk1 - fk0 ))" 'BEGIN {
    rps = rq / (dus / 1e6);
    cpuus = rq > 0 ? cpu / tck * 1e6 / rq : 0;
    printf "| %s | %.0f | %.2f | %.2f | %d | %d | %.0f | %s | %d | %.1f | %s | %s |\n", n, rps, p50 / 1000, p99 / 1000, st, se, cpuus, dr, fk, hwm / 1024, rec, chk
  }'
}

section_listen() {
  local t0; t0=$(date +%s)
  require_tools wrk nginx webhook curl "$NODE"
  [ -d "$NODE_DEPS/node_modules/express" ] || die "express is not installed: run '$0 setup' first"
  export NODE_PATH=$NODE_DEPS/node_modules
  echo "## listen: receiver under load (wrk POSTs one signed ~600 B message.received event)"
  echo
  env_header
  echo "- load: wrk $LOAD_THREADS thread, $LOAD_CONNECTIONS connections, ${LOAD_SECONDS} s (after ${LOAD_WARMUP_SECONDS} s of warm-up), same box as the server$([ "$BENCH_PIN" = 1 ] && echo ', server pinned to CPU 0 and wrk to CPU 1')"
  echo "- non-2xx: responses wrk counts as errors (status >= 400); sock err: connect/read/write/timeout errors"
  echo "- server CPU: user+sys of the server's process tree (children included) from the start of the measured run until it went idle, per request"
  echo "- drain: seconds the server stayed busy after wrk stopped (work queued behind answers already sent; bounded at ${DRAIN_MAX_SECONDS} s)"
  echo "- forks: processes and threads created on the whole box from the start of the measured run until idle (/proc/stat 'processes'); a few hundred are the harness's own, more are the server's (webhook: one per command that started)"
  echo "- peak RSS: VmHWM of the server's processes (/proc/PID/status), read once it is idle"
  echo "- records: JSON lines written during the run / requests wrk completed (up to $LOAD_CONNECTIONS may be served after wrk stops counting)"
  echo "- check: status for a valid / a wrong signature (want 2xx / 4xx), and the GET handshake where the peer has one"
  echo
  echo "| listener | req/s | p50 ms | p99 ms | non-2xx | sock err | server CPU µs/req | drain s | forks | peak RSS MiB | records | check |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
  local p=$PORT_BASE
  local nd; nd=$(nginx_prepare $((p + 1)))
  listen_row "nginx return 200 (ceiling)" $((p + 1)) /webhooks/whatsapp 0 0 0 \
    nginx -p "$nd" -c "$nd/nginx.conf" -e "$nd/error.log"
  listen_row "webhook 2.8 (execute-command /bin/true)" $((p + 2)) /webhooks/whatsapp 1 0 0 \
    env BENCH_SECRET="$SECRET" BENCH_WEBHOOK_CMD=/bin/true \
    webhook -template -hooks "$PEERS/webhook-hooks.json" -ip 127.0.0.1 -port $((p + 2)) -urlprefix webhooks
  listen_row "webhook 2.8 (command unresolvable: no fork)" $((p + 3)) /webhooks/whatsapp 1 0 0 \
    env BENCH_SECRET="$SECRET" BENCH_WEBHOOK_CMD=/nonexistent/no-command \
    webhook -template -hooks "$PEERS/webhook-hooks.json" -ip 127.0.0.1 -port $((p + 3)) -urlprefix webhooks
  listen_row "express 5 seed (express.raw + JSON line to file)" $((p + 4)) /webhooks/whatsapp 1 1 1 \
    env WEBHOOK_SECRET="$SECRET" "$NODE" "$PEERS/express_receiver.js" $((p + 4)) /webhooks/whatsapp
  if wm_present; then
    local PORT=$((p + 5)) __w
    eval "__w=( $WM_LISTEN_CMD )"
    listen_row "**wm-hooks listen --json**" "$PORT" "$WM_LISTEN_PATH" 1 1 1 "${__w[@]}"
  fi
  wm_present || { echo; echo "_$(wm_skip_note)_"; }
  section_done listen "$t0"
}

# ===========================================================================
# send
# ===========================================================================
section_send() {
  local t0; t0=$(date +%s)
  require_tools wrk nginx curl openssl hyperfine
  local port=$((PORT_BASE + 6)) url n0 n1 json
  url="http://127.0.0.1:$port/webhooks/whatsapp"
  echo "## send: signed events into nginx (return 200), so the sender is the bottleneck"
  echo
  env_header
  echo "- event: the same signed ~600 B message.received body; target nginx on 127.0.0.1 (1 worker)"
  echo "- timed rows: median of the runs (hyperfine -N); delivered = requests nginx counted (stub_status) per run / events sent"
  echo
  local nd; nd=$(nginx_prepare "$port")
  start_server nginx-send "$port" nginx -p "$nd" -c "$nd/nginx.conf" -e "$nd/error.log" || die "nginx did not start"
  local NGINX_PID=$SPID

  echo "| sender | events per run | concurrency | median s | events/s | delivered | runs |"
  echo "| --- | ---: | ---: | ---: | ---: | --- | ---: |"
  # ceiling: wrk
  n0=$(nginx_requests "$port")
  run_wrk "$url" "$SEND_SECONDS" "$RUN_DIR/send-wrk.txt"
  n1=$(nginx_requests "$port")
  awk -v rq="$W_requests" -v dus="$W_duration_us" -v c="$LOAD_CONNECTIONS" -v got="$(( n1 - n0 - 1 ))" -v st="$W_status" 'BEGIN {
    printf "| wrk (ceiling: C load generator, keep-alive) | %d in %.1f s | %d | - | %.0f | nginx counted %d (+%d in flight), non-2xx %d | 1 |\n", rq, dus / 1e6, c, rq / (dus / 1e6), got, got - rq, st }'

  # timed rows: name count conc cmd
  local names=() counts=() concs=() cmds=() runs=() warm=()
  names+=("curl loop, signed once (\`for i in \$(seq $CURL_COUNT); do curl ...; done\`)"); counts+=("$CURL_COUNT"); concs+=(1); runs+=("$CURL_RUNS"); warm+=(0)
  cmds+=("$(q "$PEERS/send_curl_loop.sh") --to $(q "$url") --secret $(q "$SECRET") --count $CURL_COUNT --payload-file $(q "$EVENT")")
  names+=("curl loop, openssl signs each event"); counts+=("$CURL_COUNT"); concs+=(1); runs+=("$CURL_RUNS"); warm+=(0)
  cmds+=("$(q "$PEERS/send_curl_loop.sh") --sign-each --to $(q "$url") --secret $(q "$SECRET") --count $CURL_COUNT --payload-file $(q "$EVENT")")
  if wm_present; then
    local URL=$url COUNT=$CURL_COUNT CONC=1
    names+=("**wm-hooks send-test** (same work as the curl loop)"); counts+=("$COUNT"); concs+=("$CONC"); runs+=("$SEND_RUNS"); warm+=(1)
    cmds+=("$(expand_cmd "$WM_SEND_CMD")")
    COUNT=$SEND_COUNT CONC=$SEND_CONCURRENCY
    names+=("**wm-hooks send-test** (concurrent)"); counts+=("$COUNT"); concs+=("$CONC"); runs+=("$SEND_RUNS"); warm+=(1)
    cmds+=("$(expand_cmd "$WM_SEND_CMD")")
  fi
  local i
  for i in "${!cmds[@]}"; do
    json=$RUN_DIR/send-$i.json
    n0=$(nginx_requests "$port")
    if ! timeout 240 hyperfine -N -i --style basic --runs "${runs[$i]}" --warmup "${warm[$i]}" \
        -n "${names[$i]}" --export-json "$json" "${cmds[$i]}" >"$RUN_DIR/send-$i.hyperfine.txt" 2>&1; then
      echo "| ${names[$i]} | ${counts[$i]} | ${concs[$i]} | failed or timed out (${RUN_DIR#"$HERE"/}/send-$i.hyperfine.txt) | | | |"; continue
    fi
    n1=$(nginx_requests "$port")
    "$PYTHON" - "$json" "${counts[$i]}" "${concs[$i]}" "$(( n1 - n0 - 1 ))" "$(( runs[i] + warm[i] ))" <<'EOF'
import json, sys
path, count, conc, got, nruns = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
r = json.load(open(path))["results"][0]
codes = sorted(set(r.get("exit_codes") or []))
per = got / nruns
ok = "ok" if per == count and codes == [0] else "**check**"
exit_note = "" if codes == [0] else f", exit {codes}"
print(f"| {r['command']} | {count} | {conc} | {r['median']:.3f} | {count / r['median']:.0f} | {per:.0f}/{count} {ok}{exit_note} | {len(r['times'])} |")
EOF
  done
  stop_pid "$NGINX_PID"
  wm_present || { echo; echo "_$(wm_skip_note)_"; }
  section_done send "$t0"
}

# ===========================================================================
# ingest
# ===========================================================================
# The load is `wm-hooks send-test --count N --concurrency C`: every event has a fresh
# message_id and its own signature, so deduplication cannot absorb the load (wrk
# repeats one body). The same load goes to every receiver, one after the other.
# ingest_row NAME PORT STORED_CMD CMD...   (STORED_CMD: prints the store's event count)
ingest_row() {
  local name=$1 port=$2 stored_cmd=$3; shift 3
  local url="http://127.0.0.1:$port/webhooks/whatsapp" f s0 s1 hwm i t0 t1 rates=() codes="" cpu0 cpu1
  f=ingest-$(printf '%s' "$name" | tr -c 'A-Za-z0-9.-' '_' | tr -s _ | sed 's/_$//')
  if ! start_server "$f" "$port" "$@"; then
    echo "| $name | failed to start (see $RUN_DIR/$f.err) | | | | |"; return
  fi
  "$WM_HOOKS" send-test --to "$url" --secret "$SECRET" --count 2000 --concurrency "$SEND_CONCURRENCY" >/dev/null 2>&1
  s0=$(eval "$stored_cmd" 2>/dev/null || echo 0); cpu0=$(tree_cpu_ticks "$SPID")
  for ((i = 0; i < INGEST_RUNS; i++)); do
    t0=$(date +%s%N)
    timeout 120 "${LOAD_PREFIX[@]}" "$WM_HOOKS" send-test --to "$url" --secret "$SECRET" --count "$INGEST_COUNT" \
      --concurrency "$SEND_CONCURRENCY" >"$RUN_DIR/$f.send.$i" 2>&1
    codes+="$?"; t1=$(date +%s%N)
    rates+=("$(awk -v n="$INGEST_COUNT" -v d="$(( t1 - t0 ))" 'BEGIN { printf "%.0f", n / (d / 1e9) }')")
  done
  cpu1=$(tree_cpu_ticks "$SPID"); hwm=$(tree_hwm_kib "$SPID")
  s1=$(eval "$stored_cmd" 2>/dev/null || echo "?")
  stop_pid "$SPID"
  local med; med=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  local want=$(( INGEST_RUNS * INGEST_COUNT )) got="?" stored
  [[ $s1 =~ ^[0-9]+$ && $s0 =~ ^[0-9]+$ ]] && got=$(( s1 - s0 ))
  if [ "$got" = "$want" ]; then stored="$got / $want ok"; else stored="**$got / $want**"; fi
  [ "$codes" = "$(printf '0%.0s' $(seq "$INGEST_RUNS"))" ] || stored+=" (send-test exits $codes)"
  awk -v n="$name" -v med="$med" -v all="$(IFS=/; echo "${rates[*]}")" -v cpu="$(( cpu1 - cpu0 ))" -v tck="$CLK_TCK" \
      -v cnt="$want" -v hwm="$hwm" -v st="$stored" 'BEGIN {
    printf "| %s | %d | %s | %.0f | %.1f | %s |\n", n, med, all, cpu / tck * 1e6 / cnt, hwm / 1024, st }'
}

section_ingest() {
  local t0; t0=$(date +%s)
  require_tools redis-server redis-cli "$NODE"
  [ -d "$NODE_DEPS/node_modules/ioredis" ] || die "ioredis is not installed: run '$0 setup' first"
  export NODE_PATH=$NODE_DEPS/node_modules
  echo "## ingest: durable receivers (verify, dedupe, store, then 2xx), same load for each"
  echo
  env_header
  if ! wm_present; then echo; echo "_$(wm_skip_note); wm-hooks send-test is also this section's load generator_"; section_done ingest "$t0"; return; fi
  echo "- load: \`wm-hooks send-test --count $INGEST_COUNT --concurrency $SEND_CONCURRENCY\` (fresh message ids, each signed), $INGEST_RUNS runs after a 2000-event warm-up, same box"
  echo "- store: one redis-server on 127.0.0.1 (no persistence: the receivers' own cost), sharing the 2 cores; SQLite on this machine's disk"
  echo "- events/s: median of the runs (each run's figure beside it); server CPU: user+sys of the receiver's process tree per event (Redis's own CPU not included)"
  echo "- stored: events the store gained / events sent"
  echo
  echo "| receiver | events/s | runs | server CPU µs/event | peak RSS MiB | stored |"
  echo "| --- | ---: | --- | ---: | ---: | --- |"
  local p=$PORT_BASE rport=$((PORT_BASE + 7)) rdir=$RUN_DIR/redis
  mkdir -p "$rdir"
  port_free "$rport" || die "port $rport is in use (set BENCH_PORT_BASE)"
  redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$rdir" >"$rdir/redis.log" 2>&1 &
  local RPID=$!; STARTED_PIDS+=("$RPID")
  for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
  local PORT STORE __w
  PORT=$((p + 8)); eval "__w=( $WM_LISTEN_CMD )"
  ingest_row "wm-hooks listen --json (verifies, no store: the ceiling)" "$PORT" "wc -l <$RUN_DIR/ingest-wm-hooks_listen_--json_verifies_no_store_the_ceiling.out" "${__w[@]}"
  ingest_row "express 5 + ioredis (document's verify, SET NX + XADD)" $((p + 9)) "redis-cli -p $rport XLEN bench:express" \
    env WEBHOOK_SECRET="$SECRET" REDIS_URL="redis://127.0.0.1:$rport/0" "$NODE" "$PEERS/express_ingest.js" $((p + 9)) /webhooks/whatsapp bench:express
  PORT=$((p + 10)); STORE="redis://127.0.0.1:$rport/0"; eval "__w=( $WM_INGEST_CMD )"
  ingest_row "**wm-hooks ingest --store redis**" "$PORT" "STORE='$STORE'; $WM_STORED_CMD" "${__w[@]}"
  PORT=$((p + 11)); STORE="sqlite:$RUN_DIR/ingest.db"; eval "__w=( $WM_INGEST_CMD )"
  ingest_row "**wm-hooks ingest --store sqlite**" "$PORT" "STORE='$STORE'; $WM_STORED_CMD" "${__w[@]}"
  stop_pid "$RPID"
  section_done ingest "$t0"
}

# ===========================================================================
# The Debian package each tool the sections run comes from.
APT_TOOLS="webhook:webhook wrk:wrk nginx:nginx hyperfine:hyperfine redis-server:redis-server
  openssl:openssl curl:curl python3:python3 node:nodejs npm:npm taskset:util-linux"
peers_missing() {
  local pair
  for pair in $APT_TOOLS; do have "${pair%%:*}" || return 0; done
  [ -d "$NODE_DEPS/node_modules/express" ] && [ -d "$NODE_DEPS/node_modules/ioredis" ] || return 0
  return 1
}

# Installs the peers: Debian's webhook, wrk, nginx, hyperfine, redis-server, node
# and npm (and the basics), then express and ioredis from npm at the versions
# peers/package-lock.json pins. Services are kept from starting while apt-get
# installs (a policy-rc.d that says no), so the stock nginx never opens 0.0.0.0:80.
setup() {
  local apt=() pair policy=/usr/sbin/policy-rc.d placed=0
  for pair in $APT_TOOLS; do have "${pair%%:*}" || apt+=("${pair#*:}"); done
  if [ ${#apt[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing ${apt[*]}: run 'benches/run.sh setup' as root (apt-get)"
    if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && placed=1; fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt[@]}" >/dev/null
    local rc=$?
    [ "$placed" = 1 ] && rm -f "$policy"
    [ "$rc" = 0 ] || die "apt-get install ${apt[*]} failed"
  fi
  if [ ! -d "$NODE_DEPS/node_modules/express" ] || [ ! -d "$NODE_DEPS/node_modules/ioredis" ]; then
    mkdir -p "$NODE_DEPS" && cp "$PEERS/package.json" "$PEERS/package-lock.json" "$NODE_DEPS/" &&
      (cd "$NODE_DEPS" && npm ci --no-audit --no-fund --silent) || die "npm ci failed in $NODE_DEPS"
  fi
  log "peers ready: $(webhook -version 2>&1 | head -1); $(wrk -v 2>&1 | head -1); $(hyperfine --version); express in $NODE_DEPS"
}

main() {
  local what=${1:-all} s t0
  case $what in setup) setup; exit 0 ;;
    all|verify|listen|send|ingest) ;; -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) die "unknown section '$what' (want: verify, listen, send, ingest, or nothing for all)" ;; esac
  if peers_missing; then log "installing the missing peers first (benches/run.sh setup)"; setup; fi
  if [ "$WM_HOOKS" = "$WM_HOOKS_DEFAULT" ] && ! wm_present && have cargo; then
    log "building $WM_HOOKS (cargo build --release --locked)"
    (cd "$ROOT" && cargo build --release --locked --quiet) || die "cargo build --release failed"
  fi
  [ -f "$EVENT" ] || die "missing $EVENT"
  mkdir -p "$DATA" "$RUN_DIR" || die "cannot create $RUN_DIR"
  EVENT_SIG="sha256=$(hmac_hex "$EVENT")" || die "openssl failed"
  t0=$(date +%s)
  for s in verify listen send ingest; do
    [ "$what" = all ] || [ "$what" = "$s" ] || continue
    # ingest needs wm-hooks ingest; in a full run it is skipped until the binary has it
    if [ "$s" = ingest ] && [ "$what" = all ] && ! { wm_present && "$WM_HOOKS" ingest --help >/dev/null 2>&1; }; then continue; fi
    "section_$s" > >(tee "$BENCH_OUT/$s.md")
    wait $! 2>/dev/null   # let tee finish before the next section
  done
  log "total: $(( $(date +%s) - t0 )) s; tables in ${BENCH_OUT}/{verify,listen,send,ingest}.md, raw data in $RUN_DIR"
}
main "$@"
