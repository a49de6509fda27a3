/**
 * A step's `ExperimentConfig` from its invocation: the config file and flags
 * (`run/config_loading.ts`), then what the dataset's language decides — the Tier 1 checker for a
 * non-English dataset and the handcrafted features defined for it — and the refusal to embed a
 * non-English dataset with the local English encoder. These read the offload layer (which
 * checker can run here), so they live with the steps, not in `lib/run`.
 *
 * @module
 */
import type { ExperimentConfig } from "../run/config.ts";
import { configFromFileAndFlags } from "../run/config_loading.ts";
import { type CommandInvocation, type FlagSpec, UsageError } from "../run/cli_flags.ts";
import {
  type CheckerFamily,
  handcraftedFeaturesNotDefinedFor,
  isDefinedFor,
  LOCAL_ENCODER_LANGUAGES,
  primaryLanguage,
} from "../features/feature_languages.ts";
import { checkerModeOf } from "../offload/backend.ts";
import {
  type CheckerProbes,
  resolveCheckerChoice,
  systemCheckerProbes,
} from "../offload/checker_choice.ts";

/**
 * Read the optional config file named by `--config`, apply flag overrides, then settle the
 * dataset language's checker and features ({@link checkerForLanguage},
 * {@link languageFeatureSelection}), logging the choice and any WARNING.
 *
 * @example
 * ```ts
 * const config = await configFromInvocation({ values: { "min-words": 150 }, argv: [] }, flags);
 * ```
 */
export async function configFromInvocation(
  invocation: CommandInvocation,
  flags: readonly FlagSpec[],
  probes: CheckerProbes = systemCheckerProbes(),
): Promise<ExperimentConfig> {
  const config = await configFromFileAndFlags(invocation, flags);
  const checked = await checkerForLanguage(config, probes);
  if (checked.note) console.error(checked.note);
  const selected = languageFeatureSelection(checked.config, checked.family);
  for (const w of selected.warnings) console.error(w);
  return selected.config;
}

/**
 * For a non-English dataset whose handcrafted features are extracted locally, decide the Tier 1
 * checker now (issue 18), because it decides which error counts are defined: LanguageTool in the
 * dataset's language (`--checker auto` with a URL or Java 17+, or `languagetool`) or the local
 * checker, which is English-only (it is then not run, and its counts are left out). `auto` is
 * pinned to what it resolved to (`languagetool` or `local`) so that extraction, and `score` from
 * the saved config, use the same checker. English configs, `--backend hemma` (the server checks
 * in its own language) and embeddings-only runs are returned as they are, as `local`.
 *
 * @example
 * ```ts
 * const { config: c, family } = await checkerForLanguage(config, systemCheckerProbes());
 * ```
 */
export async function checkerForLanguage(
  config: ExperimentConfig,
  probes: CheckerProbes,
): Promise<{ config: ExperimentConfig; family: CheckerFamily; note?: string }> {
  const language = config.dataset?.language ?? "en";
  if (
    primaryLanguage(language) === "en" || config.featureSet === "embeddings" ||
    config.backend !== "local"
  ) {
    return { config, family: "local" };
  }
  const choice = await resolveCheckerChoice(
    checkerModeOf(config),
    config.languageToolServiceUrl,
    probes,
    language,
  );
  const family: CheckerFamily = choice.kind === "local" ? "local" : "languagetool";
  return {
    config: { ...config, checker: family },
    family,
    note: `checker for dataset language "${language}": ` +
      (family === "local"
        ? "none (local checker is English-only)"
        : `LanguageTool (${choice.language})`) +
      ` — ${choice.reason}`,
  };
}

/**
 * The features a dataset's language allows (issue 18) with the Tier 1 checker in use
 * ({@link checkerForLanguage}): for a non-English manifest, the handcrafted features not defined
 * for it are added to `excludedFeatures` (and listed in
 * `languageExcludedFeatures`) with a WARNING naming them. (The local English sentence encoder is
 * refused where features are extracted: {@link assertEncoderLanguage}.)
 *
 * @example
 * ```ts
 * const { config: c, warnings } = languageFeatureSelection(config);
 * ```
 */
export function languageFeatureSelection(
  config: ExperimentConfig,
  checker: CheckerFamily = "local",
): { config: ExperimentConfig; warnings: string[] } {
  const language = config.dataset?.language ?? "en";
  if (primaryLanguage(language) === "en") return { config, warnings: [] };
  if (config.featureSet === "embeddings") return { config, warnings: [] };
  const english = handcraftedFeaturesNotDefinedFor(language, checker);
  const added = english.filter((f) => !config.excludedFeatures.includes(f));
  return {
    config: {
      ...config,
      excludedFeatures: [...config.excludedFeatures, ...added],
      languageExcludedFeatures: english,
    },
    warnings: english.length === 0 ? [] : [
      `WARNING: dataset language "${language}": ${english.length} handcrafted features are ` +
      `defined for English only${
        checker === "local" ? "" : " (the error counts come from LanguageTool in this language)"
      } and are left out: ${english.join(", ")}`,
    ],
  };
}

/**
 * Refuse to embed a non-English dataset with the local English sentence encoder (USE-lite):
 * embeddings then come from `--embedding-service-url` / `--backend hemma`, or the feature set is
 * `handcrafted`. Called where features are extracted (`cv`, `run`, `drop-column`, `score`).
 *
 * @example
 * ```ts
 * assertEncoderLanguage(config); // throws for a Swedish "combined" run on the local backend
 * ```
 */
export function assertEncoderLanguage(config: ExperimentConfig): void {
  const language = config.dataset?.language ?? "en";
  const localEncoder = config.featureSet !== "handcrafted" && config.backend === "local" &&
    !config.embeddingServiceUrl;
  if (localEncoder && !isDefinedFor(LOCAL_ENCODER_LANGUAGES, language)) {
    throw new UsageError(
      `feature set "${config.featureSet}" needs sentence embeddings, and the local sentence ` +
        `encoder (USE-lite) is English-only; the dataset "${config.dataset?.name}" is in ` +
        `"${language}". Use --feature-set handcrafted, or give --embedding-service-url (or ` +
        "--backend hemma) for embeddings from a server with a model for that language.",
    );
  }
}
