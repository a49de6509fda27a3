/**
 * The confirmation step of `sweep` / `ablation`: every variant's cv runs with one fold held back
 * (`--held-back-fold`, default the scheme's last fold), so the ranking never sees that fold — not
 * as training data, not as a score. The winner and the baseline (#0) are then each fitted on all
 * the other folds and scored on the held-back fold, and the winner's **selection score** (mean
 * QWK over the selection folds) is reported beside its **confirmed score** (QWK on the held-back
 * fold) with a paired cluster-bootstrap CI of the confirmed difference against #0 (one
 * pre-specified comparison: 95 %).
 *
 * @module
 */
import { scaleOfConfig } from "../dataset/load_dataset.ts";
import { normalisedTextHash } from "../dataset/text_hash.ts";
import { crossValidate } from "../model/validation/cross_validation.ts";
import { markdownTable } from "../report/model_reports.ts";
import { type ScoreMetrics, scoreMetrics } from "../model/evaluation/metrics.ts";
import { comparePairedRuns, type PairedComparison } from "../model/evaluation/paired_comparison.ts";
import { bootstrapProtocolText } from "../report/comparison_report.ts";
import type { RunContext } from "../run/run_context.ts";
import { cvTrainingInputs, trainingOptionsFor } from "./model_inputs.ts";
import type { PlannedVariant, VariantOutcome } from "./sweep.ts";

/** One confirmed variant: its selection score and its score on the held-back fold. */
export interface ConfirmedVariant {
  readonly index: number;
  readonly label: string;
  /** Mean QWK over the selection folds (what the ranking saw). */
  readonly selectionQwk: number;
  readonly confirmed: ScoreMetrics;
  readonly confirmedCutpoints: ScoreMetrics | null;
}

/** The confirmation of a sweep's winner. */
export interface SweepConfirmation {
  readonly fold: number;
  readonly nEssays: number;
  readonly winner: ConfirmedVariant;
  readonly baseline: ConfirmedVariant;
  /** Winner − baseline on the held-back fold (null when the winner is the baseline). */
  readonly comparison: PairedComparison | null;
}

/**
 * Held-back-fold predictions of one variant (fitted on all the other folds, on `store`).
 *
 * @example
 * ```ts
 * const { essays, raw } = await predictHeldBack(run, plan[0], store, 4);
 * ```
 */
export async function predictHeldBack(
  run: RunContext,
  v: PlannedVariant,
  store: string,
  fold: number,
) {
  const config = { ...v.config, heldBackFold: undefined, reuseCvFeatureStoreDir: store };
  const inputs = await cvTrainingInputs(run, config, v.step);
  const all = inputs.applied.folds(config.scheme);
  // nested LOFO needs every fold; otherwise the held-back fold alone is enough
  const lofo = config.optimiseCutpoints && config.cutpointMode === "lofo";
  const folds = lofo ? all : all.filter((f) => f.fold === fold);
  const essays = inputs.data.train;
  const cv = await crossValidate({
    X: inputs.X,
    y: essays.map((e) => e.overall),
    texts: essays.map((e) => e.text),
    groups: essays.map((e) => normalisedTextHash(e.text)),
    folds,
    options: trainingOptionsFor(
      inputs.config,
      v.step,
      inputs.names,
      inputs.embeddingColumns,
    ),
    workers: 1,
    cutpointMode: config.optimiseCutpoints ? config.cutpointMode : null,
  });
  const rows = all.find((f) => f.fold === fold)!.valIndices;
  return {
    rows,
    essays: rows.map((i) => essays[i]),
    raw: Float64Array.from(rows, (i) => cv.oofPredictions[i]),
    cut: cv.oofCutpointPredictions
      ? Float64Array.from(rows, (i) => cv.oofCutpointPredictions![i])
      : null,
  };
}

/**
 * Fit the winner and the baseline without the held-back fold and score them on it.
 *
 * @example
 * ```ts
 * const c = await confirmWinner(run, plan, ranked, store, 4, { seed: 42, resamples: 5000 });
 * c.winner.selectionQwk; c.winner.confirmed.qwk;
 * ```
 */
export async function confirmWinner(
  run: RunContext,
  plan: readonly PlannedVariant[],
  ranked: readonly VariantOutcome[],
  store: string,
  fold: number,
  options: { seed: number; resamples: number },
): Promise<SweepConfirmation> {
  const best = ranked[0];
  const first = ranked.find((o) => o.index === 0)!;
  const base = await predictHeldBack(run, plan[0], store, fold);
  const win = best.index === 0 ? base : await predictHeldBack(run, plan[best.index], store, fold);
  const y = Float64Array.from(base.essays, (e) => e.overall);
  const scale = scaleOfConfig(plan[0].config);
  const confirmed = (o: VariantOutcome, p: typeof base): ConfirmedVariant => ({
    index: o.index,
    label: o.label,
    selectionQwk: o.meanQwk,
    confirmed: scoreMetrics(y, p.raw, scale),
    confirmedCutpoints: p.cut ? scoreMetrics(y, p.cut, scale) : null,
  });
  const comparison = best.index === 0 ? null : comparePairedRuns(
    {
      ids: base.essays.map((e) => e.id),
      prompts: base.essays.map((e) => e.prompt),
      yTrue: y,
      folds: new Int32Array(y.length).fill(fold),
      scale,
    },
    { raw: base.raw, cutpoints: base.cut },
    { raw: win.raw, cutpoints: win.cut },
    { seed: options.seed, resamples: options.resamples },
  );
  return {
    fold,
    nEssays: y.length,
    winner: confirmed(best, win),
    baseline: confirmed(first, base),
    comparison,
  };
}

const f4 = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? "—" : x.toFixed(4);

/**
 * The "Confirmation on the held-back fold" section of the sweep summary.
 *
 * @example
 * ```ts
 * confirmationMarkdown(confirmation);
 * ```
 */
export function confirmationMarkdown(c: SweepConfirmation): string {
  const row = (what: string, v: ConfirmedVariant) => [
    what,
    `#${v.index} ${v.label}`,
    f4(v.selectionQwk),
    f4(v.confirmed.qwk),
    f4(v.confirmedCutpoints?.qwk),
  ];
  const q = c.comparison?.bootstrap.qwk;
  return [
    `## Confirmation on the held-back fold ${c.fold} (${c.nEssays} essays)`,
    "",
    "The ranking above used the other folds only; fold " + `${c.fold} was removed from every ` +
    "variant's cv before fitting. The winner and the baseline were then fitted on all the other " +
    "folds and scored on it once. The selection score is optimistic by construction (best of " +
    "N); the confirmed score is not.",
    "",
    markdownTable(
      [
        "",
        "variant",
        "selection QWK (mean over folds)",
        "confirmed QWK",
        "confirmed QWK cut-points",
      ],
      [row("winner", c.winner), row("baseline", c.baseline)],
      ["l", "l", "r", "r", "r"],
    ),
    "",
    q
      ? `Confirmed Δ winner − baseline: ${q.delta.toFixed(4)} [${q.lower.toFixed(4)}, ` +
        `${q.upper.toFixed(4)}] (${Math.round(q.level * 100)} % paired CI, one comparison): ` +
        `**${c.comparison!.difference}**. ${bootstrapProtocolText(c.comparison!)}`
      : "The baseline won the selection: nothing to confirm against.",
    "",
  ].join("\n");
}
