/**
 * Planted learner errors and lexical upgrades for the embedded-data generator.
 *
 * - Spelling: common L2 misspellings of frequent words (every misspelling is a non-word, so a
 *   dictionary spell checker can find it).
 * - Grammar: subject–verb agreement ("he go"), modal + -s ("can helps"), dropped articles, wrong
 *   tense, double comparatives, missing plural.
 * - Punctuation/capitalisation: run-ons and comma splices at sentence boundaries, lower-case
 *   sentence starts, missing apostrophes, missing comma after an introductory word, lower-case "i".
 * - Lexical upgrades: plain words replaced by rarer synonyms at a rate rising with the essay's
 *   vocabulary level.
 *
 * Each function returns the changed text and how many errors it planted, so the generator can
 * report the planted error rate per essay.
 *
 * @module
 */
import type { SeededRandom } from "./random.ts";

/** Common misspellings of frequent words (correct → misspelt forms). */
export const MISSPELLINGS: Readonly<Record<string, readonly string[]>> = {
  because: ["becuase", "beacuse", "becouse", "becase"],
  believe: ["belive", "beleive"],
  different: ["diferent", "diffrent"],
  which: ["wich", "whitch"],
  their: ["thier"],
  really: ["realy", "rilly"],
  people: ["peple", "poeple", "peolpe"],
  necessary: ["necesary", "neccessary"],
  opinion: ["opinon", "oppinion"],
  important: ["importan", "importent", "imporant"],
  environment: ["enviroment", "enviorment"],
  especially: ["especialy", "expecially"],
  responsibility: ["responsability", "responsiblity"],
  schedule: ["schedual", "schedle"],
  until: ["untill"],
  always: ["allways", "alway"],
  friends: ["freinds", "frends"],
  friend: ["freind", "frend"],
  teacher: ["teatcher", "techer"],
  teachers: ["teatchers", "techers"],
  beginning: ["begining"],
  probably: ["probaly", "problably"],
  successful: ["succesful", "sucessful"],
  experience: ["experiance", "expirience"],
  knowledge: ["knowlege", "knowledgde"],
  decision: ["desicion", "decition"],
  achieve: ["acheive"],
  definitely: ["definitly", "definately"],
  separate: ["seperate"],
  finally: ["finaly"],
  whether: ["wether"],
  receive: ["recieve"],
  school: ["shool", "scholl"],
  students: ["studens", "studends", "stundents"],
  student: ["studen", "stundent"],
  think: ["thik", "tink"],
  with: ["whit", "wiht"],
  want: ["whant"],
  they: ["thay"],
  other: ["orther"],
  example: ["exemple", "exampel"],
  family: ["famaly", "familly"],
  money: ["mony", "monney"],
  time: ["tiem"],
  learn: ["lern"],
  learning: ["lerning"],
  something: ["somthing", "someting"],
  everything: ["everithing", "everyting"],
  together: ["togheter", "togather"],
  activities: ["activites", "activitys"],
  advice: ["advise", "advaice"],
  tired: ["tierd"],
  many: ["meny"],
  would: ["whould", "wold"],
  could: ["cuold", "coud"],
  should: ["shoud", "sould"],
  about: ["abaut", "abuot"],
  also: ["allso", "alsow"],
  easier: ["easyer"],
  interesting: ["intresting", "interesing"],
  business: ["bussiness", "busness"],
  accident: ["acident", "accidant"],
  dangerous: ["dangerus", "dangeros"],
  communicate: ["comunicate"],
  environmental: ["enviromental"],
  technology: ["tecnology", "technolgy"],
  college: ["colledge", "collage"],
  future: ["futur", "fucture"],
  life: ["lif"],
  parents: ["parens", "perents"],
  homework: ["homwork", "homeworks"],
  weekend: ["weekent"],
  government: ["goverment"],
  problem: ["problen", "probleme"],
  sometimes: ["somtimes", "sometims"],
  help: ["halp"],
  doctor: ["docter"],
  class: ["clase"],
  classes: ["clases"],
};

/** All misspelt forms, for counting planted spelling errors in text. */
export const MISSPELT_FORMS: ReadonlySet<string> = new Set(
  Object.values(MISSPELLINGS).flat(),
);

/** Plant spelling errors: each eligible word is misspelt with probability `rate`. */
export function plantSpellingErrors(
  text: string,
  rate: number,
  rng: SeededRandom,
): { text: string; count: number } {
  let count = 0;
  const out = text.replace(/[A-Za-z]+/g, (word) => {
    const lower = word.toLowerCase();
    const forms = Object.hasOwn(MISSPELLINGS, lower) ? MISSPELLINGS[lower] : undefined;
    if (!forms || forms.length === 0 || !rng.chance(rate)) return word;
    count++;
    const wrong = rng.pick(forms);
    return word[0] === word[0].toUpperCase() ? wrong[0].toUpperCase() + wrong.slice(1) : wrong;
  });
  return { text: out, count };
}

const THIRD_PERSON_TO_BASE: Readonly<Record<string, string>> = {
  goes: "go",
  does: "do",
  has: "have",
  is: "are",
  wants: "want",
  needs: "need",
  makes: "make",
  takes: "take",
  gets: "get",
  helps: "help",
  thinks: "think",
  says: "say",
  feels: "feel",
  works: "work",
  learns: "learn",
  knows: "know",
  gives: "give",
  lets: "let",
  shows: "show",
  doesn: "don",
};

const PLURAL_TO_SINGULAR_VERB: Readonly<Record<string, string>> = {
  are: "is",
  have: "has",
  were: "was",
  do: "does",
  need: "needs",
  want: "wants",
  think: "thinks",
  feel: "feels",
  learn: "learns",
};

const PAST_TO_PRESENT: Readonly<Record<string, string>> = {
  went: "go",
  was: "is",
  had: "have",
  did: "do",
  made: "make",
  took: "take",
  learned: "learn",
  felt: "feel",
  got: "get",
  said: "say",
  told: "tell",
  saw: "see",
  helped: "help",
  decided: "decide",
  joined: "join",
};

const BASE_VERBS = new Set([
  "help",
  "make",
  "learn",
  "give",
  "take",
  "save",
  "feel",
  "get",
  "use",
  "lose",
  "choose",
  "find",
  "see",
  "work",
  "study",
  "spend",
]);

interface GrammarRule {
  readonly pattern: RegExp;
  readonly apply: (match: string, ...groups: string[]) => string | null;
}

const GRAMMAR_RULES: readonly GrammarRule[] = [
  // he goes → he go
  {
    pattern:
      /\b(he|she|it|He|She|It|everyone|Everyone|everybody|nobody|the teacher|my friend|my mom|my dad)\s+([a-z]+)\b/,
    apply: (_m, subj, verb) => {
      const base = THIRD_PERSON_TO_BASE[verb];
      return base ? `${subj} ${base}` : null;
    },
  },
  // students are → students is
  {
    pattern:
      /\b(students|people|parents|teachers|they|They|kids|families|drivers|schools)\s+([a-z]+)\b/,
    apply: (_m, subj, verb) => {
      const wrong = PLURAL_TO_SINGULAR_VERB[verb];
      return wrong ? `${subj} ${wrong}` : null;
    },
  },
  // can help → can helps
  {
    pattern: /\b(can|will|should|could|would|must)\s+([a-z]+)\b/,
    apply: (_m, modal, verb) => (BASE_VERBS.has(verb) ? `${modal} ${verb}s` : null),
  },
  // drop an article
  {
    pattern: /\b(the|a|an)\s+([a-z]+)\b/,
    apply: (_m, _art, noun) => noun,
  },
  // wrong tense: went → go
  {
    pattern:
      /\b(went|was|had|did|made|took|learned|felt|got|said|told|saw|helped|decided|joined)\b/,
    apply: (m) => PAST_TO_PRESENT[m] ?? null,
  },
  // double comparative
  {
    pattern: /\b(better|easier|harder|safer|worse)\b/,
    apply: (m) => `more ${m}`,
  },
  // missing plural after a quantifier
  {
    pattern: /\b(many|several|some|a lot of|all|few)\s+([a-z]{3,}[^s])s\b/,
    apply: (_m, q, stem) => `${q} ${stem}`,
  },
];

/**
 * Plant one grammar error in a sentence, choosing among the rules that apply.
 * Returns null when no rule applies.
 */
export function plantGrammarError(sentence: string, rng: SeededRandom): string | null {
  const order = rng.shuffle(GRAMMAR_RULES);
  for (const rule of order) {
    const m = rule.pattern.exec(sentence);
    if (!m) continue;
    const replacement = rule.apply(m[0], ...m.slice(1));
    if (replacement === null || replacement === m[0]) continue;
    return sentence.slice(0, m.index) + replacement + sentence.slice(m.index + m[0].length);
  }
  return null;
}

const APOSTROPHE_WORDS = /\b(don't|doesn't|can't|won't|isn't|I'm|it's|didn't|that's|they're)\b/;

/**
 * Plant one punctuation or capitalisation error inside a sentence (not at its boundary).
 * Returns null when nothing applicable was found.
 */
export function plantSentencePunctuationError(
  sentence: string,
  rng: SeededRandom,
): string | null {
  const options: Array<() => string | null> = [
    () => {
      const m = APOSTROPHE_WORDS.exec(sentence);
      return m
        ? sentence.slice(0, m.index) + m[0].replace("'", "") +
          sentence.slice(m.index + m[0].length)
        : null;
    },
    () => {
      const m = /^([A-Z][a-z]+( [a-z]+)?),\s/.exec(sentence);
      return m ? sentence.replace(`${m[1]}, `, `${m[1]} `) : null;
    },
    () => (/\bI\b/.test(sentence) ? sentence.replace(/\bI\b/, "i") : null),
    () => (/^[A-Z]/.test(sentence) && !/^I\b/.test(sentence)
      ? sentence[0].toLowerCase() + sentence.slice(1)
      : null),
    () => {
      const m = /, /.exec(sentence);
      return m ? sentence.slice(0, m.index) + " ," + sentence.slice(m.index + 1) : null;
    },
  ];
  for (const f of rng.shuffle(options)) {
    const out = f();
    if (out !== null && out !== sentence) return out;
  }
  return null;
}

interface LexicalUpgrade {
  readonly pattern: RegExp;
  readonly replacements: readonly string[];
}

const LEXICAL_UPGRADES: readonly LexicalUpgrade[] = [
  { pattern: /\ba lot of\b/g, replacements: ["a great deal of", "a considerable amount of"] },
  { pattern: /\bvery important\b/g, replacements: ["crucial", "essential", "vital"] },
  { pattern: /\bimportant\b/g, replacements: ["significant", "essential"] },
  { pattern: /\bgood\b(?! at)/g, replacements: ["beneficial", "valuable", "advantageous"] },
  { pattern: /\bbad\b/g, replacements: ["harmful", "detrimental"] },
  { pattern: /\bbig\b(?! deal)/g, replacements: ["substantial", "considerable"] },
  {
    pattern: /\bshows\b(?! (?:me|us|you|them|him|her)\b)/g,
    replacements: ["demonstrates", "illustrates"],
  },
  {
    pattern: /\bshow\b(?! (?:me|us|you|them|him|her)\b)/g,
    replacements: ["demonstrate", "reveal"],
  },
  { pattern: /\bI think\b/g, replacements: ["I believe", "I maintain", "I am convinced"] },
  { pattern: /\bmany\b/g, replacements: ["numerous", "countless"] },
  { pattern: /\bmake sure\b/g, replacements: ["ensure", "guarantee"] },
  { pattern: /\bfind out\b/g, replacements: ["discover", "determine"] },
  { pattern: /\bkids\b/g, replacements: ["adolescents", "young people"] },
  { pattern: /\beasy\b(?! to)/g, replacements: ["straightforward", "effortless"] },
  { pattern: /\breally\b/g, replacements: ["genuinely", "truly"] },
  { pattern: /\bmaybe\b/g, replacements: ["perhaps", "possibly"] },
  { pattern: /\bstart\b/g, replacements: ["begin", "commence"] },
  { pattern: /\btry to\b/g, replacements: ["attempt to", "strive to"] },
  { pattern: /\bproblem\b/g, replacements: ["issue", "challenge", "difficulty"] },
  { pattern: /\bproblems\b/g, replacements: ["issues", "challenges", "difficulties"] },
  { pattern: /\bjob\b(?![- ]shadow)/g, replacements: ["position", "occupation"] },
  { pattern: /\bhappy\b/g, replacements: ["content", "satisfied"] },
  { pattern: /\btired\b/g, replacements: ["exhausted", "fatigued"] },
  { pattern: /\bchance\b/g, replacements: ["opportunity"] },
  { pattern: /\bpeople\b/g, replacements: ["individuals"] },
  { pattern: /\bsmart\b/g, replacements: ["intelligent", "sensible"] },
  { pattern: /\bhard\b(?= to\b)/g, replacements: ["difficult", "challenging"] },
  { pattern: /\bis fun\b/g, replacements: ["is enjoyable", "is rewarding"] },
  { pattern: /\bget better\b/g, replacements: ["improve"] },
  { pattern: /\bbecause of\b/g, replacements: ["due to", "owing to"] },
  { pattern: /\balso\b/g, replacements: ["additionally", "likewise"] },
];

/** Replace plain words by rarer synonyms, each occurrence with probability `rate`. */
export function upgradeVocabulary(text: string, rate: number, rng: SeededRandom): string {
  let out = text;
  for (const up of LEXICAL_UPGRADES) {
    out = out.replace(up.pattern, (m) => {
      if (!rng.chance(rate)) return m;
      const r = rng.pick(up.replacements);
      return m[0] === m[0].toUpperCase() && m[0] !== "I" ? r[0].toUpperCase() + r.slice(1) : r;
    });
  }
  return out;
}
