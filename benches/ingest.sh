#!/usr/bin/env bash
# Throughput of the production pair: `wrk -c32` signed POSTs, each a fresh
# event (so dedupe never shortcuts the work), into `wm-hooks listen --json`
# (verify and record: the ceiling), `wm-hooks ingest --store sqlite:...` and
# `wm-hooks ingest --store redis://...` twice, into a Redis without persistence
# and into one with its AOF synced every second; then `wm-hooks deliver` moving
# what the AOF row stored into nginx. All of it ROUNDS times, each round with
# Redis servers and a database of its own (no round's events are duplicates of
# another's, no round's Redis holds another's entries) and its rows back to
# back, so that a round's ratios compare runs a minute apart. Prints markdown tables: req/s, p50/p99 latency, non-2xx
# answers, peak RSS and steal (the CPU time the hypervisor gave to other
# machines during the row: a row with much of it ran on a slower machine);
# then each round's ratios, their medians and the targets. Public tools only,
# from Debian:
#   apt-get install wrk nginx redis-server python3
# Run from the project root on a quiet machine:
#   cargo build --release && benches/ingest.sh
# Knobs: LOAD_SECONDS (10), ROUNDS (3), CONNECTIONS (32), DELIVER_CONCURRENCY (64), WM_HOOKS.
# Everything binds 127.0.0.1; every process it starts is stopped by its pid.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(realpath "${WM_HOOKS:-target/release/wm-hooks}")
seconds=${LOAD_SECONDS:-10}
rounds=${ROUNDS:-3}
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
for tool in wrk nginx redis-server redis-cli python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found (apt-get install $tool)" >&2; exit 2; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
peak_kib() { awk '/^VmHWM:/ {print $2}' /proc/"$1"/status; }
# The machine's CPU time so far and the part of it stolen, in jiffies (/proc/stat).
cpu_now() { awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $9; exit }' /proc/stat; }
# The stolen percentage of the CPU time between two cpu_now readings.
steal_pct() {
  awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[1] - x[1]
    printf "%.0f", (t > 0) ? 100 * (y[2] - x[2]) / t : 0 }'
}

# Enough distinct signed events for one ingest row at up to 60k req/s (listen
# --json, which dedupes nothing, may go past and repeat them), one per line:
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
-- Each request is the next distinct event of EVENTS, signed. Every request is
-- built once, in init, before wrk's clock starts: building them as they went
-- took most of wrk's core, and the listen --json row then measured wrk.
local requests = {}
init = function(args)
  for line in io.lines(os.getenv("EVENTS")) do
    local sig, body = line:match("^([^\t]+)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", "/webhooks/whatsapp",
      { ["Content-Type"] = "application/json", ["X-Signature-256"] = sig }, body)
  end
end
local i = 0
request = function()
  i = i % #requests + 1
  return requests[i]
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), summary.errors.status))
end
EOF

# deliver's destination: nginx answering 200.
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

results=$work/results       # a line per row: ROUND KIND REQ/S P99_MS PEAK_KIB
deliveries=$work/deliveries # a line per round: ROUND EVENTS EVENTS/S PEAK_KIB STEAL_%
commandstats=$work/commandstats # Redis's INFO commandstats after each round's no-persistence row

row() { # ROUND KIND NAME COMMAND...
  local round=$1 kind=$2 name=$3 port pid out before after rss
  shift 3
  port=$(free_port)
  out=$work/$RANDOM.out
  WM_HOOKS_SECRET=$secret "$@" --host 127.0.0.1 --port "$port" >"$out" 2>"$out.err" &
  pid=$!
  pids+=("$pid")
  wait_port "$port" || { echo "error: $name did not start: $(cat "$out.err")" >&2; exit 1; }
  before=$(cpu_now)
  read -r _ requests micros p50 p99 errors < <(EVENTS=$work/events.tsv wrk -t1 -c"$connections" \
    -d"${seconds}s" -s "$work/post.lua" "http://127.0.0.1:$port/webhooks/whatsapp" | grep '^RESULT')
  after=$(cpu_now)
  rss=$(peak_kib "$pid")
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  awk -v k="$round" -v kind="$kind" -v n="$name" -v r="$requests" -v us="$micros" -v a="$p50" \
    -v b="$p99" -v e="$errors" -v m="$rss" -v st="$(steal_pct "$before" "$after")" -v f="$results" \
    'BEGIN { rate = r / (us / 1e6)
             printf "| %d | %s | %.0f | %.2f | %.2f | %d | %d | %d |\n", k, n, rate, a / 1000, b / 1000, e, m, st
             printf "%d %s %.0f %.2f %d\n", k, kind, rate, b / 1000, m >> f }'
}

deliver_round() { # ROUND STORE: times deliver moving what the round's Redis row stored
  local round=$1 store=$2 stored start end dpid before after
  # Pending entries, read without python: this runs every 0.1 s while deliver
  # is timed, and a python start-up each time took CPU from the run it measured.
  pending() { "$bin" store stats --store "$store" --json | grep -o '"pending": *[0-9]*' | grep -o '[0-9]*$'; }
  stored=$(pending)
  before=$(cpu_now)
  start=$(date +%s.%N)
  WM_HOOKS_SECRET=$secret "$bin" deliver --from "$store" --to "http://127.0.0.1:$nport/" \
    --concurrency "$deliver_concurrency" >/dev/null 2>"$work/deliver.err" &
  dpid=$!
  pids+=("$dpid")
  while :; do
    [[ $(pending) == 0 ]] && break
    sleep 0.1
  done
  end=$(date +%s.%N)
  after=$(cpu_now)
  awk -v k="$round" -v n="$stored" -v s="$start" -v e="$end" -v m="$(peak_kib "$dpid")" \
    -v st="$(steal_pct "$before" "$after")" \
    'BEGIN { printf "%d %d %.0f %d %d\n", k, n, n / (e - s), m, st }' >>"$deliveries"
  kill -TERM "$dpid"
  wait "$dpid" 2>/dev/null || true
}

echo "- $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- wrk -t1 -c$connections -d${seconds}s, each request a distinct signed message.received event; $rounds rounds"
echo
echo "| round | receiver | req/s | p50 ms | p99 ms | non-2xx | peak RSS KiB | steal % |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for round in $(seq "$rounds"); do
  # Two Redis servers a round, each new and in a directory of its own: one
  # without persistence (ingest's own cost beside Redis's work, the setting
  # the peers' benchmark in run.sh uses too) and one with the append-only file
  # synced every second (its usual production setting; its writes, fsyncs and
  # rewrites share the two cores and this VM's disk). An earlier round's
  # entries would make an AOF rewrite slower, hence a new one each round.
  memory_port=$(free_port)
  mkdir "$work/redis-memory-$round"
  redis-server --bind 127.0.0.1 --port "$memory_port" --dir "$work/redis-memory-$round" --save "" \
    --appendonly no --daemonize no --loglevel warning >/dev/null &
  memory_pid=$!
  pids+=("$memory_pid")
  rport=$(free_port)
  mkdir "$work/redis-$round"
  redis-server --bind 127.0.0.1 --port "$rport" --dir "$work/redis-$round" --save "" \
    --appendonly yes --appendfsync everysec --daemonize no --loglevel warning >/dev/null &
  rpid=$!
  pids+=("$rpid")
  wait_port "$memory_port"
  wait_port "$rport"
  store="redis://127.0.0.1:$rport/0"
  # The AOF row last but for deliver: an AOF rewrite Redis starts near the end
  # of its row goes on writing and syncing in the background, and would slow the next row.
  row "$round" listen "wm-hooks listen --json" "$bin" listen --json
  row "$round" sqlite "wm-hooks ingest --store sqlite" "$bin" ingest --store "sqlite:$work/ingest-$round.db"
  row "$round" memory "wm-hooks ingest --store redis (no persistence)" "$bin" ingest \
    --store "redis://127.0.0.1:$memory_port/0"
  # Where Redis's share of the cores went in that row, from its own counters.
  redis-cli -p "$memory_port" info commandstats | tr -d '\r' | sed "s/^/$round /" >>"$commandstats"
  kill "$memory_pid"
  wait "$memory_pid" 2>/dev/null || true
  row "$round" redis "wm-hooks ingest --store redis (AOF everysec)" "$bin" ingest --store "$store"
  deliver_round "$round" "$store"
  kill "$rpid"
  wait "$rpid" 2>/dev/null || true
  rm -rf "$work/redis-$round" "$work/redis-memory-$round" "$work/ingest-$round.db"*
done

echo
echo "| round | deliver (from Redis into nginx, --concurrency $deliver_concurrency) | events | events/s | peak RSS KiB | steal % |"
echo "| ---: | --- | ---: | ---: | ---: | ---: |"
awk '{ printf "| %d | wm-hooks deliver | %d | %d | %d | %d |\n", $1, $2, $3, $4, $5 }' "$deliveries"

# Redis's own time per stored event in the no-persistence row: the append
# script's (EVALSHA) in all, and the commands it ran. What the script spends
# beyond its commands is Lua's: its arguments made into Lua strings, and each
# redis.call's own cost.
echo
echo "| round | Redis µs per event (append script) | XADD | SET | MGET | the script itself | events per call |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
awk '{ split($2, kv, /[:,=]/)
       for (i = 2; i < length(kv); i += 2) stat[$1, kv[1], kv[i]] = kv[i + 1]
       if ($1 > rounds) rounds = $1 }
  END {
    for (k = 1; k <= rounds; k++) {
      n = stat[k, "cmdstat_xadd", "calls"]; if (n == 0) continue
      script = stat[k, "cmdstat_evalsha", "usec"] / n
      xadd = stat[k, "cmdstat_xadd", "usec"] / n; set = stat[k, "cmdstat_set", "usec"] / n
      mget = stat[k, "cmdstat_mget", "usec"] / n
      printf "| %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |\n", k, script, xadd, set, mget,
        script - xadd - set - mget - stat[k, "cmdstat_hincrby", "usec"] / n, n / stat[k, "cmdstat_evalsha", "calls"]
    }
  }' "$commandstats"

# Each round's ratios to its own listen row; the median over the rounds.
echo
echo "| measure | each round | median | target |"
echo "| --- | --- | ---: | --- |"
awk -v deliveries="$deliveries" '
  function median(list,   v, n, i, j, t) {
    n = split(list, v, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  function add(list, value) { return list == "" ? value : list " " value }
  function line(name, list, format, target) {
    printf "| %s | %s | " format " | %s |\n", name, list, median(list), target
  }
  { rate[$1, $2] = $3; p99[$1, $2] = $4; if ($1 > rounds) rounds = $1
    if ($2 != "listen" && $5 + 0 > rss[$1] + 0) rss[$1] = $5 }
  END {
    for (k = 1; k <= rounds; k++) {
      memory = add(memory, sprintf("%.2f", rate[k, "memory"] / rate[k, "listen"]))
      memory_tail = add(memory_tail, sprintf("%.2f", p99[k, "memory"]))
      redis = add(redis, sprintf("%.2f", rate[k, "redis"] / rate[k, "listen"]))
      sqlite = add(sqlite, sprintf("%.2f", rate[k, "sqlite"] / rate[k, "listen"]))
      tail = add(tail, sprintf("%.2f", p99[k, "redis"]))
    }
    while ((getline d < deliveries) > 0) {
      split(d, f, " "); deliver = add(deliver, f[3]); if (f[4] + 0 > rss[f[1]] + 0) rss[f[1]] = f[4]
    }
    for (k = 1; k <= rounds; k++) {
      peak = add(peak, sprintf("%.1f", rss[k] / 1024)); if (rss[k] > most) most = rss[k]
    }
    line("ingest→Redis (no persistence) ÷ listen --json", memory, "%.2f", "≥ 0.5")
    line("ingest→Redis (no persistence) p99 ms", memory_tail, "%.2f", "≤ 5")
    line("ingest→Redis (AOF everysec) ÷ listen --json", redis, "%.2f", "≥ 0.5")
    line("ingest→Redis (AOF everysec) p99 ms", tail, "%.2f", "≤ 5")
    line("ingest→SQLite ÷ listen --json", sqlite, "%.2f", "≥ 0.2")
    line("deliver events/s", deliver, "%.0f", "≥ 20000")
    # The largest, not the median: the target is a ceiling.
    printf "| peak RSS MiB (ingest, deliver; the largest) | %s | %.1f | ≤ 30 |\n", peak, most / 1024
  }' "$results"
