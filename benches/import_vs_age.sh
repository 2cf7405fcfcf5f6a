#!/usr/bin/env bash
# Import benchmark: `avis import` against the reference `age -d` on the same
# bundle, in one run, reported as ratios (machines here are shared and noisy).
#
# Usage: benches/import_vs_age.sh [REQUESTS] [DOCS_PER_REQUEST] [DOC_SIZE] [RUNS]
# Default: 1000 requests, 1 document of 500,000 bytes each (~500 MB), 7 runs.
# Needs: age, /usr/bin/time (Debian package `time`).
#
# The store is created with a low scrypt work factor (test-only setting) so
# that the passphrase KDF, which the target excludes, does not weigh.
# Each run times `age -d` then the import, back to back; the headline is the
# median of these paired ratios (robust to load that drifts during the
# measurement), the ratio of the best times is printed too.
# Besides wall-clock times, the script reports the CPU
# time (user + system) of each side: on a shared machine the import, which
# spreads over both cores, suffers more from other load than the
# single-threaded `age -d`, and the CPU ratio says how much work it does.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-1000}
docs=${2:-1}
size=${3:-500000}
runs=${4:-7}

for tool in age /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "manque : $tool (apt-get install age time)"; exit 1; }
done

cargo build --release --quiet --bin avis --example generate_bundle
avis=target/release/avis
work=$(mktemp -d "${TMPDIR:-/tmp}/avis-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf 'banc-d-essai-seulement\n' > "$work/pass"
export AVIS_PASSPHRASE_FILE="$work/pass" AVIS_TEST_KDF_LOG_N=10

# One doctor's store, initialised once; every run imports into a fresh copy.
AVIS_STORE="$work/pristine" "$avis" init --name "Dr Banc d'essai" >/dev/null 2>&1
recipient=$(AVIS_STORE="$work/pristine" "$avis" keys show --json | sed -n 's/.*"age_recipient": *"\([^"]*\)".*/\1/p')
target/release/examples/generate_bundle "$work/gen" "$requests" "$docs" "$size" "$recipient" 2>/dev/null
AVIS_STORE="$work/pristine" "$avis" trust add "$work/gen/rectorat.pub" --name "Rectorat synthétique" >/dev/null 2>&1
new_store() {
  rm -rf "$work/store"
  cp -a "$work/pristine" "$work/store"
}
bundle="$work/gen/bundle.avis"
bytes=$(stat -c %s "$bundle")

# Warm the page cache once so both sides read from memory.
cat "$bundle" >/dev/null

ratios=""; best_age=""; best_import=""; peak_import=0; store_bytes=0; cpu_age=""; cpu_import=""
for run in $(seq "$runs"); do
  /usr/bin/time -o "$work/time" -f '%e %M %U %S' age -d -i "$work/gen/reference.agekey" -o /dev/null "$bundle"
  read -r a _ au as < "$work/time"
  new_store
  AVIS_STORE="$work/store" /usr/bin/time -o "$work/time" -f '%e %M %U %S' "$avis" import "$bundle" >/dev/null 2>&1
  read -r i m iu is < "$work/time"
  ac=$(echo "$au + $as" | bc -l); ic=$(echo "$iu + $is" | bc -l)
  if [ -z "$cpu_age" ] || [ "$(echo "$ac < $cpu_age" | bc -l)" = 1 ]; then cpu_age=$ac; fi
  if [ -z "$cpu_import" ] || [ "$(echo "$ic < $cpu_import" | bc -l)" = 1 ]; then cpu_import=$ic; fi
  if [ -z "$best_age" ] || [ "$(echo "$a < $best_age" | bc -l)" = 1 ]; then best_age=$a; fi
  if [ -z "$best_import" ] || [ "$(echo "$i < $best_import" | bc -l)" = 1 ]; then best_import=$i; fi
  if [ "$m" -gt "$peak_import" ]; then peak_import=$m; fi
  store_bytes=$(du -sb "$work/store" | cut -f1)
  ratio=$(echo "scale=3; $i / $a" | bc -l)
  ratios="$ratios $ratio"
  echo "essai $run : age -d ${a}s (CPU ${ac}s), avis import ${i}s (CPU ${ic}s), rapport $ratio, mémoire max ${m} KiB"
done
# The median of the per-trial ratios: each import is paired with the
# `age -d` run just before it, under the same load.
median=$(printf '%s\n' $ratios | sort -n | awk '{r[NR]=$1} END {if (NR % 2) print r[(NR+1)/2]; else printf "%.3f\n", (r[NR/2]+r[NR/2+1])/2}')

count=$(AVIS_STORE="$work/store" "$avis" list --json | grep -o '"id"' | wc -l)
echo
echo "lot : $requests demandes, $((bytes / 1000000)) Mo ; importées : $count"
echo "meilleur temps : age -d ${best_age}s, avis import ${best_import}s"
echo "rapport import / age -d, médiane des essais appariés : $median (cible ≤ 1,5)"
echo "rapport des meilleurs temps : $(echo "scale=2; $best_import / $best_age" | bc -l)"
echo "temps CPU : age -d ${cpu_age}s, avis import ${cpu_import}s (rapport $(echo "scale=2; $cpu_import / $cpu_age" | bc -l))"
echo "charge de la machine pendant la mesure : $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo inconnue)"
echo "mémoire max de l'import : $((peak_import / 1024)) Mio (cible ≤ 64)"
echo "taille du magasin / taille du lot : $(echo "scale=2; $store_bytes / $bytes" | bc -l) (cible ≤ 1,2)"
