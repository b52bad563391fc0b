// The package's entry for Node.js: compiles the full wasm (JSONata included) built for
// speed rather than size (read from disk, its size does not matter) synchronously, then
// re-exports the public API. (ES modules evaluate their imports first, so api.js must not
// call into the wasm while it is being evaluated, only from the functions it exports.)
import { readFileSync } from "node:fs";
import * as full from "../dist/wasm/statelab_node.js";
import { useModule } from "./module.js";

full.initSync({ module: readFileSync(new URL("../dist/wasm/statelab_node_bg.wasm", import.meta.url)) });
useModule(full, { jsonata: true });

export * from "./api.js";
