/**
 * The adoption gate: a JSON profile of thresholds a candidate must pass against its baseline
 * (read with zod), and the verdict of a {@link PairedComparison} under it.
 *
 * The built-in default profile adopts a candidate only when the 95 % paired-bootstrap interval
 * of its QWK gain lies above 0, and neither its worst-prompt QWK nor the adjacent accuracy of
 * either score tail drops by more than 0.02 — a higher mean bought with a wrecked tail fails.
 *
 * @module
 */
import { z } from "zod";
import type { PairedComparison } from "./paired_comparison.ts";

/** A gate profile (all thresholds on candidate − baseline). */
export const GateProfileSchema = z.object({
  name: z.string().min(1).default("custom"),
  /** Which QWK the interval check reads. */
  qwk: z.enum(["rounded", "cutpoints"]).default("rounded"),
  /** The lower bound of the QWK-difference interval must be above this. */
  minQwkDeltaCiLower: z.number().default(0),
  /** Worst-prompt QWK may drop by at most this. */
  maxWorstPromptQwkDrop: z.number().min(0).default(0.02),
  /** High-band adjacent accuracy (top third of the scale; ELLIPSE true ≥ 4.0) may drop by at most this. */
  maxHighBandAdjacentDrop: z.number().min(0).default(0.02),
  /** Low-band adjacent accuracy (bottom third; ELLIPSE true ≤ 2.0) may drop by at most this. */
  maxLowBandAdjacentDrop: z.number().min(0).default(0.02),
  /** Fold-mean MAE may rise by at most this (null = not checked). */
  maxMaeIncrease: z.number().min(0).nullable().default(null),
}).strict();

/** A resolved gate profile. */
export type GateProfile = z.infer<typeof GateProfileSchema>;

/** The built-in profile used when no `--gate` is given. */
export const DEFAULT_GATE_PROFILE: GateProfile = GateProfileSchema.parse({ name: "default" });

/** One check of the gate. */
export interface GateCheck {
  readonly check: string;
  readonly value: number;
  readonly threshold: string;
  readonly passed: boolean;
}

/** The gate's verdict. */
export interface GateVerdict {
  readonly profile: GateProfile;
  readonly passed: boolean;
  readonly checks: readonly GateCheck[];
}

/**
 * Parse a gate profile (e.g. the content of `--gate profile.json`); a clear error per bad key.
 *
 * @example
 * ```ts
 * parseGateProfile({ maxHighBandAdjacentDrop: 0.05 }).minQwkDeltaCiLower; // 0
 * ```
 */
export function parseGateProfile(value: unknown, source = "gate profile"): GateProfile {
  const r = GateProfileSchema.safeParse(value);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`invalid ${source}:\n${lines.join("\n")}`);
  }
  return r.data;
}

/**
 * Apply a gate profile to a comparison. A check whose value is undefined (NaN: e.g. no prompt
 * qualifies) fails — the gate never passes on missing evidence.
 *
 * @example
 * ```ts
 * const v = gateVerdict(comparison, DEFAULT_GATE_PROFILE); // v.passed, v.checks
 * ```
 */
export function gateVerdict(c: PairedComparison, profile: GateProfile): GateVerdict {
  const ci = profile.qwk === "cutpoints" ? c.bootstrap.qwkCutpoints : c.bootstrap.qwk;
  const atLeast = (check: string, value: number, min: number, strict = false): GateCheck => ({
    check,
    value,
    threshold: `${strict ? ">" : "≥"} ${min}`,
    passed: strict ? value > min : value >= min,
  });
  const tail = (b: "low" | "high") =>
    c.tails.candidate[b].adjacentAccuracy - c.tails.baseline[b].adjacentAccuracy;
  const checks: GateCheck[] = [
    atLeast(
      `${profile.qwk} QWK Δ, ${Math.round((ci?.level ?? 0.95) * 100)} % CI lower bound`,
      ci ? ci.lower : NaN,
      profile.minQwkDeltaCiLower,
      true,
    ),
    atLeast("worst-prompt QWK Δ", c.worstPrompt.delta, -profile.maxWorstPromptQwkDrop),
    atLeast("high-band adjacent accuracy Δ", tail("high"), -profile.maxHighBandAdjacentDrop),
    atLeast("low-band adjacent accuracy Δ", tail("low"), -profile.maxLowBandAdjacentDrop),
  ];
  if (profile.maxMaeIncrease !== null) {
    checks.push({
      check: "MAE Δ (fold mean)",
      value: c.fold.mae.mean,
      threshold: `≤ ${profile.maxMaeIncrease}`,
      passed: c.fold.mae.mean <= profile.maxMaeIncrease,
    });
  }
  return { profile, passed: checks.every((k) => k.passed), checks };
}
