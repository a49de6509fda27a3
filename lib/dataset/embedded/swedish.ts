/**
 * The second embedded data set (issue 18): a small synthetic Swedish corpus that exercises a
 * non-ELLIPSE dataset manifest end to end — letter grades F–A (an ordinal scale), three prompts,
 * two genres (`argumenterande`, in scope; `berättande`, out of scope), a few essays without a
 * genre tag, one TSV file in Windows-1252 with a split column (`delmängd`).
 *
 * Every essay is written here from sentence pools authored for this generator; nothing is
 * copied from a real corpus. The text depends on the grade with noise: a higher apparent grade
 * gives more sentences and paragraphs, more connectives and fewer planted spelling errors (common
 * Swedish misspellings such as "nån", "dom", "sjelv"). All randomness comes from one seeded
 * stream, so the file is a pure function of the seed.
 *
 * @module
 */
import { stringify } from "csv-stringify/sync";
import { SeededRandom } from "./random.ts";

/** Grade levels, lowest first (the manifest's ordinal scale). */
export const SWEDISH_GRADES = ["F", "E", "D", "C", "B", "A"] as const;

/** Column names of the TSV file, in order. */
export const SWEDISH_COLUMNS = ["id", "uppgift", "genre", "text", "betyg", "delmängd"] as const;

/** One row of the Swedish file. */
export type SwedishRow = Readonly<Record<(typeof SWEDISH_COLUMNS)[number], string>>;

/** Default seed of the committed file. */
export const SWEDISH_DATASET_SEED = "sv-42";

interface SwedishPrompt {
  readonly name: string;
  readonly genre: "argumenterande" | "berättande";
  readonly openings: readonly string[];
  readonly body: readonly string[];
  readonly counter: readonly string[];
  readonly endings: readonly string[];
}

const ARGUMENT_CONNECTIVES = [
  "Dessutom",
  "För det första",
  "För det andra",
  "Å andra sidan",
  "Följaktligen",
  "Till exempel",
  "Därför",
  "Samtidigt",
];

const NARRATIVE_CONNECTIVES = ["Sedan", "Plötsligt", "Efter en stund", "Till slut", "Då"];

/** The three prompts: two argumentative (in scope), one narrative (out of scope). */
export const SWEDISH_PROMPTS: readonly SwedishPrompt[] = [
  {
    name: "Mobiltelefoner i skolan",
    genre: "argumenterande",
    openings: [
      "Jag anser att mobiltelefoner inte borde vara tillåtna under lektionerna.",
      "Många diskuterar om eleverna ska få ha sina mobiler i klassrummet.",
      "Frågan om mobilförbud i skolan är viktigare än man först tror.",
    ],
    body: [
      "När telefonen ligger på bänken är det svårt att koncentrera sig på uppgiften.",
      "Läraren måste lägga mycket tid på att påminna eleverna om att lägga undan mobilen.",
      "Sociala medier gör att man hela tiden vill kolla om någon har skrivit något.",
      "Forskning visar att uppmärksamheten sjunker när en mobil finns inom räckhåll.",
      "Mobilen kan vara ett bra hjälpmedel när man ska söka information snabbt.",
      "Rasterna blir mer sociala om eleverna pratar med varandra i stället för att titta på skärmar.",
      "Föräldrar vill ibland kunna nå sina barn under skoldagen.",
      "Ett tydligt regelverk gör det enklare för både lärare och elever.",
    ],
    counter: [
      "Visserligen kan mobilen användas som miniräknare eller ordbok, men skolan har redan datorer för det.",
      "Vissa menar att ett förbud är att behandla eleverna som barn, men reglerna gäller bara lektionstid.",
    ],
    endings: [
      "Sammanfattningsvis tror jag att skolan blir en bättre plats att lära sig på utan mobiler.",
      "Därför borde alla skolor införa tydliga regler för mobiltelefoner.",
    ],
  },
  {
    name: "Fyra dagars skolvecka",
    genre: "argumenterande",
    openings: [
      "Skulle en skolvecka med fyra dagar vara bättre för eleverna?",
      "Jag tycker att förslaget om fyra dagars skolvecka är värt att pröva.",
      "Det finns både fördelar och nackdelar med en kortare skolvecka.",
    ],
    body: [
      "Med en extra ledig dag skulle eleverna få mer tid för vila och återhämtning.",
      "Längre skoldagar kan dock göra att man blir trött på eftermiddagarna.",
      "Familjer som arbetar heltid skulle behöva ordna tillsyn för de yngre barnen.",
      "Skolan skulle kunna spara pengar på transporter och uppvärmning.",
      "Många elever har fritidsintressen som de skulle kunna lägga mer tid på.",
      "Lärarna skulle få en dag för planering och fortbildning.",
      "Det är osäkert om eleverna skulle lära sig lika mycket på kortare tid.",
      "Försök i andra länder har gett blandade resultat.",
    ],
    counter: [
      "Kritiker säger att kunskaperna blir sämre, men det beror på hur dagarna organiseras.",
      "Man kan invända att föräldrarna får det svårare, men fritids kan vara öppet den femte dagen.",
    ],
    endings: [
      "Min slutsats är att en fyradagarsvecka kan fungera om den planeras noggrant.",
      "Jag anser därför att fler skolor borde testa en kortare skolvecka.",
    ],
  },
  {
    name: "En dag jag aldrig glömmer",
    genre: "berättande",
    openings: [
      "Det var en kall morgon i januari när allt började.",
      "Jag vaknade tidigt den dagen utan att veta vad som skulle hända.",
      "Sommaren när jag var tolv år hände något som jag fortfarande tänker på.",
    ],
    body: [
      "Min bästa vän ringde och sa att vi skulle träffas vid sjön.",
      "Himlen var grå och det luktade regn i luften.",
      "Vi cyklade genom skogen så fort vi kunde.",
      "Hunden sprang före oss och skällde på allt som rörde sig.",
      "Vid stranden hittade vi en gammal båt som någon hade lämnat.",
      "Mitt hjärta bultade när vi hörde ett ljud bakom oss.",
      "Farfar berättade senare att båten hade tillhört hans pappa.",
      "Vi satt länge och pratade medan solen gick ner.",
    ],
    counter: [
      "Jag var rädd, men jag ville inte visa det för de andra.",
      "Ingen av oss förstod då hur viktig den dagen skulle bli.",
    ],
    endings: [
      "Den dagen lärde jag mig att de bästa äventyren ofta börjar helt oväntat.",
      "Jag kommer aldrig att glömma hur det kändes när vi äntligen kom hem.",
    ],
  },
];

/** Common Swedish misspellings planted in weaker essays (correct → misspelt). */
const MISSPELLINGS: readonly (readonly [string, string])[] = [
  ["någon", "nån"],
  ["något", "nåt"],
  ["själv", "sjelv"],
  ["också", "åxå"],
  ["skulle", "skule"],
  ["eleverna", "elevärna"],
  ["dessutom", "desutom"],
  ["mycket", "mycke"],
  ["ungefär", "ungefer"],
  ["tillsammans", "tilsammans"],
  ["och", "å"],
  ["det", "de"],
  ["vad", "va"],
];

/** Essays per prompt and grade (F…A), train + test; bell-shaped around D/C. */
export const SWEDISH_GRADE_QUOTA: readonly number[] = [7, 9, 11, 11, 8, 6];

function misspell(sentence: string, rate: number, random: SeededRandom): string {
  return sentence.split(" ").map((word) => {
    const bare = word.replace(/[.,?!]$/, "");
    const hit = MISSPELLINGS.find(([right]) => right === bare.toLowerCase());
    if (!hit || random.uniform() >= rate) return word;
    return hit[1] + word.slice(bare.length);
  }).join(" ");
}

function writeEssay(prompt: SwedishPrompt, grade: number, random: SeededRandom): string {
  const quality = Math.max(0, Math.min(5, grade + random.normal() * 0.5));
  const nBody = Math.max(2, Math.round(2 + quality * 1.3 + random.normal()));
  const connectives = prompt.genre === "argumenterande"
    ? ARGUMENT_CONNECTIVES
    : NARRATIVE_CONNECTIVES;
  const body = random.shuffle([...prompt.body]).slice(0, Math.min(nBody, prompt.body.length));
  const sentences = [random.pick(prompt.openings)];
  body.forEach((s, i) => {
    const useConnective = i > 0 && random.uniform() < 0.15 + quality * 0.12;
    sentences.push(useConnective ? `${random.pick(connectives)} ${lowerFirst(s)}` : s);
  });
  if (quality >= 2.5) sentences.push(random.pick(prompt.counter));
  if (quality >= 1.5) sentences.push(random.pick(prompt.endings));
  const errorRate = Math.max(0, 0.6 - quality * 0.12);
  const written = sentences.map((s) => misspell(s, errorRate, random));
  const nParagraphs = Math.max(1, Math.min(written.length, Math.round(1 + quality * 0.6)));
  const per = Math.ceil(written.length / nParagraphs);
  const paragraphs: string[] = [];
  for (let i = 0; i < written.length; i += per) {
    paragraphs.push(written.slice(i, i + per).join(" "));
  }
  return paragraphs.join("\n\n");
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/**
 * Generate the Swedish data set: {@link SWEDISH_GRADE_QUOTA} essays per prompt, ~70 % `träning`
 * and ~30 % `test` within each prompt and grade, two in-scope essays left without a genre tag.
 *
 * @example
 * ```ts
 * const rows = generateSwedishDataset(); // rows[0].betyg === "F"
 * ```
 */
export function generateSwedishDataset(seed: string = SWEDISH_DATASET_SEED): SwedishRow[] {
  const random = new SeededRandom(seed);
  const rows: SwedishRow[] = [];
  SWEDISH_PROMPTS.forEach((prompt, p) => {
    let n = 0;
    SWEDISH_GRADE_QUOTA.forEach((count, grade) => {
      for (let k = 0; k < count; k++) {
        n++;
        const untagged = p === 0 && (n === 5 || n === 30);
        rows.push({
          id: `sv${p + 1}-${String(n).padStart(3, "0")}`,
          uppgift: prompt.name,
          genre: untagged ? "" : prompt.genre,
          text: writeEssay(prompt, grade, random),
          betyg: SWEDISH_GRADES[grade],
          "delmängd": n % 10 === 3 || n % 10 === 6 || n % 10 === 9 ? "test" : "träning",
        });
      }
    });
  });
  return rows;
}

/**
 * The rows as TSV text (header first, RFC 4180 quoting for essays with line breaks).
 *
 * @example
 * ```ts
 * swedishRowsToTsv(generateSwedishDataset()).startsWith("id\tuppgift"); // true
 * ```
 */
export function swedishRowsToTsv(rows: readonly SwedishRow[]): string {
  const header = [...SWEDISH_COLUMNS];
  return stringify([header, ...rows.map((r) => header.map((c) => r[c]))], {
    delimiter: "\t",
    record_delimiter: "\n",
  });
}

/**
 * Encode text as Windows-1252 (the legacy encoding real corpora ship in). Only the Latin-1
 * letters the generator writes (å, ä, ö, é …) are above ASCII; anything else is an error.
 *
 * @example
 * ```ts
 * encodeWindows1252("väg"); // Uint8Array [0x76, 0xe4, 0x67]
 * ```
 */
export function encodeWindows1252(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff || (c >= 0x80 && c < 0xa0)) {
      throw new Error(`character U+${c.toString(16)} at ${i} is not in the Latin-1 range`);
    }
    out[i] = c;
  }
  return out;
}
