#!/bin/bash
# configure.sh VARIANT CONFIG [EXTRA_FRAGMENT]: write the .config of a build
# folder: tinyconfig, then harness/config/base.config and the fragment of
# the architecture ($FRAGS of arch.sh), then CONFIG.config (unless CONFIG is
# base), then the extra fragment; for "ours", the options of our patches
# (ours.config) come right after the architecture's. The .config is only
# regenerated when a fragment changes, so a build folder keeps one config.
set -eu
. "$(dirname "$0")/lib.sh"

variant=$1 config=$2 extra=${3:-}
src=$(src_dir "$variant")
out=$(build_dir "$variant" "$config" "$extra")

frags=$REPO/harness/config/base.config
# Compile-only (cross-lint.sh): no machine to boot, no base.config.
[ "$config" != cross ] || frags=
# shellcheck disable=SC2153 # FRAGS comes from arch.sh
for f in $FRAGS; do
	frags="$frags $REPO/harness/config/$f.config"
done
[ "$variant" = stock ] || frags="$frags $REPO/harness/config/ours.config"
if [ "$config" != base ]; then
	[ -f "$REPO/harness/config/$config.config" ] || die "no config '$config'"
	frags="$frags $REPO/harness/config/$config.config"
fi
[ -z "$extra" ] || frags="$frags $(readlink -f "$extra")"

# shellcheck disable=SC2086
stamp=$(cat $frags "$PRISTINE/.harness-version" | sha1sum | cut -c1-40)
if [ -f "$out/.config" ] && [ "$(cat "$out/.harness-config" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi

echo "configure: $ARCH $variant/$config in ${out#"$REPO"/}"
mkdir -p "$out"
kmake -C "$src" O="$out" tinyconfig >/dev/null
# shellcheck disable=SC2086
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" $frags >/dev/null
kmake -C "$src" O="$out" olddefconfig >/dev/null

# Every option a fragment asks for must have survived Kconfig's dependencies.
bad=0
# shellcheck disable=SC2086
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=n)
		# Off, or not even offered: both are what was asked.
		grep -q "^${line%=n}=" "$out/.config" || continue
		want="# ${line%=n} is not set"
		;;
	CONFIG_*) want=$line ;;
	*) continue ;;
	esac
	if ! grep -qxF "$want" "$out/.config"; then
		opt=${line%%=*}
		echo "configure: $line requested, .config has: $(grep -E "^(# )?$opt[= ]" "$out/.config" || echo nothing)" >&2
		bad=1
	fi
done < <(cat $frags)
[ "$bad" = 0 ] || { rm -f "$out/.config"; die "configuration of $variant/$config is incomplete"; }
echo "$stamp" >"$out/.harness-config"
