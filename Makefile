# The two commands of README.md: `go run . serve` and `make test`.

GO ?= go
# Debian packages of the real protocol peers the tests drive.
TEST_PEERS := perl:libnet-smpp-perl

ifeq ($(CI),true)
export SWITCHBOARD_TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
export SWITCHBOARD_TEST_NATS_URL ?= nats://127.0.0.1:4222
endif

.PHONY: test peers race bench build lint

build:
	$(GO) build -o bin/switchboard .

## test: install missing test peers when possible, then run every test.
test: peers
	$(GO) test -count=1 -timeout 25m ./...

## peers: install the Debian packages of the test peers when they are missing and we can.
peers:
	@./scripts/install-peers.sh

race: peers
	$(GO) test -race -count=1 -timeout 40m ./...

## bench: the HTTP benchmark of docs/PERFORMANCE.md.
bench: build
	./bench/http.sh

## lint: vet and staticcheck (not part of CI: it downloads the tool).
lint:
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@latest ./...
