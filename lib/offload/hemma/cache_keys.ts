/**
 * Cache keys of the original Python clients (HEMMA_PROTOCOL.md §A.9.5, §B.8; test vectors in
 * Appendices 1 and 3), so a researcher's existing cache directories are reused as they are:
 *
 * - extract client embedding row: sha256(`model|max_length|cls|text`) → `<emb dir>/<E>.npy`;
 * - embed client row: sha256(`model|max_length|text`) → `<emb dir>/<E>.npy`;
 * - handcrafted row: sha256(`schema_version|text|prompt`) → `<hand dir>/<fingerprint>/<H>.npy`;
 * - LanguageTool: sha256 of the canonical JSON of {language, language_tool_url,
 *   request_options, request_timeout_s (a float), schema_version: 1, text_sha256} →
 *   `<lt dir>/<K>.json`.
 *
 * Texts are hashed raw (no normalisation) except the LanguageTool text, which is the
 * whitespace-normalised text that is also sent.
 *
 * @module
 */
import { sha256Hex } from "../canonical.ts";
import { canonicalPythonJson, pyFloat } from "./python_json.ts";

/** Key of an embedding row cached by the extract client (`…|cls|text`). */
export function extractEmbeddingKey(modelName: string, maxLength: number, text: string): string {
  return sha256Hex(`${modelName}|${maxLength}|cls|${text}`);
}

/** Key of an embedding row cached by the embed client (no `cls|`). */
export function embedEmbeddingKey(modelName: string, maxLength: number, text: string): string {
  return sha256Hex(`${modelName}|${maxLength}|${text}`);
}

/** Key of a handcrafted row (stored under the server fingerprint's directory). */
export function handcraftedKey(schemaVersion: number, text: string, prompt: string): string {
  return sha256Hex(`${schemaVersion}|${text}|${prompt}`);
}

/** Parts of a LanguageTool cache key. */
export interface LanguageToolKeyParts {
  /** Base URL exactly as configured (not normalised). */
  readonly languageToolUrl: string;
  readonly language: string;
  /** Request timeout in seconds (written as a Python float). */
  readonly requestTimeoutS: number;
  readonly requestOptions?: Readonly<Record<string, string>>;
  /** The whitespace-normalised text. */
  readonly normalizedText: string;
}

/** The canonical key JSON of a LanguageTool cache entry (the hashed string). */
export function languageToolKeyJson(p: LanguageToolKeyParts): string {
  return canonicalPythonJson({
    language: p.language,
    language_tool_url: p.languageToolUrl,
    request_options: p.requestOptions ?? {},
    request_timeout_s: pyFloat(p.requestTimeoutS),
    schema_version: 1,
    text_sha256: sha256Hex(p.normalizedText),
  });
}

/** File stem of a LanguageTool cache entry. */
export function languageToolCacheKey(p: LanguageToolKeyParts): string {
  return sha256Hex(languageToolKeyJson(p));
}

/** Python's Unicode whitespace (`str.isspace`); unlike JavaScript's `\s` it has U+001C–U+001F and
 * U+0085 and lacks U+FEFF. */
const PY_WS =
  "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const PY_WS_RUN = new RegExp(`${PY_WS}+`, "g");
const PY_WS_EDGE = new RegExp(`^${PY_WS}+|${PY_WS}+$`, "g");

/**
 * Python's `re.sub(r"\s+", " ", text).strip()` (the Tier 1 normalisation, §A.9.1): every run of
 * Unicode whitespace becomes one space, then the ends are trimmed.
 *
 * @example
 * ```ts
 * pythonNormalizeWhitespace("  a\n\n b "); // "a b"
 * ```
 */
export function pythonNormalizeWhitespace(text: string): string {
  return text.replace(PY_WS_RUN, " ").replace(PY_WS_EDGE, "");
}
