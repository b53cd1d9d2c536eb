#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what the tests need, checks
# formatting and lints, then runs every test, the real-Kamailio interop tests included.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings

echo "== cargo test"
# Every failing test binary is reported, not only the first.
cargo test --all-targets --locked --no-fail-fast
cargo test --doc --locked
