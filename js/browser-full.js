// The package's browser entry for pages that use JSONata from the start (`statelab/full`):
// fetches only the full module (JSONata included; top-level await), so such a page does
// not also download the core module that js/browser.js loads first. Same API as
// js/browser.js; `loadJsonata()` resolves at once.
import * as full from "../dist/wasm/statelab.js";
import { useModule } from "./module.js";

await full.default({ module_or_path: new URL("../dist/wasm/statelab_bg.wasm", import.meta.url) });
useModule(full, { jsonata: true });

export * from "./api.js";

/** JSONata is already loaded by this entry. */
export function loadJsonata() {
  return Promise.resolve();
}
