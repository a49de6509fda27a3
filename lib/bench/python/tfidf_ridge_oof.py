#!/usr/bin/python3
"""TF-IDF ridge reference on given folds, for any corpus and score scale.

Usage:
  /usr/bin/python3 lib/bench/python/tfidf_ridge_oof.py --in request.json --out result.json

The request (written by lib/bench/quality_corpus.ts) holds the essays of the filtered train set
with their fold numbers (from the project's splits.json), the score scale and the options:

  {"essays": [{"id": "1", "text": "...", "score": 8, "fold": 0}, ...],
   "scale": {"min": 2, "max": 12, "step": 1},
   "alphas": [0.3, 1, 3, 10], "inner_folds": 5, "seed": 42}

For each fold k: fit on the essays of the other folds a pipeline of word 1-2-gram TF-IDF
(sublinear tf, min_df 2, fitted inside every fit, so never on the scored essays) and a ridge
regression on the score, with alpha chosen from `alphas` by an inner shuffled `inner_folds`-fold
CV (mean squared error) of the training part only; predict fold k. Each prediction is rounded to
the nearest level of the scale (halves up) and clipped to it; QWK is over all levels.

Writes JSON: versions, and per fold {fold, n_train, n_val, alpha, qwk}, and per essay
{id, fold, score, prediction_raw, prediction}. Exit status 2 on bad input.
"""
import argparse
import json
import math
import os
import platform
import sys

import numpy as np
import scipy
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import Ridge
from sklearn.metrics import cohen_kappa_score
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline


def scale_levels(scale):
    n = int(round((scale["max"] - scale["min"]) / scale["step"])) + 1
    return n


def to_level(scale, x):
    """Level index of a prediction: nearest level, halves up, clipped."""
    k = math.floor((x - scale["min"]) / scale["step"] + 0.5)
    return min(max(k, 0), scale_levels(scale) - 1)


def label_level(scale, y):
    return int(round((y - scale["min"]) / scale["step"]))


def fit_fold(texts, y, alphas, inner_folds, seed):
    pipe = Pipeline([
        ("tfidf", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)),
        ("ridge", Ridge()),
    ])
    search = GridSearchCV(
        pipe,
        {"ridge__alpha": list(alphas)},
        cv=KFold(n_splits=inner_folds, shuffle=True, random_state=seed),
        scoring="neg_mean_squared_error",
    )
    search.fit(texts, y)
    return search.best_estimator_, float(search.best_params_["ridge__alpha"])


def run(req):
    essays = req["essays"]
    scale = req["scale"]
    if not essays:
        raise ValueError("no essays")
    n_levels = scale_levels(scale)
    texts = np.array([e["text"] for e in essays], dtype=object)
    y = np.array([float(e["score"]) for e in essays])
    fold_of = np.array([int(e["fold"]) for e in essays])
    folds_out, preds = [], []
    for k in sorted(set(fold_of.tolist())):
        tr, va = np.where(fold_of != k)[0], np.where(fold_of == k)[0]
        model, alpha = fit_fold(texts[tr], y[tr], req["alphas"], req["inner_folds"], req["seed"])
        raw = model.predict(texts[va])
        lv_true = [label_level(scale, v) for v in y[va]]
        lv_pred = [to_level(scale, float(p)) for p in raw]
        qwk = cohen_kappa_score(lv_true, lv_pred, weights="quadratic", labels=list(range(n_levels)))
        folds_out.append({"fold": k, "n_train": int(len(tr)), "n_val": int(len(va)),
                          "alpha": alpha, "qwk": float(qwk)})
        print(f"fold {k}: alpha {alpha:g}, QWK {qwk:.4f} ({len(va)} essays)", file=sys.stderr)
        for i, p, lp in zip(va, raw, lv_pred):
            preds.append({"id": essays[i]["id"], "fold": k, "score": float(y[i]),
                          "prediction_raw": float(p),
                          "prediction": scale["min"] + lp * scale["step"]})
    return {
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "scipy": scipy.__version__, "sklearn": sklearn.__version__},
        "model": "word 1-2-gram TF-IDF (sublinear tf, min_df 2) + ridge, alpha by inner CV",
        "folds": folds_out,
        "predictions": preds,
    }


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--in", dest="inp", required=True, help="request JSON")
    ap.add_argument("--out", required=True, help="result JSON")
    a = ap.parse_args(argv)
    try:
        with open(a.inp, encoding="utf-8") as fh:
            req = json.load(fh)
        result = run(req)
    except (KeyError, ValueError, TypeError) as e:
        print(f"error: bad request {a.inp}: {e}", file=sys.stderr)
        return 2
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    os.replace(tmp, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
