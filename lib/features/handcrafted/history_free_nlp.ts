/**
 * A wink-nlp instance whose analysis of a text never depends on the texts it read before.
 *
 * wink-nlp keeps one lexicon cache per instance and adds every out-of-vocabulary word it meets to
 * it. Its tokenizer consults that cache: a string such as `life's` that an earlier document added
 * is kept whole, while a fresh instance splits it into `life` + `'s`. So the tokens (and every
 * feature counted over them) of an essay depended on which essays the same process had read
 * before it — on batch order, chunking, worker count and resume points.
 *
 * Here the lexeme hash the cache consults is wrapped so that words added by *earlier* documents
 * are invisible: every `readDoc` sees the model's own lexicon plus what that document itself
 * added, exactly as a fresh instance would. The words re-added by later documents are appended
 * again (indices differ, values do not); to bound that growth the instance is rebuilt once the
 * added lexemes pass {@link MAX_ADDED_LEXEMES}, which — by the same property — changes no result.
 *
 * @module
 */
import winkNLP from "wink-nlp";
import model from "wink-eng-lite-web-model";

/** Added (out-of-vocabulary) lexemes after which the instance is rebuilt to bound memory. */
export const MAX_ADDED_LEXEMES = 200_000;

// deno-lint-ignore no-explicit-any
type WinkInstance = any;

interface LexemeFeature {
  hash: Record<string, number>;
  list: string[];
  index: number;
  intrinsicSize: number;
}

/** The lexicon state shared by one wink instance and the guard in front of its lexeme hash. */
interface GuardedInstance {
  readonly nlp: WinkInstance;
  readonly lexeme: LexemeFeature;
  /** Lexeme indices in [intrinsicSize, documentStart) belong to earlier documents. */
  documentStart: number;
}

function createGuardedInstance(): GuardedInstance {
  let lexeme: LexemeFeature | undefined;
  const state = { documentStart: 0 };
  const guardedModel = Object.create(model);
  guardedModel.core = function () {
    // deno-lint-ignore no-explicit-any
    const core = (model as any).core();
    const feature = core.features.lexeme as LexemeFeature;
    const intrinsic = feature.intrinsicSize;
    feature.hash = new Proxy(feature.hash, {
      get(target, key) {
        const index = Reflect.get(target, key);
        if (typeof index === "number" && index >= intrinsic && index < state.documentStart) {
          return undefined;
        }
        return index;
      },
    });
    lexeme = feature;
    return core;
  };
  const nlp = winkNLP(guardedModel);
  if (!lexeme) throw new Error("wink-nlp did not load its core model through core()");
  const instance: GuardedInstance = {
    nlp,
    lexeme,
    get documentStart() {
      return state.documentStart;
    },
    set documentStart(value: number) {
      state.documentStart = value;
    },
  };
  return instance;
}

let current: GuardedInstance | undefined;

function instance(): GuardedInstance {
  if (!current || current.lexeme.list.length - current.lexeme.intrinsicSize > MAX_ADDED_LEXEMES) {
    current = createGuardedInstance();
  }
  return current;
}

/** The `its` helpers of wink-nlp (identical across instances). */
export function winkIts(): WinkInstance["its"] {
  return instance().nlp.its;
}

/**
 * `nlp.readDoc(text)` on an instance that behaves as freshly loaded for this text: the result
 * depends on `text` alone, never on earlier calls.
 *
 * @example
 * ```ts
 * const doc = readDocWithoutHistory("It changed our life's course.");
 * doc.tokens().out(); // the same whatever was read before
 * ```
 */
export function readDocWithoutHistory(text: string): WinkInstance {
  const guarded = instance();
  guarded.documentStart = guarded.lexeme.list.length;
  return guarded.nlp.readDoc(text);
}
