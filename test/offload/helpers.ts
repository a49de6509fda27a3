/**
 * Test helpers for the offload suite: start the server in-process on a free loopback port, a
 * temporary cache root, and a strict parser of the Prometheus text exposition format.
 *
 * @module
 */
import {
  createOffloadServer,
  type OffloadServerOptions,
  type RunningOffloadServer,
  startOffloadServer,
} from "../../lib/offload/server.ts";
import { fixtureChecker, fixtureEncoder, fixtureExtractor } from "./fixtures/fixture_components.ts";

/** Start the offload server on 127.0.0.1:0 (fixture components unless overridden). */
export function startTestServer(
  overrides: Partial<OffloadServerOptions> = {},
): RunningOffloadServer {
  const server = createOffloadServer({
    extractor: fixtureExtractor(),
    checker: fixtureChecker,
    encoder: fixtureEncoder(),
    batchSize: 32,
    ...overrides,
  });
  return startOffloadServer(server, { hostname: "127.0.0.1", port: 0 });
}

/** A fresh temporary directory. */
export function tempDir(): Promise<string> {
  return Deno.makeTempDir({ prefix: "offload_test_" });
}

/** One parsed sample. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * Parse Prometheus text exposition 0.0.4 strictly: every sample line must belong to a family
 * declared by `# TYPE` before it, label values must be properly quoted/escaped, values must be
 * floats. Throws with the line number on any violation.
 */
export function parsePrometheusText(
  text: string,
): { samples: Sample[]; types: Map<string, string> } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] !== "") throw new Error("exposition must end with a newline");
  lines.forEach((line, i) => {
    const where = `line ${i + 1}: ${line}`;
    if (line === "") return;
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
      if (!m) throw new Error(`bad comment, ${where}`);
      if (m[1] === "TYPE") {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(m[3])) {
          throw new Error(`bad type, ${where}`);
        }
        if (types.has(m[2])) throw new Error(`duplicate TYPE, ${where}`);
        types.set(m[2], m[3]);
      }
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ([^ ]+)( -?\d+)?$/.exec(line);
    if (!m) throw new Error(`bad sample, ${where}`);
    const name = m[1];
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, "");
    if (!types.has(family)) throw new Error(`sample without TYPE, ${where}`);
    const labels: Record<string, string> = {};
    if (m[3] !== undefined && m[3] !== "") {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
      let at = 0;
      while (at < m[3].length) {
        re.lastIndex = at;
        const lm = re.exec(m[3]);
        if (!lm) throw new Error(`bad labels, ${where}`);
        labels[lm[1]] = lm[2].replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
        at = re.lastIndex;
      }
    }
    const raw = m[4];
    const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw);
    if (raw !== "NaN" && Number.isNaN(value)) throw new Error(`bad value, ${where}`);
    samples.push({ name, labels, value });
  });
  return { samples, types };
}

/** Value of the one sample matching `name` and all of `labels` (0 when absent). */
export function sampleValue(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  const hits = samples.filter((s) =>
    s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  );
  return hits.reduce((a, s) => a + s.value, 0);
}
