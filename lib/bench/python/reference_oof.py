#!/usr/bin/python3
"""Per-essay out-of-fold predictions of the Python reference, for paired intervals.

Usage:
  /usr/bin/python3 lib/bench/python/reference_oof.py --reference ../shared/reference/python_reference.py
      --train TRAIN.csv --test TEST.csv --splits-json splits.json --scheme stratified_text
      --model stack --seed 42 --out oof.csv

Imports the reference script as a module (never copied into the project) and runs exactly its
protocol (its loading and filters, its 22 features, its model classes, the folds of
--splits-json), but writes each validated essay's raw out-of-fold prediction instead of only the
per-fold QWK: CSV columns id, prompt, fold, overall_true, prediction_raw. Progress to stderr.
Exit status 2 on bad input (the reference's InputError).
"""
import argparse
import csv
import importlib.util
import os
import sys


def load_reference(path):
    spec = importlib.util.spec_from_file_location("python_reference", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reference", required=True, help="path of python_reference.py")
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--splits-json", required=True)
    ap.add_argument("--scheme", default="stratified_text")
    ap.add_argument("--model", default="stack")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    ref = load_reference(a.reference)
    try:
        words_ok = ref.load_wordlist()
        tr, _ = ref.load(a.train, False)
        folds, _, _ = ref.splits_folds(a.splits_json, a.scheme, tr)
    except ref.InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    texts = tr["full_text"].to_numpy(object)
    y = tr["Overall"].to_numpy(float)
    feats = ref.feature_matrix(texts, words_ok)
    ids = tr["text_id_kaggle"].tolist()
    prompts = tr["prompt"].tolist()
    rows = []
    for f, (tri, vai) in enumerate(folds):
        m = ref.MODELS[a.model](a.seed).fit(texts[tri], feats[tri], y[tri])
        pv = m.predict(texts[vai], feats[vai])
        ref.log(f"[{a.model} seed {a.seed}] fold {f}: QWK {ref.qwk(y[vai], pv):.4f}")
        rows += [(ids[i], prompts[i], f, y[i], float(p)) for i, p in zip(vai, pv)]
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "prompt", "fold", "overall_true", "prediction_raw"])
        for r in rows:
            w.writerow([r[0], r[1], r[2], repr(float(r[3])), repr(r[4])])
    os.replace(tmp, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
