// The package's browser entry (js/browser.js) in headless Chromium, imported from a plain
// <script type="module"> on a page served like any static host (scripts/serve.mjs): the
// wasm loads by itself (top-level await) and a machine with a JS handler runs.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { serve } from "../../scripts/serve.mjs";
import { launchChromium } from "./chromium.mjs";

let server;
let origin;
let browser;

before(async () => {
  let url;
  ({ server, url } = await serve({ port: 0 }));
  origin = new URL(url).origin;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

test("a module script imports /js/browser.js and runs a machine", async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  const wasm = [];
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    if (response.url().endsWith(".wasm")) wasm.push(`${new URL(response.url()).pathname} ${response.headers()["content-type"]}`);
  });

  await page.goto(`${origin}/tests/browser/fixtures/module.html`);
  await page.waitForFunction(() => window.statelabResult !== undefined, null, { timeout: 20_000 });
  const result = await page.evaluate(() => window.statelabResult);

  assert.equal(result.thrown, undefined, result.thrown);
  assert.equal(result.status, "SUCCEEDED", JSON.stringify(result));
  assert.deepEqual(result.output, { order: 7, inStock: true });
  assert.equal(result.attempts, 2, "the Retry ran the handler again");
  assert.equal(result.events[0], "ExecutionStarted");
  assert.ok(result.events.includes("LambdaFunctionFailed"), result.events.join(", "));
  assert.equal(result.events.at(-1), "ExecutionSucceeded");
  assert.ok(result.invalid.length > 0, "validate() found nothing wrong with an empty States");
  // The core module only: a definition without JSONata never fetches the full one.
  assert.deepEqual(wasm, ["/dist/wasm/statelab_core_bg.wasm application/wasm"]);
  assert.deepEqual(problems, []);
  await page.close();
});

test("JSONata loads on demand: a clear error before loadJsonata(), the full engine after", async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  const wasm = [];
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    if (response.url().endsWith(".wasm")) wasm.push(new URL(response.url()).pathname);
  });

  await page.goto(`${origin}/tests/browser/fixtures/jsonata.html`);
  await page.waitForFunction(() => window.statelabResult !== undefined, null, { timeout: 20_000 });
  const result = await page.evaluate(() => window.statelabResult);
  assert.equal(result.thrown, undefined, result.thrown);

  const { before, after } = result;
  assert.equal(before.loaded, false);
  assert.deepEqual(before.needs, [true, false]);
  assert.equal(before.machine.name, "JsonataNotLoadedError");
  assert.equal(before.machine.code, "JsonataNotLoaded");
  assert.match(before.machine.message, /await loadJsonata\(\)/);
  assert.equal(before.evaluate.code, "JsonataNotLoaded");
  assert.deepEqual(before.validate.diagnostics.map((d) => d.code), ["JSONATA_NOT_LOADED"]);
  assert.equal(before.validate.valid, false);

  assert.equal(result.tested, "42", "testState() loaded JSONata by itself");
  assert.equal(after.loaded, true);
  assert.equal(after.output, 6.5);
  assert.equal(after.evaluate, "ADA");
  // The same diagnostics as Node's (full) module gives for the same text.
  const { validate } = await import("../../js/node.js");
  assert.equal(after.validate.valid, false);
  assert.ok(after.validate.diagnostics.length > 0);
  assert.deepEqual(after.validate, validate(expectedBrokenDefinition()));
  assert.deepEqual(wasm, ["/dist/wasm/statelab_core_bg.wasm", "/dist/wasm/statelab_bg.wasm"]);
  assert.deepEqual(problems, []);
  await page.close();
});

/** The fixture's `broken` definition, built the same way. */
function expectedBrokenDefinition() {
  const definition = JSON.stringify({
    QueryLanguage: "JSONata",
    StartAt: "Total",
    States: {
      Total: { Type: "Pass", Output: "{% $sum($states.input.prices) %}", End: true },
    },
  }, null, 2);
  return definition.replace("$sum($states.input.prices)", "$sum(");
}

test("statelab/full fetches only the full module and runs JSONata at once", async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => message.type() === "error" && problems.push(`console: ${message.text()}`));
  const wasm = [];
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    if (response.url().endsWith(".wasm")) wasm.push(new URL(response.url()).pathname);
  });
  await page.goto(`${origin}/tests/browser/fixtures/full.html`);
  await page.waitForFunction(() => window.statelabResult !== undefined, null, { timeout: 20_000 });
  const result = await page.evaluate(() => window.statelabResult);
  assert.equal(result.thrown, undefined, result.thrown);
  assert.equal(result.loadedAtImport, true);
  assert.equal(result.output, 6.5);
  assert.equal(result.evaluate, "ADA");
  assert.deepEqual(wasm, ["/dist/wasm/statelab_bg.wasm"]);
  assert.deepEqual(problems, []);
  await page.close();
});
