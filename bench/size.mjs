// The package's size, and where the wasm's bytes go, for both modules scripts/build.mjs
// makes: the core module browsers load first (no JSONata) and the full one (node; browsers
// after loadJsonata()). First the gzip size of each module with its glue (measured);
// then, per module, a breakdown: a copy of the wasm that keeps its function names (the
// same cargo output -> wasm-bindgen -> wasm-opt -Oz --converge, plus -g), read for its
// name and code sections, each function body attributed to a crate or module by its Rust
// path (statelab::jsonata, statelab::validate, serde_json, core, alloc, ...). Gzip sizes
// per group are estimated in proportion to raw bytes.
//
//   node bench/size.mjs                   # both modules (needs `npm run build` first)
//   node bench/size.mjs --top 30          # also list the 30 largest functions of each
//   node bench/size.mjs --module core     # one module: core or full
//
// Uses the cargo outputs scripts/build.mjs kept in target/wasm-raw/; writes only under
// target/bench-size/.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const rawDir = join(root, "target", "wasm-raw");
const outDir = join(root, "target", "bench-size");

/** The modules (scripts/build.mjs MODULES): file stem and what it is for. */
export const MODULES = [
  { key: "core", name: "statelab_core", label: "core module (browsers load it first; no JSONata)" },
  { key: "full", name: "statelab", label: "full module (browsers after loadJsonata() or via statelab/full)" },
  // Built for speed (opt-level 3, -O3) from the same source; only Node loads it, from disk.
  { key: "node", name: "statelab_node", label: "full module built for speed (Node only)", breakdown: false },
];

/** Target for what a browser loads up front: wasm + glue, gzip (issue 10). */
export const TARGET_BYTES = 300_000;

const WASM_FEATURES = [
  "--enable-bulk-memory", "--enable-bulk-memory-opt", "--enable-nontrapping-float-to-int",
  "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
];

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0) throw new Error(`size: \`${command} ${args.join(" ")}\` failed`);
}

/** The optimised wasm of a module (a file stem, e.g. "statelab_core") with its name section kept. */
export function namedBuild(name = "statelab", dir = join(outDir, name), optimise = ["-Oz", "--converge"]) {
  const input = join(rawDir, `${name}.wasm`);
  if (!existsSync(input)) throw new Error(`size: ${input} is missing; run node scripts/build.mjs first`);
  mkdirSync(dir, { recursive: true });
  run("wasm-bindgen", ["--target", "web", "--no-typescript", "--keep-debug", "--out-name", name, "--out-dir", dir, input]);
  const wasm = join(dir, `${name}_bg.wasm`);
  const named = join(dir, `${name}_named.wasm`);
  run(join(root, "node_modules", ".bin", "wasm-opt"), [...optimise, "-g", ...WASM_FEATURES, wasm, "-o", named]);
  return { named, glue: join(dir, `${name}.js`) };
}

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;

/** Measured sizes of the shipped modules: [{key, label, wasm: {raw, gzip}, glue: {raw, gzip}, gzip}]. */
export function moduleSizes() {
  return MODULES.map(({ key, name, label }) => {
    const [wasm, glue] = [`${name}_bg.wasm`, `${name}.js`].map((file) => {
      const bytes = readFileSync(join(root, "dist", "wasm", file));
      return { file: `dist/wasm/${file}`, raw: bytes.length, gzip: gzip(bytes) };
    });
    return { key, label, wasm, glue, gzip: wasm.gzip + glue.gzip };
  });
}

/** Prints both modules' wasm + glue (gzip -9) and the core's margin to the target. */
export function printModuleSizes() {
  const sizes = moduleSizes();
  console.log("| Module | wasm raw | wasm gzip | glue gzip | wasm + glue gzip |");
  console.log("|---|---:|---:|---:|---:|");
  for (const m of sizes) console.log(`| ${m.label} | ${kb(m.wasm.raw)} | ${kb(m.wasm.gzip)} | ${kb(m.glue.gzip)} | **${kb(m.gzip)}** |`);
  const core = sizes.find((m) => m.key === "core");
  const verdict = core.gzip <= TARGET_BYTES ? "met" : "missed";
  console.log(`\nTarget (what a browser loads before any JSONata: core wasm + glue <= ${kb(TARGET_BYTES)} gzip): ${verdict}, ${kb(core.gzip)}.`);
  return sizes;
}

// ---------------------------------------------------------------- a minimal wasm reader

function reader(bytes) {
  let pos = 0;
  const r = {
    get pos() { return pos; },
    set pos(p) { pos = p; },
    byte: () => bytes[pos++],
    u32() {
      let result = 0, shift = 0, b;
      do { b = bytes[pos++]; result |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
      return result >>> 0;
    },
    name() {
      const len = r.u32();
      const s = new TextDecoder().decode(bytes.subarray(pos, pos + len));
      pos += len;
      return s;
    },
  };
  return r;
}

/** {functions: [{index, name, size}], sections: {id/name: size}} */
function analyse(bytes) {
  const r = reader(bytes);
  r.pos = 8;
  let importedFunctions = 0;
  const bodies = [];
  const names = new Map();
  const sections = {};
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const start = r.pos;
    const end = start + size;
    if (id === 2) { // imports: count function imports so code indices line up
      const count = r.u32();
      for (let i = 0; i < count; i++) {
        r.name(); r.name();
        const kind = r.byte();
        if (kind === 0) { r.u32(); importedFunctions++; }
        else if (kind === 1) { r.byte(); const flags = r.u32(); r.u32(); if (flags & 1) r.u32(); }
        else if (kind === 2) { const flags = r.u32(); r.u32(); if (flags & 1) r.u32(); }
        else if (kind === 3) { r.byte(); r.byte(); }
        else if (kind === 4) { r.byte(); r.u32(); }
      }
    } else if (id === 10) {
      const count = r.u32();
      for (let i = 0; i < count; i++) {
        const bodySize = r.u32();
        bodies.push({ index: importedFunctions + i, size: bodySize + 1 });
        r.pos += bodySize;
      }
    } else if (id === 0) {
      const name = r.name();
      if (name === "name") {
        while (r.pos < end) {
          const sub = r.byte();
          const subSize = r.u32();
          const subEnd = r.pos + subSize;
          if (sub === 1) {
            const count = r.u32();
            for (let i = 0; i < count; i++) {
              const index = r.u32();
              names.set(index, r.name());
            }
          }
          r.pos = subEnd;
        }
      }
      sections[`custom:${name}`] = size;
    }
    if (id !== 0) sections[SECTION_NAMES[id] ?? `section ${id}`] = (sections[SECTION_NAMES[id]] ?? 0) + size;
    r.pos = end;
  }
  return { functions: bodies.map((b) => ({ ...b, name: names.get(b.index) ?? `func[${b.index}]` })), sections };
}

const SECTION_NAMES = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount"];

// ---------------------------------------------------------------- attribution

/** The owner of a (demangled) Rust function name: crate, or statelab::<module>. */
export function owner(name) {
  let n = name.replace(/::h[0-9a-f]{16}$/, "").replace(/\[[0-9a-f]{16}\]/g, "");
  // `<T as Trait>::method`: the implementing type's path; `<T>::method` likewise.
  const m = /^<(?:&(?:mut )?)?([^<> ]+)(?: as ([^<> ]+))?/.exec(n);
  if (m) n = m[1].includes("::") || !m[2] ? m[1] : m[2];
  if (n.startsWith("dlmalloc") || n.startsWith("__rust_") || n.startsWith("__rdl_")) return "alloc (allocator)";
  const parts = n.split("::");
  if (parts[0] === "statelab") return parts.length > 2 ? `statelab::${parts[1]}` : "statelab (root)";
  if (/^(__wbg|__wbindgen|__externref)|shim$/.test(n)) return "wasm-bindgen glue (exports, shims)";
  if (/^(memcpy|memmove|memset|memcmp|bcmp|strlen)$/.test(n) || n.startsWith("compiler_builtins")) return "compiler_builtins (mem*)";
  if (!n.includes("::")) return "other (unnamed)";
  return parts[0];
}

/**
 * Prints each module's size and breakdown by owner (and its `top` largest functions);
 * `only`: "core" or "full" for one module.
 */
export function printBreakdown(top = 0, only = null) {
  printModuleSizes();
  for (const { key, name, label, breakdown = true } of MODULES) {
    if (only ? key !== only : !breakdown) continue;
    console.log(`\n### ${label}\n`);
    printModuleBreakdown(name, top);
  }
}

function printModuleBreakdown(name, top) {
  const { named } = namedBuild(name);
  const bytes = readFileSync(named);
  const shipped = readFileSync(join(root, "dist", "wasm", `${name}_bg.wasm`));
  const shippedGzip = gzipSync(shipped, { level: 9 }).length;
  const { functions, sections } = analyse(bytes);
  const code = functions.reduce((n, f) => n + f.size, 0);
  const groups = new Map();
  for (const f of functions) {
    const key = owner(f.name);
    const g = groups.get(key) ?? { bytes: 0, count: 0 };
    g.bytes += f.size;
    g.count++;
    groups.set(key, g);
  }
  const dataBytes = sections.data ?? 0;
  console.log(`dist/wasm/${name}_bg.wasm: ${kb(shipped.length)} raw, ${kb(shippedGzip)} gzip`);
  console.log(`named copy (same optimisation, -g): code ${kb(code)} in ${functions.length} functions, data ${kb(dataBytes)}`);
  const codeShare = code / (code + dataBytes);
  console.log("\n| Owner | Functions | Code bytes | Share of code | Est. gzip |");
  console.log("|---|---:|---:|---:|---:|");
  const sorted = [...groups.entries()].sort((a, b) => b[1].bytes - a[1].bytes);
  for (const [key, g] of sorted) {
    const share = g.bytes / code;
    console.log(`| ${key} | ${g.count} | ${(g.bytes / 1000).toFixed(1)} KB | ${(share * 100).toFixed(1)}% | ~${((share * codeShare * shippedGzip) / 1000).toFixed(1)} KB |`);
  }
  console.log(`| data section (strings, tables) | - | ${(dataBytes / 1000).toFixed(1)} KB | - | ~${(((1 - codeShare) * shippedGzip) / 1000).toFixed(1)} KB |`);
  const unnamed = functions.filter((f) => owner(f.name) === "other (unnamed)").sort((a, b) => b.size - a.size);
  if (unnamed.length) console.log(`\n"other (unnamed)" are e.g.: ${unnamed.slice(0, 8).map((f) => `${f.name} (${f.size})`).join(", ")}`);
  if (top) {
    console.log(`\nThe ${top} largest functions:`);
    for (const f of [...functions].sort((a, b) => b.size - a.size).slice(0, top)) console.log(`  ${String(f.size).padStart(7)}  ${f.name.slice(0, 150)}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : null);
  const only = arg("--module");
  if (only && !MODULES.some((m) => m.key === only)) {
    console.error(`size: --module must be one of ${MODULES.map((m) => m.key).join(", ")}`);
    process.exit(2);
  }
  printBreakdown(Number(arg("--top") ?? 0), only);
}
