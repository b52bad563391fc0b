// Builds the package's WebAssembly into dist/wasm/: cargo (release, wasm32) ->
// wasm-bindgen (--target web) -> wasm-opt, three times: the full module (statelab.js +
// statelab_bg.wasm, -Oz), the core module without the JSONata engine (statelab_core.js +
// statelab_core_bg.wasm, -Oz, what browsers load first; js/browser.js's loadJsonata()
// adds the full one) and the full module optimised for speed (statelab_node.js +
// statelab_node_bg.wasm, opt-level 3 and -O3, what js/node.js loads). Skips the work when dist/wasm/ is
// newer than every input (src/**, Cargo.toml, Cargo.lock) unless --force.
//
//   node scripts/build.mjs [--force]
//
// The playground (www/) is plain ES modules; its third-party libraries (CodeMirror,
// dagre) are bundled by esbuild into www/dist/vendor.js, rebuilt when missing or older
// than package-lock.json or this script. Afterwards the repository root is the npm
// package exactly as `npm pack` ships it.

import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { bootstrap, root } from "./bootstrap.mjs";

const TARGET = "wasm32-unknown-unknown";
export const OUT_DIR = join(root, "dist", "wasm");
/**
 * The modules: cargo features, optimisation, and the name wasm-bindgen gives the glue and
 * wasm. Browsers load the two size-optimised ones (bytes over the network matter there);
 * Node loads a speed-optimised build of the full crate (opt-level 3, wasm-opt -O3: about
 * 1.5-2x faster per state and ~40% larger, which costs nothing when read from disk).
 */
export const MODULES = [
  { name: "statelab", cargoArgs: [], optLevel: "z", wasmOpt: ["-Oz", "--converge"] },
  { name: "statelab_core", cargoArgs: ["--no-default-features"], optLevel: "z", wasmOpt: ["-Oz", "--converge"] },
  { name: "statelab_node", cargoArgs: [], optLevel: "3", wasmOpt: ["-O3"] },
];
const OUTPUTS = MODULES.flatMap(({ name }) => [`${name}.js`, `${name}_bg.wasm`]).map((file) => join(OUT_DIR, file));
/** Cargo's output for each module, kept for bench/size.mjs (cargo overwrites its own). */
export const RAW_DIR = join(root, "target", "wasm-raw");

// What rustc emits for wasm32 by default (and what every browser and Node >= 20 runs).
const WASM_FEATURES = [
  "--enable-bulk-memory",
  "--enable-bulk-memory-opt",
  "--enable-nontrapping-float-to-int",
  "--enable-sign-ext",
  "--enable-mutable-globals",
  "--enable-reference-types",
  "--enable-multivalue",
];

/** Newest modification time (ms) of a file or of every file under a directory. */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file shows as a newer directory
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when every output exists and is newer than every input. */
export function wasmIsFresh() {
  if (!OUTPUTS.every((file) => existsSync(file))) return false;
  const built = Math.min(...OUTPUTS.map((file) => statSync(file).mtimeMs));
  const inputs = ["src", "Cargo.toml", "Cargo.lock", "build.rs"].map((p) => join(root, p));
  return Math.max(...inputs.map(newestMtime)) < built;
}

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (result.error) throw new Error(`build: cannot run ${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`build: \`${[command, ...args].join(" ")}\` exited with ${result.status}`);
  }
}

function buildWasm() {
  // Build into a scratch directory and swap it in, so a failed build leaves no half dist.
  const staging = join(root, "dist", ".wasm-staging");
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  mkdirSync(RAW_DIR, { recursive: true });
  const wasmOpt = join(root, "node_modules", ".bin", "wasm-opt");
  for (const { name, cargoArgs, optLevel, wasmOpt: optimise } of MODULES) {
    run("cargo", ["build", "--release", "--lib", "--target", TARGET, ...cargoArgs], { CARGO_PROFILE_RELEASE_OPT_LEVEL: optLevel });
    const raw = join(RAW_DIR, `${name}.wasm`);
    copyFileSync(join(root, "target", TARGET, "release", "statelab.wasm"), raw);
    run("wasm-bindgen", [
      "--target", "web", "--no-typescript", "--out-name", name, "--out-dir", staging,
      // __wbg_reset_state: js/guard.js re-instantiates the module after a trap (a panic).
      "--experimental-reset-state-function",
      raw,
    ]);
    const wasm = join(staging, `${name}_bg.wasm`);
    // --converge repeats -Oz until it stops shrinking the module (~1 KB gzip more).
    run(wasmOpt, [...optimise, ...WASM_FEATURES, wasm, "-o", wasm]);
  }
  rmSync(OUT_DIR, { recursive: true, force: true });
  renameSync(staging, OUT_DIR);
}

export const WWW_VENDOR = join(root, "www", "dist", "vendor.js");

/** True when www/dist/vendor.js exists and is newer than its inputs. */
export function wwwIsFresh() {
  if (!existsSync(WWW_VENDOR)) return false;
  const inputs = ["package-lock.json", "scripts/build.mjs", "scripts/build-www.mjs"].map((p) => join(root, p));
  return Math.max(...inputs.map(newestMtime)) < statSync(WWW_VENDOR).mtimeMs;
}

/** Bundles the playground's libraries (scripts/build-www.mjs: esbuild with one plugin). */
export function buildWww() {
  run(process.execPath, [join(root, "scripts", "build-www.mjs")]);
}

/** Builds what is stale; returns the gzip size of the full wasm in bytes. */
export function build({ force = false } = {}) {
  if (force || !wwwIsFresh()) {
    buildWww();
    console.log("build: www/dist/vendor.js bundled");
  }
  if (force || !wasmIsFresh()) {
    const started = Date.now();
    buildWasm();
    console.log(`build: wasm built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } else {
    console.log("build: dist/wasm is up to date (use --force to rebuild)");
  }
  // The playground's offline cache lists (and hashes) the page and the wasm: after both.
  run(process.execPath, [join(root, "scripts", "build-www.mjs"), "--precache"]);
  let gzip = 0;
  for (const { name } of MODULES) {
    const bytes = readFileSync(join(OUT_DIR, `${name}_bg.wasm`));
    const zipped = gzipSync(bytes, { level: 9 }).length;
    if (name === "statelab") gzip = zipped;
    console.log(
      `build: dist/wasm/${name}_bg.wasm ${(bytes.length / 1024).toFixed(1)} KiB, ` +
        `${(zipped / 1024).toFixed(1)} KiB gzipped`,
    );
  }
  return gzip;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    bootstrap();
    build({ force: process.argv.includes("--force") });
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
