/**
 * Web Worker entry for feature extraction: loads its own USE-lite encoder (and, unless the
 * caller checks errors itself, its own local harper+nspell checker), then runs
 * {@link processEssayBatch} on each task the pool sends. One worker per core.
 *
 * Messages (see {@link WorkerRequest} / {@link WorkerReply}): on start the worker posts `loaded`
 * once its module graph is evaluated and its handler installed (a message posted earlier can be
 * lost while the graph still evaluates asynchronously); then `init` → `ready`; `task` →
 * `progress`* then `result` (buffers transferred) or `error`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { loadUseLiteEncoder, type UseLiteEncoderOptions } from "./embeddings/use_lite_encoder.ts";
import { LocalErrorChecker } from "./checkers/local_checker.ts";
import {
  type ParagraphEmbeddingMode,
  type PipelineComponents,
  type PipelineEssay,
  type PipelineStage,
  processEssayBatch,
} from "./essay_pipeline.ts";
import type { FeatureSet } from "./types.ts";
import type { EncoderStats } from "./embeddings/use_lite_encoder.ts";

/** Worker configuration sent with `init`. */
export interface WorkerConfig {
  readonly encoderOptions: UseLiteEncoderOptions;
  /** Build the local checker in the worker (false when the caller supplies errors). */
  readonly localChecker: boolean;
  readonly language: string;
  readonly paragraphEmbedding: ParagraphEmbeddingMode;
}

/** Messages to the worker. */
export type WorkerRequest =
  | { readonly type: "init"; readonly config: WorkerConfig }
  | {
    readonly type: "task";
    readonly taskId: number;
    readonly featureSet: FeatureSet;
    readonly essays: readonly PipelineEssay[];
  };

/** Messages from the worker. */
export type WorkerReply =
  | { readonly type: "loaded" }
  | { readonly type: "ready"; readonly encoderName: string; readonly checkerName?: string }
  | {
    readonly type: "progress";
    readonly taskId: number;
    readonly stage: PipelineStage;
    readonly done: number;
  }
  | {
    readonly type: "result";
    readonly taskId: number;
    readonly handcrafted?: Float64Array;
    readonly handcraftedCols: number;
    readonly embeddings?: Float64Array;
    readonly stageMs: Record<PipelineStage, number>;
    /** Encoder work done for this task. */
    readonly encoderStats: EncoderStats;
  }
  | { readonly type: "error"; readonly taskId: number; readonly message: string };

let components: PipelineComponents | undefined;
let encoderStats: EncoderStats | undefined;

function reply(message: WorkerReply, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const message = event.data;
  if (message.type === "init") {
    try {
      const encoder = await loadUseLiteEncoder(message.config.encoderOptions);
      const checker = message.config.localChecker ? new LocalErrorChecker() : undefined;
      encoderStats = encoder.stats;
      components = {
        encoder,
        checker,
        language: message.config.language,
        paragraphEmbedding: message.config.paragraphEmbedding,
        promptCache: new Map(),
      };
      reply({ type: "ready", encoderName: encoder.name, checkerName: checker?.name });
    } catch (error) {
      reply({ type: "error", taskId: -1, message: `worker init failed: ${describe(error)}` });
    }
    return;
  }
  if (!components) {
    reply({ type: "error", taskId: message.taskId, message: "worker not initialised" });
    return;
  }
  try {
    const before = { ...encoderStats! };
    const result = await processEssayBatch(
      message.essays,
      components,
      message.featureSet,
      (stage, done) => reply({ type: "progress", taskId: message.taskId, stage, done }),
    );
    const transfer: Transferable[] = [];
    if (result.handcrafted) transfer.push(result.handcrafted.buffer as ArrayBuffer);
    if (result.embeddings) transfer.push(result.embeddings.buffer as ArrayBuffer);
    reply({
      type: "result",
      taskId: message.taskId,
      handcrafted: result.handcrafted,
      handcraftedCols: result.handcraftedCols,
      embeddings: result.embeddings,
      stageMs: result.stageMs,
      encoderStats: {
        texts: encoderStats!.texts - before.texts,
        embedded: encoderStats!.embedded - before.embedded,
        calls: encoderStats!.calls - before.calls,
        tokens: encoderStats!.tokens - before.tokens,
      },
    }, transfer);
  } catch (error) {
    reply({ type: "error", taskId: message.taskId, message: describe(error) });
  }
};

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

reply({ type: "loaded" });
