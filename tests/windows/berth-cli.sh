#!/usr/bin/env bash
# berth.exe under Wine, as a person runs it, with a stand-in QEMU (tst_vmcore.exe copied as
# qemu-system-x86_64.exe into a folder on Wine's PATH, serving its chardev pipes as QEMU does) and
# a stand-in guest image whose manifest matches its files. `berth version`, `berth status` and
# `berth stop` with nothing running; `berth start` without an image says so; then `berth start`
# launches the real agent, which holds the instance, boots the stand-in and answers `berth status`
# on its control pipe, and `berth stop` powers the VM off through QMP and ends the agent.
# There is no guest behind the stand-in, so the engine never answers: the start that follows it
# must end, naming the stop.  Usage: berth-cli.sh WINE BERTH_EXE TST_VMCORE_EXE
set -uo pipefail
wine=$1 berth=$2 standin=$3
dir=$(mktemp -d /tmp/berth-cli-XXXXXX)
fail() {
  echo "FAIL: $*" >&2
  for log in "$dir"/home/*/log/agent.log; do [[ -f "$log" ]] && { echo "--- $log" >&2; tail -30 "$log" >&2; }; done
  exit 1
}
# Through a file, not a pipe: the Wine services the first Wine program starts inherit its
# output, and a pipe they hold would not end while the agent runs.
run() {
  local out rc=0
  out=$(mktemp "$dir/run-XXXXXX.out")
  "$wine" "$berth" "$@" >"$out" 2>&1 </dev/null || rc=$?
  tr -d '\r' <"$out"
  return "$rc"
}
start=""
cleanup() {
  run stop >/dev/null 2>&1 || true
  if [[ -n "$start" ]]; then
    kill "$start" 2>/dev/null
    wait "$start" 2>/dev/null
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

export BERTH_HOME="Z:$dir/home"
mkdir -p "$dir/qemu" "$dir/image"
cp "$standin" "$dir/qemu/qemu-system-x86_64.exe"
export WINEPATH="Z:$dir/qemu"
(
  cd "$dir/image" || exit 1
  for f in vmlinuz initrd.zst root.sqfs floor-initrd.zst busybox; do echo "stand-in $f" >"$f"; done
  {
    echo '{"format": 1, "suite": "trixie", "mirror": "none", "built": "2026-12-07T00:00:00Z",'
    echo ' "inputs_sha256": "'"$(echo stand-in | sha256sum | cut -d' ' -f1)"'", "kernel_version": "0",'
    echo ' "files": {'
    sep=""
    for f in vmlinuz initrd.zst root.sqfs floor-initrd.zst busybox; do
      printf '%s"%s": {"sha256": "%s", "size": %d}' "$sep" "$f" "$(sha256sum "$f" | cut -d' ' -f1)" \
        "$(stat -c %s "$f")"
      sep=", "
    done
    echo '},'
    echo ' "packages": ['
    sep=""
    for p in linux-image-amd64 containerd runc docker.io docker-cli openssh-server e2fsprogs busybox-static; do
      printf '%s{"name": "%s", "version": "0"}' "$sep" "$p"
      sep=", "
    done
    echo ']}'
  } >manifest.json
)

export BERTH_IMAGE_DIR="Z:$dir/image"
out=$(run version) || fail "berth version failed: $out"
[[ "$out" == *"Berth "*"QEMU:        QEMU emulator version 7.2.0 (tst_vmcore, a stand-in)"*"Guest image:"* ]] ||
  fail "berth version: $out"
out=$(run status) || fail "berth status failed: $out"
[[ "$out" == *"State:        stopped"* ]] || fail "berth status with nothing running: $out"
out=$(run stop) || fail "berth stop with nothing running failed: $out"
[[ "$out" == *"Berth is not running."* ]] || fail "berth stop with nothing running: $out"
out=$(BERTH_IMAGE_DIR="Z:$dir/none" run start --timeout 30) && fail "berth start without an image succeeded: $out"
[[ "$out" == *"no guest image at"*"BERTH_IMAGE_DIR"* ]] || fail "berth start without an image: $out"

"$wine" "$berth" start --timeout 120 >"$dir/start.out" 2>&1 </dev/null &
start=$!
state=""
for _ in $(seq 1 150); do
  state=$(run status | sed -n 's/^State: *//p')
  [[ "$state" == starting* ]] && break
  sleep 0.2
done
[[ "$state" == starting* ]] || fail "berth status never said starting (last: '$state'); berth start said: $(cat "$dir/start.out")"
# The agent has booted the stand-in once its console line is in the console log.
booted=""
for _ in $(seq 1 100); do
  if grep -qs "stand-in QEMU: Linux version 0" "$dir"/home/*/log/console.log; then booted=yes; break; fi
  sleep 0.2
done
[[ -n "$booted" ]] || fail "the stand-in QEMU's console line never reached the console log; the agent's log: $(cat "$dir"/home/*/log/agent.log)"
stopped=$(run stop) || fail "berth stop failed: $stopped"
[[ "$stopped" == *"Stopped in"* ]] || fail "berth stop: $stopped"
wait "$start" && fail "berth start succeeded with no engine behind the stand-in: $(cat "$dir/start.out")"
start=""
out=$(run status) || fail "berth status after the stop failed: $out"
[[ "$out" == *"State:        stopped"* ]] || fail "berth status after the stop: $out"
echo "ok: berth.exe started the agent, which ran the stand-in QEMU, answered status and stopped it"
echo "berth start said: $(tail -1 "$dir/start.out" | tr -d '\r')"
echo "berth stop said: $(echo "$stopped" | tail -1)"
