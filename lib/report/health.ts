/**
 * The setup & health check behind notebook `00_setup_and_health`: is this machine ready to run
 * the runbook?
 *
 * Opens a run (`<outputRoot>/<stamp>_<runName>/`, whose manifest already records versions, git
 * commit and input sha256s), then checks: the input CSVs exist and load through the same
 * validating loader as `prepare-dataset`; and each configured offload URL answers `/healthz`
 * (offload server) or checks a sentence (LanguageTool, either dialect: the HuleEdu service's
 * `/v1/check` or a stock `/v2/check`). Writes `reports/health.json`.
 *
 * @module
 */
import type { ExperimentConfig } from "../run/config.ts";
import { withRun } from "../run/run_context.ts";
import { gitState, pinnedPackageVersions } from "../run/manifest.ts";
import { writeJsonAtomic } from "../run/atomic_write.ts";
import { datasetInputPaths, loadDataset } from "../dataset/load_dataset.ts";
import { OffloadHttpClient } from "../offload/http_client.ts";
import { fetchHealth } from "../offload/client.ts";
import {
  connectLanguageToolChecker,
  type LanguageToolChecker,
} from "../offload/language_tool_client.ts";
import { type FileStatus, fileStatuses, type RuntimeInfo, runtimeInfo } from "./notebook.ts";

/** Outcome of probing one service URL. */
export interface ServiceProbe {
  readonly service: "offload" | "embedding" | "language_tool";
  readonly url: string;
  readonly ok: boolean;
  /** `ok`/`degraded` from `/healthz`, or the error. */
  readonly detail: string;
  readonly seconds: number;
  readonly body?: unknown;
}

/** Everything the health check found. */
export interface HealthReport {
  readonly runtime: RuntimeInfo;
  readonly packages: Readonly<Record<string, string>>;
  readonly git: { readonly commit: string | null; readonly dirty: boolean | null };
  readonly inputs: readonly FileStatus[];
  /** Essays per official split and prompt when the inputs loaded, else the loader's error. */
  readonly dataset:
    | {
      readonly ok: true;
      readonly train: number;
      readonly test: number;
      readonly prompts: readonly { prompt: string; train: number; test: number }[];
    }
    | { readonly ok: false; readonly error: string };
  readonly services: readonly ServiceProbe[];
  /** True when the inputs load and every configured service answered. */
  readonly ready: boolean;
}

async function probeHealthz(
  service: ServiceProbe["service"],
  url: string,
): Promise<ServiceProbe> {
  const t0 = performance.now();
  let http: OffloadHttpClient | undefined;
  try {
    http = new OffloadHttpClient({ baseUrl: url, timeoutMs: 10_000, maxRetries: 1 });
    const health = await fetchHealth(http);
    return {
      service,
      url,
      ok: health.status === "ok",
      detail: health.status + (health.issues?.length ? `: ${health.issues.join("; ")}` : ""),
      seconds: (performance.now() - t0) / 1000,
      body: health,
    };
  } catch (error) {
    return {
      service,
      url,
      ok: false,
      detail: (error as Error).message,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await http?.close();
  }
}

async function probeLanguageTool(url: string): Promise<ServiceProbe> {
  const t0 = performance.now();
  let lt: LanguageToolChecker | undefined;
  try {
    lt = await connectLanguageToolChecker({
      baseUrl: url,
      useCache: false,
      timeoutS: 10,
      maxRetries: 1,
    });
    const answer = await lt.checkDetailed("This are a test.");
    return {
      service: "language_tool",
      url,
      ok: Array.isArray(answer.errors),
      detail: `${lt.protocol} protocol, ${answer.errors.length} error(s) on a test sentence`,
      seconds: (performance.now() - t0) / 1000,
    };
  } catch (error) {
    return {
      service: "language_tool",
      url,
      ok: false,
      detail: (error as Error).message,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await lt?.close();
  }
}

/** Probe the offload / embedding / LanguageTool URLs a config names (none → empty list). */
export async function probeServices(config: ExperimentConfig): Promise<ServiceProbe[]> {
  const probes: ServiceProbe[] = [];
  if (config.offloadServiceUrl) {
    probes.push(await probeHealthz("offload", config.offloadServiceUrl));
  }
  if (config.embeddingServiceUrl) {
    probes.push(await probeHealthz("embedding", config.embeddingServiceUrl));
  }
  if (config.languageToolServiceUrl) {
    probes.push(await probeLanguageTool(config.languageToolServiceUrl));
  }
  return probes;
}

/**
 * Run the health check as a run of its own (command `notebook:setup-health`) and return its report.
 * Never throws for a failed check (the report says what failed); throws only when the run
 * directory cannot be written.
 *
 * @example
 * ```ts
 * const { runDir, report } = await runHealthCheck(resolveExperimentConfig(undefined, {}));
 * report.ready;
 * ```
 */
export async function runHealthCheck(
  config: ExperimentConfig,
): Promise<{ runDir: string; report: HealthReport }> {
  const inputPaths = datasetInputPaths(config);
  const inputs = await fileStatuses(inputPaths);
  const { result } = await withRun(
    {
      command: "notebook:setup-health",
      config,
      inputPaths: inputs.filter((i) => i.exists).map((i) => i.path),
      echo: false,
    },
    async (run) => {
      const dataset = await run.stage("load_inputs", async (): Promise<HealthReport["dataset"]> => {
        try {
          const d = await loadDataset(config);
          const prompts = new Map<string, { train: number; test: number }>();
          for (const e of [...d.train, ...d.test]) {
            const p = prompts.get(e.prompt) ?? { train: 0, test: 0 };
            p[e.split] += 1;
            prompts.set(e.prompt, p);
          }
          return {
            ok: true,
            train: d.train.length,
            test: d.test.length,
            prompts: [...prompts.entries()].map(([prompt, c]) => ({ prompt, ...c }))
              .sort((a, b) =>
                b.train + b.test - a.train - a.test || a.prompt.localeCompare(b.prompt)
              ),
          };
        } catch (error) {
          run.log.warn(`inputs do not load: ${(error as Error).message}`);
          return { ok: false, error: (error as Error).message };
        }
      });
      const services = await run.stage("probe_services", () => probeServices(config));
      const report: HealthReport = {
        runtime: runtimeInfo(),
        packages: await pinnedPackageVersions(),
        git: await gitState(),
        inputs,
        dataset,
        services,
        ready: dataset.ok && services.every((s) => s.ok),
      };
      await writeJsonAtomic(run.reportPath("health.json"), report);
      run.log.info(`health: ${report.ready ? "ready" : "NOT ready"}`);
      return { runDir: run.dir, report };
    },
  );
  return result;
}
