// Installs what a fresh clone needs to build and test Statelab, and nothing when all is
// there. Node built-ins only: it runs before `npm ci`, from `npm start` and `npm test`.
//
//   node scripts/bootstrap.mjs            # build tools: node_modules, wasm32 target, wasm-bindgen-cli
//   node scripts/bootstrap.mjs --browser  # also Chromium + ChromeDriver (for tests)
//   node scripts/bootstrap.mjs --fuzz     # also cargo-fuzz (when nightly Rust is installed)
//   node scripts/bootstrap.mjs --dry-run  # only say what it would install
//
// Prints one line per thing it installs; silent when everything is present.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CHROMEDRIVER, CHROMIUM } from "./chromium.mjs";

export const root = fileURLToPath(new URL("..", import.meta.url));


const NODE_MAJOR_MIN = 20;
const WASM_TARGET = "wasm32-unknown-unknown";

/** Makes cargo-installed tools reachable even when ~/.cargo/bin is not on PATH. */
function ensureCargoBinOnPath() {
  const cargoBin = join(process.env.CARGO_HOME || join(homedir(), ".cargo"), "bin");
  const parts = (process.env.PATH || "").split(delimiter);
  if (existsSync(cargoBin) && !parts.includes(cargoBin)) {
    process.env.PATH = [cargoBin, ...parts].join(delimiter);
  }
}

/** Runs a command quietly; returns its trimmed stdout, or null when it cannot run or fails. */
function output(command, args) {
  const result = spawnSync(command, args, { cwd: root, encoding: "utf8" });
  if (result.error || result.status !== 0) return null;
  return result.stdout.trim();
}

let dryRun = false;

/** Says what is being installed; false in a dry run (then nothing is installed). */
function announce(what) {
  console.log(`bootstrap: ${dryRun ? "would install" : "installing"} ${what}`);
  return !dryRun;
}

/** Runs a command with its output shown; throws when it fails. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.error) throw new Error(`bootstrap: cannot run ${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`bootstrap: \`${[command, ...args].join(" ")}\` exited with ${result.status}`);
  }
}

function checkNode() {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < NODE_MAJOR_MIN) {
    throw new Error(`bootstrap: Node.js >= ${NODE_MAJOR_MIN} is required (this is ${process.version})`);
  }
}

/**
 * True when node_modules holds exactly what package-lock.json pins. npm keeps a copy of
 * the installed tree in node_modules/.package-lock.json; comparing versions is instant.
 */
function nodeModulesCurrent() {
  const installedPath = join(root, "node_modules", ".package-lock.json");
  if (!existsSync(installedPath)) return false;
  try {
    const wanted = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")).packages ?? {};
    const installed = JSON.parse(readFileSync(installedPath, "utf8")).packages ?? {};
    for (const [path, entry] of Object.entries(wanted)) {
      if (path === "" || entry.link) continue;
      if (installed[path]?.version !== entry.version) return false;
      if (!existsSync(join(root, path, "package.json"))) return false;
    }
    return true;
  } catch {
    return false;
  }
}

function ensureNodeModules() {
  if (nodeModulesCurrent()) return;
  if (!announce("npm devDependencies (npm ci)")) return;
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  // stdout (npm's "added N packages" summary) is dropped; errors still show on stderr.
  run(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { stdio: ["ignore", "ignore", "inherit"] });
}

function ensureRust() {
  if (output("cargo", ["--version"]) === null) {
    throw new Error(
      "bootstrap: cargo is not on PATH. Install Rust with rustup (https://rustup.rs), then rerun.",
    );
  }
  const sysroot = output("rustc", ["--print", "sysroot"]);
  if (sysroot && existsSync(join(sysroot, "lib", "rustlib", WASM_TARGET, "lib"))) return;
  if (!announce(`the Rust target ${WASM_TARGET} (rustup target add)`)) return;
  run("rustup", ["target", "add", WASM_TARGET]);
}

/** The wasm-bindgen version Cargo.lock pins; the CLI must match it exactly. */
export function pinnedWasmBindgenVersion() {
  const lock = readFileSync(join(root, "Cargo.lock"), "utf8");
  const match = lock.match(/\[\[package\]\]\s*name = "wasm-bindgen"\s*version = "([^"]+)"/);
  if (!match) throw new Error("bootstrap: Cargo.lock does not pin wasm-bindgen");
  return match[1];
}

function ensureWasmBindgen() {
  const version = pinnedWasmBindgenVersion();
  const have = output("wasm-bindgen", ["--version"]);
  const runner = output("wasm-bindgen-test-runner", ["--version"]);
  if (have === `wasm-bindgen ${version}` && runner !== null) return;
  if (!announce(`wasm-bindgen-cli ${version} (cargo install; found: ${have ?? "none"})`)) return;
  // No --locked: the CLI's own lockfile does not resolve on every toolchain.
  run("cargo", ["install", "wasm-bindgen-cli", "--version", version, "--force"]);
}

function ensureChromium() {
  if (existsSync(CHROMIUM) && existsSync(CHROMEDRIVER)) return;
  if (process.platform !== "linux" || !existsSync("/usr/bin/apt-get")) {
    throw new Error(
      `bootstrap: Chromium (${CHROMIUM}) and ChromeDriver (${CHROMEDRIVER}) are needed for the ` +
        "browser tests; install them, or set CHROMIUM_PATH and CHROMEDRIVER.",
    );
  }
  if (!announce("Chromium and ChromeDriver (apt-get)")) return;
  const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (...args) =>
    sudo.length ? run("sudo", ["apt-get", ...args], { env }) : run("apt-get", args, { env });
  apt("update", "-qq");
  apt("install", "-y", "-qq", "chromium", "chromium-driver");
}

/** cargo-fuzz for the fuzz suite; it drives libFuzzer, which needs a nightly toolchain. */
const CARGO_FUZZ_VERSION = "0.13.1";

/** True when `cargo +nightly` works (rustup with a nightly toolchain installed). */
export function nightlyAvailable() {
  return output("cargo", ["+nightly", "--version"]) !== null;
}

function ensureCargoFuzz() {
  // Without nightly the fuzz suite reports itself skipped; installing would not help.
  if (!nightlyAvailable()) return;
  const have = output("cargo", ["fuzz", "--version"]);
  if (have === `cargo-fuzz ${CARGO_FUZZ_VERSION}`) return;
  if (!announce(`cargo-fuzz ${CARGO_FUZZ_VERSION} (cargo install; found: ${have ?? "none"})`)) return;
  run("cargo", ["install", "cargo-fuzz", "--version", CARGO_FUZZ_VERSION, "--locked", "--force"]);
}

/**
 * Installs what is missing. `browser`: also Chromium and ChromeDriver. `fuzz`: also
 * cargo-fuzz (when a nightly toolchain is there).
 */
export function bootstrap({ browser = false, fuzz = false, dry = false } = {}) {
  dryRun = dry;
  checkNode();
  ensureCargoBinOnPath();
  ensureNodeModules();
  ensureRust();
  ensureWasmBindgen();
  if (browser) ensureChromium();
  if (fuzz) ensureCargoFuzz();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    bootstrap({
      browser: process.argv.includes("--browser"),
      fuzz: process.argv.includes("--fuzz"),
      dry: process.argv.includes("--dry-run"),
    });
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
