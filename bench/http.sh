#!/usr/bin/env bash
# HTTP throughput and latency of authenticated GET /v1/account at 64 connections, against the
# unauthenticated GET /healthz measured in the same run as the baseline (the machine is noisy, so
# the ratio is the figure to compare across runs). Needs wrk (Debian package wrk).
#   usage: bench/http.sh [duration] [connections]   (default 15s, 64)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-15s}"
CONNS="${2:-64}"
command -v wrk >/dev/null || { echo "bench/http.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
BIN="$(mktemp -d)/switchboard"
go build -o "$BIN" .
DATA="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
CRED="$("$BIN" account create --data-dir "$DATA" --phone +8613800000000 --email bench@example.com \
	--company Bench --password 'long password 1' --json)"
SID="$(echo "$CRED" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sid"])')"
TOKEN="$(echo "$CRED" | python3 -c 'import json,sys; print(json.load(sys.stdin)["auth_token"])')"
AUTH="Authorization: Basic $(printf '%s:%s' "$SID" "$TOKEN" | base64 -w0)"
"$BIN" serve --data-dir "$DATA" --addr "127.0.0.1:$PORT" --smpp-addr 127.0.0.1:0 --log-level warn --drain-delay 0s \
	--rate-read 1000000 --rate-write 1000000 &  # limiter on, but high enough not to refuse the benchmark
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.05; done
curl -fs -H "$AUTH" "http://127.0.0.1:$PORT/v1/account" >/dev/null

run() { # name, extra wrk args...
	local name="$1"; shift
	wrk -t1 -c"$CONNS" -d"$DURATION" --latency "$@" > /tmp/wrk.$$ 2>&1
	local rps p50 p99
	rps="$(awk '/Requests\/sec/ {print $2}' /tmp/wrk.$$)"
	p50="$(awk '$1=="50%" {print $2}' /tmp/wrk.$$)"
	p99="$(awk '$1=="99%" {print $2}' /tmp/wrk.$$)"
	non2xx="$(awk '/Non-2xx/ {print $5}' /tmp/wrk.$$)"
	printf '%-28s %10s req/s   p50 %-9s p99 %-9s non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}"
	echo "$rps" > "/tmp/wrk.$$.$name"
}
echo "wrk -t1 -c$CONNS -d$DURATION, $(nproc) cores, server and wrk on the same machine"
run healthz "http://127.0.0.1:$PORT/healthz"
run account -H "$AUTH" "http://127.0.0.1:$PORT/v1/account"
python3 -c "print('ratio account/healthz: %.2f' % (float(open('/tmp/wrk.$$.account').read())/float(open('/tmp/wrk.$$.healthz').read())))"
rm -f /tmp/wrk.$$*
