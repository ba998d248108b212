# Slate's build. Every target that needs system packages runs scripts/setup.sh
# first, which installs only what is missing and takes well under a second when
# nothing is.
#
#   make run           build and open the studio (ARGS="project.slate" to open one)
#   make test          vet, staticcheck, gofmt check, then all tests with -race
#   make demo          render examples/demo.slate to out/demo.mp4
#   make screenshots   run the real GUI under Xvfb and save PNGs in out/screenshots/
#   make bench         run every benchmark once, the account server's grant load test,
#                      the render crash test with 100 kills and the quit loop
#   make quitloop      start and quit the real studio under Xvfb 50 times: no panic

SHELL := /bin/bash
# Go is usually on PATH; Debian machines set up by hand often have it only in
# /usr/local/go.
GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)

# staticcheck is installed into GOPATH/bin and called by its full path, so a
# different staticcheck elsewhere on PATH is never used.
STATICCHECK_VERSION := v0.8.2
GOPATH_BIN = $(firstword $(subst :, ,$(shell $(GO) env GOPATH)))/bin
STATICCHECK = $(GOPATH_BIN)/staticcheck

# Prerequisites are steps that run in order (set-up before build before run);
# go parallelises the work inside each step.
.NOTPARALLEL:

.PHONY: all setup setup-test build run test vet lint fmt-check demo screenshots bench quitloop clean

all: build

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --test

build: setup
	$(GO) build -o bin/slate ./cmd/slate
ifneq ($(wildcard cmd/slate-server),)
	$(GO) build -o bin/slate-server ./cmd/slate-server
endif

run: build
	./bin/slate $(ARGS)

# -race needs cgo, which the GUI needs anyway; GUI tests use fyne.io/fyne/v2/test
# and need no display.
test: setup-test vet lint fmt-check
	$(GO) test -race -count=1 -timeout 30m ./...

vet:
	$(GO) vet ./...

lint:
	@if ! "$(STATICCHECK)" -version 2>/dev/null | grep -qF '$(STATICCHECK_VERSION:v%=%)'; then \
		echo "installing staticcheck $(STATICCHECK_VERSION) into $(GOPATH_BIN)"; \
		GOBIN="$(GOPATH_BIN)" $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION); \
	fi
	"$(STATICCHECK)" ./...

# Files under testdata/ are inputs, not code, and may be unformatted on purpose.
fmt-check:
	@unformatted=$$(find . \( -name .git -o -name testdata -o -name vendor -o -path ./bin -o -path ./out \) -prune \
		-o -name '*.go' -print | xargs -r gofmt -l); \
	if [ -n "$$unformatted" ]; then \
		echo "these files are not gofmt-formatted (fix with gofmt -w):"; \
		echo "$$unformatted"; \
		exit 1; \
	fi

demo: build
	@mkdir -p out
	./bin/slate render examples/demo.slate -o out/demo.mp4

screenshots: setup-test build
	scripts/screenshots.sh

# Benchmarks report ratios against a baseline measured in the same run.
# grantload: the account server's grant decisions, open loop at 1,000/s over
# loopback, against GET /key at the same rate.
bench: setup-test
	$(GO) test -run '^$$' -bench . -benchtime 3x ./...
	SLATE_CRASH_KILLS=100 $(GO) test -count=1 -timeout 2h -run '^TestRenderCrashes$$' -v ./internal/cli
	bench/startup.sh
	$(GO) run ./bench/grantload -rate 1000 -duration 10s
	$(GO) run ./bench/tussync -size 500
	scripts/quitloop.sh

# The studio started and quit 50 times under Xvfb, by Ctrl+Q, its close
# button and SIGTERM, with the pointer moving over it (go test makes 6).
quitloop: setup-test
	GO=$(GO) scripts/quitloop.sh

clean:
	rm -rf bin out
