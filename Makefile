# The project's commands. Each names a script in harness/; see README.md.
#
#   make run      build our kernel, boot it into the demonstration
#   make check    the test command: lint, base and debug kernels, all suites
#                 (x86_64), and arm64
#   make check-reach   arm64 with 64K pages, 32-bit ARM with high memory
#   make check-upstream   every upstream DAMON selftest on stock and on ours
#   make vm CMD='...' [KERNEL=stock|ours] [CONFIG=base|debug|bench]
#           [EXTRA_CONFIG=fragment] [KERNEL_ARGS=...] [QEMU_ARGS=...]
#           [ARCH=x86_64|arm64]
#   make shell    an interactive root shell in the guest
#   make bench    ours against stock 6.12: tables and a plot in docs/bench
#   make lint | series | build | install | clean
#   make series-edit | series-export   the series as a git branch, and back

KERNEL ?= ours
CONFIG ?= base
EXTRA_CONFIG ?=
CMD ?= true
ARCH ?= x86_64
export KERNEL_ARGS QEMU_ARGS ARCH

# CMD goes to the guest's shell as written: $(value) keeps make from
# expanding "$HOME" or "$(id -u)" itself. "$$", the make escape older
# callers used for a "$", still means one (the shell's own $$ is "$$$$"),
# and the whole line is quoted once for the host's shell.
guest_cmd = '$(subst ','\'',$(subst $$$$,$$,$(value CMD)))'

H := harness

.PHONY: run check check-reach check-upstream vm shell lint series series-edit series-export bench build install tree clean

run: install
	$(H)/vm.sh ours base "" run $(H)/guest/demo.sh

check:
	$(H)/check.sh

check-reach:
	$(H)/check.sh --reach

check-upstream:
	$(H)/check-upstream.sh

vm: install
	$(H)/vm.sh $(KERNEL) $(CONFIG) "$(EXTRA_CONFIG)" vm $(guest_cmd)

shell: install
	$(H)/vm.sh $(KERNEL) $(CONFIG) "$(EXTRA_CONFIG)" shell

lint: install
	$(H)/build.sh ours base "" >/dev/null
	$(H)/lint.sh

series: install
	$(H)/series.sh

series-edit: install
	$(H)/series-edit.sh start

series-export: install
	$(H)/series-edit.sh export

bench: install
	$(H)/bench.sh

build: install
	$(H)/build.sh $(KERNEL) $(CONFIG) "$(EXTRA_CONFIG)"

tree: install
	$(H)/tree.sh $(KERNEL)

install:
	@$(H)/install.sh

clean:
	rm -rf .cache/build .cache/src .cache/runs
