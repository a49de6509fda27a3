import assert from "node:assert/strict";
import { join } from "node:path";
import { runCliCaptured } from "./cli_capture.ts";
import { runDir, writeAsapLikeFixture } from "./asap_like_fixture.ts";

const json = async (path: string) => JSON.parse(await Deno.readTextFile(path));
const fixed = (xs: readonly number[]) => xs.map((x) => x.toFixed(6));
const HEADLINE = "mean per-prompt QWK (Fisher z)";

// prepare → make-splits → cv (handcrafted store), then a 2-variant sweep and a small ablation on
// that store: ranked on each fold's mean per-prompt QWK (Fisher z), compared with #0 and
// confirmed by the per-prompt paired bootstrap; flags it does not support are refused by name.
Deno.test({
  name: "per-prompt scales: sweep and ablation rank on the per-fold headline, confirm per prompt",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "per_prompt_sweep_" });
    try {
      const out = join(root, "out");
      const common = ["--output-root", out, "--experiment-log-path", join(root, "LOG.md")];
      const cheap = ["--checker", "local", "--n-estimators", "40"];
      const ok = async (args: string[]) => {
        const r = await runCliCaptured([...args, ...common]);
        assert.equal(r.code, 0, r.out);
        return r.out;
      };
      await ok([
        "prepare-dataset",
        "--dataset",
        (await writeAsapLikeFixture(root)).manifest,
        "--run-name",
        "prep",
      ]);
      const manifest = join(
        await runDir(out, "_prep"),
        "artifacts/datasets/asap_like_prepared_manifest.json",
      );
      await ok(["make-splits", "--dataset", manifest, "--run-name", "splits"]);
      const splits = join(await runDir(out, "_splits"), "artifacts/splits.json");
      const data = ["--dataset", manifest, "--splits-path", splits, ...cheap];
      const combined = [...data, "--feature-set", "combined"];
      const handcrafted = [...data, "--feature-set", "handcrafted"];
      // one combined store (the ablation's base feature set) serves every variant
      await ok(["cv", ...combined, "--run-name", "cv"]);
      const cvDir = await runDir(out, "_cv");
      const cvMetrics = await json(join(cvDir, "artifacts/cv_metrics.json"));
      const store = ["--reuse-cv-feature-store-dir", join(cvDir, "cv_feature_store")];

      // refused by name before anything is written
      for (const [flag, value] of [["--gate", "gate.json"], ["--objective", "worst_prompt_qwk"]]) {
        const r = await runCliCaptured(["ablation", ...handcrafted, flag, value, ...common]);
        assert.equal(r.code, 2, r.out);
        assert.match(r.out, new RegExp(`${flag}[^:]*: not supported on per-prompt scales`));
      }
      await assert.rejects(Deno.stat(join(out, "ablations")), Deno.errors.NotFound);

      // ablation on all folds (combined, handcrafted, embeddings, combined without two
      // columns): #0 is the cv run above, so its ranking figures are cv's per-fold headlines
      await ok([
        "ablation",
        ...handcrafted,
        ...store,
        "--exclude-groups",
        "word_count|ttr",
        "--confirm-fold",
        "none",
        "--resamples",
        "1000",
        "--run-name",
        "abl",
      ]);
      const abl = await json(join(out, "ablations", "abl", "sweep_summary.json"));
      assert.match(abl.ranking_metric, /^mean per-prompt QWK \(Fisher z\), mean over/);
      assert.deepEqual(abl.variants.map((v: { index: number }) => v.index).sort(), [0, 1, 2, 3]);
      const base = abl.variants.find((v: { index: number }) => v.index === 0);
      assert.deepEqual(
        fixed(base.fold_mean_per_prompt_qwk_fisher_z),
        fixed(
          cvMetrics.per_fold.map((f: { mean_per_prompt_qwk_fisher_z: number }) =>
            f.mean_per_prompt_qwk_fisher_z
          ),
        ),
      );
      assert.equal(
        base.mean_per_prompt_qwk_fisher_z.toFixed(6),
        cvMetrics.per_fold_mean_std.mean.toFixed(6),
      );
      assert.equal(base.vs_first, null);
      assert.equal(abl.confirmation, null);
      for (let k = 1; k < abl.variants.length; k++) {
        assert.ok(abl.variants[k - 1].objective >= abl.variants[k].objective);
      }
      for (const v of abl.variants.filter((v: { index: number }) => v.index > 0)) {
        assert.equal(v.vs_first.statistic, HEADLINE);
        assert.equal(v.vs_first.level, 1 - 0.05 / 3); // Bonferroni over 3 comparisons
        assert.deepEqual(v.vs_first.prompts.map((p: { prompt: string }) => p.prompt), [
          "p1",
          "p2",
          "p3",
        ]);
      }
      const ablMd = await Deno.readTextFile(join(out, "ablations", "abl", "sweep_summary.md"));
      assert.match(ablMd, /variants ranked by the mean per-prompt QWK \(Fisher z\), mean over/);
      assert.match(ablMd, /essays with replacement within each prompt/);
      assert.doesNotMatch(ablMd, /\| gate \||high-band|cluster bootstrap/);

      // sweep of 2 variants (embeddings alone as the base, combined), the last fold held back:
      // the winner is confirmed on it by the per-prompt paired comparison
      const space = join(root, "space.json");
      await Deno.writeTextFile(space, JSON.stringify({ parameters: { featureSet: ["combined"] } }));
      const sw = await ok([
        "sweep",
        ...data,
        "--feature-set",
        "embeddings",
        ...store,
        "--space",
        space,
        "--resamples",
        "1000",
        "--run-name",
        "sw",
      ]);
      assert.match(sw, /best: #1 featureSet=combined \(selection mean per-prompt QWK \(Fisher z\)/);
      assert.match(sw, /confirmed on held-back fold 4: mean per-prompt QWK \(Fisher z\) 0\.\d{4}/);
      const summary = await json(join(out, "sweeps", "sw", "sweep_summary.json"));
      assert.equal(summary.variants.length, 2);
      for (const v of summary.variants) {
        // fold 4 held back: the ranking saw folds 0–3, each the variant's own cv per-fold figure
        assert.equal(v.fold_mean_per_prompt_qwk_fisher_z.length, 4);
        const own = await json(join(v.run_dir, "artifacts/cv_metrics.json"));
        assert.deepEqual(
          fixed(v.fold_mean_per_prompt_qwk_fisher_z),
          fixed(
            own.per_fold.map((f: { mean_per_prompt_qwk_fisher_z: number }) =>
              f.mean_per_prompt_qwk_fisher_z
            ),
          ),
        );
      }
      const c = summary.confirmation;
      assert.equal(c.fold, 4);
      assert.equal(c.winner.index, 1);
      assert.equal(c.winner.selectionQwk, summary.variants[0].mean_per_prompt_qwk_fisher_z);
      assert.equal(typeof c.winner.confirmedQwk, "number");
      assert.equal(typeof c.baseline.confirmedQwk, "number");
      assert.equal(c.comparison.statistic, HEADLINE);
      assert.equal(c.comparison.level, 0.95); // one pre-specified comparison
      assert.equal(
        c.comparison.delta.toFixed(6),
        (c.winner.confirmedQwk - c.baseline.confirmedQwk).toFixed(6),
      );
      const md = await Deno.readTextFile(join(out, "sweeps", "sw", "sweep_summary.md"));
      assert.match(md, /## Confirmation on the held-back fold 4/);
      assert.match(md, /confirmed mean per-prompt QWK \(Fisher z\)/);
      const log = await Deno.readTextFile(join(root, "LOG.md"));
      assert.match(log, /ranked by: mean per-prompt QWK \(Fisher z\), mean over the selection/);
      assert.match(
        log,
        /selected vs baseline #0 \(selection folds, 95 % CI, Bonferroni over 1\): Δ 0\.\d{4} \[/,
      );
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
