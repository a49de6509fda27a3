/**
 * CLI: write the embedded data sets: ELLIPSE-shaped `data/embedded/ellipse_embedded_{train,test}.csv`
 * and the Swedish `data/embedded/swedish_embedded.tsv` (Windows-1252; its manifest is
 * `swedish_embedded.json`, written by hand).
 *
 * Usage: `deno task generate-embedded-data [--seed <seed>] [--out-dir <dir>]`. Each file is written
 * to a temporary file in the same directory and renamed into place, so a crash never leaves a
 * half-written CSV. Running it twice gives byte-identical files.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EMBEDDED_DATASET_SEED, embeddedRowsToCsv, generateEmbeddedDataset } from "./dataset.ts";
import { encodeWindows1252, generateSwedishDataset, swedishRowsToTsv } from "./swedish.ts";

/** Default output directory: `<repo>/data/embedded`. */
export const DEFAULT_EMBEDDED_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../../data/embedded",
);

/** File names of the two splits inside the output directory. */
export const EMBEDDED_FILE_NAMES = {
  train: "ellipse_embedded_train.csv",
  test: "ellipse_embedded_test.csv",
  swedish: "swedish_embedded.tsv",
} as const;

/** Write `text` to `path` atomically (temp file in the same directory + rename). */
export async function writeTextAtomic(path: string, text: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  try {
    if (typeof text === "string") await Deno.writeTextFile(tmp, text);
    else await Deno.writeFile(tmp, text);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/** Generate and write the three files; returns the paths written. */
export async function writeEmbeddedDataset(
  outDir: string = DEFAULT_EMBEDDED_DIR,
  seed: string = EMBEDDED_DATASET_SEED,
): Promise<{ train: string; test: string; swedish: string }> {
  const data = generateEmbeddedDataset(seed);
  await Deno.mkdir(outDir, { recursive: true });
  const train = join(outDir, EMBEDDED_FILE_NAMES.train);
  const test = join(outDir, EMBEDDED_FILE_NAMES.test);
  const swedish = join(outDir, EMBEDDED_FILE_NAMES.swedish);
  await writeTextAtomic(train, embeddedRowsToCsv(data.train));
  await writeTextAtomic(test, embeddedRowsToCsv(data.test));
  await writeTextAtomic(swedish, encodeWindows1252(swedishRowsToTsv(generateSwedishDataset())));
  return { train, test, swedish };
}

function parseArgs(args: readonly string[]): { seed: string; outDir: string } {
  let seed = EMBEDDED_DATASET_SEED;
  let outDir = DEFAULT_EMBEDDED_DIR;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--help" || a === "-h") {
      console.log(
        "Usage: deno task generate-embedded-data [--seed <seed>] [--out-dir <dir>]\n" +
          `Writes ${EMBEDDED_FILE_NAMES.train}, ${EMBEDDED_FILE_NAMES.test} and ` +
          `${EMBEDDED_FILE_NAMES.swedish} (Swedish, fixed seed) ` +
          `(default dir ${DEFAULT_EMBEDDED_DIR}, seed ${EMBEDDED_DATASET_SEED}).`,
      );
      Deno.exit(0);
    }
    const value = args[i + 1];
    if ((a === "--seed" || a === "--out-dir") && (value === undefined || value.startsWith("--"))) {
      throw new Error(`${a} needs a value`);
    }
    if (a === "--seed") seed = args[++i];
    else if (a === "--out-dir") outDir = resolve(args[++i]);
    else throw new Error(`unknown flag ${a} (expected --seed, --out-dir or --help)`);
  }
  return { seed, outDir };
}

if (import.meta.main) {
  try {
    const { seed, outDir } = parseArgs(Deno.args);
    const written = await writeEmbeddedDataset(outDir, seed);
    console.log(`wrote ${written.train}\nwrote ${written.test}\nwrote ${written.swedish}`);
  } catch (err) {
    console.error(`generate-embedded-data: ${err instanceof Error ? err.message : err}`);
    Deno.exit(1);
  }
}
