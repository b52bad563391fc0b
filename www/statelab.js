// The statelab package on the page, loaded once however many playgrounds the page holds.
// The wasm is fetched and compiled once, here; the page instantiates it for validate(),
// and every run worker gets the same compiled WebAssembly.Module in its "run" message,
// so a run neither fetches nor compiles the wasm again.
const WASM_URL = new URL("../dist/wasm/statelab_bg.wasm", import.meta.url);
let compiling = null;
let loading = null;

/** The compiled wasm (one fetch per page). */
export function wasmModule() {
  compiling ??= WebAssembly.compileStreaming(fetch(WASM_URL));
  return compiling;
}

/** The public package (js/browser.js), its wasm glue initialised with wasmModule(). */
export function loadStatelab() {
  loading ??= (async () => {
    const { default: init } = await import("../dist/wasm/statelab.js");
    await init({ module_or_path: await wasmModule() });
    // browser.js's own init finds the glue initialised and fetches nothing.
    return import("../js/browser.js");
  })();
  return loading;
}
