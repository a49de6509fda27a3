/**
 * The original offload server's feature schema, `meta.json` and `server_fingerprint`
 * (HEMMA_PROTOCOL.md §B.3.6–§B.3.8):
 *
 * - the 25 handcrafted column names in the original order (tier 1: 11, tier 2: 9, tier 3: 5), the
 *   legacy aliases the original client accepts, and the embedding column names
 *   (`embedding_000` …);
 * - {@link ExtractMetaSchema}: `meta.json` parsed as strictly as the Python client does
 *   (`extra = forbid` at every level), and {@link writeExtractMeta} writing it as pydantic does;
 * - {@link hemmaServerFingerprint}: sha256 of the canonical JSON of the fingerprint payload.
 *
 * @module
 */
import { z } from "zod";
import { sha256Hex } from "../canonical.ts";
import { canonicalPythonJson, pydanticIndentJson } from "./python_json.ts";
import { embeddingColumnName, embeddingColumnNames } from "../../features/embeddings/vector_ops.ts";

/** Tier 1 column names of the original (§B.3.7). */
export const ORIGINAL_TIER1: readonly string[] = [
  "grammar_errors_per_100_words",
  "spelling_errors_per_100_words",
  "punctuation_errors_per_100_words",
  "flesch_kincaid",
  "smog",
  "coleman_liau",
  "ari",
  "avg_sentence_length",
  "ttr",
  "word_count",
  "avg_word_length",
];
/** Tier 2 column names of the original. */
export const ORIGINAL_TIER2: readonly string[] = [
  "parse_tree_depth",
  "clause_count",
  "passive_ratio",
  "dep_distance",
  "connective_diversity",
  "sent_similarity_variance",
  "prompt_similarity",
  "intro_prompt_sim",
  "min_para_relevance",
];
/** Tier 3 column names of the original. */
export const ORIGINAL_TIER3: readonly string[] = [
  "paragraph_count",
  "has_intro",
  "has_conclusion",
  "lexical_overlap",
  "pronoun_noun_ratio",
];
/** The original's 25 handcrafted columns, in matrix order. */
export const ORIGINAL_HANDCRAFTED_NAMES: readonly string[] = [
  ...ORIGINAL_TIER1,
  ...ORIGINAL_TIER2,
  ...ORIGINAL_TIER3,
];

/** Legacy names the original client accepts for columns 0–2 (mapped to the current names). */
export const LEGACY_ALIASES: Readonly<Record<string, string>> = {
  grammar_density: "grammar_errors_per_100_words",
  spelling_density: "spelling_errors_per_100_words",
  punctuation_density: "punctuation_errors_per_100_words",
};

/** A column name with a legacy alias replaced by its current name. */
export function canonicalColumnName(name: string): string {
  return LEGACY_ALIASES[name] ?? name;
}

/** Embedding column names: one naming for the wire and local stores (`embedding_000` …). */
export { embeddingColumnName, embeddingColumnNames };

/** `feature_schema` of `meta.json`. */
export interface FeatureSchemaTiers {
  readonly tier1: readonly string[];
  readonly tier2: readonly string[];
  readonly tier3: readonly string[];
}

/** `meta.json`, parsed strictly (unknown keys are errors, as in the Python client). */
export const ExtractMetaSchema = z.strictObject({
  schema_version: z.number().int(),
  server_fingerprint: z.string(),
  git_sha: z.string().nullable(),
  versions: z.record(z.string(), z.string()),
  embedding: z.strictObject({
    model_name: z.string(),
    max_length: z.number().int(),
    pooling: z.literal("cls").default("cls"),
    dim: z.number().int().min(0),
  }),
  language_tool: z.strictObject({
    language: z.string(),
    request_options: z.record(z.string(), z.string()).default({}),
    service_url: z.string(),
    jar_version: z.string(),
  }),
  feature_schema: z.strictObject({
    tier1: z.array(z.string()),
    tier2: z.array(z.string()),
    tier3: z.array(z.string()),
    combined: z.array(z.string()),
  }),
});
/** Parsed `meta.json`. */
export type ExtractMeta = z.infer<typeof ExtractMetaSchema>;

/**
 * Parse `meta.json` text strictly; the error names `source` and the first offending key.
 */
export function parseExtractMeta(text: string, source = "meta.json"): ExtractMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = ExtractMetaSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${source}: invalid meta.json at ${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/** `meta.json` bytes as the original server writes them (pydantic, indent 2, field order). */
export function writeExtractMeta(meta: ExtractMeta): string {
  const ordered = {
    schema_version: meta.schema_version,
    server_fingerprint: meta.server_fingerprint,
    git_sha: meta.git_sha,
    versions: meta.versions,
    embedding: {
      model_name: meta.embedding.model_name,
      max_length: meta.embedding.max_length,
      pooling: meta.embedding.pooling,
      dim: meta.embedding.dim,
    },
    language_tool: {
      language: meta.language_tool.language,
      request_options: meta.language_tool.request_options,
      service_url: meta.language_tool.service_url,
      jar_version: meta.language_tool.jar_version,
    },
    feature_schema: {
      tier1: meta.feature_schema.tier1,
      tier2: meta.feature_schema.tier2,
      tier3: meta.feature_schema.tier3,
      combined: meta.feature_schema.combined,
    },
  };
  return pydanticIndentJson(ordered);
}

/** Handcrafted column names of a meta (tier1 + tier2 + tier3, legacy aliases mapped). */
export function metaHandcraftedNames(meta: ExtractMeta): string[] {
  const fs = meta.feature_schema;
  return [...fs.tier1, ...fs.tier2, ...fs.tier3].map(canonicalColumnName);
}

/**
 * Check a meta's `feature_schema` is self-consistent: `combined` = the `embedding.dim` embedding
 * names followed by the handcrafted names (aliases allowed). Throws naming `source`.
 */
export function checkMetaSchema(meta: ExtractMeta, source: string): void {
  const hand = metaHandcraftedNames(meta);
  const want = [...embeddingColumnNames(meta.embedding.dim), ...hand];
  const got = meta.feature_schema.combined.map(canonicalColumnName);
  if (got.length !== want.length || got.some((n, i) => n !== want[i])) {
    throw new Error(
      `${source}: feature_schema.combined (${got.length} names) is not the ${meta.embedding.dim} ` +
        `embedding names followed by the ${hand.length} tier names`,
    );
  }
}

/** The fingerprint payload `P` of §B.3.8. */
export interface FingerprintPayload {
  readonly schema_version: number;
  readonly embedding: {
    readonly model_name: string;
    readonly max_length: number;
    readonly batch_size: number;
    readonly pooling: "cls";
    readonly dim: number;
    readonly torch_device: string | null;
  };
  readonly language_tool: {
    readonly language: string;
    readonly request_options: Readonly<Record<string, string>>;
    readonly service_url: string;
    readonly jar_version: string;
  };
  readonly feature_schema: FeatureSchemaTiers & {
    readonly embedding_dim: number;
    readonly combined: readonly string[];
  };
  readonly versions: Readonly<Record<string, string>>;
}

/** Canonical JSON of the fingerprint payload (the exact bytes that are hashed, as a string). */
export function fingerprintCanonicalJson(p: FingerprintPayload): string {
  return canonicalPythonJson(p);
}

/**
 * `server_fingerprint` = lowercase hex sha256 of the canonical JSON of `P` (§B.3.8; test vector
 * in Appendix 2).
 */
export function hemmaServerFingerprint(p: FingerprintPayload): string {
  return sha256Hex(fingerprintCanonicalJson(p));
}
