/**
 * Score scales as data (issue 18): a numeric scale (min, max, step — ELLIPSE's 1–5 by 0.5, an
 * ASAP-style 2–12 by 1, 0–60 by 1) or an ordinal one with named levels (the Swedish grades F, E,
 * D, C, B, A). Every consumer — loading, stratification, rounding, QWK, confusion matrices,
 * cut-points, reports, the model bundle and `score` — reads the scale instead of assuming 1–5.
 *
 * Internally every scale is a grid of `nLevels` model values `min + k·step` (k = 0 … nLevels−1):
 * a numeric scale's own values, and for an ordinal scale the level index (F = 0 … A = 5), so the
 * learners regress on numbers either way and the level names appear only at the edges (loading,
 * reports, `score` output). Index arithmetic is exact for ELLIPSE: when `min / step` is a whole
 * number (`offset`), a value's index is `round(value / step) − offset`, which for step 0.5 is the
 * old `round(2y) − 2`, and rounding a prediction is `floor(x / step + 0.5) − offset`, the old
 * `floor(2x + 0.5)`.
 *
 * @module
 */
import { z } from "zod";

const finite = z.number().finite();

/** A numeric scale: every value `min + k·step` up to `max`. */
export const NumericScaleSchema = z.object({
  kind: z.literal("numeric"),
  min: finite,
  max: finite,
  step: finite.positive(),
}).strict();

/** An ordinal scale: named levels from lowest to highest. */
export const OrdinalScaleSchema = z.object({
  kind: z.literal("ordinal"),
  levels: z.array(z.string().trim().min(1)).min(2),
}).strict();

/** Largest number of levels a scale may have (QWK and confusion matrices are `levels²`). */
export const MAX_SCALE_LEVELS = 1001;

/**
 * The zod schema of a score scale, with the checks that make it a grid: `max > min`, the step
 * divides the range, unique level names, at most {@link MAX_SCALE_LEVELS} levels.
 */
export const ScoreScaleSpecSchema = z.discriminatedUnion("kind", [
  NumericScaleSchema,
  OrdinalScaleSchema,
]).superRefine((s, ctx) => {
  if (s.kind === "ordinal") {
    const seen = new Set<string>();
    for (const level of s.levels) {
      if (seen.has(level)) {
        ctx.addIssue({ code: "custom", path: ["levels"], message: `level "${level}" twice` });
      }
      seen.add(level);
    }
    return;
  }
  if (!(s.max > s.min)) {
    ctx.addIssue({ code: "custom", path: ["max"], message: `max ${s.max} must be > min ${s.min}` });
    return;
  }
  const steps = (s.max - s.min) / s.step;
  if (Math.abs(steps - Math.round(steps)) > 1e-9) {
    ctx.addIssue({
      code: "custom",
      path: ["step"],
      message: `step ${s.step} does not divide the range ${s.min}–${s.max} ` +
        `(${steps.toFixed(3)} steps); expected (max − min) / step to be a whole number`,
    });
  } else if (Math.round(steps) + 1 > MAX_SCALE_LEVELS) {
    ctx.addIssue({
      code: "custom",
      path: ["step"],
      message: `${Math.round(steps) + 1} levels; at most ${MAX_SCALE_LEVELS} are supported`,
    });
  }
});

/** A score scale as written in a manifest, a bundle or `splits.json`. */
export type ScoreScaleSpec = z.infer<typeof ScoreScaleSpecSchema>;

/** A validated scale with its grid precomputed. */
export interface ScoreScale {
  readonly spec: ScoreScaleSpec;
  /** Number of levels (9 for ELLIPSE, 6 for F–A). */
  readonly nLevels: number;
  /** Model value of the lowest level (an ordinal scale's is 0). */
  readonly min: number;
  /** Model value of the highest level. */
  readonly max: number;
  /** Distance between neighbouring levels (an ordinal scale's is 1). */
  readonly step: number;
  /** `min / step` when it is a whole number (2 for ELLIPSE), else `null`. */
  readonly offset: number | null;
  /** Decimals a value is written with (1 for ELLIPSE: "3.5", "4.0"). */
  readonly decimals: number;
  /** Level names of an ordinal scale; `null` for a numeric one. */
  readonly levelNames: readonly string[] | null;
}

function decimalsOf(x: number): number {
  for (let d = 0; d <= 10; d++) {
    if (Math.abs(x * 10 ** d - Math.round(x * 10 ** d)) < 1e-9) return d;
  }
  return 10;
}

/**
 * Validate a scale spec and precompute its grid; throws naming the field on a bad spec.
 *
 * @example
 * ```ts
 * scoreScale({ kind: "numeric", min: 2, max: 12, step: 1 }).nLevels; // 11
 * scoreScale({ kind: "ordinal", levels: ["F", "E", "D", "C", "B", "A"] }).max; // 5
 * ```
 */
export function scoreScale(spec: unknown): ScoreScale {
  return isSameSpec(ELLIPSE_SCALE.spec, spec) ? ELLIPSE_SCALE : buildScale(spec);
}

function buildScale(spec: unknown): ScoreScale {
  const parsed = ScoreScaleSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".") || "(scale)"}: ${i.message}`);
    throw new Error(`invalid score scale: ${lines.join("; ")}`);
  }
  const s = parsed.data;
  if (s.kind === "ordinal") {
    return {
      spec: s,
      nLevels: s.levels.length,
      min: 0,
      max: s.levels.length - 1,
      step: 1,
      offset: 0,
      decimals: 0,
      levelNames: s.levels,
    };
  }
  const ratio = s.min / s.step;
  return {
    spec: s,
    nLevels: Math.round((s.max - s.min) / s.step) + 1,
    min: s.min,
    max: s.max,
    step: s.step,
    offset: Math.abs(ratio - Math.round(ratio)) < 1e-9 ? Math.round(ratio) : null,
    decimals: Math.max(decimalsOf(s.step), decimalsOf(s.min)),
    levelNames: null,
  };
}

function isSameSpec(a: ScoreScaleSpec, b: unknown): boolean {
  if (typeof b !== "object" || b === null) return false;
  const o = b as Record<string, unknown>;
  return a.kind === "numeric" && o.kind === "numeric" && o.min === a.min && o.max === a.max &&
    o.step === a.step && Object.keys(o).length === 4;
}

/**
 * ELLIPSE's holistic scale: 1.0–5.0 in 0.5 steps (nine levels). {@link scoreScale} returns this
 * very object for an equal spec, so `scale === ELLIPSE_SCALE` tells the ELLIPSE layout apart.
 */
export const ELLIPSE_SCALE: ScoreScale = buildScale({ kind: "numeric", min: 1, max: 5, step: 0.5 });

/**
 * Whether a scale is ELLIPSE's 1.0–5.0 by 0.5 (also after a structured clone into a worker).
 *
 * @example
 * ```ts
 * isEllipseScale(scoreScale({ kind: "numeric", min: 1, max: 5, step: 0.5 })); // true
 * ```
 */
export function isEllipseScale(scale: ScoreScale): boolean {
  return scale === ELLIPSE_SCALE || isSameSpec(ELLIPSE_SCALE.spec, scale.spec);
}

/**
 * Model value of level `k` (0-based): `min + k·step`, rounded to the scale's decimals.
 *
 * @example
 * ```ts
 * scaleValue(ELLIPSE_SCALE, 5); // 3.5
 * ```
 */
export function scaleValue(scale: ScoreScale, k: number): number {
  const v = scale.min + k * scale.step;
  return scale.decimals >= 10 ? v : Number(v.toFixed(scale.decimals));
}

/**
 * Level index of a continuous prediction: nearest level, halves up, clipped to the scale.
 * Throws on NaN.
 *
 * @example
 * ```ts
 * predictionIndex(ELLIPSE_SCALE, 2.74); // 3  (2.5)
 * ```
 */
export function predictionIndex(scale: ScoreScale, x: number): number {
  if (Number.isNaN(x)) throw new Error("prediction is NaN");
  const k = scale.offset !== null
    ? Math.floor(x / scale.step + 0.5) - scale.offset
    : Math.floor((x - scale.min) / scale.step + 0.5);
  return k < 0 ? 0 : k >= scale.nLevels ? scale.nLevels - 1 : k;
}

/**
 * A prediction rounded to the nearest level (halves up) and clipped to the scale.
 *
 * @example
 * ```ts
 * roundToScale(ELLIPSE_SCALE, 3.25); // 3.5
 * ```
 */
export function roundToScale(scale: ScoreScale, x: number): number {
  return scaleValue(scale, predictionIndex(scale, x));
}

/**
 * Level index of a label (model value); throws when it is off the scale.
 *
 * @example
 * ```ts
 * labelIndex(ELLIPSE_SCALE, 3.5); // 5
 * ```
 */
export function labelIndex(scale: ScoreScale, y: number): number {
  const k = scale.offset !== null
    ? Math.round(y / scale.step) - scale.offset
    : Math.round((y - scale.min) / scale.step);
  if (!(k >= 0 && k < scale.nLevels)) {
    throw new Error(`label ${y} is outside the ${describeScale(scale)} score scale`);
  }
  return k;
}

/**
 * The stratification class of a label: `round(value / step)` when the scale has a whole-number
 * offset (ELLIPSE: `round(2·Overall)`, 2 … 10, as `splits.json` has always written), else the
 * level index.
 *
 * @example
 * ```ts
 * stratumOf(ELLIPSE_SCALE, 3.5); // 7
 * ```
 */
export function stratumOf(scale: ScoreScale, y: number): number {
  return labelIndex(scale, y) + (scale.offset ?? 0);
}

/**
 * A stratum's name as a researcher reads it ("Overall 3.5", "score C").
 *
 * @example
 * ```ts
 * describeStratum(ELLIPSE_SCALE, 2); // "Overall 1.0"
 * ```
 */
export function describeStratum(scale: ScoreScale, stratum: number): string {
  return `${scoreLabel(scale)} ${formatLevel(scale, stratum - (scale.offset ?? 0))}`;
}

/**
 * What a score on this scale is called in messages and reports: ELLIPSE's holistic `Overall` on
 * its 1–5 half-point scale, `score` on any other scale.
 *
 * @example
 * ```ts
 * scoreLabel(ELLIPSE_SCALE); // "Overall"
 * ```
 */
export function scoreLabel(scale: ScoreScale): string {
  const s = scale.spec;
  return s.kind === "numeric" && s.min === 1 && s.max === 5 && s.step === 0.5 ? "Overall" : "score";
}

/**
 * A score value's name with its label ("Overall 3.5", "score 9", "score C").
 *
 * @example
 * ```ts
 * describeScore(ELLIPSE_SCALE, 3.5); // "Overall 3.5"
 * ```
 */
export function describeScore(scale: ScoreScale, y: number): string {
  return `${scoreLabel(scale)} ${formatLevel(scale, labelIndex(scale, y))}`;
}

/**
 * Level `k` as written in reports: the level name of an ordinal scale, else the value with the
 * scale's decimals ("3.0", "12").
 *
 * @example
 * ```ts
 * formatLevel(ELLIPSE_SCALE, 4); // "3.0"
 * ```
 */
export function formatLevel(scale: ScoreScale, k: number): string {
  if (scale.levelNames) return scale.levelNames[k] ?? `level ${k}`;
  return scaleValue(scale, k).toFixed(Math.min(scale.decimals, 10));
}

/**
 * A label or rounded prediction (model value) as written in output CSVs: the level name of an
 * ordinal scale, the number itself on a numeric scale.
 *
 * @example
 * ```ts
 * scoreOutputValue(swedishScale, 3); // "C"
 * scoreOutputValue(ELLIPSE_SCALE, 3.5); // 3.5
 * ```
 */
export function scoreOutputValue(scale: ScoreScale, value: number): string | number {
  return scale.levelNames ? scale.levelNames[labelIndex(scale, value)] : value;
}

/**
 * Every level's report name, lowest first.
 *
 * @example
 * ```ts
 * scaleLabels(ELLIPSE_SCALE); // ["1.0", "1.5", …, "5.0"]
 * ```
 */
export function scaleLabels(scale: ScoreScale): string[] {
  return Array.from({ length: scale.nLevels }, (_, k) => formatLevel(scale, k));
}

/**
 * A scale in words: "1.0–5.0 in steps of 0.5" or "F < E < D < C < B < A".
 *
 * @example
 * ```ts
 * describeScale(ELLIPSE_SCALE); // "1.0–5.0 in steps of 0.5"
 * ```
 */
export function describeScale(scale: ScoreScale): string {
  if (scale.levelNames) return scale.levelNames.join(" < ");
  return `${formatLevel(scale, 0)}–${formatLevel(scale, scale.nLevels - 1)} in steps of ` +
    `${scale.step}`;
}

const NUMBER_PATTERN = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * Parse a score cell on a scale: the model value, or an error saying what was expected
 * (missing, non-numeric, off-scale, off-step, or a level that is not in the scale).
 *
 * @example
 * ```ts
 * parseScoreCell(ELLIPSE_SCALE, "3.5"); // { value: 3.5 }
 * parseScoreCell(ELLIPSE_SCALE, "3.2").error; // "off-step score 3.2; expected a multiple of 0.5"
 * ```
 */
export function parseScoreCell(
  scale: ScoreScale,
  cell: string,
): { value?: number; error?: string } {
  const s = cell.trim();
  if (scale.levelNames) {
    if (s === "") return { error: `missing score; expected one of ${scale.levelNames.join(", ")}` };
    const k = scale.levelNames.indexOf(s);
    if (k < 0) {
      return {
        error: `level "${s}" is not in the scale; expected one of ${scale.levelNames.join(", ")}`,
      };
    }
    return { value: k };
  }
  const range = `${formatLevel(scale, 0)}–${formatLevel(scale, scale.nLevels - 1)}`;
  if (s === "") {
    return { error: `missing score; expected a number ${range} in ${scale.step} steps` };
  }
  if (!NUMBER_PATTERN.test(s)) {
    return {
      error: `non-numeric score "${cell}"; expected a number ${range} in ${scale.step} steps`,
    };
  }
  const value = Number(s);
  const tolerance = 1e-9 * Math.max(1, Math.abs(scale.max));
  if (value < scale.min - tolerance || value > scale.max + tolerance) {
    return { error: `off-scale score ${s}; expected ${range}` };
  }
  const steps = (value - scale.min) / scale.step;
  if (Math.abs(steps - Math.round(steps)) > 1e-9) {
    return { error: `off-step score ${s}; expected a multiple of ${scale.step}` };
  }
  return { value: scaleValue(scale, Math.round(steps)) };
}

/**
 * The plain-rounding thresholds in words (ELLIPSE: "1.25, 1.75, …, 4.75").
 *
 * @example
 * ```ts
 * roundingCutpointsText(ELLIPSE_SCALE); // "1.25, 1.75, …, 4.75"
 * ```
 */
export function roundingCutpointsText(scale: ScoreScale): string {
  const first = scale.min + scale.step / 2;
  const last = first + (scale.nLevels - 2) * scale.step;
  const d = scale.decimals + 2;
  const f = (x: number) => String(Number(x.toFixed(d)));
  return scale.nLevels <= 3
    ? [first, last].map(f).join(", ")
    : `${f(first)}, ${f(first + scale.step)}, …, ${f(last)}`;
}
