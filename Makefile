# khibernate: one non-recursive make. Each module adds itself in its Makefile.inc.
#
#   make            build everything (tools for the host, static binaries for the guests)
#   make check      deps, unit tests under ASan/UBSan, then the QEMU end-to-end tests
#   make demo       deps, build, one whole hibernate/resume cycle in QEMU with timings
#   make reliability  fault injection, bad input, endurance (long; tests/reliability/)
#   make bench      khibernate against the kernel's hibernation in QEMU (long; docs/bench/)
#   make kernel     build (or reuse from ~/.cache/khibernate) our kernel
#   make deps       install the Debian packages we need (as root)
#   make install    install (PREFIX=/usr/local, DESTDIR=; mk/install.mk); make uninstall
#   make deb        the Debian package, into build/deb/ (debian/, tools/make-deb.sh)
#   V=1             show the commands

all:

include mk/common.mk
include docs/man/Makefile.inc
include common/Makefile.inc
include image/Makefile.inc
include kjump/Makefile.inc
include protocol/Makefile.inc
include khibernate/Makefile.inc
include helper/Makefile.inc
include resume/Makefile.inc
include systemd/Makefile.inc
include tests/reliability/Makefile.inc
include bench/Makefile.inc
include tests/Makefile.inc
# Last: install depends on every file the modules declared.
include mk/install.mk

all: $(HOST_PROGS) $(GUEST_PROGS)
.DEFAULT_GOAL := all
