/**
 * The HuleEdu LanguageTool service's protocol (HEMMA_PROTOCOL.md Part A) as pure functions:
 *
 * - {@link stockMatchToError}: the wrapper's mapping of a stock LanguageTool `/v2/check` match to
 *   an error object (§A.3.4), after {@link isWhitespaceIssue} matches are dropped (§A.3.3 step 4);
 * - {@link buildCheckResponse}: the `/v1/check` answer (§A.3.5–A.3.6) over such errors;
 * - {@link originalCounts} and {@link errorsToMatches}: the research client's grammar / spelling /
 *   punctuation rule (§A.9.3), applied to the `errors` array whichever dialect answered;
 * - zod schemas of the request (§A.3.1) and the error envelope (§A.4).
 *
 * @module
 */
import { z } from "zod";
import type { ErrorMatch } from "../../features/types.ts";
import { categoriseMatch } from "../../features/checkers/error_categories.ts";

/** One error object of a `/v1/check` answer (every key present, §A.3.4). */
export interface CheckError {
  rule_id: string;
  message: string;
  short_message: string;
  offset: number;
  length: number;
  replacements: string[];
  category: string;
  severity: string;
  category_id: string;
  category_name: string;
  context: string;
  context_offset: number;
}

/** The `/v1/check` success answer (§A.3.6). */
export interface CheckResponse {
  errors: CheckError[];
  total_grammar_errors: number;
  grammar_category_counts: Record<string, number>;
  grammar_rule_counts: Record<string, number>;
  language: string;
  processing_time_ms: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown, fallback: string): string => typeof v === "string" ? v : fallback;
const int = (v: unknown): number => typeof v === "number" && Number.isFinite(v) ? v : 0;

/** Whether a stock match is a whitespace issue (`rule.issueType` == `whitespace`, any case). */
export function isWhitespaceIssue(match: unknown): boolean {
  if (!isObj(match) || !isObj(match.rule)) return false;
  const t = match.rule.issueType;
  return typeof t === "string" && t.toLowerCase() === "whitespace";
}

function severityOf(issueType: unknown): string {
  const t = typeof issueType === "string" ? issueType.toLowerCase() : "";
  if (t === "grammar" || t === "inconsistency") return "warning";
  if (t === "error" || t === "incorrect") return "error";
  return "info";
}

/** Code-point slice of `text` (Python indexing). */
function cpSlice(text: string, start: number, end: number): string {
  return Array.from(text).slice(start, end).join("");
}

/**
 * The wrapper's mapping of one stock match to an error object (§A.3.4), with its defaults and
 * the context fallback (±40 code points) when `context.text` is missing or empty.
 */
export function stockMatchToError(match: Obj, text: string): CheckError {
  const rule = isObj(match.rule) ? match.rule : {};
  const category = isObj(rule.category) ? rule.category : {};
  const message = str(match.message, "");
  const offset = int(match.offset);
  const length = int(match.length);
  const replacements = Array.isArray(match.replacements)
    ? match.replacements.slice(0, 5).map((r) =>
      isObj(r) ? (r.value === undefined ? "" : String(r.value)) : String(r)
    )
    : [];
  const ctx = isObj(match.context) ? match.context : {};
  let context = str(ctx.text, "");
  let contextOffset = int(ctx.offset);
  if (context === "" && text !== "") {
    const cpLen = Array.from(text).length;
    const start = Math.max(0, offset - 40);
    context = cpSlice(text, start, Math.min(cpLen, offset + length + 40));
    contextOffset = offset - start;
  }
  return {
    rule_id: str(rule.id, "UNKNOWN"),
    message,
    short_message: "shortMessage" in match
      ? String(match.shortMessage ?? "")
      : cpSlice(message, 0, 50),
    offset,
    length,
    replacements,
    category: str(category.name, "unknown"),
    severity: severityOf(rule.issueType),
    category_id: str(category.id, "UNKNOWN"),
    category_name: str(category.name, "Unknown"),
    context,
    context_offset: contextOffset,
  };
}

/** Stock `/v2/check` body → the service's error objects (whitespace issues dropped first). */
export function stockResponseToErrors(body: unknown, text: string): CheckError[] {
  const matches = isObj(body) && Array.isArray(body.matches) ? body.matches : [];
  return matches.filter((m): m is Obj => isObj(m) && !isWhitespaceIssue(m)).map((m) =>
    stockMatchToError(m, text)
  );
}

/** The aggregation key of an error (§A.3.5): category key and rule key. */
export function aggregationKeys(e: Obj): { category: string; rule: string } {
  const nonEmpty = (v: unknown) => typeof v === "string" && v !== "";
  let category = "UNKNOWN";
  if (nonEmpty(e.category_id)) category = e.category_id as string;
  else if (isObj(e.type) && nonEmpty(e.type.typeName)) category = e.type.typeName as string;
  else if (typeof e.category_name === "string") category = e.category_name;
  else if (typeof e.category === "string") category = e.category;
  let rule = "UNKNOWN_RULE";
  if (nonEmpty(e.rule_id)) rule = e.rule_id as string;
  else if (isObj(e.rule) && nonEmpty(e.rule.id)) rule = e.rule.id as string;
  return { category, rule };
}

/** The `/v1/check` answer over mapped errors (counts per category and rule key). */
export function buildCheckResponse(
  errors: CheckError[],
  language: string,
  processingTimeMs: number,
): CheckResponse {
  const categories: Record<string, number> = {};
  const rules: Record<string, number> = {};
  for (const e of errors) {
    const k = aggregationKeys(e as unknown as Obj);
    categories[k.category] = (categories[k.category] ?? 0) + 1;
    rules[k.rule] = (rules[k.rule] ?? 0) + 1;
  }
  return {
    errors,
    total_grammar_errors: errors.length,
    grammar_category_counts: categories,
    grammar_rule_counts: rules,
    language,
    processing_time_ms: Math.max(1, Math.floor(processingTimeMs)),
  };
}

const truthyString = (v: unknown): string =>
  v === undefined || v === null || v === false || v === 0 || v === "" ? "" : String(v);

/**
 * The research client's view of a `/v1/check` `errors` array as `ErrorMatch`es: `categoryId` =
 * the first truthy of `category_id`, `category`; `ruleId` = `rule_id` (§A.9.3). Elements that are
 * not objects are skipped; an `errors` that is not an array gives none.
 */
export function errorsToMatches(errors: unknown): ErrorMatch[] {
  if (!Array.isArray(errors)) return [];
  return errors.filter(isObj).map((e) => ({
    offset: int(e.offset),
    length: int(e.length),
    ruleId: truthyString(e.rule_id),
    categoryId: truthyString(e.category_id) || truthyString(e.category),
    message: str(e.message, ""),
  }));
}

/** Grammar / spelling / punctuation counts of an `errors` array by the original rule (§A.9.3). */
export function originalCounts(
  errors: unknown,
): { grammar: number; spelling: number; punctuation: number } {
  const counts = { grammar: 0, spelling: 0, punctuation: 0 };
  for (const m of errorsToMatches(errors)) counts[categoriseMatch(m)]++;
  return counts;
}

/** An error object for a match of a checker that is not LanguageTool (our local checker). */
export function matchToCheckError(m: ErrorMatch, text: string): CheckError {
  return stockMatchToError({
    message: m.message,
    offset: m.offset,
    length: m.length,
    rule: {
      id: m.ruleId,
      issueType: categoriseMatch(m) === "spelling" ? "misspelling" : "grammar",
      category: { id: m.categoryId, name: CATEGORY_NAMES[m.categoryId] ?? m.categoryId },
    },
  }, text);
}

const CATEGORY_NAMES: Readonly<Record<string, string>> = {
  TYPOS: "Possible Typo",
  PUNCTUATION: "Punctuation",
  GRAMMAR: "Grammar",
  CASING: "Capitalization",
  TYPOGRAPHY: "Typography",
};

/** The `language` pattern of the request (§A.3.1). */
export const LANGUAGE_PATTERN = /^([a-z]{2}-[A-Z]{2}|auto)$/;

const laxBool = z.preprocess((v) => {
  if (typeof v === "string") {
    const t = v.toLowerCase();
    if (["true", "yes", "on", "1", "t", "y"].includes(t)) return true;
    if (["false", "no", "off", "0", "f", "n"].includes(t)) return false;
  }
  if (v === 1) return true;
  if (v === 0) return false;
  return v;
}, z.boolean().nullable());

const stringList = z.array(z.string()).nullable();

/** `/v1/check` request (camelCase aliases and snake_case both accepted; unknown keys ignored). */
export const CheckRequestSchema = z.object({
  text: z.string().refine((t) => {
    const n = Array.from(t).length;
    return n >= 1 && n <= 50_000;
  }, "text must have 1 to 50,000 characters"),
  language: z.string().regex(LANGUAGE_PATTERN, "language must match ^([a-z]{2}-[A-Z]{2}|auto)$")
    .default("en-US"),
  level: z.enum(["default", "picky"]).nullable().optional(),
  enabledCategories: stringList.optional(),
  disabledCategories: stringList.optional(),
  enabledRules: stringList.optional(),
  disabledRules: stringList.optional(),
  enabledOnly: laxBool.optional(),
});
/** A validated `/v1/check` request. */
export type CheckRequest = z.infer<typeof CheckRequestSchema>;

const SNAKE: Readonly<Record<string, string>> = {
  enabled_categories: "enabledCategories",
  disabled_categories: "disabledCategories",
  enabled_rules: "enabledRules",
  disabled_rules: "disabledRules",
  enabled_only: "enabledOnly",
};

/** Fold snake_case option keys into their camelCase alias (the alias wins when both are set). */
export function foldAliases(body: Obj): Obj {
  const out: Obj = { ...body };
  for (const [snake, camel] of Object.entries(SNAKE)) {
    if (snake in body && !(camel in body)) out[camel] = body[snake];
  }
  return out;
}

/** Form fields the wrapper sends to stock `/v2/check` for a request (§A.3.3 step 2). */
export function stockFormFields(req: CheckRequest): Record<string, string> {
  const f: Record<string, string> = { text: req.text, language: req.language };
  if (req.level) f.level = req.level;
  for (const k of ["enabledCategories", "disabledCategories", "enabledRules", "disabledRules"]) {
    const v = req[k as keyof CheckRequest] as string[] | null | undefined;
    if (v && v.length > 0) f[k] = v.join(",");
  }
  f.enabledOnly = req.enabledOnly ? "true" : "false";
  return f;
}

/** The service's error envelope (§A.4). */
export const ServiceErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    correlation_id: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
    service: z.string().optional(),
    timestamp: z.string().optional(),
  }).loose(),
});
/** A parsed error envelope. */
export type ServiceError = z.infer<typeof ServiceErrorSchema>;

/** Python `datetime.isoformat()` of a UTC time (microseconds, `+00:00`). */
export function pythonIsoTimestamp(d: Date = new Date()): string {
  const base = d.toISOString().slice(0, 19);
  const ms = d.getUTCMilliseconds();
  return ms === 0 ? `${base}+00:00` : `${base}.${String(ms * 1000).padStart(6, "0")}+00:00`;
}

/** Build the service's error envelope. */
export function serviceError(
  code: string,
  message: string,
  details: Obj,
  correlationId: string,
  service = "language-tool-service",
): ServiceError {
  return {
    error: {
      code,
      correlation_id: correlationId,
      details,
      message,
      service,
      timestamp: pythonIsoTimestamp(),
    },
  };
}
