// The browser's core module (the crate built without the `jsonata` feature, js/module.js):
// it validates every definition that does not use JSONata exactly as the full module
// does, and what needs JSONata says how to load it, then works once loaded.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as rawCore from "../../dist/wasm/statelab_core.js";
import * as rawFull from "../../dist/wasm/statelab.js";
import { callWasm } from "../../js/guard.js";
import * as statelab from "./core-entry.mjs";

const TESTS = fileURLToPath(new URL("..", import.meta.url));

function jsonFiles(dir) {
  const found = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...jsonFiles(path));
    else if (entry.endsWith(".json") && entry !== "expected.json" && !entry.startsWith("known_failures")) found.push(path);
  }
  return found;
}

test("the core module gives the full module's diagnostics for every definition without JSONata", () => {
  // core-entry.mjs initialised the core glue; the full glue is initialised here, raw.
  rawFull.initSync({ module: readFileSync(new URL("../../dist/wasm/statelab_bg.wasm", import.meta.url)) });
  let compared = 0;
  let skipped = 0;
  for (const file of [...jsonFiles(join(TESTS, "validation")), ...jsonFiles(join(TESTS, "cases"))]) {
    const text = readFileSync(file, "utf8");
    if (statelab.needsJsonata(text)) {
      skipped++;
      continue;
    }
    for (const type of ["STANDARD", "EXPRESS"]) {
      const options = JSON.stringify({ type });
      assert.equal(rawCore.validateDefinition(text, true, options), rawFull.validateDefinition(text, true, options), `${file} (${type})`);
    }
    compared++;
  }
  assert.ok(compared > 300, `only ${compared} definitions compared`);
  assert.ok(skipped > 50, `only ${skipped} JSONata definitions recognised`);
});

const JSONATA_MACHINE = {
  QueryLanguage: "JSONata",
  StartAt: "Total",
  States: { Total: { Type: "Pass", Output: "{% $sum($states.input.prices) %}", End: true } },
};

test("needsJsonata: QueryLanguage JSONata, {% %} fields and \\u escapes; not plain JSONPath", () => {
  assert.equal(statelab.needsJsonata(JSONATA_MACHINE), true);
  assert.equal(statelab.needsJsonata(JSON.stringify(JSONATA_MACHINE, null, 2)), true);
  assert.equal(statelab.needsJsonata('{"StartAt":"A","States":{"A":{"Type":"Pass","QueryLanguage" : "JSONata","End":true}}}'), true);
  assert.equal(statelab.needsJsonata({ StartAt: "A", States: { A: { Type: "Pass", Result: "{% 1 %}", End: true } } }), true);
  assert.equal(statelab.needsJsonata('{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"\\u007b% 1 %}","End":true}}}'), true);
  assert.equal(statelab.needsJsonata({ StartAt: "A", States: { A: { Type: "Pass", Parameters: { "x.$": "$.a" }, End: true } } }), false);
});

const COUNTER = { StartAt: "A", States: { A: { Type: "Pass", Parameters: { "n.$": "States.MathAdd($.n, 1)" }, End: true } } };

test("a panic in the core module is caught and the core module restarts", async () => {
  assert.equal(statelab.jsonataLoaded(), false);
  assert.throws(() => callWasm(() => rawCore.debugPanic("core panic")), (error) => error instanceof statelab.StatelabInternalError && error.message.includes("core panic"));
  assert.deepEqual((await new statelab.StateMachine(COUNTER).run({ n: 1 })).output, { n: 2 });
});

test("before loadJsonata(): clear errors; after it: the JSONata engine (order matters: one process)", async () => {
  assert.equal(statelab.jsonataLoaded(), false);
  const plain = new statelab.StateMachine({ StartAt: "A", States: { A: { Type: "Pass", Parameters: { "n.$": "States.MathAdd($.n, 1)" }, End: true } } });
  assert.deepEqual((await plain.run({ n: 1 })).output, { n: 2 });

  assert.throws(() => new statelab.StateMachine(JSONATA_MACHINE), (error) => {
    assert.equal(error.name, "JsonataNotLoadedError");
    assert.equal(error.code, "JsonataNotLoaded");
    assert.match(error.message, /await loadJsonata\(\)/);
    return error instanceof statelab.JsonataNotLoadedError;
  });
  assert.throws(() => statelab.evaluateJsonata("1 + 1"), { code: "JsonataNotLoaded" });
  const early = statelab.validate(JSONATA_MACHINE);
  assert.equal(early.valid, false);
  assert.deepEqual(early.diagnostics.map((d) => d.code), ["JSONATA_NOT_LOADED"]);

  // testState() is asynchronous: it loads the engine itself.
  const tested = await statelab.testState({ definition: { QueryLanguage: "JSONata", Type: "Pass", Output: "{% $states.input.a * 2 %}", End: true }, input: { a: 21 } });
  assert.equal(tested.output, "42");
  assert.equal(statelab.jsonataLoaded(), true);

  await statelab.loadJsonata(); // idempotent
  assert.deepEqual((await new statelab.StateMachine(JSONATA_MACHINE).run({ prices: [1, 2, 3.5] })).output, 6.5);
  assert.equal(statelab.evaluateJsonata("$uppercase(name)", { name: "ada" }), "ADA");
  const broken = JSON.stringify(JSONATA_MACHINE).replace("$sum($states.input.prices)", "$sum(");
  const late = statelab.validate(broken);
  assert.equal(late.valid, false);
  assert.deepEqual(late.diagnostics, JSON.parse(rawFull.validateDefinition(broken, true, "{}")));
  // A machine made on the core module before the switch keeps working.
  assert.deepEqual((await plain.run({ n: 41 })).output, { n: 42 });
});

test("after loadJsonata(), a panic in the full module restarts both; older machines compile again", async () => {
  assert.equal(statelab.jsonataLoaded(), true);
  const machine = new statelab.StateMachine(COUNTER);
  assert.throws(() => callWasm(() => rawFull.debugPanic("full panic")), (error) => error instanceof statelab.StatelabInternalError && error.message.includes("full panic"));
  assert.deepEqual((await machine.run({ n: 5 })).output, { n: 6 });
  assert.deepEqual((await new statelab.StateMachine(JSONATA_MACHINE).run({ prices: [2, 2] })).output, 4);
});
