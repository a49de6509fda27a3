"""Time release builds of gradient-boosting libraries on one matrix (for `deno task bench model`).

Usage: python gbm_release_timing.py DIR
DIR holds X.f64 (row-major float64, little-endian), y.f64 and params.json
({rows, cols, rounds, learningRate, maxDepth, minChildWeight, lambdaL2, subsample,
colsampleByTree, maxBins, repeats, threads: [..], seed}). Prints one JSON object to stdout:
{"versions": {...}, "timings": [{"name", "library", "threads", "seconds": [...],
"cpuSeconds": [...]}], "skipped": {library: reason}}.

Each timed region is fit + predict on the training matrix, dataset construction (binning)
included, process start and file reading excluded; CPU = time.process_time() (all threads).
"""
import json
import os
import sys
import time

import numpy as np


def timed(fn, repeats):
    wall, cpu = [], []
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def lightgbm_runs(X, y, p):
    import lightgbm as lgb

    def run(threads):
        params = dict(objective="regression", learning_rate=p["learningRate"],
                      max_depth=p["maxDepth"], num_leaves=2 ** p["maxDepth"],
                      min_sum_hessian_in_leaf=p["minChildWeight"], min_data_in_leaf=1,
                      lambda_l2=p["lambdaL2"], bagging_fraction=p["subsample"], bagging_freq=1,
                      feature_fraction=p["colsampleByTree"], max_bin=p["maxBins"],
                      num_threads=threads, seed=p["seed"], verbose=-1, force_col_wise=True)

        def fit():
            ds = lgb.Dataset(X, label=y, params={"max_bin": p["maxBins"], "verbose": -1})
            b = lgb.train(params, ds, num_boost_round=p["rounds"])
            b.predict(X, num_threads=threads)
        return fit
    return lgb.__version__, run


def xgboost_runs(X, y, p):
    import xgboost as xgb

    def run(threads):
        params = dict(objective="reg:squarederror", tree_method="hist", eta=p["learningRate"],
                      max_depth=p["maxDepth"], min_child_weight=p["minChildWeight"],
                      reg_lambda=p["lambdaL2"], subsample=p["subsample"],
                      colsample_bytree=p["colsampleByTree"], max_bin=p["maxBins"],
                      nthread=threads, seed=p["seed"], verbosity=0)

        def fit():
            d = xgb.DMatrix(X, label=y, nthread=threads)
            b = xgb.train(params, d, num_boost_round=p["rounds"])
            b.predict(d)
        return fit
    return xgb.__version__, run


def hgbr_runs(X, y, p):
    import sklearn
    from sklearn.ensemble import HistGradientBoostingRegressor
    from threadpoolctl import threadpool_limits

    def run(threads):
        def fit():
            with threadpool_limits(limits=threads, user_api="openmp"):
                m = HistGradientBoostingRegressor(
                    learning_rate=p["learningRate"], max_iter=p["rounds"],
                    max_depth=p["maxDepth"], max_leaf_nodes=2 ** p["maxDepth"],
                    min_samples_leaf=1, l2_regularization=p["lambdaL2"],
                    max_bins=p["maxBins"], early_stopping=False, random_state=p["seed"])
                m.fit(X, y)
                m.predict(X)
        return fit
    return sklearn.__version__, run


LIBRARIES = {"lightgbm": lightgbm_runs, "xgboost": xgboost_runs,
             "scikit-learn HistGradientBoostingRegressor": hgbr_runs}


def main(directory):
    with open(os.path.join(directory, "params.json"), encoding="utf-8") as f:
        p = json.load(f)
    X = np.fromfile(os.path.join(directory, "X.f64"), dtype="<f8").reshape(p["rows"], p["cols"])
    y = np.fromfile(os.path.join(directory, "y.f64"), dtype="<f8")
    out = {"versions": {"python": sys.version.split()[0], "numpy": np.__version__},
           "timings": [], "skipped": {}}
    for name, make in LIBRARIES.items():
        try:
            version, run = make(X, y, p)
        except ImportError as e:
            out["skipped"][name] = f"not importable: {e}"
            continue
        out["versions"][name] = version
        for threads in p["threads"]:
            fn = run(threads)
            fn()  # warm-up (imports, JIT-free but first-call allocations)
            wall, cpu = timed(fn, p["repeats"])
            out["timings"].append({"name": name, "library": name, "version": version,
                                   "threads": threads, "seconds": wall, "cpuSeconds": cpu})
            print(f"{name} {version} threads={threads}: wall {min(wall):.2f} s, "
                  f"cpu {min(cpu):.2f} s", file=sys.stderr, flush=True)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
