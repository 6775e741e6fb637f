# Toolchain, flags and the generic rules every module uses.
#
# Three builds of the same sources, each in its own tree under build/:
#   build/obj/    host tools (khib-image, kjump, ...), dynamically linked
#   build/asan/   unit tests, with AddressSanitizer and UndefinedBehaviorSanitizer
#   build/static/ static binaries for the guest initramfs images (kernel A and helper B)
# A module lists its sources and uses $(call objs,...), $(call asan_objs,...) or
# $(call static_objs,...) to name the objects.

B := build
CC ?= cc
PKG_CONFIG ?= pkg-config

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Packagers' flags are honoured as they pass them: CFLAGS (default -O2), CPPFLAGS and LDFLAGS
# go on every compile and link after ours (the purgatory takes only what it can use, see
# kjump/purgatory/Makefile.inc). -Werror stays on for our own builds and CI; a packager whose
# compiler or flags warn differently turns it off with WERROR= (debian/rules does).
WERROR ?= -Werror
WARN := -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes -Wmissing-prototypes
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(WARN) -g -I.
CFLAGS ?= -O2
CPPFLAGS ?=
LDFLAGS ?=
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIBS_LZ4 := -llz4
LIBS_GCRYPT := -lgcrypt -lgpg-error
LIBS_ELF := -lelf -lz
LIBS_PTHREAD := -pthread

objs = $(patsubst %.c,$(B)/obj/%.o,$(1))
asan_objs = $(patsubst %.c,$(B)/asan/%.o,$(1))
static_objs = $(patsubst %.c,$(B)/static/%.o,$(1))

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(BASE_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MD -MP -c -o $@ $<

$(B)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC-SAN  $@"
	$(Q)$(CC) $(BASE_CFLAGS) $(CPPFLAGS) -O1 $(SAN_FLAGS) -MD -MP -c -o $@ $<

$(B)/static/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC-STAT $@"
	$(Q)$(CC) $(BASE_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MD -MP -c -o $@ $<

# Link rules used by modules: $(call link,OUT,OBJS,LIBS) etc. are plain recipes below.
define LINK
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(1)
endef
define LINK_ASAN
	@mkdir -p $(dir $@)
	@echo "  LD-SAN  $@"
	$(Q)$(CC) $(SAN_FLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(1)
endef
define LINK_STATIC
	@mkdir -p $(dir $@)
	@echo "  LD-STAT $@"
	$(Q)$(CC) -static -s $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(1)
endef
define ARCHIVE
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^
endef

# Unit tests: a module appends cmocka test binaries (built with LINK_ASAN) to UNIT_TESTS.
UNIT_TESTS :=
# Host programs and guest programs: modules append to these. GUEST_PROGS go into kernel A's
# initramfs, HELPER_PROGS (also guest programs) into the test overlay for the helper (the
# product helper initramfs holds khib-helper alone: helper/mkhelper). Guest programs are
# stripped.
HOST_PROGS :=
GUEST_PROGS :=
HELPER_PROGS :=

# The dependency files of our own trees (not of make deb's copy in $(B)/deb, which has its own).
-include $(shell find $(B) -path $(B)/deb -prune -o -name '*.d' -type f -print 2>/dev/null)

.PHONY: all deps kernel clean

deps:
	$(Q)tools/deps.sh

kernel:
	$(Q)tools/build-kernel.sh $(B)/kernel

clean:
	rm -rf $(B)
