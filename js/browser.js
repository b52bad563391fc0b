// The package's entry for browsers, workers and bundlers: fetches and instantiates the
// wasm (top-level await), then re-exports the public API. (ES modules evaluate their
// imports first, so api.js must not call into the wasm while it is being evaluated.)
import init from "../dist/wasm/statelab.js";

await init({ module_or_path: new URL("../dist/wasm/statelab_bg.wasm", import.meta.url) });

export * from "./api.js";
