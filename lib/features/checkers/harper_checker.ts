/**
 * Local grammar/punctuation checker: harper.js lints (its WebAssembly binary ships in the npm
 * package) mapped to LanguageTool's vocabulary.
 *
 * Mapping: lint kind Punctuation → category `PUNCTUATION`; kinds Spelling and Typo → `TYPOS`;
 * every other kind → `GRAMMAR`. Rule id = `HARPER_<KIND>_<RULE>` in upper snake case (e.g.
 * `HARPER_AGREEMENT_PRONOUN_VERB_AGREEMENT`), so kind-based breakdowns survive the mapping.
 * Lints of kinds Readability and Style (e.g. "long sentence", Oxford comma) are advice, not
 * errors, and are dropped. One `LocalLinter` per dialect per process (setup ~1 s; ~40–200 ms
 * per essay).
 *
 * @module
 */
import { Dialect, type Lint, LocalLinter } from "harper.js";
import { binary } from "harper.js/binary";
import type { ErrorMatch } from "../types.ts";

/** Harper lint kinds that are style advice rather than errors; not reported. */
export const HARPER_EXCLUDED_KINDS: ReadonlySet<string> = new Set(["Readability", "Style"]);

/** Options of the harper pass. */
export interface HarperOptions {
  /**
   * Run harper's own dictionary spell check (rule `SpellCheck`). Off by default: it is ~30% of
   * harper's time per essay and nspell already covers spelling (on 400 ELLIPSE essays the
   * spelling density's Spearman with Overall was −0.314 with it, −0.302 without).
   */
  readonly spellCheck?: boolean;
}

const linters = new Map<string, Promise<LocalLinter>>();

/**
 * A new harper linter for a LanguageTool-style language code with the given rules turned off
 * (every other rule keeps harper's curated default). Setup costs ~1 s CPU the first time in a
 * process (harper's static initialisation), ~0.1 s after that. The checker itself uses one per
 * dialect ({@link findHarperErrors}); benchmarks use this to try other configurations.
 *
 * @example
 * ```ts
 * const linter = await newHarperLinter("en-US", ["SpellCheck"]);
 * ```
 */
export async function newHarperLinter(
  language: string,
  rulesOff: readonly string[],
): Promise<LocalLinter> {
  const linter = new LocalLinter({ binary, dialect: dialectOf(language) });
  await linter.setup();
  if (rulesOff.length > 0) {
    const config = await linter.getLintConfig();
    for (const rule of rulesOff) config[rule] = false;
    await linter.setLintConfig(config);
  }
  return linter;
}

/**
 * The harper rules the checker turns off: only `SpellCheck` (unless asked for). Every other rule
 * keeps harper's default, including the Readability/Style ones whose lints are dropped: harper
 * removes overlapping lints before returning them, so a dropped lint (e.g. `LongSentences`, which
 * spans a whole sentence) hides the lints inside it, and turning such a rule off would change the
 * counts (measured with `deno task bench harper`, docs/features_extraction.md).
 */
export function harperRulesOff(spellCheck: boolean): readonly string[] {
  return spellCheck ? [] : ["SpellCheck"];
}

/** The process-wide harper linter for a LanguageTool-style language code and options. */
function getLinter(language: string, options: HarperOptions): Promise<LocalLinter> {
  const spellCheck = options.spellCheck ?? false;
  const key = `${dialectOf(language)}:${spellCheck}`;
  let linter = linters.get(key);
  if (linter === undefined) {
    linter = newHarperLinter(language, harperRulesOff(spellCheck));
    linters.set(key, linter);
  }
  return linter;
}

function dialectOf(language: string): Dialect {
  const code = language.toLowerCase();
  if (code === "en-gb") return Dialect.British;
  if (code === "en-au") return Dialect.Australian;
  if (code === "en-ca") return Dialect.Canadian;
  return Dialect.American;
}

/** LanguageTool-like category of a harper lint kind. */
export function harperKindCategory(kind: string): string {
  if (kind === "Punctuation") return "PUNCTUATION";
  if (kind === "Spelling" || kind === "Typo") return "TYPOS";
  return "GRAMMAR";
}

/** Upper snake case of a CamelCase harper name ("PronounVerbAgreement" → "PRONOUN_VERB_AGREEMENT"). */
export function upperSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[^A-Za-z0-9]+/g, "_").toUpperCase();
}

/** Convert harper's char (code point) span to UTF-16 offsets of `text`. */
function codePointToUtf16(text: string): (index: number) => number {
  if (!/[\uD800-\uDFFF]/.test(text)) return (i) => i;
  const offsets: number[] = [];
  let u = 0;
  for (const ch of text) {
    offsets.push(u);
    u += ch.length;
  }
  offsets.push(u);
  return (i) => offsets[Math.min(i, offsets.length - 1)];
}

/**
 * Grammar, punctuation and typo lints of a text from harper.js, as `ErrorMatch`es sorted by
 * offset.
 *
 * @example
 * ```ts
 * await findHarperErrors("He go to school.", "en-US");
 * // [{ ruleId: "HARPER_AGREEMENT_PRONOUN_VERB_AGREEMENT", categoryId: "GRAMMAR", ... }]
 * ```
 */
export async function findHarperErrors(
  text: string,
  language: string,
  options: HarperOptions = {},
): Promise<ErrorMatch[]> {
  const linter = await getLinter(language, options);
  return harperMatches(text, await linter.organizedLints(text, { language: "plaintext" }));
}

/**
 * Map harper's organised lints of `text` (rule → lints) to `ErrorMatch`es sorted by offset,
 * dropping kinds Readability and Style; frees every lint.
 */
export function harperMatches(text: string, organised: Record<string, Lint[]>): ErrorMatch[] {
  const toUtf16 = codePointToUtf16(text);
  const matches: ErrorMatch[] = [];
  for (const [rule, lints] of Object.entries(organised)) {
    for (const lint of lints) {
      const kind = lint.lint_kind();
      if (HARPER_EXCLUDED_KINDS.has(kind)) {
        lint.free();
        continue;
      }
      const span = lint.span();
      const start = toUtf16(span.start);
      matches.push({
        offset: start,
        length: toUtf16(span.end) - start,
        ruleId: `HARPER_${upperSnake(kind)}_${upperSnake(rule)}`,
        categoryId: harperKindCategory(kind),
        message: lint.message(),
      });
      lint.free();
    }
  }
  matches.sort((a, b) => a.offset - b.offset || a.ruleId.localeCompare(b.ruleId));
  return matches;
}
