// Drives the playground (www/) in headless Chromium: the default example runs to
// SUCCEEDED with a history, a broken definition shows a diagnostic, Stop aborts a run.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { serve } from "../../scripts/serve.mjs";
import { launchChromium } from "./chromium.mjs";

const FINAL = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];
const byTestId = (id) => `[data-testid="${id}"]`;

let server;
let url;
let browser;

before(async () => {
  ({ server, url } = await serve({ port: 0 }));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** A fresh page on the playground that records page errors and CSP violations. */
async function openPlayground() {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  await page.goto(url);
  return { page, problems };
}

async function text(page, testId) {
  return (await page.locator(byTestId(testId)).textContent())?.trim() ?? "";
}

async function waitForFinalStatus(page) {
  await page.waitForFunction(
    ([selector, final]) => final.includes(document.querySelector(selector)?.textContent?.trim()),
    [byTestId("execution-status"), FINAL],
    { timeout: 20_000 },
  );
  return text(page, "execution-status");
}

test("the default example runs to SUCCEEDED with an event history", async () => {
  const { page, problems } = await openPlayground();
  await page.locator(byTestId("run")).click();
  const status = await waitForFinalStatus(page);
  const notice = await page.locator("#notice").textContent();
  assert.equal(status, "SUCCEEDED", `output: ${await text(page, "output")}; notice: ${notice}`);

  const types = await page.locator(`${byTestId("history")} tbody tr`).evaluateAll((rows) =>
    rows.map((row) => row.dataset.type),
  );
  assert.ok(types.length > 0, "the history is empty");
  assert.equal(types[0], "ExecutionStarted");
  assert.equal(types.at(-1), "ExecutionSucceeded");

  const output = JSON.parse(await text(page, "output"));
  assert.equal(typeof output, "object");
  assert.ok(output !== null, "the output is null");
  assert.deepEqual(problems, []);
  await page.close();
});

test("a broken definition shows a diagnostic", async () => {
  const { page, problems } = await openPlayground();
  const editor = page.locator(byTestId("definition-editor"));
  const diagnostics = page.locator(`${byTestId("diagnostics")} li`);

  await editor.fill('{ "StartAt": "A", "States": { "A": { "Type": "Pass", "End": true } ');
  await diagnostics.first().waitFor({ timeout: 10_000 });
  assert.equal(await diagnostics.first().getAttribute("data-code"), "INVALID_JSON");

  const badNext = { StartAt: "A", States: { A: { Type: "Pass", Next: "Nowhere" } } };
  await editor.fill(JSON.stringify(badNext, null, 2));
  await page.waitForFunction(
    (selector) => [...document.querySelectorAll(selector)].some((li) => li.dataset.path === "/States/A/Next"),
    `${byTestId("diagnostics")} li`,
    { timeout: 10_000 },
  );

  await editor.fill(JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", End: true } } }));
  await page.waitForFunction(
    (selector) => ![...document.querySelectorAll(selector)].some((li) => li.classList.contains("error")),
    `${byTestId("diagnostics")} li`,
    { timeout: 10_000 },
  );
  assert.deepEqual(problems, []);
  await page.close();
});

test("Stop aborts a run whose handler never settles", async () => {
  const { page, problems } = await openPlayground();
  await page
    .locator(byTestId("handler-editor"))
    .fill('({ "Check Inventory": () => new Promise(() => {}) })');
  await page.locator(byTestId("run")).click();
  assert.equal(await text(page, "execution-status"), "RUNNING");
  // Wait until the run has really started (its first event) before stopping it.
  await page.locator(`${byTestId("history")} tbody tr`).first().waitFor({ timeout: 10_000 });
  await page.locator(byTestId("stop")).click();
  assert.equal(await text(page, "execution-status"), "ABORTED");
  assert.equal(await page.locator(byTestId("stop")).isDisabled(), true);
  assert.deepEqual(problems, []);
  await page.close();
});
