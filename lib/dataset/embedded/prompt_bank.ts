/**
 * Types for the embedded-data sentence banks and the banks shared by every prompt (slot fillers,
 * thesis and conclusion frames, connectives, generic elaboration, letter openings and closings).
 *
 * Register markers: a template starting with `+` is advanced register (rarer, longer words,
 * complex syntax), one starting with `-` is plain register; unmarked templates suit both. The
 * essay writer weights them by the essay's vocabulary level.
 *
 * All text here was written for this project.
 *
 * @module
 */

/** One argument: short gists (for summaries), claim sentences and supporting detail sentences. */
export interface Idea {
  /** Noun phrases naming the argument ("saving time"), used in conclusions. */
  readonly gist: readonly string[];
  /** Topic sentences stating the argument. */
  readonly claims: readonly string[];
  /** Supporting sentences. */
  readonly details: readonly string[];
}

/** One side of a prompt: position clauses and the ideas that support them. */
export interface Side {
  /** Lower-case clauses stating the writer's position ("students should ..."). */
  readonly position: readonly string[];
  /** Arguments for this side. */
  readonly ideas: readonly Idea[];
}

/** Everything the writer needs to compose essays on one prompt. */
export interface PromptBank {
  /** Prompt name as written in the CSV `prompt` column. */
  readonly name: string;
  /** True for letter-dominated prompts (essays written as letters). */
  readonly letter: boolean;
  /** Noun phrases naming the topic (slot `[topic]`). */
  readonly topic: readonly string[];
  /** Opening sentences. */
  readonly hooks: readonly string[];
  /** Background sentences for introductions. */
  readonly context: readonly string[];
  /** The two positions an essay may take. */
  readonly sides: { readonly a: Side; readonly b: Side };
  /** Short personal anecdotes about the topic. */
  readonly examples: readonly string[];
  /** Thesis frames replacing `THESIS_FRAMES` (letters state a request, not an argument). */
  readonly thesis?: readonly string[];
  /** Conclusion sentences replacing `CONCLUSION_FRAMES`. */
  readonly conclusions?: readonly string[];
}

/** Slot fillers available to every template. */
export const SHARED_SLOTS: Readonly<Record<string, readonly string[]>> = {
  students: ["students", "most students", "many students", "teenagers", "young people", "kids"],
  friend: [
    "my friend {Carlos|Mei|Amira|Dmitri|Lucia|Tomas|Aisha|Kenji|Sofia|Omar|Nadia|Felipe}",
    "my best friend {Ana|Jun|Samir|Elena|Marco|Priya|Yusuf|Rosa}",
    "a classmate of mine",
  ],
  relative: [
    "my {older|younger|little|big} {brother|sister}",
    "my {cousin|uncle|aunt}",
    "my {mother|father|mom|dad}",
    "my {grandmother|grandfather}",
  ],
  subject: ["math", "biology", "chemistry", "history", "English", "art", "physics", "geometry"],
  name: [
    "{Daniel|Maria|Hyun|Fatima|Luis|Grace|Ivan|Lina|Mateo|Zara} {Reyes|Kim|Novak|Haddad|Silva|Osei|Park|Moreno}",
  ],
  school: [
    "{Riverside|Lakeview|Westfield|Oak Hill|Central|Maple Grove} High School",
  ],
  employer: [
    "{Mr.|Ms.|Mrs.|Dr.} {Thompson|Alvarez|Chen|Whitfield|Nakamura|Okafor}",
    "Hiring Manager",
    "Sir or Madam",
    "{Manager|Director}",
  ],
};

/** Thesis frames; `[position]` is the essay's position clause. */
export const THESIS_FRAMES: readonly string[] = [
  "-I think [position]",
  "-I {agree|believe} that [position]",
  "-In my opinion [position]",
  "In my opinion, [position]",
  "I {strongly|firmly} believe that [position]",
  "+I would argue that [position], for several reasons",
  "+After considering both sides, I am convinced that [position]",
  "+This essay will argue that [position]",
];

/** Sentences that restate the position (low-register writers repeat them often). */
export const RESTATEMENTS: readonly string[] = [
  "-That is why I think [position]",
  "-So I think [position]",
  "-This is {why|the reason} [position]",
  "-I {really|also} think [position] because it is {good|better}",
  "+For this reason, it seems clear that [position]",
  "This shows that [position]",
];

/** Conclusion openers. */
export const CONCLUSION_FRAMES: readonly string[] = [
  "-In conclusion I think [position]",
  "In conclusion, [position]",
  "To sum up, [position]",
  "+In conclusion, the evidence suggests that [position]",
  "+All things considered, [position]",
  "+To conclude, [position], because of [gist] and [gist2]",
  "In conclusion, [position] because of [gist] and [gist2]",
];

/** Closing sentences after the conclusion opener. */
export const CLOSERS: readonly string[] = [
  "-That is my opinion",
  "-Thank you for reading",
  "+Ultimately, the decision should serve the long-term interests of the students involved",
  "+Whatever is decided, it should be based on evidence rather than habit",
  "I hope {people|the school|everyone} will {think about|consider} this",
  "+Considering these arguments carefully would lead to a wiser choice",
];

/** Openers introducing the nth body argument (advanced vs plain register). */
export const ARGUMENT_OPENERS: readonly (readonly string[])[] = [
  ["-First", "-The first reason is that", "First of all,", "+To begin with,", "+Firstly,"],
  ["-Second", "-Also", "Another reason is that", "+Secondly,", "+In addition,", "+Moreover,"],
  ["-Third", "-And", "Another reason is that", "+Furthermore,", "+Thirdly,", "+Additionally,"],
  ["-Also", "Finally,", "+Lastly,", "+Beyond this,", "+Equally important,"],
];

/** Sentence connectives for detail sentences (advanced vs plain). */
export const DETAIL_CONNECTIVES: readonly string[] = [
  "-And",
  "-Also",
  "-So",
  "-Because of that",
  "For example,",
  "Also,",
  "+Moreover,",
  "+Furthermore,",
  "+In addition,",
  "+For instance,",
  "+As a result,",
  "+Consequently,",
  "+In fact,",
  "+Similarly,",
];

/** Frames that introduce a personal example. */
export const EXAMPLE_FRAMES: readonly string[] = [
  "-For example",
  "For example,",
  "+For instance,",
  "+To illustrate,",
  "",
];

/** Generic elaboration sentences used when the prompt's own bank runs dry. */
export const ELABORATIONS: readonly string[] = [
  "-This is {very|really} important {for|to} me",
  "-{Many|A lot of} people {think|feel} the same way",
  "-It is {a big deal|a serious problem} for {students|families}",
  "I {know|learned} this {from my own experience|because it happened to [relative]}",
  "{Many|Some} students at my school {feel|think} the same way",
  "+This point is often overlooked, but it matters a great deal",
  "+The consequences of this are easy to underestimate",
  "+It is worth considering how this affects students from different backgrounds",
  "+Evidence from schools that have tried this supports the same conclusion",
  "-{My|Our} teacher {also|once} {said|told us} {this|something like this}",
  "This {happens|is true} {more often|more} than people {think|realise}",
  "+Such experiences shape how young people approach their responsibilities",
  "-{Many|Some} of my {friends|classmates} {talk|complain} about [topic] {all the time|a lot}",
  "+The debate about [topic] is, at its heart, a debate about what young people need",
  "+It would be naive to ignore how [topic] {can affect|may affect} {families|everyday life}",
  "Not everyone {agrees|will agree} with me, but {this|that} is {how I feel|what I have seen}",
  "+Looking at the issue from {a student's|a teenager's} perspective makes this even clearer",
  "-I {see|have seen} this {at my school|in my class|with my friends}",
  "-{It is|This is} not {easy|simple} for {everybody|every student}",
  "+This is not merely a matter of convenience but also a matter of fairness",
  "{Teachers|Parents|Adults} {often|also} {agree|say the same thing}",
  "+A thoughtful decision about [topic] would take these facts into account",
  "{This|That} is {one of the reasons|part of the reason} {I feel strongly about|I care about} [topic]",
  "-{Everybody|Everyone} should be able to {choose|decide} what is {best|good} for them",
  "+When we weigh the costs and benefits, the same pattern appears again and again",
  "When I {ask|talk to} {people|students} {at my school|in my class}, {most of them|many of them} {agree|say the same}",
  "-I {think|believe} {this|that} is {very|really} {true|important}",
  "+Decisions like this should be guided by the people they affect most",
  "-It {can|could} {change|help} {a lot of|many} {lives|people}",
  "+In the long run, the effects will be felt far beyond {this year|the present}",
  "{Of course|Naturally}, {every situation|every person} is {different|unique}",
  "+Of course, no solution is perfect, and there will always be exceptions",
  "-I know {some|other} people {don't|do not} agree, but {this|it} is {my opinion|what I believe}",
  "+Careful observation of {my classmates|my own family} has only strengthened this view",
  "-When I {was younger|was little} I {did not|didn't} think about {this|[topic]}, but now I do",
  "+Small changes in daily routines can have surprisingly large effects",
  "{My|Our} {family|neighbours} {talked|argued} about [topic] {at dinner|last week|one evening}",
];

/** Rebuttals that follow a counter-argument. */
export const REBUTTALS: readonly string[] = [
  "-But I {still|don't} think {this is|it's} {true|more important}",
  "However, {I believe|I think} the {advantages|benefits} are {greater|more important}",
  "+Nevertheless, this concern is outweighed by the arguments above",
  "+Although this point has some merit, it does not change the overall picture",
  "+Even so, the problem can be managed with careful planning",
];

/** Frames introducing a counter-argument; `[counter]` is a claim of the other side. */
export const COUNTER_FRAMES: readonly string[] = [
  "-Some people say [counter]",
  "Some people {argue|believe} that [counter]",
  "+Critics might argue that [counter]",
  "+Opponents of this view claim that [counter]",
  "+It is true that [counter]",
];

/** Letter greetings. */
export const LETTER_GREETINGS: readonly string[] = [
  "Dear [employer],",
  "-Dear [employer]",
  "-Hello [employer],",
  "+Dear [employer],",
];

/** Letter sign-offs (before the writer's name). */
export const LETTER_CLOSINGS: readonly string[] = [
  "Sincerely,",
  "-Thank you,",
  "+Yours sincerely,",
  "Best regards,",
  "+Thank you for your time and consideration. Sincerely,",
];
