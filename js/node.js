// The package's entry for Node.js: compiles the wasm synchronously from disk, then
// re-exports the public API. (ES modules evaluate their imports first, so api.js must
// not call into the wasm while it is being evaluated, only from the functions it exports.)
import { readFileSync } from "node:fs";
import { initSync } from "../dist/wasm/statelab.js";

initSync({ module: readFileSync(new URL("../dist/wasm/statelab_bg.wasm", import.meta.url)) });

export * from "./api.js";
