# sluice: one plain Makefile.  `make help` lists the targets.
#
# Every .c under lib/ store/ crawl/ filter/ label/ model/ goes into one static
# library (build/libsluice.a) that the binary and the tests both link; cli/
# holds the binary's own files.  A new source file needs no edit here.

PREFIX   ?= /usr/local
BUILD    ?= build
CC       ?= cc

# Debian 12 packages the build, the tests and the demo need.  `make deps`
# installs the missing ones (as root) or prints the apt-get line.
DEBS = build-essential pkg-config valgrind libsqlite3-dev libpcre2-dev \
       libcurl4-openssl-dev libzstd-dev check libjansson-dev libxml2-dev \
       libutf8proc-dev libxxhash-dev libncurses-dev libopenblas-dev \
       libuchardet-dev libexttextcat-dev liburiparser-dev libinih-dev \
       zlib1g-dev zstd gzip python3 python3-numpy tmux sqlite3

PKGS = sqlite3 libzstd zlib jansson libxxhash libpcre2-8 libcurl libxml-2.0 \
       libutf8proc uchardet libexttextcat liburiparser inih ncursesw openblas

# -O2 -g: fast and debuggable; -Werror: no warning survives (curl's rule);
# gnu11 for the POSIX and GNU extensions (getline, pthreads, asm incbin).
# CFLAGS is the part a caller may replace (make asan, make fuzz do);
# SL_CFLAGS always applies, so every build is warning-free and tracks its
# header dependencies.
CFLAGS   ?= -O2 -g
SL_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
            -pthread -MMD -MP $(CFLAGS)
CPPFLAGS += -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS))
LDLIBS   += $(shell pkg-config --libs $(PKGS)) -lpthread -lm
CHECK_LIBS = $(shell pkg-config --libs check)

LIBSRC  := $(sort $(wildcard lib/*.c store/*.c crawl/*.c filter/*.c \
                             label/*.c model/*.c))
CLISRC  := $(sort $(wildcard cli/*.c))
TESTSRC := $(sort $(wildcard tests/test_*.c))
FUZZSRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))

LIBOBJ  := $(LIBSRC:%.c=$(BUILD)/%.o)
CLIOBJ  := $(CLISRC:%.c=$(BUILD)/%.o)
TESTBIN := $(TESTSRC:tests/%.c=$(BUILD)/tests/%)
REPLAYBIN := $(FUZZSRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
CPPFLAGS += -DSLUICE_VERSION='"$(VERSION)"'

.PHONY: all check unit e2e asan bench demo deps install clean help fuzz crash valgrind

# Build the binary and the man page.
all: sluice sluice.1

# copy then rename: a running ./sluice (a benchmark, a demo) keeps its file
sluice: $(BUILD)/sluice
	cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/sluice: $(CLIOBJ) $(BUILD)/libsluice.a
	$(CC) $(SL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libsluice.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(SL_CFLAGS) -c -o $@ $<

# schema.sql is pulled in by .incbin, which the compiler's dependency
# tracking does not see.
$(BUILD)/store/schema.o: schema.sql
$(BUILD)/model/bpe_data.o: $(wildcard model/data/*.tiktoken model/data/*.json)
$(BUILD)/filter/rulefile_data.o: $(wildcard filter/rules/*.rules filter/rules/*.txt)

# The tests may #include a module's .c to reach its static helpers.
$(BUILD)/tests/%: tests/%.c $(BUILD)/libsluice.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(SL_CFLAGS) -o $@ $< $(BUILD)/libsluice.a \
	      $(LDLIBS) $(CHECK_LIBS)

# Each fuzz target linked with a plain main() that replays its corpus: the
# seeds and every crash ever found run in `make check` as regression tests.
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/replay_main.c $(BUILD)/libsluice.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -I. $(SL_CFLAGS) -o $@ $< tests/fuzz/replay_main.c \
	      $(BUILD)/libsluice.a $(LDLIBS)

# The man page comes from the same strings as `sluice help`.
sluice.1: sluice
	./sluice help --man > $@.tmp && mv $@.tmp $@

# Install the missing Debian packages (as root), or say which are missing.
deps:
	@sh tests/deps.sh $(DEBS)

# Every test: the Check suites, then the end-to-end drivers.
check: deps
	@$(MAKE) --no-print-directory all $(TESTBIN) $(REPLAYBIN)
	@sh tests/run.sh $(BUILD) $(TESTBIN) $(REPLAYBIN)

# The same tests under AddressSanitizer and UBSan, in their own build dir;
# -O1 keeps stack traces readable, no-recover makes any report a failure.
asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan \
	    CFLAGS="-O1 -g -fsanitize=address,undefined \
	            -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	    build-asan/sluice $(TESTBIN:$(BUILD)/%=build-asan/%) \
	    $(REPLAYBIN:$(BUILD)/%=build-asan/%)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1 \
	 SLUICE_BIN=build-asan/sluice \
	 sh tests/run.sh build-asan $(TESTBIN:$(BUILD)/%=build-asan/%) \
	    $(REPLAYBIN:$(BUILD)/%=build-asan/%)

# libFuzzer on every target for FUZZ_SECONDS each (clang-14, ASan+UBSan).
# New inputs go to build-fuzz/corpus/NAME; crashes to build-fuzz/crashes/:
# copy a crash into tests/fuzz/corpus/NAME/ once fixed, so it replays in
# `make check` for ever.
FUZZ_SECONDS ?= 60
fuzz: deps
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang-14 \
	    CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" \
	    build-fuzz/libsluice.a
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZSRC)

# kill -9 import, filter, export, crawl and sluice label 50 times each,
# resume, and compare with an uninterrupted run (make check does 3 each).
CRASH_ROUNDS ?= 50
crash: all
	python3 tests/crash.py --rounds $(CRASH_ROUNDS) ./sluice

# The end-to-end demo with every sluice process under valgrind's memcheck
# (any memory error or definite leak fails).
valgrind: deps
	@$(MAKE) --no-print-directory all
	sh tests/valgrind.sh

# Side-by-side benchmarks against the peers (slow; writes under bench/out).
bench: all
	sh bench/run.sh

# The main job end to end on bundled data.
demo: deps
	@$(MAKE) --no-print-directory all
	sh tests/demo.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 sluice $(DESTDIR)$(PREFIX)/bin/sluice
	install -m 644 sluice.1 $(DESTDIR)$(PREFIX)/share/man/man1/sluice.1

clean:
	rm -rf build build-asan build-fuzz sluice sluice.1 demo-out

help:
	@echo "make          build ./sluice and sluice.1"
	@echo "make deps     install missing Debian packages (root) or list them"
	@echo "make check    build and run every test"
	@echo "make asan     the tests under AddressSanitizer + UBSan"
	@echo "make demo     run the main job end to end on bundled data"
	@echo "make bench    benchmarks against peer tools (bench/RESULTS.md)"
	@echo "make fuzz     libFuzzer on every parser (FUZZ_SECONDS=60 each)"
	@echo "make crash    kill -9 every step 50 times, resume, compare"
	@echo "make valgrind the demo with every process under memcheck"
	@echo "make install  PREFIX=/usr/local: binary and man page"

-include $(LIBOBJ:.o=.d) $(CLIOBJ:.o=.d) $(TESTBIN:=.d) $(REPLAYBIN:=.d)
