// Where the wasm's bytes go: builds a copy of dist/wasm/statelab_bg.wasm that keeps its
// function names (the same cargo output -> wasm-bindgen -> wasm-opt -Oz, plus -g), reads
// the name and code sections, and attributes each function body to a crate or module by
// its Rust path (statelab::jsonata, statelab::validate, serde_json, core, alloc, ...).
// Gzip sizes per group are estimated in proportion to raw bytes; the total is measured.
//
//   node bench/size.mjs            # needs target/wasm32-unknown-unknown/release/statelab.wasm
//   node bench/size.mjs --top 30   # also list the 30 largest functions
//
// Uses the release build that scripts/build.mjs made; writes only under target/bench-size/.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const raw = join(root, "target", "wasm32-unknown-unknown", "release", "statelab.wasm");
const outDir = join(root, "target", "bench-size");

const WASM_FEATURES = [
  "--enable-bulk-memory", "--enable-bulk-memory-opt", "--enable-nontrapping-float-to-int",
  "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
];

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0) throw new Error(`size: \`${command} ${args.join(" ")}\` failed`);
}

/** The optimised wasm with its name section kept. */
export function namedBuild(input = raw, dir = outDir) {
  if (!existsSync(input)) throw new Error(`size: ${input} is missing; run node scripts/build.mjs first`);
  mkdirSync(dir, { recursive: true });
  run("wasm-bindgen", ["--target", "web", "--no-typescript", "--keep-debug", "--out-name", "statelab", "--out-dir", dir, input]);
  const wasm = join(dir, "statelab_bg.wasm");
  const named = join(dir, "statelab_named.wasm");
  run(join(root, "node_modules", ".bin", "wasm-opt"), ["-Oz", "--converge", "-g", ...WASM_FEATURES, wasm, "-o", named]);
  // The same wasm stripped of custom sections: what ships (compare with dist/wasm).
  const stripped = join(dir, "statelab_stripped.wasm");
  run(join(root, "node_modules", ".bin", "wasm-opt"), ["-Oz", "--converge", ...WASM_FEATURES, "--strip-debug", wasm, "-o", stripped]);
  return { named, stripped, glue: join(dir, "statelab.js") };
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

/** Prints the size of dist/wasm's wasm and its breakdown by owner (and the `top` largest functions). */
export function printBreakdown(top = 0) {
  const { named, stripped } = namedBuild();
  const bytes = readFileSync(named);
  const shipped = readFileSync(join(root, "dist", "wasm", "statelab_bg.wasm"));
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
  const strippedSize = readFileSync(stripped).length;
  console.log(`dist/wasm/statelab_bg.wasm: ${(shipped.length / 1000).toFixed(1)} KB raw, ${(shippedGzip / 1000).toFixed(1)} KB gzip`);
  console.log(`named copy (same optimisation, -g): code ${(code / 1000).toFixed(1)} KB in ${functions.length} functions, data ${(dataBytes / 1000).toFixed(1)} KB; stripped copy ${(strippedSize / 1000).toFixed(1)} KB`);
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
  printBreakdown(process.argv.includes("--top") ? Number(process.argv[process.argv.indexOf("--top") + 1]) : 0);
}
