// Drives the playground (www/) in headless Chromium: the default example runs to
// SUCCEEDED with a history, a broken definition shows a diagnostic, Stop aborts a run.
// Every test also fails on page errors, failed requests and CSP violations.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { serve } from "../../scripts/serve.mjs";
import { launchChromium } from "./chromium.mjs";

const FINAL = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];
const byTestId = (id) => `[data-testid="${id}"]`;
const TIMEOUT = { timeout: 20_000 };

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

/** A fresh page on the playground that records page errors, failed requests and console errors. */
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

/** Fails with the page's notice (why a run could not start, or the package did not load). */
async function assertNoNotice(page) {
  const notice = await page.locator("#notice").evaluate((element) => (element.hidden ? "" : element.textContent));
  if (notice) assert.fail(`the playground reports: ${notice}`);
}

/** Waits for a final execution status, or for a notice (then fails at once). */
async function waitForFinalStatus(page) {
  await page.waitForFunction(
    ([selector, final]) =>
      !document.getElementById("notice").hidden ||
      final.includes(document.querySelector(selector)?.textContent?.trim()),
    [byTestId("execution-status"), FINAL],
    TIMEOUT,
  );
  await assertNoNotice(page);
  return text(page, "execution-status");
}

/** Waits until a diagnostic at `path` (JSON pointer) is listed, or a notice appears. */
async function waitForDiagnostic(page, { code, path }) {
  await page.waitForFunction(
    ([selector, code, path]) =>
      !document.getElementById("notice").hidden ||
      [...document.querySelectorAll(selector)].some(
        (li) => (code === null || li.dataset.code === code) && (path === null || li.dataset.path === path),
      ),
    [`${byTestId("diagnostics")} li`, code ?? null, path ?? null],
    TIMEOUT,
  );
  await assertNoNotice(page);
}

test("the default example runs to SUCCEEDED with an event history", async () => {
  const { page, problems } = await openPlayground();
  await page.locator(byTestId("run")).click();
  const status = await waitForFinalStatus(page);
  assert.equal(status, "SUCCEEDED", `output: ${await text(page, "output")}`);

  const types = await page
    .locator(`${byTestId("history")} tbody tr`)
    .evaluateAll((rows) => rows.map((row) => row.dataset.type));
  assert.ok(types.length > 0, "the history is empty");
  assert.equal(types[0], "ExecutionStarted");
  assert.equal(types.at(-1), "ExecutionSucceeded");

  const output = JSON.parse(await text(page, "output"));
  assert.ok(typeof output === "object" && output !== null, `output: ${JSON.stringify(output)}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test("an order out of stock takes the failure path", async () => {
  const { page, problems } = await openPlayground();
  const input = { order: { id: "order-9", items: [{ sku: "MUG-2", quantity: 50 }] } };
  await page.locator(byTestId("input-editor")).fill(JSON.stringify(input));
  await page.locator(byTestId("run")).click();
  assert.equal(await waitForFinalStatus(page), "FAILED");
  assert.match(await text(page, "output"), /OutOfStock/);
  const last = await page.locator(`${byTestId("history")} tbody tr`).last().getAttribute("data-type");
  assert.equal(last, "ExecutionFailed");
  assert.deepEqual(problems, []);
  await page.close();
});

test("a broken definition shows a diagnostic", async () => {
  const { page, problems } = await openPlayground();
  const editor = page.locator(byTestId("definition-editor"));

  await editor.fill('{ "StartAt": "A", "States": { "A": { "Type": "Pass", "End": true } ');
  await waitForDiagnostic(page, { code: "INVALID_JSON" });

  await editor.fill(JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", Next: "Nowhere" } } }, null, 2));
  await waitForDiagnostic(page, { path: "/States/A/Next" });

  await editor.fill(JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", End: true } } }));
  await page.waitForFunction(
    (selector) => ![...document.querySelectorAll(selector)].some((li) => li.classList.contains("error")),
    `${byTestId("diagnostics")} li`,
    TIMEOUT,
  );
  assert.deepEqual(problems, []);
  await page.close();
});

test("user text is shown as text, never as markup", async () => {
  const { page, problems } = await openPlayground();
  const name = '<img src=x onerror="document.title=1">';
  const definition = { StartAt: name, States: { [name]: { Type: "Pass", Next: "<b>gone</b>" } } };
  await page.locator(byTestId("definition-editor")).fill(JSON.stringify(definition));
  await waitForDiagnostic(page, { path: `/States/${name}/Next` });
  assert.equal(await page.locator(`${byTestId("graph")} img, ${byTestId("diagnostics")} b`).count(), 0);
  assert.equal(await page.locator(`${byTestId("graph")} li`).first().getAttribute("data-state"), name);
  assert.deepEqual(problems, []);
  await page.close();
});

test("handler code that does not compile is reported, and nothing runs", async () => {
  const { page, problems } = await openPlayground();
  await page.locator(byTestId("handler-editor")).fill('({ "Check Inventory": async (order) => { return order + } })');
  await page.locator(byTestId("run")).click();
  await page.locator("#notice").waitFor(TIMEOUT);
  assert.match(await page.locator("#notice").textContent(), /handlers code does not compile/);
  assert.equal(await text(page, "execution-status"), "");
  assert.equal(await page.locator(`${byTestId("history")} tbody tr`).count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test("Stop aborts a run whose handler never settles", async () => {
  const { page, problems } = await openPlayground();
  await page.locator(byTestId("handler-editor")).fill('({ "Check Inventory": () => new Promise(() => {}) })');
  await page.locator(byTestId("run")).click();
  assert.equal(await text(page, "execution-status"), "RUNNING");
  // Wait until the run has really started (its first event) before stopping it.
  await page.locator(`${byTestId("history")} tbody tr`).first().waitFor(TIMEOUT);
  await assertNoNotice(page);
  await page.locator(byTestId("stop")).click();
  assert.equal(await text(page, "execution-status"), "ABORTED");
  assert.equal(await page.locator(byTestId("stop")).isDisabled(), true);
  assert.deepEqual(problems, []);
  await page.close();
});
