#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine:
# Debian packages (Prometheus, Alertmanager, promtool, amtool, docker-compose, chromium),
# the npm dependencies, and the Go modules of the fixture programs.
# Idempotent: installed pieces are skipped. Run as root or with sudo available.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
command -v prometheus >/dev/null || need_apt+=(prometheus)
command -v promtool >/dev/null || need_apt+=(prometheus)
command -v prometheus-alertmanager >/dev/null || need_apt+=(prometheus-alertmanager)
command -v docker-compose >/dev/null || need_apt+=(docker-compose)
# Headless browser of the web UI tests (test/e2e/web-ui.test.ts), driven by playwright-core.
command -v chromium >/dev/null || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need_apt[@]}" | sort -u) >/dev/null
fi

command -v go >/dev/null || { echo "install-test-deps: Go (1.26) is required and not on PATH" >&2; exit 1; }

npm ci --no-audit --no-fund

# Go modules of the fixture programs the tests build (the Kitex ones only for
# the end-to-end test). kitex-old needs Go 1.19 and is only rebuilt by its
# capture script, never by the tests. The other fixture modules (kitex-codecs,
# kitex-codecs-old, kitex-codecs-v07, kitex-codecs-v010, kitex-v07, kitex-v010, kitex-v013,
# kitex-stream, shapes, shapes-kitex, goroutine, libleaks) are only built by their
# capture scripts, which download what they need; the tests read their profiles.
for dir in test/fixtures/go/grower test/fixtures/go/scenarios test/fixtures/go/parity test/fixtures/go/pprofdump test/fixtures/kitex test/fixtures/go/push-pyroscope-go test/fixtures/go/push-connect; do
  (cd "$dir" && go mod download)
done
# The push clients (test/e2e/push-clients.test.ts): the Connect one links gRPC and
# protobuf through github.com/grafana/pyroscope/api, a few minutes to compile
# on a cold cache; built here once (same flags as the test) so the test builds from cache.
for dir in test/fixtures/go/push-pyroscope-go test/fixtures/go/push-connect; do
  (cd "$dir" && go build -trimpath -o /dev/null .)
done
# The Grafana schema checker of the generated dashboards and alert rules
# (test/dashboards.test.ts, test/alert-rules.test.ts).
(cd test/fixtures/go/dashcheck && go mod download)
# Every other Go program the tests build (test/helpers/go-service.ts:
# buildGoFixture), compiled once here with the tests' flags so that their
# cold compiles (the foundation SDK's and Kitex's take about a minute each on
# 2 cores) are part of installing, not of `npm test`'s time. The tests still
# build each one themselves, from this cache.
for fixture in go/dashcheck:. go/grower:. go/pprofdump:. go/scenarios:. goroutine:./cmd/goleak kitex:./cmd/kitexleak; do
  (cd "test/fixtures/${fixture%%:*}" && go build -trimpath -o /dev/null "${fixture#*:}")
done
