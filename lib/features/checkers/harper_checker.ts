/**
 * Local grammar/punctuation checker: harper.js lints (its WebAssembly binary ships in the npm
 * package) mapped to LanguageTool's vocabulary.
 *
 * Mapping: lint kind Punctuation → category `PUNCTUATION`; kinds Spelling and Typo → `TYPOS`;
 * every other kind → `GRAMMAR`. Rule id = `HARPER_<KIND>_<RULE>` in upper snake case (e.g.
 * `HARPER_AGREEMENT_PRONOUN_VERB_AGREEMENT`), so kind-based breakdowns survive the mapping.
 * Lints of kinds Readability and Style (e.g. "long sentence", Oxford comma) are advice, not
 * errors, and are dropped. One `LocalLinter` per dialect per process (setup ~1 s; ~40–200 ms
 * per essay). When `deno task build-native` has built harper-core natively, the same lints come
 * from it instead, at about half the CPU (`harper_native.ts`).
 *
 * @module
 */
import { type Lint, LocalLinter } from "harper.js";
import { binary } from "harper.js/binary";
import type { ErrorMatch } from "../types.ts";
import {
  codePointsToJsIndices,
  harperBackend,
  harperDialect,
  type HarperLint,
  nativeHarperLints,
} from "./harper_native.ts";

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
  const linter = new LocalLinter({ binary, dialect: harperDialect(language) });
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
  const key = `${harperDialect(language)}:${spellCheck}`;
  let linter = linters.get(key);
  if (linter === undefined) {
    linter = newHarperLinter(language, harperRulesOff(spellCheck));
    linters.set(key, linter);
  }
  return linter;
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
  if (harperBackend() === "native") {
    return harperLintMatches(text, nativeHarperLints(text, language, options.spellCheck ?? false));
  }
  const linter = await getLinter(language, options);
  return harperMatches(text, await linter.organizedLints(text, { language: "plaintext" }));
}

/**
 * Map harper's organised lints of `text` (rule → lints) to `ErrorMatch`es sorted by offset,
 * dropping kinds Readability and Style; frees every lint.
 */
export function harperMatches(text: string, organised: Record<string, Lint[]>): ErrorMatch[] {
  const lints: HarperLint[] = [];
  for (const [rule, ls] of Object.entries(organised)) {
    for (const lint of ls) {
      const span = lint.span();
      lints.push({
        rule,
        kind: lint.lint_kind(),
        start: span.start,
        end: span.end,
        message: lint.message(),
      });
      lint.free();
    }
  }
  return harperLintMatches(text, lints);
}

/**
 * Map harper lints of `text` (in harper's rule order, spans in code points) to `ErrorMatch`es
 * sorted by offset, dropping kinds Readability and Style.
 *
 * @example
 * ```ts
 * harperLintMatches("He go.", [{ rule: "PronounVerbAgreement", kind: "Agreement", start: 3,
 *   end: 5, message: "…" }]); // [{ offset: 3, length: 2, categoryId: "GRAMMAR", … }]
 * ```
 */
export function harperLintMatches(text: string, lints: readonly HarperLint[]): ErrorMatch[] {
  // harper.js's spans are UTF-16 indices already, so on a text with astral characters (emoji)
  // this second mapping shifts offsets after them; kept as it was (stores stay identical), noted
  // in docs/features_extraction.md
  const toUtf16 = codePointsToJsIndices(text);
  const matches: ErrorMatch[] = [];
  for (const lint of lints) {
    if (HARPER_EXCLUDED_KINDS.has(lint.kind)) continue;
    const start = toUtf16(lint.start);
    matches.push({
      offset: start,
      length: toUtf16(lint.end) - start,
      ruleId: `HARPER_${upperSnake(lint.kind)}_${upperSnake(lint.rule)}`,
      categoryId: harperKindCategory(lint.kind),
      message: lint.message,
    });
  }
  matches.sort((a, b) => a.offset - b.offset || a.ruleId.localeCompare(b.ruleId));
  return matches;
}
