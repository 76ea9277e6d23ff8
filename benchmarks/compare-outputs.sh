#!/usr/bin/env bash
# Writes `scangate ingest --format json`, `scangate ingest` (table) and `scangate sarif` for every
# example, fixture and corpus report into OUTDIR, one file per report and command, plus the exit
# code. Run it with the binary before and after a change and `diff -r` the two directories: the
# output must stay byte-identical. The gate runs with a fixed --now, so a run after midnight
# compares too.
# usage: benchmarks/compare-outputs.sh SCANGATE_BINARY OUTDIR [EXTRA_REPORT...]
set -u
bin=$1 out=$2; shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
files=$(ls "$root"/fixtures/examples/* "$root"/fixtures/zap/* "$root"/fixtures/npm-audit/* \
  "$root"/fixtures/hostile/* "$root"/fixtures/reports/* "$root"/fixtures/sarif/* "$root"/fixtures/trivy/* \
  "$root"/../shared/corpus/{trivy,npm-audit,zap,sarif}/* 2>/dev/null) 
for f in $files "$@"; do
  [ -f "$f" ] || continue
  name=$(echo "${f#"$root"/}" | tr '/' '_')
  (cd "$root" && "$bin" ingest --format json "$f" >"$out/$name.json" 2>"$out/$name.json.err"; echo $? >"$out/$name.json.rc")
  (cd "$root" && "$bin" ingest "$f" >"$out/$name.table" 2>"$out/$name.table.err"; echo $? >"$out/$name.table.rc")
  (cd "$root" && "$bin" sarif "$f" >"$out/$name.sarif" 2>"$out/$name.sarif.err"; echo $? >"$out/$name.sarif.rc")
done
# All examples together (merging across tools).
(cd "$root" && "$bin" ingest --format json fixtures/examples >"$out/all-examples.json" 2>&1)
(cd "$root" && "$bin" sarif fixtures/examples >"$out/all-examples.sarif" 2>&1)
(cd "$root" && "$bin" gate fixtures/examples --policy policies/staging.yaml --now 2026-11-25 >"$out/all-examples.gate" 2>&1; echo $? >>"$out/all-examples.gate")
