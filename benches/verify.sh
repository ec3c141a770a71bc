#!/usr/bin/env bash
# Times `wm-hooks verify-signature` against `openssl dgst -sha256 -hmac` on a 1 KiB
# and a 10 MiB payload, one whole process per check, with hyperfine; and reports
# each one's peak memory. Public tools only: hyperfine and openssl from Debian
# (apt-get install hyperfine openssl). Run from the project root:
#   cargo build --release && benches/verify.sh
# For the side-by-side with the API document's Python and Node snippets, use
# benches/run.sh verify.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${WM_HOOKS:-target/release/wm-hooks}
runs=${VERIFY_RUNS:-30}
secret=bench-webhook-secret
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[[ -x $bin ]] || { echo "error: $bin not found; run cargo build --release first" >&2; exit 2; }
for tool in hyperfine openssl; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found (apt-get install $tool)" >&2; exit 2; }
done

# Deterministic payloads, the same bytes on every run.
python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 131 + 7) % 256 for i in range(1024)))' > "$work/1k"
python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 131 + 7) % 256 for i in range(1 << 20)) * 10)' > "$work/10m"

printf '| payload | command | median ms | min-max ms | peak RSS KiB |\n| --- | --- | ---: | ---: | ---: |\n'
for size in 1k 10m; do
  payload=$work/$size
  sig=sha256=$(openssl dgst -sha256 -hmac "$secret" -r "$payload" | cut -d' ' -f1)
  WM_HOOKS_SECRET=$secret "$bin" -q verify-signature --signature "$sig" --payload-file "$payload" \
    || { echo "error: wm-hooks rejected a valid signature" >&2; exit 1; }
  wm="$bin -q verify-signature --secret $secret --signature $sig --payload-file $payload"
  ssl="openssl dgst -sha256 -hmac $secret -r $payload"
  hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/$size.json" -n wm-hooks "$wm" -n openssl "$ssl" >/dev/null 2>&1
  for name in wm-hooks openssl; do
    cmd=$wm; [[ $name == openssl ]] && cmd=$ssl
    rss=$( (/usr/bin/time -f '%M' $cmd >/dev/null) 2>&1 | tail -1)
    python3 - "$work/$size.json" "$name" "$size" "$rss" <<'PY'
import json, statistics, sys
path, name, size, rss = sys.argv[1:]
times = next(r["times"] for r in json.load(open(path))["results"] if r["command"] == name)
ms = [t * 1000 for t in times]
print(f"| {size} | {name} | {statistics.median(ms):.2f} | {min(ms):.2f}-{max(ms):.2f} | {rss} |")
PY
  done
done
