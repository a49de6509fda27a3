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

/** The process-wide harper linter for a LanguageTool-style language code and options. */
function getLinter(language: string, options: HarperOptions): Promise<LocalLinter> {
  const dialect = dialectOf(language);
  const spellCheck = options.spellCheck ?? false;
  const key = `${dialect}:${spellCheck}`;
  let linter = linters.get(key);
  if (linter === undefined) {
    linter = (async () => {
      const l = new LocalLinter({ binary, dialect });
      await l.setup();
      if (!spellCheck) await l.setLintConfig({ ...(await l.getLintConfig()), SpellCheck: false });
      return l;
    })();
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
  const organised: Record<string, Lint[]> = await linter.organizedLints(text, {
    language: "plaintext",
  });
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
