#!/bin/bash
# boot.sh IMAGE RUN_DIR: boot IMAGE under QEMU (TCG) with the host root over
# 9p and run RUN_DIR/cmd.sh in the guest (HARNESS_MODE=shell: an interactive
# shell instead). The kernel console goes to RUN_DIR/console.log, the
# command's output to RUN_DIR/output.log and to our stdout as it comes.
# Exit status: the command's, or 124 on timeout, or 125 when the console
# shows a splat (Oops, BUG, WARNING, KASAN, lockdep, kmemleak) or no status.
#
# Environment: ARCH (see arch.sh), KERNEL_ARGS, QEMU_ARGS, TIMEOUT (s,
# default 900), SMP (2), MEM (2G), NUMA (nodes QEMU splits the memory into,
# on machines with a device tree), DT_EXTRA (a file of device-tree source
# added after harness/dt/$ARCH.dtsi), ICOUNT=1 (instruction counting, one
# TCG thread), QUIET=1 (do not echo the output), HARNESS_MODE (cmd or shell).
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
append="console=$CONSOLE root=hostroot rootfstype=9p rootflags=$rootflags ro"
# GUEST_REPO: where the guest finds the repository (vm.sh), if not where
# the host has it.
guest_repo=${GUEST_REPO:-$REPO}
rootdir=/ init=$guest_repo/harness/guest/init
shares=()
if [ -n "$DEBARCH" ]; then
	# A root of the guest's architecture; its init mounts the repository
	# (the second share) at $guest_repo and runs guest/init from there.
	rootdir=$("$REPO/harness/root.sh" "$DEBARCH")
	init=/harness-init
	shares=(-fsdev "local,id=repo,path=$REPO,security_model=none,readonly=on,multidevs=remap"
		-device virtio-9p-pci,fsdev=repo,mount_tag=repo)
fi
append="$append init=$init panic=-1 $ARCH_ARGS kunit.enable=${KUNIT:-0}"
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
	out_dev=(-chardev stdio,id=out,signal=off)
else
	out_dev=(-chardev "file,id=out,path=$run/output.log")
fi
if [ "$ARCH" = x86_64 ]; then
	out_dev+=(-serial chardev:out)
else
	# virt has one UART: the output goes to a virtio console (hvc0).
	out_dev+=(-device virtio-serial-pci -device virtconsole,chardev=out)
fi
numa=()
if [ "${NUMA:-1}" -gt 1 ]; then
	# Equal nodes, one CPU each in turn; QEMU describes them in the device
	# tree (numa-node-id), which is where the kernel reads them.
	case $mem in
	*G) mib=$((${mem%G} * 1024)) ;;
	*M) mib=${mem%M} ;;
	*) die "MEM=$mem: give it in M or G for NUMA" ;;
	esac
	for ((n = 0; n < NUMA; n++)); do
		numa+=(-object "memory-backend-ram,id=m$n,size=$((mib / NUMA))M"
			-numa "node,nodeid=$n,memdev=m$n,cpus=$((n % smp))")
	done
fi

# shellcheck disable=SC2086
qemu=("${QEMU[@]}" -accel "$accel" -smp "$smp" -m "$mem" "${numa[@]}"
	-display none -no-reboot -nodefaults -monitor none
	-kernel "$image" "${initrd[@]}" -append "$append"
	-fsdev "local,id=root,path=$rootdir,security_model=none,readonly=on,multidevs=remap"
	-device virtio-9p-pci,fsdev=root,mount_tag=hostroot "${shares[@]}" ${xhci[@]}
	-serial "file:$run/console.log" "${out_dev[@]}" ${QEMU_ARGS:-})
if [ -n "$DTSI" ]; then
	# QEMU's own device tree for exactly these options, plus ours
	# (reserved-memory pools), booted instead of the one QEMU would make.
	"${qemu[@]}" -machine "dumpdtb=$run/qemu.dtb" </dev/null >/dev/null 2>&1 ||
		die "QEMU did not write its device tree"
	dtc -q -I dtb -O dts -o "$run/qemu.dts" "$run/qemu.dtb"
	cat "$run/qemu.dts" "$DTSI" ${DT_EXTRA:+"$DT_EXTRA"} >"$run/boot.dts"
	dtc -q -I dts -O dtb -o "$run/boot.dtb" "$run/boot.dts" ||
		die "dtc refused $run/boot.dts"
	qemu+=(-dtb "$run/boot.dtb")
fi
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
