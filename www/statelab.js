// The statelab package on the page, loaded once however many playgrounds the page holds.
// Each wasm module is fetched and compiled once, here: the core module (everything but
// JSONata) always, the full one only when a definition needs JSONata. The page
// instantiates them for validate(), and every run worker gets the same compiled
// WebAssembly.Modules in its "run" message, so a run neither fetches nor compiles again.
const CORE_URL = new URL("../dist/wasm/statelab_core_bg.wasm", import.meta.url);
const FULL_URL = new URL("../dist/wasm/statelab_bg.wasm", import.meta.url);
let compiling = null;
let compilingFull = null;
let loading = null;
let loadingJsonata = null;

/** The compiled core wasm (one fetch per page). */
export function wasmModule() {
  compiling ??= WebAssembly.compileStreaming(fetch(CORE_URL));
  return compiling;
}

/** The compiled full wasm, with JSONata (one fetch per page, when first needed). */
export function jsonataModule() {
  compilingFull ??= WebAssembly.compileStreaming(fetch(FULL_URL));
  compilingFull.catch(() => (compilingFull = null));
  return compilingFull;
}

/** The public package (js/browser.js), its wasm glue initialised with wasmModule(). */
export function loadStatelab() {
  loading ??= (async () => {
    const { default: init } = await import("../dist/wasm/statelab_core.js");
    await init({ module_or_path: await wasmModule() });
    // browser.js's own init finds the glue initialised and fetches nothing.
    return import("../js/browser.js");
  })();
  return loading;
}

/** The package with JSONata loaded (from jsonataModule()). */
export function loadJsonata() {
  loadingJsonata ??= (async () => {
    const statelab = await loadStatelab();
    await statelab.loadJsonata(await jsonataModule());
    return statelab;
  })();
  loadingJsonata.catch(() => (loadingJsonata = null));
  return loadingJsonata;
}

/** What a run worker needs to run `definition`: the compiled modules it will use. */
export async function runModules(definition) {
  const statelab = await loadStatelab();
  const module = await wasmModule();
  if (!statelab.needsJsonata(definition)) return { module };
  return { module, jsonataModule: await jsonataModule() };
}
