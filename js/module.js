// Which wasm module the API calls. There are two builds of the crate (scripts/build.mjs):
// the full module and, for browsers, a core module without the JSONata engine (~90 KB
// gzip smaller; bench/RESULTS.md "Size"). js/node.js installs the full module. js/browser.js
// installs the core one, and its loadJsonata() installs the full one for every call made
// after it (objects made before keep the core module, which does all but JSONata).
// Nothing that may use JSONata reaches the core module: `requireJsonata` stops it first.

/** The wasm-bindgen exports the API calls: a live binding, read at every call. */
export let wasm = null;
let withJsonata = false;
let jsonataLoader = null;
const installed = [];

/**
 * Makes `glue` (an initialised wasm-bindgen module) the one the API calls. `jsonata`:
 * whether it has the JSONata engine; `loader`: how to get the module that has it.
 */
export function useModule(glue, { jsonata, loader = null }) {
  wasm = glue;
  withJsonata = jsonata;
  if (loader) jsonataLoader = loader;
  if (!installed.includes(glue)) installed.push(glue);
}

/** Every module installed so far (js/guard.js restarts them all after a trap). */
export function installedModules() {
  return installed;
}

/** True when JSONata can run now (always in Node; in browsers after `loadJsonata()`). */
export function jsonataLoaded() {
  return withJsonata;
}

/** Loads the JSONata engine where it is loaded on demand (browsers); idempotent. */
export function loadJsonata() {
  if (withJsonata) return Promise.resolve();
  if (!jsonataLoader) return Promise.reject(new Error("loadJsonata: this build of Statelab cannot load JSONata"));
  return jsonataLoader();
}

// QueryLanguage JSONata (top level or per state), a `{% %}` field, or a \u escape that
// could spell either: conservative, since a false "yes" only loads the full module.
const JSONATA_HINT = /"QueryLanguage"\s*:\s*"JSONata"|\{%|\\u/i;

/** True when a definition (text or object) or request may need the JSONata engine. */
export function needsJsonata(definition) {
  const text = typeof definition === "string" ? definition : JSON.stringify(definition);
  return typeof text === "string" && JSONATA_HINT.test(text);
}

/** Thrown where JSONata is needed before `await loadJsonata()` (browsers only). */
export class JsonataNotLoadedError extends Error {
  constructor(what) {
    super(
      `${what} uses JSONata, which Statelab loads on demand in browsers: ` +
        "`await loadJsonata()` (exported by \"statelab\") first.",
    );
    this.name = "JsonataNotLoadedError";
    this.code = "JsonataNotLoaded";
  }
}

/** Throws JsonataNotLoadedError when `definition` may use JSONata and it is not loaded. */
export function requireJsonata(definition, what) {
  if (withJsonata || !needsJsonata(definition)) return;
  throw new JsonataNotLoadedError(what);
}
