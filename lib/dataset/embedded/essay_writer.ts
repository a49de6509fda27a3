/**
 * Composes one synthetic learner essay from a prompt bank and a latent score profile.
 *
 * The analytic scores drive separate properties, each with its own per-essay noise, so no single
 * property determines the score:
 * - Overall → target length (set by the caller);
 * - Vocabulary → advanced-register templates and lexical upgrades (rarer, longer words);
 * - Cohesion → organisation: intro/conclusion paragraphs, paragraph breaks, connectives,
 *   counter-argument; low cohesion → fewer breaks and more repetition of the thesis;
 * - Syntax → joining sentences into compound ones;
 * - Grammar → planted grammar errors per sentence;
 * - Conventions → planted spelling and punctuation/capitalisation errors.
 *
 * @module
 */
import {
  ARGUMENT_OPENERS,
  CLOSERS,
  CONCLUSION_FRAMES,
  COUNTER_FRAMES,
  DETAIL_CONNECTIVES,
  ELABORATIONS,
  EXAMPLE_FRAMES,
  LETTER_CLOSINGS,
  LETTER_GREETINGS,
  type PromptBank,
  REBUTTALS,
  RESTATEMENTS,
  SHARED_SLOTS,
  type Side,
  THESIS_FRAMES,
} from "./prompt_bank.ts";
import {
  plantGrammarError,
  plantSentencePunctuationError,
  plantSpellingErrors,
  upgradeVocabulary,
} from "./errors.ts";
import type { SeededRandom } from "./random.ts";
import { capitaliseFirst, expandTemplate, lowerFirst, type SlotTable } from "./template.ts";
import { countAlnumWords } from "./text_stats.ts";

/** Overall and the six analytic scores (1.0–5.0, half steps). */
export interface ScoreProfile {
  readonly overall: number;
  readonly cohesion: number;
  readonly syntax: number;
  readonly vocabulary: number;
  readonly phraseology: number;
  readonly grammar: number;
  readonly conventions: number;
}

/** What the writer needs for one essay. */
export interface EssayPlan {
  readonly bank: PromptBank;
  readonly side: "a" | "b";
  readonly scores: ScoreProfile;
  /** Approximate length in `[A-Za-z0-9]+` words (the essay stops at the first sentence past it). */
  readonly targetWords: number;
}

/** Counts of the errors the writer planted. */
export interface PlantedErrors {
  readonly spelling: number;
  readonly grammar: number;
  readonly punctuation: number;
}

/** A written essay and the errors planted in it. */
export interface WrittenEssay {
  readonly text: string;
  readonly planted: PlantedErrors;
}

/** Per-essay latent levels in [0, 1] derived from the scores plus noise. */
interface Levels {
  readonly lex: number;
  readonly org: number;
  readonly syn: number;
  readonly spellingRate: number;
  readonly grammarRate: number;
  readonly punctuationRate: number;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

function levelsFor(s: ScoreProfile, rng: SeededRandom): Levels {
  const noisy = (score: number) => clamp01((score - 1) / 4 + 0.1 * rng.normal());
  const lognoise = () => Math.exp(0.8 * rng.normal());
  return {
    lex: noisy((s.vocabulary + s.phraseology) / 2),
    org: noisy(s.cohesion),
    syn: noisy(s.syntax),
    spellingRate: clamp01(0.3 * Math.exp(-0.5 * (s.conventions - 1)) * lognoise()),
    grammarRate: clamp01(0.45 * Math.exp(-0.5 * (s.grammar - 1)) * lognoise()),
    punctuationRate: clamp01(0.4 * Math.exp(-0.45 * (s.conventions - 1)) * lognoise()),
  };
}

/** One sentence under construction, with its role (for error planting and joining). */
interface Sentence {
  text: string;
  /** Fixed lines (greeting, sign-off) are never altered. */
  readonly fixed: boolean;
}

/** Pick a template weighted by register (`+` advanced, `-` plain) for lexical level `lex`. */
function pickByRegister(templates: readonly string[], lex: number, rng: SeededRandom): string {
  const weights = templates.map((t) =>
    t.startsWith("+") ? 0.04 + 3 * lex ** 2 : t.startsWith("-") ? 0.04 + 3 * (1 - lex) ** 2 : 0.6
  );
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.uniform() * total;
  for (let i = 0; i < templates.length; i++) {
    u -= weights[i];
    if (u < 0) return stripMarker(templates[i]);
  }
  return stripMarker(templates[templates.length - 1]);
}

function stripMarker(t: string): string {
  return t.startsWith("+") || t.startsWith("-") ? t.slice(1) : t;
}

/** Ensure sentence-final punctuation and a capital first letter. */
function finish(text: string): string {
  const t = capitaliseFirst(text.trim());
  return /[.!?,:]$/.test(t) ? t : `${t}.`;
}

/** Prefix a connective: "However," + "it is" → "However, it is"; "And" + "It" → "And it". */
function withConnective(connective: string, sentence: string): string {
  if (connective === "") return sentence;
  return `${connective} ${lowerFirst(sentence)}`;
}

/** Compose one essay. Deterministic given the random state. */
export function writeEssay(plan: EssayPlan, rng: SeededRandom): WrittenEssay {
  const { bank } = plan;
  const side: Side = bank.sides[plan.side];
  const otherSide: Side = bank.sides[plan.side === "a" ? "b" : "a"];
  const lv = levelsFor(plan.scores, rng);
  const gists = rng.shuffle(side.ideas).map((i) => rng.pick(i.gist));
  const position = expandTemplate(
    rng.pick(side.position),
    { ...SHARED_SLOTS, topic: bank.topic },
    rng,
  );
  const slots: SlotTable = {
    ...SHARED_SLOTS,
    topic: bank.topic,
    position: [position],
    gist: [gists[0] ?? "these reasons"],
    gist2: [gists[1] ?? gists[0] ?? "these reasons"],
  };
  const expand = (templates: readonly string[]) =>
    expandTemplate(pickByRegister(templates, lv.lex, rng), slots, rng);
  const sentence = (text: string): Sentence => ({ text: finish(text), fixed: false });

  // --- introduction -------------------------------------------------------------------------
  const paragraphs: Sentence[][] = [];
  if (bank.letter) {
    paragraphs.push([{ text: expand(LETTER_GREETINGS), fixed: true }]);
  }
  const intro: Sentence[] = [];
  const fullIntro = rng.chance(0.15 + 0.8 * lv.org);
  if (fullIntro || bank.letter || rng.chance(0.3)) intro.push(sentence(expand(bank.hooks)));
  if (fullIntro && rng.chance(0.35 + 0.5 * lv.org)) intro.push(sentence(expand(bank.context)));
  intro.push(sentence(expand(bank.thesis ?? THESIS_FRAMES)));
  paragraphs.push(intro);

  // --- conclusion (written first so its length counts against the target) -------------------
  const conclusion: Sentence[] = [];
  if (rng.chance(0.1 + 0.85 * lv.org)) {
    conclusion.push(sentence(expand(bank.conclusions ?? CONCLUSION_FRAMES)));
    if (!bank.letter && rng.chance(0.3 + 0.5 * lv.org)) conclusion.push(sentence(expand(CLOSERS)));
  } else if (rng.chance(0.5)) {
    conclusion.push(sentence(expand(RESTATEMENTS)));
  }
  const signOff: Sentence[] = [];
  if (bank.letter && rng.chance(0.55 + 0.45 * lv.org)) {
    signOff.push({ text: expand(LETTER_CLOSINGS), fixed: true });
    signOff.push({ text: expandTemplate("[name]", slots, rng), fixed: true });
  }

  const wordsOf = (ss: readonly Sentence[]) => ss.reduce((n, s) => n + countAlnumWords(s.text), 0);
  let words = paragraphs.reduce((n, p) => n + wordsOf(p), 0) + wordsOf(conclusion) +
    wordsOf(signOff);

  // --- body -----------------------------------------------------------------------------------
  const ideas = rng.shuffle(side.ideas);
  const usedTexts = new Set<string>();
  /** Expand until the sentence is new to this essay (a few tries), so essays rarely repeat. */
  const fresh = (generate: () => string): string => {
    let text = generate();
    for (let tries = 0; tries < 8 && usedTexts.has(text); tries++) text = generate();
    for (let tries = 0; tries < 8 && usedTexts.has(text); tries++) {
      text = expandTemplate(pickByRegister(ELABORATIONS, lv.lex, rng), slots, rng);
    }
    usedTexts.add(text);
    return text;
  };
  const fromTemplates = (templates: readonly string[]) => () =>
    expandTemplate(pickByRegister(templates, lv.lex, rng), slots, rng);
  // Paragraph plan: better-organised writers use a few more body paragraphs; length goes into
  // paragraph size, not paragraph count (as in the real corpus).
  const bodyBudget = Math.max(0, plan.targetWords - words);
  const wordsPerParagraph = 70 + 50 * rng.uniform() + 40 * (1 - lv.org);
  const plannedBody = Math.min(8, Math.max(1, Math.round(bodyBudget / wordsPerParagraph)));
  const perParagraph = bodyBudget / plannedBody;
  let counterDone = false;
  const bodyParagraphs: Sentence[][] = [];
  for (let k = 0; words < plan.targetWords && k < 40; k++) {
    const para: Sentence[] = [];
    const add = (s: Sentence) => {
      para.push(s);
      words += countAlnumWords(s.text);
    };
    const paragraphEnd = Math.min(plan.targetWords, words + perParagraph);
    const counterTurn = !counterDone && k >= 1 && k === plannedBody - 1 &&
      rng.chance(0.8 * lv.org ** 1.5);
    if (counterTurn) {
      counterDone = true;
      const counterIdea = rng.pick(otherSide.ideas);
      const claim = fresh(fromTemplates(counterIdea.claims));
      const counterSlots = { ...slots, counter: [lowerFirst(claim)] };
      add(sentence(expandTemplate(pickByRegister(COUNTER_FRAMES, lv.lex, rng), counterSlots, rng)));
      add(sentence(fresh(fromTemplates(REBUTTALS))));
      while (words < paragraphEnd) {
        add(sentence(fresh(fromTemplates(rng.pick(side.ideas).details))));
      }
      bodyParagraphs.push(para);
      continue;
    }
    const idea = ideas[k % ideas.length];
    const openers = ARGUMENT_OPENERS[Math.min(k, ARGUMENT_OPENERS.length - 1)];
    const claim = fresh(fromTemplates(idea.claims));
    const useOpener = k < 4 && rng.chance(0.2 + 0.7 * lv.org);
    add(sentence(useOpener ? withConnective(pickByRegister(openers, lv.lex, rng), claim) : claim));
    const pool = rng.shuffle(idea.details);
    let exampleUsed = false;
    let previousJoinable = false;
    for (let d = 0; words < paragraphEnd; d++) {
      let text: string;
      let isExample = false;
      if (d < pool.length && rng.chance(0.85)) text = fresh(fromTemplates([pool[d]]));
      else if (!exampleUsed && rng.chance(0.5 + 0.3 * lv.org)) {
        exampleUsed = true;
        isExample = true;
        const frame = expand(EXAMPLE_FRAMES);
        const example = fresh(fromTemplates(bank.examples));
        text = frame === "" ? example : withConnective(frame, example);
      } else if (rng.chance(0.2 * (1 - lv.lex))) text = expand(RESTATEMENTS);
      else if (rng.chance(0.4)) text = fresh(fromTemplates(rng.pick(side.ideas).details));
      else text = fresh(fromTemplates(ELABORATIONS));
      if (!isExample && previousJoinable && rng.chance(0.35 * lv.syn)) {
        const last = para[para.length - 1];
        const glue = rng.pick([", and ", ", so ", ", which means that "]);
        const joined = last.text.replace(/\.$/, "") + glue + lowerFirst(text);
        words += countAlnumWords(joined) - countAlnumWords(last.text);
        para[para.length - 1] = sentence(joined);
        previousJoinable = false;
        continue;
      }
      const startsWithFrame = /^[A-Za-z]+( [a-z]+){0,3},/.test(text);
      const connect = !isExample && !startsWithFrame && rng.chance(0.1 + 0.45 * lv.org);
      add(sentence(connect ? withConnective(expand(DETAIL_CONNECTIVES), text) : text));
      previousJoinable = !connect && !isExample;
    }
    bodyParagraphs.push(para);
  }

  // --- assemble paragraphs: low cohesion merges paragraphs ---------------------------------
  const all: Sentence[][] = [...paragraphs.slice(0, paragraphs.length - 1)];
  let current = paragraphs[paragraphs.length - 1].slice();
  for (const p of [...bodyParagraphs, conclusion]) {
    if (p.length === 0) continue;
    if (rng.chance(0.85 * (1 - lv.org) ** 1.3)) current.push(...p);
    else {
      all.push(current);
      current = p.slice();
    }
  }
  all.push(current);
  if (signOff.length > 0) all.push(signOff);

  // --- plant errors -------------------------------------------------------------------------
  let spelling = 0;
  let grammar = 0;
  let punctuation = 0;
  const upgradeRate = 0.03 + 0.6 * lv.lex ** 1.5;
  const rendered: string[] = [];
  for (const para of all) {
    const texts: string[] = [];
    for (const s of para) {
      if (s.fixed) {
        texts.push(s.text);
        continue;
      }
      let t = upgradeVocabulary(s.text, upgradeRate, rng);
      if (rng.chance(lv.grammarRate)) {
        const g = plantGrammarError(t, rng);
        if (g !== null) {
          t = g;
          grammar++;
        }
      }
      const sp = plantSpellingErrors(t, lv.spellingRate, rng);
      t = sp.text;
      spelling += sp.count;
      if (rng.chance(lv.punctuationRate * 0.6)) {
        const p = plantSentencePunctuationError(t, rng);
        if (p !== null) {
          t = p;
          punctuation++;
        }
      }
      texts.push(t);
    }
    // sentence boundaries: run-ons and comma splices
    let out = texts[0];
    for (let i = 1; i < texts.length; i++) {
      const prevFixed = para[i - 1].fixed || para[i].fixed;
      let next = texts[i];
      if (!prevFixed && out.endsWith(".") && rng.chance(lv.punctuationRate * 0.5)) {
        const kind = rng.int(0, 2);
        out = kind === 0 ? `${out.slice(0, -1)},` : out.slice(0, -1);
        if (kind !== 2) next = lowerFirst(next);
        punctuation++;
      }
      out += (para[i - 1].fixed && bank.letter ? "\n" : " ") + next;
    }
    rendered.push(out);
  }
  return { text: rendered.join("\n\n"), planted: { spelling, grammar, punctuation } };
}
