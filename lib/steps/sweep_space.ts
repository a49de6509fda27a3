/**
 * The search space of `sweep` (a JSON file, read with zod) and its variants: a grid (every
 * combination) or a seeded random sample of the grid, over learner parameters and pipeline
 * levers. Each variant is a set of overrides applied to the base configuration; its id is a
 * hash of the base settings and the overrides, so a rerun recognises finished variants and a
 * changed base never reuses them.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { seededRandom, shuffled } from "../model/learners/random.ts";
import { type ExperimentConfig, resolveExperimentConfig } from "../run/config.ts";
import type { StepModelOptions } from "./model_inputs.ts";

/** Config keys a space may vary (dot paths reach nested params). */
export const CONFIG_PARAMETERS = [
  "model",
  "featureSet",
  "excludedFeatures",
  "sampleWeighting",
  "sampleWeightCap",
  "cutpointMode",
  "optimiseCutpoints",
  "treeParams.nEstimators",
  "treeParams.learningRate",
  "treeParams.maxDepth",
  "treeParams.minChildWeight",
  "treeParams.lambdaL2",
  "treeParams.subsample",
  "treeParams.colsampleByTree",
  "treeParams.maxBins",
  "treeParams.earlyStoppingRounds",
  "treeParams.validationFraction",
  "ridgeParams.alpha",
] as const;

/** Step-level levers a space may vary (flags, not config keys). */
export const STEP_PARAMETERS = [
  "textStacking",
  "embeddingStacking",
  "embeddingStackingAlpha",
  "cutpointInnerFolds",
] as const;

const PARAMETERS: readonly string[] = [...CONFIG_PARAMETERS, ...STEP_PARAMETERS];

const Value = z.union([z.number(), z.string(), z.boolean(), z.array(z.string())]);

/** The search space file. */
export const SearchSpaceSchema = z.object({
  /** `grid`: every combination; `random`: `samples` distinct combinations drawn with `seed`. */
  mode: z.enum(["grid", "random"]).default("grid"),
  samples: z.number().int().min(1).optional(),
  seed: z.number().int().default(42),
  parameters: z.record(z.string(), z.array(Value).min(1)).refine(
    (p) => Object.keys(p).every((k) => PARAMETERS.includes(k)),
    {
      message: `unknown parameter; allowed: ${PARAMETERS.join(", ")}`,
    },
  ),
}).strict().refine((s) => s.mode === "grid" || s.samples !== undefined, {
  message: "random mode needs samples",
  path: ["samples"],
});

/** A parsed search space. */
export type SearchSpace = z.infer<typeof SearchSpaceSchema>;

/** One variant's overrides, by parameter name. */
export type Overrides = Readonly<Record<string, z.infer<typeof Value>>>;

/**
 * Parse a search space, naming the bad key on error.
 *
 * @example
 * ```ts
 * parseSearchSpace({ parameters: { "treeParams.maxDepth": [3, 6] } }).mode; // "grid"
 * ```
 */
export function parseSearchSpace(value: unknown, source = "search space"): SearchSpace {
  const r = SearchSpaceSchema.safeParse(value);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`invalid ${source}:\n${lines.join("\n")}`);
  }
  return r.data;
}

/**
 * The variants of a space, in a stable order: every grid combination (last parameter fastest),
 * or `samples` of them drawn without replacement with the space's seed.
 *
 * @example
 * ```ts
 * expandSpace(parseSearchSpace({ parameters: { model: ["gbm", "rf"] } })); // [{model:"gbm"}, …]
 * ```
 */
export function expandSpace(space: SearchSpace): Overrides[] {
  const keys = Object.keys(space.parameters);
  let combos: Record<string, z.infer<typeof Value>>[] = [{}];
  for (const k of keys) {
    combos = combos.flatMap((c) => space.parameters[k].map((v) => ({ ...c, [k]: v })));
  }
  if (space.mode === "random") {
    combos = shuffled(combos, seededRandom(space.seed, "sweep-random")).slice(0, space.samples);
  }
  return combos;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const p of parts.slice(0, -1)) {
    node[p] = { ...(node[p] as Record<string, unknown> ?? {}) };
    node = node[p] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

/**
 * Apply a variant's overrides to the base config and step options (config validated by zod).
 *
 * @example
 * ```ts
 * const { config, step } = applyOverrides(base, baseStep, { "treeParams.maxDepth": 6 });
 * ```
 */
export function applyOverrides(
  base: ExperimentConfig,
  baseStep: StepModelOptions,
  overrides: Overrides,
): { config: ExperimentConfig; step: StepModelOptions } {
  const config: Record<string, unknown> = structuredClone(base);
  const step: Record<string, unknown> = { ...baseStep };
  for (const [k, v] of Object.entries(overrides)) {
    if ((STEP_PARAMETERS as readonly string[]).includes(k)) step[k] = v;
    else setPath(config, k, v);
  }
  return {
    config: resolveExperimentConfig(config, {}),
    step: step as unknown as StepModelOptions,
  };
}

/** Canonical JSON (object keys sorted), for hashing. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    return `{${
      Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) =>
        `${JSON.stringify(k)}:${canonicalJson(o[k])}`
      ).join(",")
    }}`;
  }
  return JSON.stringify(value);
}

/** The settings that make two cv runs comparable and reproducible (not where they are written). */
export function comparableSettings(
  config: ExperimentConfig,
  step: StepModelOptions,
): Record<string, unknown> {
  const {
    runName: _r,
    outputRoot: _o,
    experimentLogPath: _l,
    heartbeatMinutes: _h,
    reuseCvFeatureStoreDir: _s,
    ...rest
  } = config;
  return {
    ...rest,
    textStacking: step.textStacking,
    embeddingStacking: step.embeddingStacking ?? true,
    embeddingStackingAlpha: step.embeddingStackingAlpha ?? null,
    cutpointInnerFolds: step.cutpointInnerFolds,
  };
}

/**
 * A variant's id: `v<index>_<10 hex of sha256(base settings + overrides)>`-style hash part.
 *
 * @example
 * ```ts
 * variantHash(config, step); // "3f9a0c…" (10 hex digits)
 * ```
 */
export function variantHash(config: ExperimentConfig, step: StepModelOptions): string {
  return createHash("sha256").update(canonicalJson(comparableSettings(config, step))).digest(
    "hex",
  ).slice(0, 10);
}

/** Human-readable overrides: `maxDepth=6, sampleWeighting=sqrt_inv_freq` (or `base`). */
export function describeOverrides(o: Overrides): string {
  const parts = Object.entries(o).map(([k, v]) =>
    `${k.replace(/^(treeParams|ridgeParams)\./, "")}=${
      Array.isArray(v) ? (v.length ? v.join("|") : "none") : v
    }`
  );
  return parts.length ? parts.join(", ") : "base";
}
