#!/bin/bash
# boot.sh IMAGE RUN_DIR: boot IMAGE under QEMU (TCG) with the host root over
# 9p and run RUN_DIR/cmd.sh in the guest (HARNESS_MODE=shell: an interactive
# shell instead). The kernel console goes to RUN_DIR/console.log, the
# command's output to RUN_DIR/output.log and to our stdout as it comes.
# Exit status: the command's, or 124 on timeout, or 125 when the console
# shows a splat (Oops, BUG, WARNING, KASAN, lockdep, kmemleak) or no status.
#
# Environment: KERNEL_ARGS, QEMU_ARGS, TIMEOUT (s, default 900), SMP (2),
# MEM (2G), ICOUNT=1 (instruction counting, one TCG thread), QUIET=1 (do not
# echo the output), HARNESS_MODE (cmd or shell).
set -eu
. "$(dirname "$0")/lib.sh"

image=$1 run=$2
[ -f "$image" ] || die "no kernel image $image"
mode=${HARNESS_MODE:-cmd}
smp=${SMP:-2} mem=${MEM:-2G} timeout=${TIMEOUT:-900}

accel=tcg,thread=multi
if [ "${ICOUNT:-0}" = 1 ]; then
	accel=tcg,thread=single
	# Same instructions on every boot: the RTC follows the host clock unless
	# told otherwise (its interrupts and the date made boots differ before
	# userspace), and so does the random number generator behind RDRAND.
	# RDRAND too (-seed).
	QEMU_ARGS="-icount shift=0,align=off,sleep=off -rtc base=2026-01-01T00:00:00,clock=vm -seed 1 ${QEMU_ARGS:-}"
fi

rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose
append="console=ttyS0 root=hostroot rootfstype=9p rootflags=$rootflags ro"
# GUEST_REPO: where the guest finds the repository (vm.sh), if not where
# the host has it.
guest_repo=${GUEST_REPO:-$REPO}
append="$append init=$guest_repo/harness/guest/init panic=-1 cma=64M kunit.enable=${KUNIT:-0}"
append="$append HARNESS_REPO=$guest_repo HARNESS_MODE=$mode"
append="$append HARNESS_CMD=${run#"$REPO"/}/cmd.sh ${KERNEL_ARGS:-}"
# An xHCI controller gives the dmapool tests a driver with pools.
xhci=(-device qemu-xhci)
[ "${XHCI:-1}" = 1 ] || xhci=()
initrd=()
if [ -n "${INITRD:-}" ]; then
	# The same init, from the initramfs; the 9p root is then not mounted.
	initrd=(-initrd "$INITRD")
	append="$append rdinit=$guest_repo/harness/guest/init"
fi

: >"$run/console.log"
: >"$run/output.log"
if [ "$mode" = shell ]; then
	out_dev=(-chardev stdio,id=out,signal=off -serial chardev:out)
else
	out_dev=(-chardev "file,id=out,path=$run/output.log" -serial chardev:out)
fi

# shellcheck disable=SC2086
qemu=(qemu-system-x86_64 -machine pc -accel "$accel" -cpu max -smp "$smp" -m "$mem"
	-display none -no-reboot -nodefaults -monitor none
	-kernel "$image" "${initrd[@]}" -append "$append"
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=root,mount_tag=hostroot ${xhci[@]}
	-serial "file:$run/console.log" "${out_dev[@]}" ${QEMU_ARGS:-})
echo "${qemu[*]}" >"$run/qemu.cmd"

status=0
if [ "$mode" = shell ]; then
	# --foreground: QEMU owns the terminal, it must not be stopped by SIGTTOU.
	timeout --foreground -k 5 "$timeout" "${qemu[@]}" || status=$?
else
	timeout -k 5 "$timeout" "${qemu[@]}" </dev/null &
	qpid=$!
	if [ "${QUIET:-0}" != 1 ]; then
		tail -n +1 --pid=$qpid -f "$run/output.log" | tr -d '\r' &
	fi
	wait $qpid || status=$?
	wait
fi
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
	echo "boot: timed out after $timeout s (console: $run/console.log)" >&2
	exit 124
fi

if grep -E -f "$REPO/harness/splat-patterns" "$run/console.log" >"$run/splats.txt"; then
	echo "boot: the kernel reported a problem (console: $run/console.log):" >&2
	head -n 20 "$run/splats.txt" >&2
	exit 125
fi
status=$(sed -n 's/.*harness: exit status \([0-9]*\).*/\1/p' "$run/console.log" | tail -n 1)
if [ -z "$status" ]; then
	echo "boot: the guest did not report an exit status (console: $run/console.log)" >&2
	tail -n 20 "$run/console.log" >&2
	exit 125
fi
exit "$status"
