# smartops — hand-written Makefile. Out-of-tree build in $(BUILD); `make V=1` shows commands.
#   make            build build/kubesim (and build/smartops once it exists)
#   make run        build and open the demo
#   make test       unit + integration tests side by side (what CI runs)
#   make asan       the tests again under AddressSanitizer + UBSan (in build-asan/)
#   make tsan       the threaded parts under ThreadSanitizer (in build-tsan/)
#   make fuzz       every fuzz/ harness for FUZZ_SECONDS each (clang, libFuzzer; in build-fuzz/)
#   make bench      benchmarks (by hand; never part of the tests)
#   make install    PREFIX=/usr/local DESTDIR=: programs, smartops(1), bash completion, themes

BUILD ?= build
CC ?= cc
OPT ?= -O2
SAN ?=

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
        -Wwrite-strings -Wvla -Wno-unused-parameter -Werror
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE $(OPT) -g $(WARN) $(SAN) -I. $(PKG_CFLAGS) -MMD -MP $(CFLAGS)
LDFLAGS_ALL = $(SAN) -pthread $(LDFLAGS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

ifeq ($(filter clean,$(MAKECMDGOALS)),)
-include $(BUILD)/config.mk
endif

# Every folder is one library; a folder's programs are named in *_MAIN and kept out of it.
UTIL_SRC := $(wildcard util/*.c)
SIM_MAIN := sim/kubesim_main.c
SIM_SRC  := $(filter-out $(SIM_MAIN),$(wildcard sim/*.c))
K8S_SRC  := $(wildcard k8s/*.c)
CORE_SRC := $(wildcard core/*.c)
TUI_SRC  := $(wildcard tui/*.c)
VIEW_SRC := $(wildcard views/*.c)
CLI_MAIN := cli/smartops_main.c
CLI_SRC  := $(filter-out $(CLI_MAIN),$(wildcard cli/*.c))

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

LIB_UTIL := $(BUILD)/libutil.a
LIB_SIM  := $(BUILD)/libsim.a
LIB_K8S  := $(BUILD)/libk8s.a
LIB_CORE := $(BUILD)/libcore.a
LIB_TUI  := $(BUILD)/libtui.a
LIB_VIEW := $(BUILD)/libviews.a
LIB_CLI  := $(BUILD)/libcli.a

PROGS := $(BUILD)/kubesim
ifneq ($(wildcard $(CLI_MAIN)),)
PROGS += $(BUILD)/smartops
endif

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(patsubst tests/tools/%.c,$(BUILD)/tests/%,$(TOOL_SRC))

FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN := $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 60

all: $(PROGS) $(UNIT_BIN) $(TOOL_BIN)

$(BUILD)/config.mk: scripts/deps.sh
	@scripts/deps.sh $@

$(BUILD)/%.o: %.c $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) -c $< -o $@

define archive
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^
endef

$(LIB_UTIL): $(call obj,$(UTIL_SRC)) ; $(archive)
$(LIB_SIM):  $(call obj,$(SIM_SRC))  ; $(archive)
$(LIB_K8S):  $(call obj,$(K8S_SRC))  ; $(archive)
$(LIB_CORE): $(call obj,$(CORE_SRC)) ; $(archive)
$(LIB_TUI):  $(call obj,$(TUI_SRC))  ; $(archive)
$(LIB_VIEW): $(call obj,$(VIEW_SRC)) ; $(archive)
$(LIB_CLI):  $(call obj,$(CLI_SRC))  ; $(archive)

# Link order: higher layers first.
ALL_LIBS := $(LIB_CLI) $(LIB_VIEW) $(LIB_TUI) $(LIB_CORE) $(LIB_K8S) $(LIB_SIM) $(LIB_UTIL)

define link
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) -lm
endef

$(BUILD)/kubesim: $(call obj,$(SIM_MAIN)) $(LIB_SIM) $(LIB_UTIL) ; $(link)
$(BUILD)/smartops: $(call obj,$(CLI_MAIN)) $(ALL_LIBS) ; $(link)
$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(ALL_LIBS) ; $(link)
$(BUILD)/tests/%: $(BUILD)/tests/tools/%.o $(ALL_LIBS) ; $(link)
$(BUILD)/fuzz/%: $(BUILD)/fuzz/%.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lm

# The source revision smartops --version and its man page name: rebuilt when it changes.
REVISION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
$(BUILD)/revision: FORCE
	@mkdir -p $(dir $@)
	@[ "$$(cat $@ 2>/dev/null)" = "$(REVISION)" ] || echo "$(REVISION)" >$@
$(BUILD)/cli/help.o: $(BUILD)/revision
$(BUILD)/cli/help.o: CFLAGS_ALL += -DSMARTOPS_REVISION='"$(REVISION)"'

# The manual page, written by the program from its own tables.
$(BUILD)/smartops.1: $(BUILD)/smartops
	$(Q)$< help --man >$@.tmp && mv $@.tmp $@

# make install [PREFIX=/usr/local] [DESTDIR=]: the programs, smartops(1), bash
# completion and the themes (found by the program at PREFIX/share/smartops/themes).
PREFIX ?= /usr/local
install: all $(BUILD)/smartops.1
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/smartops/themes
	install -m 0755 $(BUILD)/smartops $(BUILD)/kubesim $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(BUILD)/smartops.1 $(DESTDIR)$(PREFIX)/share/man/man1/smartops.1
	install -m 0644 scripts/smartops.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/smartops
	install -m 0644 themes/*.theme $(DESTDIR)$(PREFIX)/share/smartops/themes/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/smartops $(DESTDIR)$(PREFIX)/bin/kubesim \
		$(DESTDIR)$(PREFIX)/share/man/man1/smartops.1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/smartops
	rm -rf $(DESTDIR)$(PREFIX)/share/smartops

FORCE:

# keep test objects between runs
.SECONDARY:

.PHONY: all run test unit integration asan tsan fuzz fuzz-build bench clean demo-kubesim compile_commands.json \
	screenshots install uninstall FORCE

run: all
	@scripts/run.sh $(BUILD)

unit: $(UNIT_BIN)
	@tests/run-unit.sh $(BUILD)

integration: all
	@tests/run-integration.sh $(BUILD)

# the unit tests run beside the integration tests (tests/run-tests.sh), after them
# with INTEGRATION_JOBS=1
test: all
	@scripts/check-layers.sh
	@tests/run-tests.sh $(BUILD)

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" test

# The threaded parts under ThreadSanitizer: the store, the controllers (pods, volumes), the client's informers,
# the envs' dependency reads, the snapshots' shared blocks.
TSAN_TESTS := test_store test_jarena test_workload test_volumes test_podlog test_fleetctl test_k8s_client test_actions \
              test_tui_logring test_tenant_has test_env_deps test_resolve test_cow
tsan:
	@$(MAKE) --no-print-directory BUILD=build-tsan OPT=-O1 SAN="-fsanitize=thread" \
		$(addprefix build-tsan/tests/,$(TSAN_TESTS))
	@fail=0; for t in $(TSAN_TESTS); do \
		if TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/$$t >build-tsan/$$t.log 2>&1; then echo "  ok      $$t (tsan)"; \
		else echo "  FAIL    $$t (tsan)"; tail -40 build-tsan/$$t.log; fail=1; fi; done; exit $$fail

# libFuzzer needs clang (scripts/deps.sh installs clang-14 and its runtime).
FUZZ_CC ?= $(shell command -v clang-14 >/dev/null 2>&1 && echo clang-14 || echo clang)
fuzz-build: $(FUZZ_BIN)
fuzz:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) OPT=-O1 \
		SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		CFLAGS="-Wno-format-nonliteral $(CFLAGS)" fuzz-build
	@fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# BENCH_SIZE=small runs each benchmark on a small fleet; BENCH_ONLY="x.sh ..." some of them
bench: all
	@bench/run.sh $(BUILD) $(or $(BENCH_SIZE),full)

screenshots: all
	@scripts/screenshots.sh $(BUILD)

compile_commands.json:
	bear -- $(MAKE) -B all

clean:
	rm -rf build build-asan build-tsan build-fuzz

DEPS := $(shell find $(BUILD) -name '*.d' 2>/dev/null)
-include $(DEPS)
