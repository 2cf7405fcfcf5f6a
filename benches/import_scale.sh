#!/usr/bin/env bash
# Import at scale, in release: peak memory of `avis import` for a bundle of
# many small requests (default 99,998: the most one bundle may hold, the
# manifest and its signature being entries too), then the time of
# `avis list --json` on that store (first listing after the import, whose
# alert counts the import made, then a second one), then on a day when
# every count's horizon has passed (after the June 2027 exams: every
# request's checks evaluated again, then cached), and the memory of a
# second import of the same size into the filled store (100,000 requests
# and more).
#
# Usage: benches/import_scale.sh [REQUESTS]
# Needs: /usr/bin/time (Debian package `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-99998}
command -v /usr/bin/time >/dev/null || { echo "manque : /usr/bin/time (apt-get install time)"; exit 1; }

# The low scrypt factor below (AVIS_TEST_KDF_LOG_N) needs the test hooks.
cargo build --release --quiet --features test-hooks --bin avis --example generate_bundle
avis=target/release/avis
work=$(mktemp -d "${TMPDIR:-/tmp}/avis-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf 'banc-d-essai-seulement\n' > "$work/pass"
export AVIS_PASSPHRASE_FILE="$work/pass" AVIS_TEST_KDF_LOG_N=10 AVIS_STORE="$work/store"

"$avis" init --name "Dr Banc d'essai" >/dev/null 2>&1
recipient=$("$avis" keys show --json | sed -n 's/.*"age_recipient": *"\([^"]*\)".*/\1/p')
target/release/examples/generate_bundle "$work/gen" "$requests" 0 0 "$recipient" 2>/dev/null
"$avis" trust add "$work/gen/rectorat.pub" --name "Rectorat synthétique" >/dev/null 2>&1
bundle="$work/gen/bundle.avis"
bytes=$(stat -c %s "$bundle")

/usr/bin/time -o "$work/time" -f '%e %M' "$avis" import "$bundle" > "$work/out" 2>&1
read -r import_s import_kib < "$work/time"
store_bytes=$(du -sb "$work/store" | cut -f1)
/usr/bin/time -o "$work/time" -f '%e %M' "$avis" list --json > "$work/list.json" 2>/dev/null
read -r list1_s list1_kib < "$work/time"
/usr/bin/time -o "$work/time" -f '%e %M' "$avis" list --json > "$work/list.json" 2>/dev/null
read -r list2_s list2_kib < "$work/time"
count=$(grep -o '"id"' "$work/list.json" | wc -l)
/usr/bin/time -o "$work/time" -f '%e %M' "$avis" --date 2027-07-01 list --json > /dev/null 2>&1
read -r list3_s list3_kib < "$work/time"
/usr/bin/time -o "$work/time" -f '%e %M' "$avis" --date 2027-07-01 list --json > /dev/null 2>&1
read -r list4_s list4_kib < "$work/time"

echo "lot : $requests demandes, $((bytes / 1000000)) Mo ; magasin $((store_bytes / 1000000)) Mo ; listées : $count"
echo "import : ${import_s} s, mémoire max $((import_kib / 1024)) Mio"
echo "avis list --json : ${list1_s} s (premier après l'import, comptes faits par l'import), ${list2_s} s (le suivant) ; mémoire max $((list1_kib / 1024)) et $((list2_kib / 1024)) Mio"
echo "avis --date 2027-07-01 list --json : ${list3_s} s (tous les horizons passés, contrôles évalués), ${list4_s} s (comptes en cache) ; mémoire max $((list3_kib / 1024)) et $((list4_kib / 1024)) Mio"
echo "charge de la machine : $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo inconnue)"
