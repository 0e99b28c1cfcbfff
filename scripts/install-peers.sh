#!/bin/sh
# Installs the Debian packages of the real peers the tests talk to (Perl Net::SMPP, ...), when one
# is missing and this user can install packages. Without them the tests skip their peer, except
# under CI=true, where a missing peer fails the test.
set -eu
missing=""
perl -MNet::SMPP -e1 2>/dev/null || missing="$missing libnet-smpp-perl"
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
command -v pg_dump >/dev/null 2>&1 || missing="$missing postgresql-client"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "installing test peers:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null 2>&1 || true
	# shellcheck disable=SC2086
	apt-get install -y -qq $missing >/dev/null
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo apt-get update -qq >/dev/null 2>&1 || true
	# shellcheck disable=SC2086
	sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
	echo "note: cannot install$missing; tests that need them will skip (or fail under CI=true)" >&2
fi
