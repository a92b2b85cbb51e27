#!/bin/bash
# Install what the harness needs from Debian, once. Idempotent: packages that
# are already present are not touched, so a warm machine skips apt entirely.
set -eu

PIN_VERSION=6.12.117-1~deb12u1

# install.sh reach: also what make check-reach needs.
HOST_PKGS="flex bison bc libelf-dev libssl-dev cpio ccache sparse
	qemu-system-x86 busybox-static xz-utils perl rsync kmod gnuplot-nox
	python3 gcc make git
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm
	device-tree-compiler"
if [ "${1:-}" = reach ]; then
	HOST_PKGS="$HOST_PKGS gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
		gcc-riscv64-linux-gnu gcc-powerpc64le-linux-gnu"
fi

missing=""
for p in $HOST_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done

installed_src=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

if [ -n "$missing" ] || [ -z "$installed_src" ]; then
	$SUDO apt-get update -qq
fi
if [ -n "$missing" ]; then
	echo "install: apt-get install$missing"
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ -z "$installed_src" ]; then
	if apt-cache madison linux-source-6.12 | grep -qF " $PIN_VERSION "; then
		$SUDO apt-get install -y -qq --no-install-recommends \
			"linux-source-6.12=$PIN_VERSION" >/dev/null
	else
		echo "##################################################################"
		echo "WARNING: linux-source-6.12 $PIN_VERSION is not available;"
		echo "WARNING: falling back to the newest 6.12 Debian serves."
		echo "##################################################################"
		$SUDO apt-get install -y -qq --no-install-recommends linux-source-6.12 >/dev/null
	fi
	installed_src=$(dpkg-query -W -f='${Version}' linux-source-6.12)
fi

if [ "$installed_src" != "$PIN_VERSION" ]; then
	echo "WARNING: linux-source-6.12 is $installed_src, not the pinned $PIN_VERSION"
fi
echo "install: linux-source-6.12 $installed_src"
