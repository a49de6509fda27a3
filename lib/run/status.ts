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
  readonly error?: {
    readonly message: string;
    readonly stage: string | null;
    readonly stack?: string;
  };
  readonly stages: readonly StageStatus[];
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

/** Mark the run (and its open stage, if any) as failed with the error. */
export function failRun(status: RunStatus, error: Error, now: string): RunStatus {
  const open = status.stages.find((s) => s.state === "running");
  const base = open ? closeStage(status, open.name, now, "failed", error.message) : status;
  return {
    ...base,
    state: "failed",
    completed_at: now,
    updated_at: now,
    error: { message: error.message, stage: open?.name ?? status.stage, stack: error.stack },
  };
}

/** Mark the run as completed. Throws if a stage is still running. */
export function completeRun(status: RunStatus, now: string): RunStatus {
  const open = status.stages.find((s) => s.state === "running");
  if (open) throw new Error(`cannot complete run: stage "${open.name}" still running`);
  return { ...status, state: "completed", completed_at: now, updated_at: now };
}
