# QLVB: build, run, test. `make run` and `make test` install what is missing.
CC       = gcc
OUT      ?= build
BIN      ?= bin
SAN      ?=
PKGS     := libpq hiredis jansson libjwt libsodium libcurl
OPT      ?= -O2 -g
CFLAGS   := $(OPT) -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(SAN)
LDFLAGS  += $(SAN)
LDLIBS   := -lfcgi $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lmagic -lxlsxwriter -lpthread

# fcgi/: the runtime, which names nothing above it; sql/: the one list of
# statements and the one registry of problems; cache/ and api/: the
# application. The programs' mains live with the application.
RUNTIME  := $(wildcard fcgi/*.c)
SHARED   := $(wildcard sql/*.c) $(wildcard cache/*.c)
API      := $(filter-out api/main.c,$(wildcard api/*.c))
ADMIN    := $(wildcard admin/*.c)
NOTIFY   := $(wildcard notify/*.c)
UNIT     := $(wildcard tests/unit/*.c)

API_OBJ   := $(patsubst %.c,$(OUT)/%.o,$(RUNTIME) $(SHARED) $(API) api/main.c)
ADMIN_OBJ := $(patsubst %.c,$(OUT)/%.o,$(RUNTIME) $(SHARED) $(ADMIN) api/store.c)
NOTIFY_OBJ := $(patsubst %.c,$(OUT)/%.o,$(RUNTIME) $(SHARED) $(NOTIFY))
LIB_OBJ   := $(patsubst %.c,$(OUT)/%.o,$(RUNTIME) $(SHARED) $(API))

.PHONY: all deps run stop test asan bench soak unit clean lint
all: $(BIN)/qlvb-api $(BIN)/qlvb-admin $(BIN)/qlvb-notify

$(OUT)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BIN)/qlvb-api: $(API_OBJ)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/qlvb-admin: $(ADMIN_OBJ)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/qlvb-notify: $(NOTIFY_OBJ)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/unit-tests: $(patsubst %.c,$(OUT)/%.o,$(UNIT)) $(LIB_OBJ)
	@mkdir -p $(BIN)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)

deps:
	@bash deploy/install-deps.sh

# The local stack under ./var, on QLVB_PORT (8080) and the ports after it.
run: deps
	@$(MAKE) -s all
	@bash deploy/stack.sh start

stop:
	@bash deploy/stack.sh stop

# Its own stack under ./var/test on other ports; every test; the last line
# reads "N passed, N failed".
test: deps
	@$(MAKE) -s all $(BIN)/unit-tests
	@bash tests/run.sh $(BIN)

asan: deps
	@$(MAKE) -s OUT=build/asan BIN=build/asan/bin SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    OPT="-O1 -g" build/asan/bin/qlvb-api build/asan/bin/qlvb-admin build/asan/bin/qlvb-notify build/asan/bin/unit-tests
	@ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    bash tests/run.sh build/asan/bin

# The push daemon's fault test at 10,000 notifications (make test runs it at 1,000).
soak: deps
	@$(MAKE) -s all $(BIN)/unit-tests
	@QLVB_TEST_MODULES=test_push QLVB_PUSH_N=10000 bash tests/run.sh $(BIN)

bench: deps
	@$(MAKE) -s all
	@bash tests/load/bench.sh

clean:
	rm -rf build bin
