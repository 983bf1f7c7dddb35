# checkoutkit — every target installs what it needs from go.mod; only Go must be on the machine.
GO      ?= go
OUT     ?= out
PKGS    := ./...
BENCHTIME ?= 2s

.PHONY: all build run test test-short vet fmt-check bench lint-spec clean

all: build

build:
	$(GO) build -o bin/checkoutkit ./cmd/checkoutkit

## run: the main job against the embedded mock — contract suites, then a short load run; reports in $(OUT)/.
run:
	$(GO) run ./cmd/checkoutkit contract --out $(OUT)
	$(GO) run ./cmd/checkoutkit load --duration 5s --rate 50 --out $(OUT)

## test: everything CI checks — formatting, vet, the contract lint, and every test with the race detector.
test: fmt-check vet lint-spec
	$(GO) test -race -count=1 $(PKGS)

test-short:
	$(GO) test -count=1 $(PKGS)

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

lint-spec:
	$(GO) run ./cmd/checkoutkit spec lint

## bench: the benchmarks, each beside its baseline in the same run.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS)

clean:
	rm -rf bin $(OUT)
