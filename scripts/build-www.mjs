// Bundles the playground's third-party libraries (CodeMirror 6, dagre) into
// www/dist/vendor.js with esbuild. Run by scripts/build.mjs when the bundle is missing or
// stale; the page's own modules (www/*.js) stay plain ES modules that import it.
//
// Also writes www/dist/precache.js, the service worker's list of files to precache and
// its cache version (a hash of their contents), so that a new build is a new cache.
// `node scripts/build-www.mjs --precache` writes it (build.mjs runs that after every
// build, since the wasm changes without the bundle changing).
//
// One patch: style-mod (CodeMirror's CSS-in-JS) writes a <style> element into a document,
// which the playground's Content-Security-Policy (style-src 'self') blocks. A constructed
// stylesheet (adoptedStyleSheets) is not inline style, so we make it take that path,
// which it already uses for shadow roots.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
export const outfile = fileURLToPath(new URL("../www/dist/vendor.js", import.meta.url));

// Every third-party export the page's modules use.
const entry = `
export { EditorState, Compartment, StateEffect, StateField } from "@codemirror/state";
export { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, Decoration, placeholder } from "@codemirror/view";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export { foldGutter, foldKeymap, bracketMatching, indentOnInput, syntaxHighlighting,
  HighlightStyle, syntaxTree } from "@codemirror/language";
export { tags } from "@lezer/highlight";
export { json } from "@codemirror/lang-json";
export { linter, lintGutter, setDiagnostics, forceLinting } from "@codemirror/lint";
export { autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
export { default as dagre } from "@dagrejs/dagre";
`;

const adoptedStyleSheets = {
  name: "style-mod-adopted-stylesheets",
  setup(build) {
    build.onLoad({ filter: /style-mod[\\/]src[\\/]style-mod\.js$/ }, async ({ path }) => {
      const source = await readFile(path, "utf8");
      const condition = "if (!root.head && root.adoptedStyleSheets && win.CSSStyleSheet) {";
      if (!source.includes(condition)) throw new Error(`build-www: style-mod changed; cannot patch ${path}`);
      return { contents: source.replace(condition, "if (root.adoptedStyleSheets && win.CSSStyleSheet) {"), loader: "js" };
    });
  },
};

async function bundle() {
  const esbuild = await import("esbuild"); // here, so that serve.mjs can import writePrecache alone
  await esbuild.build({
  stdin: { contents: entry, resolveDir: root, sourcefile: "vendor-entry.js" },
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2022",
  legalComments: "none",
  outfile,
  plugins: [adoptedStyleSheets],
  logLevel: "warning",
  });
}

const WWW = join(root, "www");
// Served next to the page but not by the cache: the worker script itself (the browser
// keeps it), the file that describes the cache, and notes for people.
const NOT_CACHED = new Set(["sw.js", "dist/precache.js", "README.md"]);
// The package files the page and its worker load (from www/, through "../"): js/browser.js,
// every module it imports (followed, so a new one cannot be forgotten), and both wasm modules.
function pagePackageFiles() {
  const found = [];
  const pending = ["js/browser.js"];
  while (pending.length > 0) {
    const file = pending.pop();
    if (found.includes(file)) continue;
    found.push(file);
    if (!file.endsWith(".js") || !existsSync(join(root, file))) continue;
    const source = readFileSync(join(root, file), "utf8");
    for (const [, specifier] of source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^"';]*?\bfrom\s*"(\.{1,2}\/[^"]+)"/g)) {
      pending.push(relative(root, join(root, dirname(file), specifier)).split(sep).join("/"));
    }
    for (const [, specifier] of source.matchAll(/(?:^|\n)\s*import\s*"(\.{1,2}\/[^"]+)"/g)) {
      pending.push(relative(root, join(root, dirname(file), specifier)).split(sep).join("/"));
    }
    // import("...") with a literal: the full module's glue, which loadJsonata() loads.
    for (const [, specifier] of source.matchAll(/\bimport\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g)) {
      pending.push(relative(root, join(root, dirname(file), specifier)).split(sep).join("/"));
    }
  }
  // Both modules: the core the page starts with, the full one JSONata needs (offline too).
  return [...found, "dist/wasm/statelab_core_bg.wasm", "dist/wasm/statelab_bg.wasm"];
}

function filesUnder(dir) {
  const found = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...filesUnder(path));
    else found.push(path);
  }
  return found;
}

/** Writes www/dist/precache.js: { version, files } with URLs relative to www/sw.js. */
export function writePrecache() {
  const pageFiles = filesUnder(WWW)
    .map((path) => relative(WWW, path).split(sep).join("/"))
    .filter((path) => !NOT_CACHED.has(path));
  const wanted = pagePackageFiles();
  const packageFiles = wanted.filter((path) => existsSync(join(root, path)));
  const missing = wanted.filter((path) => !packageFiles.includes(path));
  if (missing.length > 0) throw new Error(`build-www: cannot precache ${missing.join(", ")}: build the package first`);
  const hash = createHash("sha256");
  const entries = [
    ...pageFiles.map((path) => [path, join(WWW, path)]),
    ...packageFiles.map((path) => [`../${path}`, join(root, path)]),
  ];
  for (const [url, file] of entries) hash.update(`${url}\0`).update(readFileSync(file)).update("\0");
  const version = hash.digest("hex").slice(0, 16);
  // "./" is the page as a directory URL (/www/), which a browser asks for by that name;
  // "learn/" is the tour's contents page, the same way.
  const files = ["./", "learn/", ...entries.map(([url]) => url)];
  const text =
    "// Written by scripts/build-www.mjs: what sw.js precaches, and the cache version (a hash\n" +
    "// of those files). Not committed.\n" +
    `self.STATELAB_PRECACHE = ${JSON.stringify({ version, files }, null, 2)};\n`;
  writeFileSync(join(WWW, "dist", "precache.js"), text);
  return { version, files };
}

// `node scripts/build-www.mjs`: the bundle; `--precache`: the precache list (which needs
// the wasm built, so build.mjs asks for it last).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--precache")) {
    const { version, files } = writePrecache();
    console.log(`build-www: www/dist/precache.js: ${files.length} files, cache version ${version}`);
  } else {
    await bundle();
  }
}
