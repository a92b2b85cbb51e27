#!/bin/bash
# root.sh DEBARCH: the guest root of a foreign architecture, built once from
# Debian packages in the per-user cache (the host's root, over 9p for
# x86_64, cannot run the guest's programs). Prints its path. apt-get runs
# with private lists and caches: the host's apt state is not touched.
set -eu
. "$(dirname "$0")/lib.sh"

debarch=$1
# What guest/init and the suites run: shells, the tools (coreutils and
# friends; util-linux for dmesg -C and setpriv --reuid; busybox for mount,
# reboot and the rest), and python3 with its standard library and the
# libraries it links.
PKGS="libc6 libgcc-s1 bash libtinfo6 busybox-static coreutils libacl1 libattr1
	libselinux1 libpcre2-8-0 libgmp10 grep sed mawk findutils kmod
	util-linux libcap-ng0
	libzstd1 liblzma5 libssl3 zlib1g python3.11-minimal libpython3.11-minimal
	libpython3.11-stdlib libexpat1 libffi8 libbz2-1.0 libcrypt1 libuuid1
	libncursesw6 libreadline8 libsqlite3-0 libdb5.3 libgdbm6 media-types"
# Bumped when the package list or the layout changes: a new root is built.
ROOT_VERSION=2

dir=$USER_CACHE/roots/$debarch
root=$dir/root
if [ "$(cat "$dir/.complete" 2>/dev/null)" = "$ROOT_VERSION $PKGS" ]; then
	echo "$root"
	exit 0
fi

echo "root: building the $debarch guest root in $dir" >&2
rm -rf "$dir"
mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/debs" "$root"
apt=(apt-get -q -o "APT::Architecture=$debarch" -o "APT::Architectures=$debarch"
	-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
	-o "Dir::State::status=$dir/status")
: >"$dir/status"
# A list that fails (a mirror in sync) is not fatal as long as every
# package can still be downloaded.
"${apt[@]}" update >&2 || "${apt[@]}" update >&2 ||
	echo "root: apt-get update for $debarch was incomplete" >&2
# shellcheck disable=SC2086
(cd "$dir/debs" && "${apt[@]}" download $PKGS >&2) ||
	die "downloading the $debarch packages failed"
for deb in "$dir"/debs/*.deb; do
	dpkg -x "$deb" "$root"
done
# Debian's merged /usr is made by a maintainer script, which dpkg -x does
# not run: programs are where their packages put them, and the busybox
# applets go wherever no package program already is (the applet list is the
# host's busybox-static, the same version).
busybox --list-full | while read -r applet; do
	[ -e "$root/$applet" ] || [ -L "$root/$applet" ] && continue
	[ -e "$root/bin/$(basename "$applet")" ] && continue
	[ -e "$root/usr/bin/$(basename "$applet")" ] && continue
	mkdir -p "$root/$(dirname "$applet")"
	ln -s /bin/busybox "$root/$applet"
done
ln -sf python3.11 "$root/usr/bin/python3"
ln -sf bash "$root/bin/sh"
# Names for root and nobody (the shell prompt, ls -l).
mkdir -p "$root/etc"
printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' \
	>"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
# Mount points; /repo is where the guest mounts the repository.
mkdir -p "$root"/{proc,sys,dev,tmp,run,mnt,repo,root}
# PID 1 until the repository is mounted: the rest is guest/init's.
cat >"$root/harness-init" <<'INIT'
#!/bin/sh
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro repo /repo ||
	exec /bin/sh
exec /bin/sh "$HARNESS_REPO/harness/guest/init"
INIT
chmod +x "$root/harness-init"
echo "$ROOT_VERSION $PKGS" >"$dir/.complete"
echo "$root"
