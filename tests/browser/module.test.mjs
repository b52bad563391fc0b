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
  assert.deepEqual(wasm, ["/dist/wasm/statelab_bg.wasm application/wasm"]);
  assert.deepEqual(problems, []);
  await page.close();
});
