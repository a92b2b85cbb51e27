# Per-architecture settings of the harness, for $ARCH (x86_64 by default,
# arm64, arm64-64k); sourced by lib.sh, never run.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are for the scripts that source us

# FRAGS: the config fragments (harness/config/NAME.config) merged right
# after base.config; KARCH: the kernel's ARCH; CROSS: CROSS_COMPILE; KTARGET and KIMAGE: the
# image make target and where it lands in the build folder; QEMU: the
# emulator and its machine; CONSOLE: the kernel console; ARCH_ARGS: kernel
# arguments every boot gets; CHECK_ARGS and CHECK_NUMA: the kernel arguments
# and QEMU NUMA nodes make check adds (areas and nodes for the CMA tests),
# DEBARCH: the Debian architecture of
# the guest's root (empty: the host's own root); DTSI: what is added to
# QEMU's device tree (empty: the machine has none).
ARCH=${ARCH:-x86_64}
case $ARCH in
x86_64)
	FRAGS=arch-x86_64
	KARCH=x86 CROSS='' KTARGET=bzImage KIMAGE=arch/x86/boot/bzImage
	QEMU=(qemu-system-x86_64 -machine pc -cpu max)
	CONSOLE=ttyS0 DEBARCH='' DTSI=''
	# cma= names the default area "reserved".
	ARCH_ARGS="cma=64M"
	CHECK_ARGS="numa=fake=4 cma_pernuma=16M" CHECK_NUMA=1
	;;
arm64 | arm64-64k)
	FRAGS=arch-arm64
	KARCH=arm64 CROSS=aarch64-linux-gnu- KTARGET=Image KIMAGE=arch/arm64/boot/Image
	# pauth-impdef: TCG's architected pointer authentication is slow.
	QEMU=(qemu-system-aarch64 -machine virt -cpu 'max,pauth-impdef=on')
	CONSOLE=ttyAMA0 DEBARCH=arm64 DTSI=$REPO/harness/dt/$ARCH.dtsi
	# No cma=: it would make the kernel ignore the device tree's default pool.
	ARCH_ARGS=
	CHECK_ARGS="cma_pernuma=16M" CHECK_NUMA=2
	if [ "$ARCH" = arm64-64k ]; then
		# A pageblock is 512 MiB: the areas are 512 MiB and 1 GiB, and
		# per-node areas of their own would not fit.
		FRAGS="$FRAGS arch-arm64-64k"
		MEM=${MEM:-4G} CHECK_ARGS='' CHECK_NUMA=1
	fi
	;;
arm32)
	FRAGS=arch-arm32
	KARCH=arm CROSS=arm-linux-gnueabihf- KTARGET=zImage KIMAGE=arch/arm/boot/zImage
	QEMU=(qemu-system-arm -machine virt -cpu cortex-a15)
	CONSOLE=ttyAMA0 DEBARCH=armhf DTSI=$REPO/harness/dt/arm32.dtsi
	# cma= without a limit: cma_declare_contiguous_nid() puts the default
	# area above the start of high memory; the device tree adds one that
	# its alloc-ranges keep low.
	ARCH_ARGS="cma=64M"
	MEM=${MEM:-3G} CHECK_ARGS='' CHECK_NUMA=1
	;;
riscv64 | ppc64le)
	# Compile-only (cross-lint.sh): no machine, no image.
	FRAGS=arch-$ARCH KTARGET=vmlinux KIMAGE=vmlinux QEMU=() CONSOLE=''
	DEBARCH='' DTSI='' ARCH_ARGS='' CHECK_ARGS='' CHECK_NUMA=1
	KARCH=riscv CROSS=riscv64-linux-gnu-
	[ "$ARCH" = riscv64 ] || KARCH=powerpc CROSS=powerpc64le-linux-gnu-
	;;
*) die "unknown ARCH '$ARCH' (x86_64, arm64, arm64-64k, arm32, riscv64 or ppc64le)" ;;
esac
