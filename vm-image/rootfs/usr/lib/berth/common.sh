# Shared by the guest's boot scripts (initramfs and root). POSIX sh, busybox applets only.

# The host listens on a virtio-serial port named org.berth.boot; each line is one report:
#   phase NAME UPTIME | ready UPTIME | error MESSAGE | notice MESSAGE | engine down|up UPTIME
berth_port() {
  for n in /sys/class/virtio-ports/*/name; do
    [ -r "$n" ] || continue
    if [ "$(cat "$n")" = org.berth.boot ]; then
      d=${n%/name}
      echo "/dev/${d##*/}"
      return 0
    fi
  done
  return 1
}

report() {
  kind=$1
  shift
  up=$(cut -d' ' -f1 /proc/uptime)
  port=$(berth_port) || return 0
  case $kind in
    error | notice) line="$kind $*" ;;
    ready) line="ready $up" ;;
    engine) line="engine $1 $up" ;;
    *) line="$kind $1 $up" ;;
  esac
  # A write to a virtio port blocks while the host end is not connected (the host agent died
  # or stopped listening): never let that stall boot or shutdown.
  timeout 2 sh -c 'printf "%s\n" "$1" >"$2"' report "$line" "$port" 2>/dev/null
  return 0
}

# Prints the kernel name (vda, vdb, …) of the virtio disk whose serial is $1.
disk_by_serial() {
  for s in /sys/block/vd*/serial; do
    [ -r "$s" ] || continue
    if [ "$(cat "$s")" = "$1" ]; then
      d=${s%/serial}
      echo "${d##*/}"
      return 0
    fi
  done
  return 1
}
