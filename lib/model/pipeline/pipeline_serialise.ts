/**
 * The fitted state of a scoring pipeline and its JSON form (schemas in `pipeline_json.ts`):
 * {@link pipelineToJson} writes it, {@link pipelineFromJson} validates, rebuilds the live models
 * and checks that the parts agree with each other (column names follow from the stacks, the
 * learner's width, the blend's members, ascending cut-points), so a malformed state is refused
 * with what disagrees instead of predicting something else.
 *
 * @module
 */
import { type ScoreScale, scoreScale } from "../../dataset/score_scale.ts";
import type { StackBlend } from "./blend.ts";
import type { Regressor, RegressorJSON } from "../learners/estimator.ts";
import { regressorFromJSON } from "../learners/factory.ts";
import {
  type ScoringPipelineJson,
  ScoringPipelineJsonSchema,
  textStackFromJson,
  textStackToJson,
} from "./pipeline_json.ts";
import { type FittedStack, modelFeatureNames, STACK_FEATURE } from "./pipeline_stacks.ts";
import { Ridge } from "../learners/ridge.ts";
import type { DenseStackModel, TextStackModel } from "./stacking.ts";
import {
  type PromptStandardisation,
  promptStandardisationFromJson,
  promptStandardisationToJson,
} from "./prompt_standardise.ts";

/** The fitted parts of a scoring pipeline. */
export interface ScoringPipelineState {
  readonly inputFeatureNames: readonly string[];
  readonly modelFeatureNames: readonly string[];
  readonly learner: Regressor;
  /** Fitted stacks in column order (embedding, word TF-IDF, character TF-IDF). */
  readonly stacks: readonly FittedStack[];
  /** Input columns the embedding stack replaces (empty when off). */
  readonly denseColumns: readonly number[];
  readonly blend: StackBlend | null;
  readonly cutpoints: readonly number[] | null;
  /** Training mean of every model column (`pipeline_shap.ts`). */
  readonly shapBackgroundMean: readonly number[];
  /** The score scale predictions are rounded to and cut-points map onto. */
  readonly scale: ScoreScale;
  /** Per-prompt standardisation of the input columns (null/absent: none). */
  readonly promptStandardisation?: PromptStandardisation | null;
}

function stackModel(state: ScoringPipelineState, kind: FittedStack["kind"]) {
  const s = state.stacks.find((x) => x.kind === kind);
  if (!s) return null;
  if (s.model === null) {
    throw new Error(
      `scoring pipeline: ${STACK_FEATURE[kind]} was fitted from cached values; ` +
        "only a pipeline that fitted its own stacks can be saved",
    );
  }
  return s.model;
}

/**
 * The JSON form of a fitted pipeline.
 *
 * @example
 * ```ts
 * const json = pipelineToJson(pipeline);
 * ```
 */
export function pipelineToJson(state: ScoringPipelineState): ScoringPipelineJson {
  const dense = stackModel(state, "dense") as DenseStackModel | null;
  const text = stackModel(state, "text") as TextStackModel | null;
  const char = stackModel(state, "char") as TextStackModel | null;
  const json = {
    format_version: 1 as const,
    input_feature_names: [...state.inputFeatureNames],
    model_feature_names: [...state.modelFeatureNames],
    learner: state.learner.toJSON() as ScoringPipelineJson["learner"],
    embedding_stack: dense
      ? {
        columns: [...state.denseColumns],
        ridge: dense.ridge.toJSON() as ScoringPipelineJson["learner"],
      }
      : null,
    text_stack: text ? textStackToJson(text) : null,
    char_text_stack: char ? textStackToJson(char) : null,
    blend: state.blend
      ? {
        members: [...state.blend.members],
        coef: [...state.blend.coef],
        intercept: state.blend.intercept,
        spread: { ...state.blend.spread },
      }
      : null,
    cutpoints: state.cutpoints ? [...state.cutpoints] : null,
    shap_background_mean: [...state.shapBackgroundMean],
    score_scale: state.scale.spec,
    // only per-prompt pipelines have it: every other pipeline.json is unchanged
    ...(state.promptStandardisation
      ? { prompt_standardisation: promptStandardisationToJson(state.promptStandardisation) }
      : {}),
  };
  return json;
}

/**
 * Validate a pipeline's JSON and rebuild its fitted state. Throws naming what is malformed or
 * what disagrees.
 *
 * @example
 * ```ts
 * const state = pipelineFromJson(JSON.parse(text));
 * ```
 */
export function pipelineFromJson(value: unknown): ScoringPipelineState {
  const parsed = ScoringPipelineJsonSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new Error(`scoring pipeline JSON is invalid: ${issues}`);
  }
  const json = parsed.data;
  const stacks: FittedStack[] = [];
  if (json.embedding_stack) {
    stacks.push({
      kind: "dense",
      model: { kind: "dense", ridge: Ridge.fromJSON(json.embedding_stack.ridge as RegressorJSON) },
    });
  }
  if (json.text_stack) stacks.push({ kind: "text", model: textStackFromJson(json.text_stack) });
  if (json.char_text_stack) {
    stacks.push({ kind: "char", model: textStackFromJson(json.char_text_stack) });
  }
  const state: ScoringPipelineState = {
    inputFeatureNames: json.input_feature_names,
    modelFeatureNames: json.model_feature_names,
    learner: regressorFromJSON(json.learner as RegressorJSON),
    stacks,
    denseColumns: json.embedding_stack?.columns ?? [],
    blend: json.blend,
    cutpoints: json.cutpoints,
    shapBackgroundMean: json.shap_background_mean,
    scale: scoreScale(json.score_scale),
    promptStandardisation: json.prompt_standardisation
      ? promptStandardisationFromJson(json.prompt_standardisation, json.input_feature_names.length)
      : null,
  };
  checkPipelineConsistency(state);
  return state;
}

/**
 * Check that the parts of a fitted state agree with each other. Throws saying what disagrees.
 *
 * @example
 * ```ts
 * checkPipelineConsistency(pipeline);
 * ```
 */
export function checkPipelineConsistency(state: ScoringPipelineState): void {
  const fail = (what: string) => {
    throw new Error(`scoring pipeline is inconsistent: ${what}`);
  };
  const expected = modelFeatureNames(
    state.inputFeatureNames,
    state.denseColumns,
    state.stacks.map((s) => s.kind),
  );
  if (expected.join("\u0000") !== state.modelFeatureNames.join("\u0000")) {
    fail("model_feature_names do not follow from input_feature_names and the stacks");
  }
  const p = (state.learner as unknown as { nFeatures: number }).nFeatures;
  if (p !== state.modelFeatureNames.length) {
    fail(`the learner has ${p} features, model_feature_names ${state.modelFeatureNames.length}`);
  }
  const blend = state.blend;
  if (blend) {
    if (blend.coef.length !== blend.members.length) fail("blend: one weight per member expected");
    if (blend.members[0] !== state.learner.name) {
      fail("blend: the first member must be the learner");
    }
    const stackNames = state.stacks.map((s) => STACK_FEATURE[s.kind]);
    if (blend.members.slice(1).join("\u0000") !== stackNames.join("\u0000")) {
      fail("blend: the other members must be the stacked columns, in column order");
    }
  }
  const cols = state.denseColumns;
  if (cols.some((c) => c >= state.inputFeatureNames.length)) fail("embedding column out of range");
  for (const { model } of state.stacks) {
    if (model?.kind === "dense" && model.ridge.nFeatures !== cols.length) {
      fail(`embedding ridge has ${model.ridge.nFeatures} inputs, ${cols.length} columns`);
    }
    if (model?.kind === "text" && model.vectorizer.idf.length !== model.ridge.coef.length) {
      fail(
        `TF-IDF has ${model.vectorizer.idf.length} terms, its ridge ${model.ridge.coef.length} ` +
          "weights",
      );
    }
  }
  const cut = state.cutpoints;
  if (cut && cut.some((c, k) => k > 0 && c < cut[k - 1])) fail("cut-points are not ascending");
  if (cut && cut.length !== state.scale.nLevels - 1) {
    fail(`${cut.length} cut-points for a scale of ${state.scale.nLevels} levels`);
  }
  if (state.shapBackgroundMean.length !== state.modelFeatureNames.length) {
    fail("SHAP background has the wrong size");
  }
}
