#!/usr/bin/env bash
# Runs the load scenarios of the performance targets one after the other, each against a fresh
# release `chorus` on 127.0.0.1, and prints chorus-load's report plus the rooms' media reports.
#   Benchmarks/load-targets.sh [SECONDS]        (default 30 s of measurement per scenario)
# Needs the release builds:
#   swift build -c release --product chorus && swift build -c release --product chorus-load
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
port=${CHORUS_LOAD_PORT:-5090}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() {
    local name=$1; shift
    echo
    echo "# $name"
    echo
    echo "    chorus-load $*"
    # Every participant comes from one address here: lift the per-source limits meant for strangers.
    CHORUS_LOG_LEVEL=info CHORUS_SIP_LISTEN="udp://127.0.0.1:$port" CHORUS_CONFERENCE_MAX_PARTICIPANTS=5000 \
        CHORUS_CONFERENCE_JOIN_TONES=false CHORUS_STORAGE_DIRECTORY="$work/data" CHORUS_MEDIA_REPORT_INTERVAL_SECONDS=10 \
        CHORUS_SECURITY_MAX_CALLS_PER_SOURCE=5000 CHORUS_SECURITY_MAX_CALLS=5000 \
        CHORUS_SECURITY_REQUESTS_PER_SECOND=1000 CHORUS_SECURITY_REQUEST_BURST=1000 \
        .build/release/chorus serve 2> "$work/chorus.log" &
    local server=$!
    sleep 1.5
    .build/release/chorus-load --server "127.0.0.1:$port" --server-pid "$server" "$@" || true
    kill -TERM "$server"
    wait "$server" || true
    echo
    echo "Media reports of the first room during the run (chorus.log):"
    grep "media report" "$work/chorus.log" | grep -E "room=load(-1)? " | tail -3 | sed 's/^.*media report: /    /'
    rm -rf "$work/data"
}

run "1,000 participants, 3 talkers, listeners send noise, plain RTP" --participants 1000 --talkers 3 --duration "$seconds"
run "1,000 participants, 3 talkers, listeners use DTX" --participants 1000 --talkers 3 --dtx --duration "$seconds"
run "1,000 participants, 3 talkers, listeners send noise, SDES-SRTP" --participants 1000 --talkers 3 --srtp --duration "$seconds"
run "100 rooms of 5, 2 talkers each" --rooms 100 --participants 5 --talkers 2 --duration "$seconds"
run "200 participants joining within 2 seconds" --participants 200 --talkers 3 --join-rate 100 --duration 10
