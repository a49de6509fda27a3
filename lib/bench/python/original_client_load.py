#!/usr/bin/python3
"""Load driver that fetches features from an offload server the way the user's ORIGINAL Python
client does (HEMMA_PROTOCOL.md §B.8.1): the missing items are cut into chunks of at most 64 items
and 900,000 estimated bytes, each chunk is one `POST /v1/extract` (compact JSON, non-ASCII raw,
a UUID4 `X-Correlation-ID`) sent with urllib on a thread pool of `extract_max_in_flight_requests`
(default 2), each answer is read with `zipfile` and `numpy.load(allow_pickle=False)` and its
`meta.json` checked, and all chunks must carry one `server_fingerprint`. No cache (every run is
cold), no retries (any failure aborts, as in the original).

Usage: original_client_load.py BASE_URL ESSAYS_JSON [--in-flight 2] [--feature-set combined]
  ESSAYS_JSON: {"texts": [...], "prompts": [...]}
Prints one JSON line: essays, chunks, seconds (wall), essays_per_second, cpu_seconds (this
client's own user + system CPU), fingerprint, handcrafted and embedding shapes.
"""
import argparse
import io
import json
import resource
import sys
import time
import urllib.request
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np

MAX_ITEMS = 64  # hard-coded in the original client (§B.8.1 step 4)
MAX_BYTES = 900_000
BASE_BYTES = 50  # compact JSON of {"texts":[],"prompts":[],"feature_set":"combined"}


def json_len(s):
    return len(json.dumps(s, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def chunks(texts, prompts):
    out, cur, size = [], [], BASE_BYTES
    for i, (t, p) in enumerate(zip(texts, prompts)):
        item = json_len(t) + json_len(p) + 2
        if BASE_BYTES + item > MAX_BYTES:
            raise SystemExit(f"Single item too large for extract offload request (item {i})")
        if cur and (len(cur) >= MAX_ITEMS or size + item > MAX_BYTES):
            out.append(cur)
            cur, size = [], BASE_BYTES
        cur.append(i)
        size += item
    if cur:
        out.append(cur)
    return out


def fetch(base, texts, prompts, feature_set, timeout_s):
    body = json.dumps({"texts": texts, "prompts": prompts, "feature_set": feature_set},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    req = urllib.request.Request(base + "/v1/extract", data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Correlation-ID": str(uuid.uuid4())})
    with urllib.request.urlopen(req, timeout=timeout_s) as res:
        if res.status != 200:
            raise RuntimeError(f"Extract offload returned non-200 response status={res.status}")
        data = res.read()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        meta = json.loads(zf.read("meta.json"))
        for key in ("schema_version", "server_fingerprint", "embedding", "feature_schema"):
            if key not in meta:
                raise RuntimeError(f"meta.json has no {key}")
        names = zf.namelist()
        emb = (np.load(io.BytesIO(zf.read("embeddings.npy")), allow_pickle=False)
               .astype(np.float32) if "embeddings.npy" in names else None)
        hand = (np.load(io.BytesIO(zf.read("handcrafted.npy")), allow_pickle=False)
                .astype(np.float32) if "handcrafted.npy" in names else None)
    return meta, emb, hand


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("base_url")
    ap.add_argument("essays_json")
    ap.add_argument("--in-flight", type=int, default=2, help="extract_max_in_flight_requests (2)")
    ap.add_argument("--feature-set", default="combined")
    ap.add_argument("--timeout-s", type=float, default=600.0)
    a = ap.parse_args()
    essays = json.load(open(a.essays_json, encoding="utf-8"))
    texts, prompts = essays["texts"], essays["prompts"]
    parts = chunks(texts, prompts)
    base = a.base_url.rstrip("/")
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, a.in_flight)) as pool:
        answers = list(pool.map(lambda c: fetch(base, [texts[i] for i in c],
                                                [prompts[i] for i in c], a.feature_set,
                                                a.timeout_s), parts))
    seconds = time.perf_counter() - t0
    fingerprints = {m["server_fingerprint"] for m, _, _ in answers}
    if len(fingerprints) != 1:
        raise SystemExit(f"Offload server fingerprint changed within a single client fetch: "
                         f"{sorted(fingerprints)}")
    hand_rows = sum(h.shape[0] for _, _, h in answers if h is not None)
    emb_rows = sum(e.shape[0] for _, e, _ in answers if e is not None)
    want_hand = a.feature_set in ("handcrafted", "combined")
    want_emb = a.feature_set in ("embeddings", "combined")
    if (want_hand and hand_rows != len(texts)) or (want_emb and emb_rows != len(texts)):
        raise SystemExit(f"row counts {hand_rows}/{emb_rows} != {len(texts)} essays")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    first = answers[0]
    print(json.dumps({
        "essays": len(texts),
        "chunks": len(parts),
        "in_flight": a.in_flight,
        "seconds": seconds,
        "essays_per_second": len(texts) / seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "fingerprint": next(iter(fingerprints)),
        "handcrafted_width": None if first[2] is None else int(first[2].shape[1]),
        "embedding_dim": None if first[1] is None else int(first[1].shape[1]),
    }))


if __name__ == "__main__":
    sys.exit(main())
