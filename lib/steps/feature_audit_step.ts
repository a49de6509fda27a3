/**
 * The steps' side of the degenerate-feature audit (`lib/features/feature_audit.ts`): after a
 * store's features are extracted or reused, every finding is a WARNING in `run.log`, the audit is
 * written to `artifacts/feature_audit_<store>.json` and into the `feature_audit` field of the
 * store's `metadata.json` when this run wrote the store (a reused store of another run is left as
 * it is), and with `dropDegenerateFeatures` the flagged handcrafted columns join the config's
 * `excludedFeatures` — decided from the training store only, never from a test store.
 *
 * @module
 */
import { join } from "node:path";
import { existsSync } from "node:fs";
import { writeJsonAtomic } from "../run/atomic_write.ts";
import type { ExperimentConfig } from "../run/config.ts";
import type { RunContext } from "../run/run_context.ts";
import { auditFeatures, auditWarnings, type FeatureAudit } from "../features/feature_audit.ts";
import {
  FEATURE_STORE_METADATA_FILE,
  readFeatureStoreMetadata,
} from "../features/feature_store.ts";
import type { ExtractedFeatures } from "../features/types.ts";

/**
 * Audit a store's features, log the findings as WARNINGs and record the audit.
 *
 * @example
 * ```ts
 * const audit = await auditStoreFeatures(run, features, "cv_feature_store");
 * ```
 */
export async function auditStoreFeatures(
  run: RunContext,
  features: ExtractedFeatures,
  storeName: string,
): Promise<FeatureAudit> {
  const audit = auditFeatures(features);
  for (const line of auditWarnings(audit, storeName)) run.log.warn(line);
  run.log.info(
    `feature audit (${storeName}): ${audit.findings.length} finding(s), ` +
      `${audit.degenerate.length} degenerate handcrafted column(s)` +
      (audit.degenerate.length ? `: ${audit.degenerate.join(", ")}` : ""),
  );
  await writeJsonAtomic(run.artifactPath(`feature_audit_${storeName}.json`), audit);
  const metaPath = join(run.dir, storeName, FEATURE_STORE_METADATA_FILE);
  if (existsSync(metaPath)) {
    const meta = await readFeatureStoreMetadata(metaPath);
    const record = JSON.parse(JSON.stringify(audit)) as Record<string, unknown>;
    await writeJsonAtomic(metaPath, { ...meta, feature_audit: record });
  }
  return audit;
}

/**
 * The config with the audit's degenerate handcrafted columns added to `excludedFeatures` when
 * `dropDegenerateFeatures` is on (unchanged otherwise, or for the `embeddings` feature set).
 *
 * @example
 * ```ts
 * config = withDegenerateDropped(config, audit);
 * ```
 */
export function withDegenerateDropped(
  config: ExperimentConfig,
  audit: FeatureAudit,
): ExperimentConfig {
  if (!config.dropDegenerateFeatures || config.featureSet === "embeddings") return config;
  const excluded = [...new Set([...config.excludedFeatures, ...audit.degenerate])];
  return { ...config, excludedFeatures: excluded };
}

/** The columns a config dropped because of the audit (null when dropping is off). */
export function droppedByAudit(
  config: ExperimentConfig,
  audit: FeatureAudit,
): string[] | null {
  if (!config.dropDegenerateFeatures) return null;
  return audit.degenerate.filter((c) => config.excludedFeatures.includes(c));
}

/**
 * The `feature_audit` field of `cv_metrics.json` / `run_metrics.json`.
 *
 * @example
 * ```ts
 * writeJsonAtomic(path, { ...header, feature_audit: auditResultJson(config, audit) });
 * ```
 */
export function auditResultJson(
  config: ExperimentConfig,
  audit: FeatureAudit,
): Record<string, unknown> {
  return {
    findings: audit.findings,
    degenerate: audit.degenerate,
    drop_degenerate_features: config.dropDegenerateFeatures,
    dropped: droppedByAudit(config, audit),
    excluded_features: config.excludedFeatures,
  };
}
