#!/usr/bin/env bash
# Issue 4 SMS benchmarks (docs/PERFORMANCE.md):
#   (a) messages accepted/s through the Twilio-compatible API (durable, billed) against Kannel
#       1.4.5 sendsms (bearerbox + smsbox, memory only), same load client, same SMSC, same
#       concurrency, with CPU time per message of each server;
#   (c) p99 from the API's 201 to the SMSC receiving the submit_sm, at half the best rate of (a);
#   (b) submit_sm/s of the SMPP client with window 100, baselines window 1 and a raw pipeline.
# Needs the Debian package kannel (apt-get install -y kannel). Takes about 6-7 minutes.
#   usage: bench/sms/run.sh [harness flags, e.g. -duration 15s -conns 64,256 -rounds 2]
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x /usr/sbin/bearerbox ] || { echo "bench/sms/run.sh needs Kannel (apt-get install -y kannel)" >&2; exit 1; }
echo "kannel $(dpkg-query -W -f '${Version}' kannel 2>/dev/null || echo '?'), $(go version), $(nproc) cores"
BIN="$(mktemp -d)/switchboard"
trap 'rm -rf "$(dirname "$BIN")"' EXIT
go build -o "$BIN" .
echo "start: $(date -u +%FT%TZ) $(uptime)"
go run ./bench/sms -sb "$BIN" "$@"
echo
echo "(b) SMPP client submit_sm/s (same-process Server as the fast SMSC)"
go test -run '^$' -bench 'Submit(Window|RawPipeline)' -benchtime "${SMPP_BENCHTIME:-5s}" -count "${SMPP_COUNT:-3}" ./internal/sms/smpp/ |
	grep -E '^Benchmark|^ok|FAIL'
echo "end: $(date -u +%FT%TZ) $(uptime)"
