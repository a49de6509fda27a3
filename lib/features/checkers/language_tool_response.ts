/**
 * Zod schema of LanguageTool's `POST /v2/check` response and its mapping to {@link ErrorMatch}.
 *
 * Only the fields the features use are required (`matches[].offset, length, message,
 * rule.id, rule.category.id`); everything else LanguageTool sends is accepted and ignored.
 * The HTTP client lives in `lib/offload/`.
 *
 * @module
 */
import { z } from "zod";
import type { ErrorMatch } from "../types.ts";

/** One match of a LanguageTool `/v2/check` response (fields used here). */
export const LanguageToolMatch = z.object({
  message: z.string(),
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
  rule: z.object({
    id: z.string().min(1),
    category: z.object({ id: z.string().min(1) }).loose(),
  }).loose(),
}).loose();

/** LanguageTool `/v2/check` response (fields used here). */
export const LanguageToolResponse = z.object({
  matches: z.array(LanguageToolMatch),
}).loose();

/** Parsed LanguageTool response. */
export type LanguageToolResponse = z.infer<typeof LanguageToolResponse>;

/**
 * Validate a LanguageTool `/v2/check` JSON body and map its matches to `ErrorMatch`es.
 * Throws an error naming `source` and the offending field when the body does not conform.
 *
 * @example
 * ```ts
 * const matches = parseLanguageToolResponse(await res.json(), "http://127.0.0.1:18085");
 * ```
 */
export function parseLanguageToolResponse(
  json: unknown,
  source = "LanguageTool response",
): ErrorMatch[] {
  const parsed = LanguageToolResponse.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join(".") : "(root)";
    throw new Error(`${source}: invalid /v2/check response at ${where}: ${issue.message}`);
  }
  return languageToolMatchesToErrors(parsed.data);
}

/** Map an already validated response to `ErrorMatch`es (in response order). */
export function languageToolMatchesToErrors(response: LanguageToolResponse): ErrorMatch[] {
  return response.matches.map((m) => ({
    offset: m.offset,
    length: m.length,
    ruleId: m.rule.id,
    categoryId: m.rule.category.id,
    message: m.message,
  }));
}
