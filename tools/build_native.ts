/**
 * `deno task build-native`: build `native/harper_checker` (harper-core behind a C ABI for Deno
 * FFI) with the two crates it patches, `harper-core` 2.10.0 and `harper-pos-utils` 2.13.0, each the
 * published crate plus one patch from `native/patches/` (what each changes and why:
 * `native/patches/README.md`).
 *
 * For each patched crate: take its `.crate` archive from cargo's download cache, or else from
 * static.crates.io; check its sha256 against the checksum pinned here (the one crates.io
 * publishes, as in a registry `Cargo.lock`); unpack it and apply the patch with `git apply -p1` in a
 * scratch directory, then move it into place under `native/harper_checker/target/patched/`, which
 * `Cargo.toml`'s `[patch.crates-io]` points at. A stamp (archive checksum + patch hash) skips this
 * when nothing changed, so cargo does not rebuild the crate. Then
 * `cargo build --release --locked`. Any failure stops the build with the step that failed.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CRATE_DIR = join(ROOT, "native", "harper_checker");
const PATCHED_DIR = join(CRATE_DIR, "target", "patched");

/** A published crate the build patches. */
interface PatchedCrate {
  readonly name: string;
  readonly version: string;
  /** sha256 of the `.crate` archive on crates.io. */
  readonly sha256: string;
}

const PATCHED_CRATES: readonly PatchedCrate[] = [
  {
    name: "harper-core",
    version: "2.10.0",
    sha256: "9fa67052c3af56f7e385d64671ac9de2bc8ee05c0e02a9987a1417dd0bbae69d",
  },
  {
    name: "harper-pos-utils",
    version: "2.13.0",
    sha256: "b2f791cff4e8ffcac4e0849e08662835246e3a30be39441c517f3fd705597b05",
  },
];

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The `.crate` archive from cargo's cache (any registry index directory), else null. */
function cachedArchive(file: string): string | null {
  const cache = join(Deno.env.get("CARGO_HOME") ?? join(homedir(), ".cargo"), "registry", "cache");
  if (!existsSync(cache)) return null;
  for (const index of readdirSync(cache)) {
    const path = join(cache, index, file);
    if (existsSync(path)) return path;
  }
  return null;
}

async function crateArchive(c: PatchedCrate): Promise<Uint8Array> {
  const file = `${c.name}-${c.version}.crate`;
  const cached = cachedArchive(file);
  let bytes: Uint8Array;
  let from: string;
  if (cached) {
    bytes = await Deno.readFile(cached);
    from = cached;
  } else {
    from = `https://static.crates.io/crates/${c.name}/${file}`;
    const response = await fetch(from);
    if (!response.ok) throw new Error(`build-native: GET ${from}: HTTP ${response.status}`);
    bytes = new Uint8Array(await response.arrayBuffer());
  }
  const got = sha256(bytes);
  if (got !== c.sha256) {
    throw new Error(`build-native: ${from} has sha256 ${got}, expected ${c.sha256}`);
  }
  return bytes;
}

async function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; stdin?: string; env?: Record<string, string> } = {},
) {
  const child = new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const status = await child.status;
  if (!status.success) throw new Error(`build-native: ${cmd} ${args.join(" ")} failed`);
}

/** Unpack and patch one crate into `target/patched/<name>-<version>` unless the stamp matches. */
async function preparePatchedCrate(c: PatchedCrate): Promise<void> {
  const dirName = `${c.name}-${c.version}`;
  const patchFile = join(ROOT, "native", "patches", `${dirName}.patch`);
  const patch = await Deno.readTextFile(patchFile);
  const stamp = `${c.sha256} ${sha256(new TextEncoder().encode(patch))}\n`;
  const target = join(PATCHED_DIR, dirName);
  const stampFile = join(target, ".workbench-patch-stamp");
  if (existsSync(stampFile) && await Deno.readTextFile(stampFile) === stamp) return;

  await Deno.mkdir(PATCHED_DIR, { recursive: true });
  const scratch = await Deno.makeTempDir({ dir: PATCHED_DIR, prefix: `.${dirName}-` });
  try {
    const archive = join(scratch, `${dirName}.crate`);
    await Deno.writeFile(archive, await crateArchive(c));
    await run("tar", ["-xzf", archive, "-C", scratch]);
    const unpacked = join(scratch, dirName);
    // git apply rather than patch(1), which a minimal Debian lacks; the ceiling keeps git from
    // taking the repository around target/ for the one the patch applies to
    await run("git", ["apply", "-p1"], {
      cwd: unpacked,
      stdin: patch,
      env: { GIT_CEILING_DIRECTORIES: PATCHED_DIR },
    });
    await Deno.writeTextFile(join(unpacked, ".workbench-patch-stamp"), stamp);
    await Deno.remove(target, { recursive: true }).catch(() => undefined);
    await Deno.rename(unpacked, target);
    console.log(`build-native: ${dirName} patched with native/patches/${dirName}.patch`);
  } finally {
    await Deno.remove(scratch, { recursive: true }).catch(() => undefined);
  }
}

if (import.meta.main) {
  if (Deno.args.includes("-h") || Deno.args.includes("--help")) {
    console.log(
      "usage: deno task build-native\n\n" +
        "Build native/harper_checker (cargo 1.85+): harper-core and harper-pos-utils from\n" +
        "crates.io (checksums pinned) with native/patches/ applied, then\n" +
        "cargo build --release --locked. See native/patches/README.md.",
    );
    Deno.exit(0);
  }
  try {
    for (const c of PATCHED_CRATES) await preparePatchedCrate(c);
    await run("cargo", [
      "build",
      "--release",
      "--locked",
      "--manifest-path",
      join(CRATE_DIR, "Cargo.toml"),
    ]);
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(1);
  }
}
