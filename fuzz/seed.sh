#!/usr/bin/env bash
# Seeds the fuzz corpora from the fixtures (fuzz/corpus/<target>/).
set -euo pipefail
cd "$(dirname "$0")"
root=..
for t in bundle_plaintext bundle_signed_manifest bundle_encrypted opinion_json pieces_pdf; do
  mkdir -p "corpus/$t"
done
cp "$root"/fixtures/demo.avis "$root"/fixtures/demo-update.avis corpus/bundle_encrypted/
age -d -i "$root"/keys/demo-doctor.agekey "$root"/fixtures/demo-update.avis > corpus/bundle_plaintext/demo-update.tar
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -x -C "$work" -f corpus/bundle_plaintext/demo-update.tar
for r in "$work"/requests/*.json; do
  # split byte 200: most of the input is the manifest.
  { printf '\310'; cat "$work/manifest.json" "$r"; } > "corpus/bundle_signed_manifest/$(basename "$r")"
done
for f in "$root"/fixtures/opinions/*.json; do cp "$f" "corpus/opinion_json/opinion-$(basename "$f")"; done
for f in "$root"/fixtures/requests/*.json; do cp "$f" "corpus/opinion_json/request-$(basename "$f")"; done
cp "$root"/tests/data/real/*.pdf corpus/pieces_pdf/
echo "corpus prêts : $(find corpus -type f | wc -l) fichiers"
