#!/usr/bin/env bash
# Throughput of the production pair: `wrk -c32` signed POSTs, each a fresh
# event (so dedupe never shortcuts the work), into `wm-hooks listen --json`
# (verify and record: the ceiling), `wm-hooks ingest --store redis://...` and
# `wm-hooks ingest --store sqlite:...`; then `wm-hooks deliver` moving what the
# Redis run stored into nginx. Prints a markdown table: req/s, p50/p99 latency,
# non-2xx answers, peak RSS. Public tools only, from Debian:
#   apt-get install wrk nginx redis-server python3
# Run from the project root on a quiet machine:
#   cargo build --release && benches/ingest.sh
# Knobs: LOAD_SECONDS (10), CONNECTIONS (32), DELIVER_CONCURRENCY (64), WM_HOOKS.
# Everything binds 127.0.0.1; every process it starts is stopped by its pid.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(realpath "${WM_HOOKS:-target/release/wm-hooks}")
seconds=${LOAD_SECONDS:-10}
connections=${CONNECTIONS:-32}
deliver_concurrency=${DELIVER_CONCURRENCY:-64}
secret=bench-webhook-secret
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

[[ -x $bin ]] || { echo "error: $bin not found; run cargo build --release first" >&2; exit 2; }
for tool in wrk nginx redis-server python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found (apt-get install $tool)" >&2; exit 2; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
peak_kib() { awk '/^VmHWM:/ {print $2}' /proc/"$1"/status; }

# Enough distinct signed events for the whole run at 60k req/s, one per line:
# signature, a tab, the body (the same message.received shape the platform sends).
events=$((seconds * 60000))
python3 - "$work/events.tsv" "$events" "$secret" <<'EOF'
import hashlib, hmac, sys
out, n, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
with open(out, "w") as f:
    for i in range(n):
        body = ('{"event":"message.received","timestamp":"2026-01-15T10:30:00Z","data":'
                '{"message_id":"bench_%09d","from":"5511999999999","type":"text",'
                '"text":{"body":"Hello from the benchmark"},"timestamp":"2026-01-15T10:30:00Z",'
                '"contact":{"name":"João Silva","wa_id":"5511999999999"}}}' % i)
        sig = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
        f.write("sha256=%s\t%s\n" % (sig, body))
EOF
cat > "$work/post.lua" <<'EOF'
-- Each request is the next distinct event of EVENTS, signed.
local bodies, sigs = {}, {}
for line in io.lines(os.getenv("EVENTS")) do
  local sig, body = line:match("^([^\t]+)\t(.*)$")
  sigs[#sigs + 1] = sig
  bodies[#bodies + 1] = body
end
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/webhooks/whatsapp",
    { ["Content-Type"] = "application/json", ["X-Signature-256"] = sigs[i] }, bodies[i])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), summary.errors.status))
end
EOF

rport=$(free_port)
# Redis as Debian ships it, but in a directory of its own and with the
# append-only file synced every second (its usual production setting).
redis-server --bind 127.0.0.1 --port "$rport" --dir "$work" --save "" --appendonly yes \
  --appendfsync everysec --daemonize no --loglevel warning >/dev/null &
pids+=($!)
wait_port "$rport"
redis_url="redis://127.0.0.1:$rport/0"

echo "- $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- wrk -t1 -c$connections -d${seconds}s, each request a distinct signed message.received event"
echo
echo "| receiver | req/s | p50 ms | p99 ms | non-2xx | peak RSS KiB |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"

row() { # NAME COMMAND...
  local name=$1 port pid out
  shift
  port=$(free_port)
  out=$work/$RANDOM.out
  WM_HOOKS_SECRET=$secret "$@" --host 127.0.0.1 --port "$port" >"$out" 2>"$out.err" &
  pid=$!
  pids+=("$pid")
  wait_port "$port" || { echo "error: $name did not start: $(cat "$out.err")" >&2; exit 1; }
  read -r _ requests micros p50 p99 errors < <(EVENTS=$work/events.tsv wrk -t1 -c"$connections" \
    -d"${seconds}s" -s "$work/post.lua" "http://127.0.0.1:$port/webhooks/whatsapp" | grep '^RESULT')
  local rss
  rss=$(peak_kib "$pid")
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  awk -v n="$name" -v r="$requests" -v us="$micros" -v a="$p50" -v b="$p99" -v e="$errors" -v m="$rss" \
    'BEGIN { printf "| %s | %.0f | %.2f | %.2f | %d | %d |\n", n, r / (us / 1e6), a / 1000, b / 1000, e, m }'
}

row "wm-hooks listen --json" "$bin" listen --json
row "wm-hooks ingest --store redis" "$bin" ingest --store "$redis_url"
row "wm-hooks ingest --store sqlite" "$bin" ingest --store "sqlite:$work/ingest.db"

# deliver: everything the Redis run stored, into nginx answering 200.
nport=$(free_port)
cat > "$work/nginx.conf" <<EOF
worker_processes 1;
error_log $work/nginx.err;
pid $work/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work;
  server { listen 127.0.0.1:$nport; location / { return 200; } }
}
EOF
nginx -c "$work/nginx.conf" -g 'daemon off;' &
pids+=($!)
wait_port "$nport"
# Pending entries, read without python: this runs every 0.1 s while deliver
# is timed, and a python start-up each time took CPU from the run it measured.
pending() { "$bin" store stats --store "$redis_url" --json | grep -o '"pending": *[0-9]*' | grep -o '[0-9]*$'; }
stored=$(pending)
start=$(date +%s.%N)
WM_HOOKS_SECRET=$secret "$bin" deliver --from "$redis_url" --to "http://127.0.0.1:$nport/" \
  --concurrency "$deliver_concurrency" >/dev/null 2>"$work/deliver.err" &
dpid=$!
pids+=("$dpid")
while :; do
  [[ $(pending) == 0 ]] && break
  sleep 0.1
done
end=$(date +%s.%N)
rss=$(peak_kib "$dpid")
kill -TERM "$dpid"
wait "$dpid" 2>/dev/null || true
echo
echo "| deliver (from Redis into nginx, --concurrency $deliver_concurrency) | events | events/s | peak RSS KiB |"
echo "| --- | ---: | ---: | ---: |"
awk -v n="$stored" -v s="$start" -v e="$end" -v m="$rss" \
  'BEGIN { printf "| wm-hooks deliver | %d | %.0f | %d |\n", n, n / (e - s), m }'
