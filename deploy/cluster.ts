/**
 * N offload servers plus nginx on loopback, for a demo, the fault tests and the load benchmark:
 *
 * ```sh
 * deno task offload-cluster start --servers 3 --port 19100   # foreground; Ctrl-C stops all
 * deno task offload-cluster stop --port 19100                # from another shell
 * ```
 *
 * `start` runs `deno task serve-offload` (lib/offload/serve.ts) on ports `port+1 … port+N`,
 * renders `deploy/nginx.conf.template` (least_conn, passive health, retry on another server)
 * into a run directory (default `$TMPDIR/offload-cluster-<port>/`: config, pid, logs, temp
 * dirs — never /etc/nginx), starts `nginx` in the foreground on `127.0.0.1:<port>`, prints
 * `LISTENING http://127.0.0.1:<port>` and records every pid in `<run dir>/cluster.json`. Flags
 * after `--` go to every server (e.g. `-- --max-queue 4`). nginx is installed with
 * `apt-get install -y nginx` when missing and we are root. The library part
 * ({@link startCluster}, {@link startNginx}, {@link spawnServer}) lets tests put other server
 * commands (fixtures, fault proxies) behind the same nginx configuration.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { tmpdir } from "node:os";
import { ensureNginx, nginxPath } from "../lib/run/system_setup.ts";

const TEMPLATE = new URL("./nginx.conf.template", import.meta.url);
const SERVE = new URL("../lib/offload/serve.ts", import.meta.url).pathname;

/** A child process that printed `LISTENING <url>`. */
export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly child: Deno.ChildProcess;
  /** SIGTERM (graceful) or SIGKILL it and wait for the exit. */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
}

/** Path of the nginx binary, or undefined when it is not installed. */
export const findNginx = nginxPath;

/**
 * Spawn `command` (which must print `LISTENING <url>` on stdout once bound; stderr is inherited
 * only when `verbose`) and wait for that line (up to `startTimeoutMs`, default 120 s).
 */
export async function spawnServer(
  command: readonly string[],
  options: { verbose?: boolean; startTimeoutMs?: number } = {},
): Promise<ServerProcess> {
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    stdout: "piped",
    stderr: options.verbose ? "inherit" : "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, options.startTimeoutMs ?? 120_000);
  try {
    while (!/LISTENING \S+\n/.test(buffered)) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`${command.join(" ")} exited before listening: ${buffered}`);
      buffered += value;
    }
  } finally {
    clearTimeout(timer);
  }
  const m = /LISTENING (http:\/\/[^\s:]+:(\d+))/.exec(buffered)!;
  const drained = (async () => {
    while (!(await reader.read()).done) { /* keep the pipe flowing */ }
  })().catch(() => {});
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  return {
    url: m[1],
    port: Number(m[2]),
    child,
    async stop(signal = "SIGTERM") {
      if (!exited) {
        try {
          child.kill(signal);
        } catch { /* already gone */ }
      }
      await status;
      await drained;
    },
  };
}

/** Command line of one real offload server (`lib/offload/serve.ts`) on `port`. */
export function serveCommand(port: number, extra: readonly string[] = []): string[] {
  return [Deno.execPath(), "run", "-A", SERVE, "--port", String(port), ...extra];
}

/** Settings of the rendered nginx configuration. */
export interface NginxOptions {
  /** `host:port` of every upstream server. */
  readonly upstreams: readonly string[];
  readonly listenPort: number;
  /** Directory for config, pid, logs and temp files (created). */
  readonly runDir: string;
  /** Default 310 s (the server's 300 s request timeout + margin). */
  readonly readTimeoutS?: number;
  readonly connectTimeoutS?: number;
  /** Failed attempts before a server is skipped (default 2). */
  readonly maxFails?: number;
  /** Window and skip time in seconds (default 10). */
  readonly failTimeoutS?: number;
  /** Servers one request may try (default: all upstreams, at most 3). */
  readonly nextUpstreamTries?: number;
}

/** Render `deploy/nginx.conf.template` with `options`. */
export async function renderNginxConfig(options: NginxOptions): Promise<string> {
  const template = await Deno.readTextFile(TEMPLATE);
  const servers = options.upstreams.map((u) =>
    `    server ${u} max_fails=${options.maxFails ?? 2} fail_timeout=${
      options.failTimeoutS ?? 10
    }s;`
  ).join("\n");
  const values: Record<string, string> = {
    RUN_DIR: options.runDir,
    LISTEN: `127.0.0.1:${options.listenPort}`,
    UPSTREAM_SERVERS: servers,
    READ_TIMEOUT_S: String(options.readTimeoutS ?? 310),
    CONNECT_TIMEOUT_S: String(options.connectTimeoutS ?? 5),
    NEXT_UPSTREAM_TRIES: String(
      options.nextUpstreamTries ?? Math.min(3, Math.max(1, options.upstreams.length)),
    ),
  };
  const out = template.replace(/\{\{([A-Z_]+)\}\}/g, (_, k: string) => {
    if (!(k in values)) throw new Error(`nginx template: unknown placeholder ${k}`);
    return values[k];
  });
  return out;
}

/** A running nginx. */
export interface NginxProcess {
  readonly url: string;
  readonly runDir: string;
  readonly child: Deno.ChildProcess;
  /** The access log (one line per request, with upstream addresses and statuses). */
  accessLog(): Promise<string>;
  stop(): Promise<void>;
}

async function waitForPort(port: number, timeoutMs: number, child: Deno.ChildProcess) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.status.then(() => exited = true);
  while (Date.now() < deadline) {
    if (exited) throw new Error("nginx exited at start-up");
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      c.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/** Render the configuration into `runDir` and start nginx (foreground) on `listenPort`. */
export async function startNginx(given: NginxOptions): Promise<NginxProcess> {
  const options = { ...given, runDir: resolve(given.runDir) };
  const nginx = findNginx();
  if (!nginx) throw new Error("nginx is not installed (apt-get install -y nginx)");
  await Deno.mkdir(options.runDir, { recursive: true });
  // Worker processes drop root privileges (user nobody): they must reach the temp dirs.
  await Deno.chmod(options.runDir, 0o755);
  const conf = join(options.runDir, "nginx.conf");
  await Deno.writeTextFile(conf, await renderNginxConfig(options));
  const errorLog = join(options.runDir, "error.log");
  const child = new Deno.Command(nginx, {
    args: ["-p", options.runDir, "-c", conf, "-e", errorLog],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    await waitForPort(options.listenPort, 15_000, child);
  } catch (e) {
    const log = await Deno.readTextFile(errorLog).catch(() => "");
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    await child.status;
    throw new Error(`${e instanceof Error ? e.message : e}; ${errorLog}: ${log.slice(-2000)}`);
  }
  let exited = false;
  const status = child.status.then(() => exited = true);
  return {
    url: `http://127.0.0.1:${options.listenPort}`,
    runDir: options.runDir,
    child,
    accessLog: () => Deno.readTextFile(join(options.runDir, "access.log")).catch(() => ""),
    async stop() {
      if (!exited) {
        try {
          child.kill("SIGQUIT"); // graceful: finish requests in flight
        } catch { /* gone */ }
        const t = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch { /* gone */ }
        }, 5_000);
        await status;
        clearTimeout(t);
      }
    },
  };
}

/** N servers plus nginx. */
export interface Cluster {
  readonly url: string;
  readonly servers: ServerProcess[];
  readonly nginx: NginxProcess;
  stop(): Promise<void>;
}

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  readonly servers: number;
  /** nginx port; servers use `port+1 … port+N`. */
  readonly port: number;
  readonly runDir?: string;
  /** Command of server `i` on `port` (default: the real server, {@link serveCommand}). */
  readonly serverCommand?: (port: number, i: number) => string[];
  readonly nginx?: Partial<NginxOptions>;
  readonly verbose?: boolean;
}

/** Start N servers (one after another: model loading is CPU-bound) and nginx in front. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const runDir = options.runDir ?? join(tmpdir(), `offload-cluster-${options.port}`);
  const servers: ServerProcess[] = [];
  const stopAll = async () => {
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    for (let i = 0; i < options.servers; i++) {
      const port = options.port + 1 + i;
      const cmd = options.serverCommand?.(port, i) ?? serveCommand(port);
      servers.push(await spawnServer(cmd, { verbose: options.verbose }));
    }
    const nginx = await startNginx({
      ...options.nginx,
      upstreams: servers.map((s) => `127.0.0.1:${s.port}`),
      listenPort: options.port,
      runDir,
    });
    return {
      url: nginx.url,
      servers,
      nginx,
      async stop() {
        await nginx.stop();
        await stopAll();
      },
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/**
 * nginx's read timeout for servers started with `serverArgs`: their `--request-timeout-ms`
 * (default 300,000) plus 10 s, so nginx never cuts a request the server would still answer.
 */
export function readTimeoutFor(serverArgs: readonly string[]): number {
  const i = serverArgs.indexOf("--request-timeout-ms");
  const ms = i >= 0 ? Number(serverArgs[i + 1]) : 300_000;
  if (!Number.isFinite(ms) || ms <= 0) throw new Error("--request-timeout-ms must be positive");
  return Math.ceil(ms / 1000) + 10;
}

function stateFile(runDir: string): string {
  return join(runDir, "cluster.json");
}

async function startCommand(args: string[]): Promise<void> {
  const dash = args.indexOf("--");
  const serverArgs = dash >= 0 ? args.slice(dash + 1) : [];
  const { values } = parseArgs({
    args: dash >= 0 ? args.slice(0, dash) : args,
    options: {
      servers: { type: "string", default: "3" },
      port: { type: "string", default: "19100" },
      "run-dir": { type: "string" },
      quiet: { type: "boolean", default: false },
    },
    strict: true,
  });
  const n = Number(values.servers);
  const port = Number(values.port);
  if (!Number.isInteger(n) || n < 1) throw new Error("--servers must be a positive integer");
  if (!Number.isInteger(port) || port < 1 || port > 65535 - n) throw new Error("bad --port");
  if (!(await ensureNginx())) throw new Error("nginx is not installed: apt-get install -y nginx");
  const runDir = values["run-dir"] ?? join(tmpdir(), `offload-cluster-${port}`);
  console.error(`offload-cluster: starting ${n} servers on ports ${port + 1}-${port + n} …`);
  const cluster = await startCluster({
    servers: n,
    port,
    runDir,
    serverCommand: (p) => serveCommand(p, serverArgs),
    verbose: !values.quiet,
    nginx: { readTimeoutS: readTimeoutFor(serverArgs) },
  });
  await Deno.writeTextFile(
    stateFile(runDir),
    JSON.stringify(
      {
        controller_pid: Deno.pid,
        url: cluster.url,
        nginx_pid: cluster.nginx.child.pid,
        servers: cluster.servers.map((s) => ({ url: s.url, pid: s.child.pid })),
      },
      null,
      2,
    ),
  );
  console.error(`offload-cluster: nginx ${cluster.url} -> ${cluster.servers.map((s) => s.url)}`);
  console.error(`offload-cluster: config, logs and pids in ${runDir}; Ctrl-C or \`stop\` ends it`);
  console.log(`LISTENING ${cluster.url}`);
  let stopping: Promise<void> | undefined;
  const done = new Promise<void>((resolve) => {
    const onSignal = () => {
      stopping ??= cluster.stop().then(resolve);
    };
    Deno.addSignalListener("SIGINT", onSignal);
    Deno.addSignalListener("SIGTERM", onSignal);
  });
  await done;
  await Deno.remove(stateFile(runDir)).catch(() => {});
  console.error("offload-cluster: stopped");
  Deno.exit(0);
}

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

async function stopCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { port: { type: "string", default: "19100" }, "run-dir": { type: "string" } },
    strict: true,
  });
  const runDir = values["run-dir"] ?? join(tmpdir(), `offload-cluster-${values.port}`);
  let state: { controller_pid: number; nginx_pid: number; servers: { pid: number }[] };
  try {
    state = JSON.parse(await Deno.readTextFile(stateFile(runDir)));
  } catch {
    throw new Error(`no running cluster recorded in ${stateFile(runDir)}`);
  }
  const pids = [state.controller_pid, state.nginx_pid, ...state.servers.map((s) => s.pid)];
  if (alive(state.controller_pid)) Deno.kill(state.controller_pid, "SIGTERM");
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 200));
  for (const pid of pids.filter(alive)) Deno.kill(pid, "SIGKILL");
  await Deno.remove(stateFile(runDir)).catch(() => {});
  console.error(`offload-cluster: stopped (${pids.length} processes)`);
}

if (import.meta.main) {
  const [cmd, ...rest] = Deno.args;
  try {
    if (cmd === "start") await startCommand(rest);
    else if (cmd === "stop") await stopCommand(rest);
    else {
      console.error(
        "usage: deno task offload-cluster start [--servers 3] [--port 19100] [--run-dir D] " +
          "[--quiet] [-- <serve-offload flags>]\n       deno task offload-cluster stop [--port 19100]",
      );
      Deno.exit(cmd === undefined || cmd === "--help" ? 0 : 2);
    }
  } catch (e) {
    console.error(`offload-cluster: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
}
