/**
 * CLI of the Hemma offload server: `deno task serve-offload [--host 127.0.0.1] [--port 19000]
 * [--token T] [--max-concurrency 2] [--max-queue 32] [--request-timeout-ms 300000]
 * [--workers N] [--language en-US] [--feature-schema ours|original]
 * [--language-tool-url URL [--language-tool-protocol auto|huleedu|stock]
 * [--language-tool-version 6.6]]`.
 *
 * `--feature-schema original` serves exactly the original server's 25 handcrafted columns (so
 * the original Python client accepts it); `--language-tool-url` makes Tier 1 (and `/v1/check`,
 * `/v2/check`) use a real LanguageTool — a stock server (`deno task serve-languagetool`) or the
 * HuleEdu service — instead of harper.js + nspell, as the original server does.
 *
 * Serves the real local extractor, checker and encoder (see `local_components.ts`). Binds
 * 127.0.0.1 unless `--host` says otherwise; the token may also come from `OFFLOAD_SERVICE_TOKEN`;
 * the encoder batch size from `OFFLOAD_EMBEDDING_BATCH_SIZE` (default 32). SIGINT/SIGTERM stop
 * accepting connections, let in-flight requests finish, then exit 0. Once bound it prints
 * `LISTENING <url>` on stdout (logs go to stderr), so scripts can start it on `--port 0`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createLocalServerComponents } from "./local_components.ts";
import { createOffloadServer, DEFAULT_SERVER_LIMITS, startOffloadServer } from "./server.ts";
import { FEATURE_SCHEMA_MODES, type FeatureSchemaMode } from "./server_identity.ts";
import {
  connectLanguageToolChecker,
  LANGUAGE_TOOL_PROTOCOLS,
  type LanguageToolProtocol,
} from "./language_tool_client.ts";
import { LANGUAGE_TOOL_VERSION } from "./languagetool_server.ts";

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
}

/** Parse flags, load models, serve until a signal; resolves when stopped. */
export async function serveOffload(args: readonly string[]): Promise<void> {
  const flags = parseServeFlags(args);
  if (flags === null) return;
  const { limits, featureSchema, ltUrl } = flags;
  const log = (line: string) => console.error(`[offload ${new Date().toISOString()}] ${line}`);
  if (flags.host !== "127.0.0.1" && flags.host !== "localhost" && flags.host !== "::1") {
    log(
      `WARNING: binding ${flags.host} exposes the server beyond this machine` +
        (flags.token ? "" : " WITHOUT a token (set --token or OFFLOAD_SERVICE_TOKEN)"),
    );
  }
  const lt = ltUrl
    ? await connectLanguageToolChecker({
      baseUrl: ltUrl,
      protocol: flags.protocol,
      useCache: false,
      maxConcurrency: 8,
      log,
    })
    : undefined;
  log(
    `loading models (USE-lite encoder, ${
      lt ? `LanguageTool ${lt.protocol} at ${ltUrl}` : "harper.js + nspell"
    } checker, extraction workers)`,
  );
  const components = await createLocalServerComponents({
    language: flags.language,
    workers: flags.workers,
    checker: lt,
    log,
  });
  const server = createOffloadServer({
    ...components,
    token: flags.token,
    limits,
    log,
    featureSchema,
    languageTool: ltUrl ? { url: ltUrl, version: flags.languageToolVersion } : undefined,
  });
  const running = startOffloadServer(server, {
    hostname: flags.host,
    port: flags.port,
    handleSignals: true,
    log,
  });
  log(
    `listening on ${running.url} (fingerprint ${server.fingerprint}, ` +
      `${server.identity.handcraftedNames.length} handcrafted columns (${featureSchema}), ` +
      `batch size ${server.batchSize}, ` +
      `max ${limits.maxConcurrency} concurrent + ${limits.maxQueue} queued, ` +
      `timeout ${limits.requestTimeoutMs} ms, token ${flags.token ? "required" : "not required"})`,
  );
  console.log(`LISTENING ${running.url}`);
  await running.finished;
  await components.close();
  await lt?.close();
  log("stopped");
}

/** The validated flags of `serve-offload`, or null after printing `--help`. */
/** The server's settings, parsed from its flags. */
interface ServeFlags {
  host: string;
  port: number;
  token?: string;
  limits: ServerLimitFlags;
  workers?: number;
  language: string;
  featureSchema: FeatureSchemaMode;
  ltUrl?: string;
  protocol: LanguageToolProtocol;
  languageToolVersion: string;
}

/** The admission limits, as flags give them. */
interface ServerLimitFlags {
  maxConcurrency: number;
  maxQueue: number;
  requestTimeoutMs: number;
}

const SERVE_HELP = "deno task serve-offload [--host 127.0.0.1] [--port 19000] [--token T] " +
  "[--max-concurrency 2] [--max-queue 32] [--request-timeout-ms 300000] [--workers N] " +
  "[--language en-US] [--feature-schema ours|original] [--language-tool-url URL] " +
  "[--language-tool-protocol auto|huleedu|stock] [--language-tool-version 6.6]\n" +
  "Env: OFFLOAD_SERVICE_TOKEN, OFFLOAD_EMBEDDING_BATCH_SIZE (default 32), OFFLOAD_GIT_SHA";

/** Admission limits from the limit flags, each defaulting to the server's. */
function serverLimitsFromFlags(
  values: Record<string, string | boolean | undefined>,
): ServerLimitFlags {
  const flag = (name: string) => values[name] as string | undefined;
  return {
    maxConcurrency: Math.max(
      1,
      positiveInt("max-concurrency", flag("max-concurrency"), DEFAULT_SERVER_LIMITS.maxConcurrency),
    ),
    maxQueue: positiveInt("max-queue", flag("max-queue"), DEFAULT_SERVER_LIMITS.maxQueue),
    requestTimeoutMs: Math.max(
      1,
      positiveInt(
        "request-timeout-ms",
        flag("request-timeout-ms"),
        DEFAULT_SERVER_LIMITS.requestTimeoutMs,
      ),
    ),
  };
}

function parseServeFlags(args: readonly string[]): ServeFlags | null {
  const { values } = parseArgs({
    args: [...args],
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "19000" },
      token: { type: "string" },
      "max-concurrency": { type: "string" },
      "max-queue": { type: "string" },
      "request-timeout-ms": { type: "string" },
      workers: { type: "string" },
      language: { type: "string", default: "en-US" },
      "feature-schema": { type: "string", default: "ours" },
      "language-tool-url": { type: "string" },
      "language-tool-protocol": { type: "string", default: "auto" },
      "language-tool-version": { type: "string", default: LANGUAGE_TOOL_VERSION },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(SERVE_HELP);
    return null;
  }
  const limits = serverLimitsFromFlags(values);
  const featureSchema = values["feature-schema"];
  if (!(FEATURE_SCHEMA_MODES as readonly string[]).includes(featureSchema)) {
    throw new Error(`--feature-schema must be one of ${FEATURE_SCHEMA_MODES.join(", ")}`);
  }
  const protocol = values["language-tool-protocol"];
  if (!(LANGUAGE_TOOL_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new Error(
      `--language-tool-protocol must be one of ${LANGUAGE_TOOL_PROTOCOLS.join(", ")}`,
    );
  }
  return {
    host: values.host,
    port: positiveInt("port", values.port, 19000),
    token: values.token ?? Deno.env.get("OFFLOAD_SERVICE_TOKEN") ?? undefined,
    limits,
    workers: values.workers === undefined ? undefined : positiveInt("workers", values.workers, 2),
    language: values.language,
    featureSchema: featureSchema as FeatureSchemaMode,
    ltUrl: values["language-tool-url"],
    protocol: protocol as LanguageToolProtocol,
    languageToolVersion: values["language-tool-version"],
  };
}

if (import.meta.main) {
  try {
    await serveOffload(Deno.args);
  } catch (e) {
    console.error(`serve-offload: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
}
