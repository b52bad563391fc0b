// The package's entry for browsers, workers and bundlers: fetches and instantiates the
// core wasm (everything but JSONata; top-level await), then re-exports the public API.
// `loadJsonata()` fetches the full module once and makes it the one every later call
// uses; what needs JSONata before that throws a JsonataNotLoadedError saying so
// (testState() loads it by itself). See js/module.js. (ES modules evaluate their imports
// first, so api.js must not call into the wasm while it is being evaluated.)
import * as core from "../dist/wasm/statelab_core.js";
import { useModule } from "./module.js";

let loading = null;

/** Fetches (or takes, when `module` is given: a compiled WebAssembly.Module) the full module. */
function loadFull(module) {
  loading ??= (async () => {
    const full = await import("../dist/wasm/statelab.js");
    await full.default({ module_or_path: module ?? new URL("../dist/wasm/statelab_bg.wasm", import.meta.url) });
    useModule(full, { jsonata: true });
  })();
  // A failed fetch can be retried.
  loading.catch(() => (loading = null));
  return loading;
}

await core.default({ module_or_path: new URL("../dist/wasm/statelab_core_bg.wasm", import.meta.url) });
useModule(core, { jsonata: false, loader: () => loadFull() });

export * from "./api.js";

/**
 * Loads the JSONata engine (the full module; resolves when every later call can use
 * JSONata). The playground passes the WebAssembly.Module it compiled, to fetch nothing.
 */
export function loadJsonata(module) {
  return loadFull(module);
}
