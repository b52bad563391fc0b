// js/browser.js's arrangement in Node, for tests: the core module (no JSONata) first, and
// a loadJsonata() that installs the full module. Not a test file itself (no .test.).
import { readFileSync } from "node:fs";
import * as core from "../../dist/wasm/statelab_core.js";
import * as full from "../../dist/wasm/statelab.js";
import { useModule } from "../../js/module.js";

const bytes = (name) => readFileSync(new URL(`../../dist/wasm/${name}`, import.meta.url));

core.initSync({ module: bytes("statelab_core_bg.wasm") });
useModule(core, {
  jsonata: false,
  loader: async () => {
    full.initSync({ module: bytes("statelab_bg.wasm") });
    useModule(full, { jsonata: true });
  },
});

export * from "../../js/api.js";
