/**
 * A tiny template language for the embedded-data generator's sentence banks.
 *
 * - `{a|b|c}` picks one alternative uniformly (alternatives may nest and may be empty: `{|very }`).
 * - `[slot]` expands one random entry of the named slot, itself a template. `[Slot]` (capitalised
 *   name) does the same and capitalises the first letter of the result.
 *
 * Expansion is deterministic given the `SeededRandom` state.
 *
 * @module
 */
import type { SeededRandom } from "./random.ts";

/** Named slot fillers: each slot is a list of templates. */
export type SlotTable = Readonly<Record<string, readonly string[]>>;

/** Upper-case the first letter of a string (leaves the rest alone). */
export function capitaliseFirst(text: string): string {
  const i = text.search(/[A-Za-z]/);
  if (i < 0) return text;
  return text.slice(0, i) + text[i].toUpperCase() + text.slice(i + 1);
}

/** Lower-case the first letter unless the first word is "I" or looks like a proper noun. */
export function lowerFirst(text: string): string {
  const m = /^([A-Z])([a-z]*)/.exec(text);
  if (!m) return text;
  const word = m[0];
  if (word === "I" || KEEP_CAPITALISED.has(word)) return text;
  return m[1].toLowerCase() + text.slice(1);
}

const KEEP_CAPITALISED = new Set([
  "English",
  "Monday",
  "Friday",
  "Saturday",
  "Sunday",
  "Internet",
  "Mr",
  "Mrs",
  "Ms",
  "Dr",
]);

/**
 * Expand a template with random choices.
 *
 * @throws Error on an unknown slot, unbalanced braces, or runaway recursion.
 */
export function expandTemplate(
  template: string,
  slots: SlotTable,
  rng: SeededRandom,
  depth = 0,
): string {
  if (depth > 12) throw new Error(`template recursion too deep in: ${template}`);
  let out = "";
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c === "{") {
      const alternatives = splitAlternatives(template, i);
      const choice = alternatives.parts[Math.floor(rng.uniform() * alternatives.parts.length)];
      out += expandTemplate(choice, slots, rng, depth + 1);
      i = alternatives.end;
    } else if (c === "[") {
      const close = template.indexOf("]", i);
      if (close < 0) throw new Error(`unclosed '[' in template: ${template}`);
      out += expandSlot(template.slice(i + 1, close), slots, rng, depth);
      i = close + 1;
    } else if (c === "}" || c === "|") {
      throw new Error(`unbalanced '${c}' in template: ${template}`);
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Split `{...|...}` starting at `open` into raw alternative strings (nesting respected). */
function splitAlternatives(t: string, open: number): { parts: string[]; end: number } {
  const parts: string[] = [];
  let level = 0;
  let partStart = open + 1;
  for (let i = open; i < t.length; i++) {
    const c = t[i];
    if (c === "{") level++;
    else if (c === "}") {
      level--;
      if (level === 0) {
        parts.push(t.slice(partStart, i));
        return { parts, end: i + 1 };
      }
    } else if (c === "|" && level === 1) {
      parts.push(t.slice(partStart, i));
      partStart = i + 1;
    }
  }
  throw new Error(`unclosed '{' in template: ${t}`);
}

function expandSlot(name: string, slots: SlotTable, rng: SeededRandom, depth: number): string {
  const lower = name[0].toLowerCase() + name.slice(1);
  const entries = slots[name] ?? slots[lower];
  if (!entries) throw new Error(`unknown template slot [${name}]`);
  const text = expandTemplate(rng.pick(entries), slots, rng, depth + 1);
  return name === lower ? text : capitaliseFirst(text);
}
