/**
 * Strict CI: with nginx hidden from `PATH` and `CI=true`, the nginx-dependent test file fails
 * with a message naming nginx (instead of ignoring its tests), and `system_setup.ts --strict`
 * would report it; without `CI` the same run skips them.
 */
import assert from "node:assert/strict";
import { dirname } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;

/** `PATH` without any directory that holds an `nginx` binary (deno stays reachable). */
function pathWithoutNginx(): string {
  const dirs = (Deno.env.get("PATH") ?? "").split(":").filter(Boolean).filter((d) => {
    try {
      return !Deno.statSync(`${d}/nginx`).isFile;
    } catch {
      return true;
    }
  });
  return [dirname(Deno.execPath()), ...dirs].join(":");
}

async function runClusterTests(ci: boolean) {
  // The child inherits this process's environment (clearEnv: false), so CI is always set
  // explicitly: under `.ci/run` the parent has CI=true, which must not leak into the lenient run.
  const env: Record<string, string> = {
    PATH: pathWithoutNginx(),
    NO_COLOR: "1",
    CI: ci ? "true" : "false",
  };
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "test/offload/cluster_fault_test.ts"],
    cwd: ROOT,
    env,
    clearEnv: false,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

Deno.test("CI=true with nginx hidden from PATH: the cluster tests fail, naming nginx", async () => {
  const saved = Deno.env.get("NGINX_PATH");
  Deno.env.delete("NGINX_PATH");
  try {
    const strict = await runClusterTests(true);
    assert.notEqual(strict.code, 0, strict.text);
    assert.match(strict.text, /CI=true and nginx is missing: nginx is not on PATH/);
    assert.match(
      strict.text,
      /system dependency nginx \(needed by cluster_fault_test\) \.\.\. FAILED/,
    );
    const lenient = await runClusterTests(false);
    assert.equal(lenient.code, 0, lenient.text);
    assert.match(lenient.text, /SKIPPED tests that need nginx/);
    assert.match(lenient.text, /ignored/);
  } finally {
    if (saved !== undefined) Deno.env.set("NGINX_PATH", saved);
  }
});
