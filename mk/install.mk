# make install / make uninstall: what the modules declared, where packagers expect it.
#
#   make install [PREFIX=/usr/local] [DESTDIR=] [SBINDIR=...]     make uninstall (same variables)
#
# Directories (each may be given on the make line; defaults follow PREFIX):
#   BINDIR $(PREFIX)/bin   SBINDIR $(PREFIX)/sbin   LIBDIR $(PREFIX)/lib   DATADIR $(PREFIX)/share
#   MANDIR $(DATADIR)/man  SYSCONFDIR /etc          SYSTEMDUNITDIR (below)
#   INITRAMFS_TOOLS_DIR $(DATADIR)/initramfs-tools  DRACUT_MODULES_DIR $(PREFIX)/lib/dracut/modules.d
# initramfs-tools and dracut look only under /usr (and /etc): their hooks act with PREFIX=/usr,
# as the Debian package installs them (debian/rules).
#
# A module declares each file it installs in its own Makefile.inc, one line per file:
#
#   INSTALL_FILES += SRC:DEST:MODE[:config]
#
# SRC is a path in the tree (a build output is built first), DEST the installed path without
# DESTDIR (use the directory variables above), MODE octal. ":config" marks a file the
# administrator edits (/etc/khibernate.conf): install keeps an existing one, uninstall removes
# it only while it is unchanged. Write INSTALL_FILES only with +=: the list is expanded here,
# after every module was read. tools/install-files.sh does the work and says what each rule
# means for directories.
#
# Included last from the top Makefile: the install target depends on every SRC.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
SYSCONFDIR ?= /etc
# Units: for PREFIX=/usr, where this system's systemd.pc says (bookworm: /lib/systemd/system,
# where dh_installsystemd finds and enables them; later releases /usr/lib/systemd/system);
# under any other prefix, below it.
SYSTEMD_PC_UNITDIR := $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null)
SYSTEMDUNITDIR ?= $(if $(filter /usr,$(PREFIX)),$(or $(SYSTEMD_PC_UNITDIR),/usr/lib/systemd/system),$(PREFIX)/lib/systemd/system)
INITRAMFS_TOOLS_DIR ?= $(DATADIR)/initramfs-tools
DRACUT_MODULES_DIR ?= $(PREFIX)/lib/dracut/modules.d

# Without DESTDIR, uninstall removes empty directories only below these, never these.
INSTALL_BASE_DIRS := $(BINDIR) $(SBINDIR) $(LIBDIR) $(DATADIR) $(MANDIR) $(SYSCONFDIR) \
	$(SYSTEMDUNITDIR) $(INITRAMFS_TOOLS_DIR) $(DRACUT_MODULES_DIR)

install_env = DESTDIR='$(DESTDIR)' INSTALL_BASE_DIRS='$(INSTALL_BASE_DIRS)'

.PHONY: install uninstall
install: $(foreach f,$(INSTALL_FILES),$(firstword $(subst :, ,$(f))))
	$(Q)$(install_env) tools/install-files.sh install $(INSTALL_FILES)

uninstall:
	$(Q)$(install_env) tools/install-files.sh uninstall $(INSTALL_FILES)

# make deb: the Debian package (debian/), built from a copy of this tree in build/deb/,
# where the .deb lands (tools/make-deb.sh).
.PHONY: deb
deb:
	$(Q)tools/make-deb.sh $(B)/deb
