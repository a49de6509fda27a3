/**
 * The nginx configuration of `deploy/` pins the server's limits: body cap = the server's raw body
 * cap, read timeout = the server's request timeout + margin, retry on another server for the
 * POST endpoints, every placeholder filled, and `nginx -t` accepts it (when nginx is installed).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { findNginx, readTimeoutFor, renderNginxConfig } from "../../deploy/cluster.ts";
import { isCi } from "../system_dependencies.ts";
import { DEFAULT_SERVER_LIMITS } from "../../lib/offload/server.ts";
import { MAX_RAW_BODY_BYTES } from "../../lib/offload/protocol.ts";
import { tempDir } from "./helpers.ts";

Deno.test("nginx config: limits match the server's, retries are bounded, placeholders filled", async () => {
  const runDir = await tempDir();
  const conf = await renderNginxConfig({
    upstreams: ["127.0.0.1:19101", "127.0.0.1:19102", "127.0.0.1:19103", "127.0.0.1:19104"],
    listenPort: 19100,
    runDir,
    readTimeoutS: readTimeoutFor([]),
  });
  assert.doesNotMatch(conf, /\{\{[A-Z_]+\}\}/);
  assert.equal(readTimeoutFor([]), DEFAULT_SERVER_LIMITS.requestTimeoutMs / 1000 + 10);
  assert.equal(readTimeoutFor(["--request-timeout-ms", "60000"]), 70);
  assert.match(conf, /proxy_read_timeout 310s;/);
  assert.equal(MAX_RAW_BODY_BYTES, 1024 * 1024);
  assert.match(conf, /\n\s+client_max_body_size 1m;/);
  assert.match(conf, /least_conn;/);
  assert.equal(conf.match(/server 127\.0\.0\.1:191\d\d max_fails=2 fail_timeout=10s;/g)?.length, 4);
  assert.match(
    conf,
    /proxy_next_upstream error timeout http_502 http_503 http_504 non_idempotent;/,
  );
  assert.match(conf, /proxy_next_upstream_tries 3;/);
  assert.match(conf, /listen 127\.0\.0\.1:19100;/);
  assert.doesNotMatch(conf, /^\s*include\b/m, "no system includes (mime.types, sites-enabled)");
  const nginx = findNginx();
  if (nginx) {
    const path = join(runDir, "nginx.conf");
    await Deno.writeTextFile(path, conf);
    const out = await new Deno.Command(nginx, {
      args: ["-t", "-p", runDir, "-c", path, "-e", join(runDir, "error.log")],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
  } else {
    assert.ok(!isCi(), "CI=true and nginx is not on PATH: `nginx -t` of the config cannot run");
    console.error("cluster_config_test: nginx not installed; `nginx -t` skipped");
  }
  await Deno.remove(runDir, { recursive: true });
});
