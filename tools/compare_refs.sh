#!/usr/bin/env bash
# Behaviour-unchanged check between two git refs: runs the same runbook (prepare → splits → cv →
# run) and `score` (the run's bundle on the test CSV, re-extracting) in a clean worktree of each
# ref, then prints the sha256 of every artifact that must not change and whether the refs agree.
#
# usage: tools/compare_refs.sh REF_A REF_B OUT_DIR [runbook flags…]
#   e.g. tools/compare_refs.sh a97c65b HEAD /tmp/cmp --skip-drop-column --n-estimators 40
#        tools/compare_refs.sh 507ae66 HEAD /tmp/cmp-dev --skip-drop-column \
#          --ellipse-train-path ../shared/ellipse/ELLIPSE_dev_train.csv \
#          --ellipse-test-path ../shared/ellipse/ELLIPSE_dev_test.csv
# Exit 0 when every compared file is byte-identical, 1 otherwise. Needs Deno and git.
# COMPARE_ONLY=1 only hashes and compares the runs already in OUT_DIR.
set -euo pipefail
if [[ $# -lt 3 || "$1" == "--help" || "$1" == "-h" ]]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
REF_A=$1 REF_B=$2 OUT=$(realpath -m "$3"); shift 3
REPO=$(git rev-parse --show-toplevel)
mkdir -p "$OUT"

run_ref() { # ref label [runbook flags…]
  local ref=$1 label=$2 tree="$OUT/tree-$2" out="$OUT/$2"
  shift 2
  rm -rf "$tree" "$out"; git -C "$REPO" worktree prune
  git -C "$REPO" worktree add -q --detach "$tree" "$ref"
  local abs=()
  for a in "$@"; do # make relative data paths absolute (the runs start in the worktree)
    if [[ -e "$REPO/$a" ]]; then abs+=("$(realpath "$REPO/$a")"); else abs+=("$a"); fi
  done
  (cd "$tree" && deno run -A lib/cli.ts runbook --run-name cmp --output-root "$out" \
    --experiment-log-path "$out/LOG.md" "${abs[@]}" >"$out.runbook.log" 2>&1)
  local run_dir test_csv
  mkdir -p "$out"
  run_dir=$(ls -d "$out"/*_cmp_run 2>/dev/null | head -1)
  test_csv=$(ls "$out"/*_cmp_prep/artifacts/datasets/*test_prepared.csv | head -1)
  (cd "$tree" && deno run -A lib/cli.ts score --model-dir "$run_dir" --input "$test_csv" \
    --run-name cmp_score --output-root "$out" --experiment-log-path "$out/LOG.md" \
    --output "$out/score_predictions.csv" >"$out.score.log" 2>&1)
  git -C "$REPO" worktree remove --force "$tree"
}

hashes() { # dir → "artifact sha256-prefix" lines, run directories named without their UTC stamp
  find "$1" -type f \( -name splits.json -o -name '*_prepared.csv' \
    -o -path '*cv_feature_store/*.bin' -o -path '*feature_store_test/*.bin' \
    -o -name cv_oof_predictions.csv -o -name predictions.csv -o -name score_predictions.csv \) |
    while read -r p; do
      rel=${p#"$1"/}
      echo "$(echo "$rel" | sed -E 's#^([0-9TZ:.-]+_)+##') $(sha256sum "$p" | cut -c1-16)"
    done | sort
}

if [[ "${COMPARE_ONLY:-0}" != 1 ]]; then # COMPARE_ONLY=1: hash the runs already in OUT_DIR
  run_ref "$REF_A" a "$@"
  run_ref "$REF_B" b "$@"
fi
hashes "$OUT/a" >"$OUT/a.sha"; hashes "$OUT/b" >"$OUT/b.sha"
echo "| file | $REF_A | $REF_B | same |"
echo "|---|---|---|---|"
status=0
join -a1 -a2 -e missing -o 0,1.2,2.2 "$OUT/a.sha" "$OUT/b.sha" | while read -r f x y; do
  same=yes; [[ "$x" == "$y" ]] || same=NO
  echo "| $f | $x… | $y… | $same |"
done | tee "$OUT/comparison.md"
grep -q "| NO |" "$OUT/comparison.md" && status=1
exit $status
