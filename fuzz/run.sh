#!/usr/bin/env bash
# Runs every fuzz target in turn for SECONDS each (default 900: one hour in
# all), on the seeded corpora. Needs cargo-fuzz (`cargo install cargo-fuzz`);
# on a stable toolchain RUSTC_BOOTSTRAP=1 lets it use the sanitizer flags.
# A crash stops the run and leaves its input in fuzz/artifacts/<target>/:
# turn it into a regression test (tests/bundle_reject.rs or a unit test).
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-900}
[ -d corpus ] || ./seed.sh
export RUSTC_BOOTSTRAP=1
for target in bundle_plaintext bundle_signed_manifest bundle_encrypted opinion_json pieces_pdf; do
  echo "== $target : ${seconds} s"
  cargo fuzz run -O "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=1024 -max_len=1048576 -print_final_stats=1
done
