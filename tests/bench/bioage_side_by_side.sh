#!/usr/bin/env bash
# Side by side: the BioAge R package's clocks (Kwon & Belsky 2021) and `bioforge run age
# clocks` on the same NHANES tables (shared/fixtures/age: projected on nhanes4_cohort.csv,
# 55,081 adults; KDM trained on nhanes3_cohort.csv), timed in interleaved rounds (median),
# then the two outputs compared person by person (joined on sample_id).
#
# usage: tests/bench/bioage_side_by_side.sh [BIOAGE_SNAPSHOT_DIR] [rounds=3]
#   BIOAGE_DIR     the snapshot, if not given as argument: a plain checkout of
#                  github.com/dayoonkwon/BioAge (its R/ and data/ are used in place)
#   AGE_FIXTURES   default ../shared/fixtures/age beside the repository
#   BIOFORGE       default build/bin/bioforge;  BENCH_DIR  default /tmp/bioforge-bioage-bench
# Never fails for a missing prerequisite: it prints "skipped: ..." and exits 0.
#
# What is called (the fixtures README's calls; markers = the nine PhenoAge ones, `kdm_blood`,
# since the cohort tables have no FEV1):
#   phenoage_calc(NHANES4, pa9, fit = <stored Modified-Levine fit>, orig = TRUE)$phenoage0
#     (published coefficients; a fit is passed so that flexsurv is never needed)
#   kdm_nhanes(pa9) with NHANES3/NHANES4 = the two cohort tables (per sex, ages 30-75, not pregnant)
#   hd_calc(NHANES4 of each sex, reference of that sex, pa9), the reference being hd_nhanes()'s own
#     young healthy selection of the snapshot's NHANES3.rda, written once (untimed) to hd_reference.csv
# Ours always computes published PhenoAge, so each of its runs is compared with phenoage_calc
# plus the BioAge call(s) for the clocks it adds:
#   phenoage: --table T                              kdm: + --kdm_reference NHANES3 --kdm_markers kdm_blood
#   hd:       + --hd_reference hd_reference.csv      all: both
# Ours is timed as a whole process (start, read, train, compute, write clocks.csv and the rest);
# BioAge's steps are timed inside R (R's start and package loading excluded).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/tests/bench"
snap="${1:-${BIOAGE_DIR:-}}"
rounds="${2:-3}"
fx="${AGE_FIXTURES:-$root/../shared/fixtures/age}"
bioforge="${BIOFORGE:-$root/build/bin/bioforge}"
work="${BENCH_DIR:-/tmp/bioforge-bioage-bench}"
skip() { echo "skipped: $*"; exit 0; }

[ -n "$snap" ] || skip "no BioAge snapshot: pass its directory (a checkout of github.com/dayoonkwon/BioAge) as argument 1 or BIOAGE_DIR"
for f in R/phenoage_calc.R R/kdm_calc.R R/kdm_nhanes.R R/hd_calc.R R/hd_nhanes.R data/NHANES3.rda; do
  [ -f "$snap/$f" ] || skip "$snap is not a BioAge snapshot (no $f)"
done
command -v Rscript >/dev/null 2>&1 || skip "R not found; on Debian 12: apt-get install --no-install-recommends r-base-core r-cran-dplyr r-cran-survey"
missing=$(Rscript -e 'p <- c("dplyr", "survey", "survival"); cat(p[!vapply(p, requireNamespace, TRUE, quietly = TRUE)])' 2>/dev/null) ||
  skip "Rscript does not run"
[ -z "$missing" ] || skip "R packages missing: $missing; on Debian 12: apt-get install --no-install-recommends $(printf 'r-cran-%s ' $missing)"
for f in nhanes3_cohort.csv nhanes4_cohort.csv phenoage_retrained_params_nhanes3.csv bioage_nhanes4_shared200.csv; do
  [ -f "$fx/$f" ] || skip "no $fx/$f (set AGE_FIXTURES)"
done
[ -x "$bioforge" ] || skip "no $bioforge (build first or set BIOFORGE)"

rm -rf "$work" && mkdir -p "$work/home" || exit 1
# our program writes its runs under the home folder: keep them in the bench folder
export HOME="$work/home" XDG_DATA_HOME="$work/home/data" XDG_CONFIG_HOME="$work/home/config"
R="$here/bioage_side_by_side.R"
echo "machine: $(nproc) cores, $(uname -m); $(Rscript --version 2>&1 | head -1); BioAge $(awk '/^Version/{print $2}' "$snap/DESCRIPTION") from $snap"
Rscript "$R" prep "$snap" "$fx" "$work" || { echo "error: BioAge HD reference selection failed" >&2; exit 1; }

now() { date +%s.%N; }
ours() { # config table [options] -> appends the seconds to ours_times.tsv; the run folder to ours_run_<config>
  local cfg="$1" table="$2"; shift 2
  local t0 t1 err="$work/ours_$cfg.err"
  t0=$(now)
  "$bioforge" run age clocks --table "$table" --map nhanes-bioage "$@" >/dev/null 2>"$err" ||
    { echo "error: bioforge ($cfg) failed:" >&2; tail -5 "$err" >&2; exit 1; }
  t1=$(now)
  echo "$cfg $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b - a}')" >> "$work/ours_times.tsv"
  sed -n 's/.* started in //p' "$err" | tail -1 > "$work/ours_run_$cfg"
}
echo "config seconds" > "$work/ours_times.tsv"
t4="$fx/nhanes4_cohort.csv"
for r in $(seq "$rounds"); do
  echo "round $r/$rounds"
  Rscript "$R" time "$snap" "$fx" "$work" || { echo "error: BioAge round failed" >&2; exit 1; }
  ours fixed "$fx/bioage_nhanes4_shared200.csv" # 200 rows: what a run costs whatever the table
  ours phenoage "$t4"
  ours kdm "$t4" --kdm_reference "$fx/nhanes3_cohort.csv" --kdm_markers kdm_blood
  ours hd "$t4" --hd_reference "$work/hd_reference.csv"
  ours all "$t4" --kdm_reference "$fx/nhanes3_cohort.csv" --kdm_markers kdm_blood --hd_reference "$work/hd_reference.csv"
done
clocks="$(cat "$work/ours_run_all")/clocks.csv"
[ -f "$clocks" ] || { echo "error: no clocks.csv in our last run ($clocks)" >&2; exit 1; }
Rscript "$R" report "$snap" "$fx" "$work" "$clocks"
echo
echo "files: $work (bioage_times.tsv, ours_times.tsv, bioage_clocks.csv, hd_reference.csv; our runs under home/)"
