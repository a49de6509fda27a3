/**
 * `status.json`: the one file that says where a run is. Pure transitions over a plain value;
 * the run context writes the result atomically after each transition.
 *
 * @module
 */

/** State of a run or a stage. */
export type RunState = "running" | "completed" | "failed";

/** One stage's record. */
export interface StageStatus {
  readonly name: string;
  readonly state: RunState;
  readonly started_at: string;
  readonly completed_at?: string;
  readonly seconds?: number;
  readonly error?: string;
}

/** The content of `status.json`. */
export interface RunStatus {
  readonly run_name: string;
  readonly command: string;
  readonly run_dir: string;
  readonly state: RunState;
  /** The stage running now, or the last stage that ran. */
  readonly stage: string | null;
  readonly started_at: string;
  readonly updated_at: string;
  readonly completed_at?: string;
  readonly error?: RunError;
  readonly stages: readonly StageStatus[];
  /** Process id and host of the process running it (to tell a live run from a dead one). */
  readonly pid?: number;
  readonly hostname?: string;
  /** Every `--resume` of this run directory, oldest first. */
  readonly resumes?: readonly ResumeRecord[];
}

/** Why a run failed: an error, or an interruption by a signal (SIGINT/SIGTERM). */
export type FailureReason = "error" | "interrupted";

/** The error record of a failed run. */
export interface RunError {
  readonly message: string;
  readonly stage: string | null;
  /** `interrupted` when a signal stopped the run (work finished so far is kept). */
  readonly reason: FailureReason;
  /** The signal, for `interrupted`. */
  readonly signal?: string;
  readonly stack?: string;
}

/** One resume of a run directory. */
export interface ResumeRecord {
  readonly resumed_at: string;
  /** How the previous attempt ended. */
  readonly previous_state: RunState;
  readonly previous_error?: RunError;
  /** The command line of the resuming invocation. */
  readonly command_line: string;
  readonly pid?: number;
  /** The git commit (and dirtiness) of the code that resumed, when known. */
  readonly git?: { readonly commit: string | null; readonly dirty: boolean | null };
}

/**
 * A new run's status (state `running`, no stage yet).
 *
 * @example
 * ```ts
 * const s = initialRunStatus("r", "prepare-dataset", "output/x", "2026-01-01T00:00:00.000Z");
 * ```
 */
export function initialRunStatus(
  runName: string,
  command: string,
  runDir: string,
  now: string,
): RunStatus {
  return {
    run_name: runName,
    command,
    run_dir: runDir,
    state: "running",
    stage: null,
    started_at: now,
    updated_at: now,
    stages: [],
  };
}

/** Mark a stage as started. Throws if the run is not running or a stage is still open. */
export function startStage(status: RunStatus, name: string, now: string): RunStatus {
  if (status.state !== "running") {
    throw new Error(`cannot start stage "${name}": run ${status.state}`);
  }
  const open = status.stages.find((s) => s.state === "running");
  if (open) throw new Error(`cannot start stage "${name}": stage "${open.name}" still running`);
  return {
    ...status,
    stage: name,
    updated_at: now,
    stages: [...status.stages, { name, state: "running", started_at: now }],
  };
}

function closeStage(
  status: RunStatus,
  name: string,
  now: string,
  state: "completed" | "failed",
  error?: string,
): RunStatus {
  const index = status.stages.findIndex((s) => s.name === name && s.state === "running");
  if (index < 0) throw new Error(`stage "${name}" is not running`);
  const open = status.stages[index];
  const seconds = (Date.parse(now) - Date.parse(open.started_at)) / 1000;
  const closed: StageStatus = {
    ...open,
    state,
    completed_at: now,
    seconds,
    ...(error ? { error } : {}),
  };
  const stages = status.stages.slice();
  stages[index] = closed;
  return { ...status, updated_at: now, stages };
}

/** Mark a running stage as completed. */
export function completeStage(status: RunStatus, name: string, now: string): RunStatus {
  return closeStage(status, name, now, "completed");
}

/**
 * Mark the run (and its open stage, if any) as failed with the error; with `interruption`, the
 * reason is `interrupted` (by that signal) instead of `error`.
 */
export function failRun(
  status: RunStatus,
  error: Error,
  now: string,
  interruption?: { readonly signal: string },
): RunStatus {
  const open = status.stages.find((s) => s.state === "running");
  const base = open ? closeStage(status, open.name, now, "failed", error.message) : status;
  return {
    ...base,
    state: "failed",
    completed_at: now,
    updated_at: now,
    error: {
      message: error.message,
      stage: open?.name ?? status.stage,
      reason: interruption ? "interrupted" : "error",
      ...(interruption ? { signal: interruption.signal } : {}),
      stack: error.stack,
    },
  };
}

/**
 * A failed (or dead) run's status, running again after `--resume`: the earlier stages stay as
 * history, the previous ending is recorded in `resumes`, `error` and `completed_at` are cleared.
 *
 * @example
 * ```ts
 * const s = resumeRunStatus(failed, new Date().toISOString(), { commandLine: "… cv --resume d" });
 * s.state; // "running"
 * ```
 */
export function resumeRunStatus(
  status: RunStatus,
  now: string,
  info: {
    readonly commandLine: string;
    readonly pid?: number;
    readonly hostname?: string;
    readonly git?: { readonly commit: string | null; readonly dirty: boolean | null };
  },
): RunStatus {
  if (status.state === "completed") throw new Error("cannot resume a completed run");
  const record: ResumeRecord = {
    resumed_at: now,
    previous_state: status.state,
    ...(status.error ? { previous_error: status.error } : {}),
    command_line: info.commandLine,
    ...(info.pid !== undefined ? { pid: info.pid } : {}),
    ...(info.git ? { git: info.git } : {}),
  };
  // A dead process's stage may still say running: close it as failed.
  const stages = status.stages.map((s) =>
    s.state === "running" ? { ...s, state: "failed" as const, error: "process died" } : s
  );
  const { error: _error, completed_at: _completed, ...rest } = status;
  return {
    ...rest,
    state: "running",
    updated_at: now,
    stages,
    ...(info.pid !== undefined ? { pid: info.pid } : {}),
    ...(info.hostname !== undefined ? { hostname: info.hostname } : {}),
    resumes: [...(status.resumes ?? []), record],
  };
}

/** Mark the run as completed. Throws if a stage is still running. */
export function completeRun(status: RunStatus, now: string): RunStatus {
  const open = status.stages.find((s) => s.state === "running");
  if (open) throw new Error(`cannot complete run: stage "${open.name}" still running`);
  return { ...status, state: "completed", completed_at: now, updated_at: now };
}
