// Drives the playground (www/) in headless Chromium: runs, the graph's colours,
// diagnostics as squiggles, the data-flow view, Stop, share links, callbacks and the
// embedding demo. Every test also fails on page errors, failed requests and console
// errors (CSP violations included).
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

/** A fresh page that records page errors, failed requests and console errors. */
async function open(path = "") {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = [];
  const wasm = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    if (response.url().endsWith(".wasm")) wasm.push(response.url());
  });
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  await page.goto(new URL(path, url).href);
  return { page, problems, wasm };
}

const openPlayground = () => open();

async function text(page, testId) {
  return (await page.locator(byTestId(testId)).first().textContent())?.trim() ?? "";
}

/** Replaces the text of a CodeMirror editor by typing into its content element. */
async function setEditor(page, testId, value) {
  const content = page.locator(`${byTestId(testId)} .cm-content`);
  await content.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(value);
}

/** Fails with the page's notice (why a run could not start, or the package did not load). */
async function assertNoNotice(page) {
  const notice = await page.locator(byTestId("notice")).evaluate((element) => (element.hidden ? "" : element.textContent));
  if (notice) assert.fail(`the playground reports: ${notice}`);
}

/** Waits for a final execution status, or for a notice (then fails at once). */
async function waitForFinalStatus(page) {
  await page.waitForFunction(
    ([final]) =>
      !document.querySelector('[data-testid="notice"]').hidden ||
      final.includes(document.querySelector('[data-testid="execution-status"]')?.textContent?.trim()),
    [FINAL],
    TIMEOUT,
  );
  await assertNoNotice(page);
  return text(page, "execution-status");
}

/** Waits until a diagnostic at `path` (JSON pointer) is listed, or a notice appears. */
async function waitForDiagnostic(page, { code, path }) {
  await page.waitForFunction(
    ([code, path]) =>
      !document.querySelector('[data-testid="notice"]').hidden ||
      [...document.querySelectorAll('[data-testid="diagnostics"] li')].some(
        (li) => (code === null || li.dataset.code === code) && (path === null || li.dataset.path === path),
      ),
    [code ?? null, path ?? null],
    TIMEOUT,
  );
  await assertNoNotice(page);
}

const stateNode = (name) => `${byTestId("graph")} g.state[data-state="${name}"]`;
const statusOf = (page, name) => page.locator(stateNode(name)).getAttribute("data-status");

/** Waits until validate() has run once (the package loaded) so that edits are checked. */
async function waitForPackage(page) {
  await page.locator(stateNode("Check Inventory")).waitFor(TIMEOUT);
}

test("the default example runs to SUCCEEDED with a history and the graph coloured", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);
  await page.locator(byTestId("run")).click();
  assert.equal(await waitForFinalStatus(page), "SUCCEEDED", `output: ${await text(page, "output")}`);

  const types = await page.locator(`${byTestId("history")} tbody tr`).evaluateAll((rows) => rows.map((row) => row.dataset.type));
  assert.equal(types[0], "ExecutionStarted");
  assert.equal(types.at(-1), "ExecutionSucceeded");
  assert.ok(types.includes("TaskFailed"), "the payment's first attempt fails and is retried");

  const output = JSON.parse(await text(page, "output"));
  assert.equal(output.orderId, "order-1042");
  for (const name of ["Check Inventory", "In Stock?", "Ship Order", "Notify Customer", "Ship And Notify", "Order Complete"]) {
    assert.equal(await statusOf(page, name), "succeeded", name);
  }
  assert.equal(await statusOf(page, "Process Payment"), "succeeded");
  assert.match(await page.locator(`${stateNode("Process Payment")} .badge`).textContent(), /↻1/);
  assert.equal(await statusOf(page, "Out Of Stock"), null, "a state not visited stays uncoloured");
  // Nested Parallel branches are clusters of the graph.
  assert.equal(await page.locator(`${byTestId("graph")} g.cluster.branch`).count(), 2);
  assert.match(await text(page, "console"), /\[Check Inventory\] checking 2 items/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("an order out of stock takes the failure path", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);
  const input = { order: { id: "order-9", total: 5, items: [{ sku: "MUG-2", quantity: 50 }] } };
  await setEditor(page, "input-editor", JSON.stringify(input));
  await page.locator(byTestId("run")).click();
  assert.equal(await waitForFinalStatus(page), "FAILED");
  assert.match(await text(page, "output"), /OutOfStock/);
  assert.equal(await page.locator(`${byTestId("history")} tbody tr`).last().getAttribute("data-type"), "ExecutionFailed");
  assert.equal(await statusOf(page, "Out Of Stock"), "failed");
  assert.deepEqual(problems, []);
  await page.close();
});

test("a declined payment is caught and takes the catch path", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);
  const input = { order: { id: "order-7", total: 5000, customer: "x@example.com", items: [{ sku: "TV", quantity: 1 }] } };
  await setEditor(page, "input-editor", JSON.stringify(input));
  await page.locator(byTestId("run")).click();
  assert.equal(await waitForFinalStatus(page), "FAILED");
  assert.match(await text(page, "output"), /PaymentDeclined/);
  assert.equal(await statusOf(page, "Process Payment"), "caught");
  assert.equal(await statusOf(page, "Payment Declined"), "failed");
  assert.deepEqual(problems, []);
  await page.close();
});

test("a broken definition shows a diagnostic and a squiggle at its line and column", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);

  await setEditor(page, "definition-editor", '{ "StartAt": "A", "States": { "A": { "Type": "Pass", "End": true } ');
  await waitForDiagnostic(page, { code: "INVALID_JSON" });

  await setEditor(page, "definition-editor", JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", Next: "Nowhere" } } }, null, 2));
  await waitForDiagnostic(page, { path: "/States/A/Next" });
  const item = page.locator(`${byTestId("diagnostics")} li[data-path="/States/A/Next"]`);
  assert.equal(await item.getAttribute("data-line"), "6");
  const lines = page.locator(`${byTestId("definition-editor")} .cm-line`);
  await lines.nth(5).locator(".cm-lintRange-error").waitFor(TIMEOUT);
  assert.equal(await lines.nth(5).locator(".cm-lintRange-error").textContent(), '"Nowhere"');

  // Columns count Unicode characters: an emoji before the bad target must not shift the squiggle.
  await setEditor(page, "definition-editor", '{"StartAt": "😀", "States": {"😀": {"Type": "Pass", "Next": "Nowhere"}}}');
  await waitForDiagnostic(page, { path: "/States/😀/Next" });
  const squiggles = page.locator(`${byTestId("definition-editor")} .cm-lintRange-error`);
  await squiggles.first().waitFor(TIMEOUT);
  const marked = await squiggles.evaluateAll((spans) => spans.map((span) => span.textContent));
  assert.ok(marked.includes('"Nowhere"'), `squiggles: ${JSON.stringify(marked)}`);

  await setEditor(page, "definition-editor", JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", End: true } } }));
  await page.waitForFunction(
    () => ![...document.querySelectorAll('[data-testid="diagnostics"] li')].some((li) => li.classList.contains("error")),
    null,
    TIMEOUT,
  );
  assert.equal(await page.locator(`${byTestId("definition-editor")} .cm-lintRange-error`).count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the query language toggle sets the top-level QueryLanguage", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);
  await setEditor(page, "definition-editor", '{\n  "StartAt": "A",\n  "States": { "A": { "Type": "Pass", "End": true } }\n}');
  await page.locator(byTestId("query-language")).selectOption("JSONata");
  await page.waitForFunction(() => document.querySelector('[data-testid="definition-editor"] .cm-content').textContent.includes('"QueryLanguage": "JSONata"'), null, TIMEOUT);
  await page.locator(byTestId("query-language")).selectOption("JSONPath");
  await page.waitForFunction(() => document.querySelector('[data-testid="definition-editor"] .cm-content').textContent.includes('"QueryLanguage": "JSONPath"'), null, TIMEOUT);
  const content = await page.locator(`${byTestId("definition-editor")} .cm-content`).textContent();
  assert.equal(content.match(/QueryLanguage/g).length, 1, content);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the definition editor completes field names and state types", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);
  await setEditor(page, "definition-editor", '{\n  "StartAt": "A",\n  "States": {\n    "A": {\n      ');
  await page.keyboard.type('"Ty');
  const options = page.locator(".cm-tooltip-autocomplete li");
  await options.first().waitFor(TIMEOUT);
  assert.ok((await options.allTextContents()).includes("Type"));
  await page.keyboard.press("Enter");
  await page.keyboard.type('": "Pa');
  const pass = page.locator(".cm-tooltip-autocomplete li", { hasText: /^Pass$/ });
  await pass.waitFor(TIMEOUT);
  await pass.click();
  const content = await page.locator(`${byTestId("definition-editor")} .cm-content`).textContent();
  assert.match(content, /"Type": "Pass"/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("with the real-time clock a Wait state is seen running, and Pause holds it", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);
  const index = await page.locator(`${byTestId("examples")} option`).evaluateAll((options) => options.findIndex((o) => /Wait/.test(o.textContent)));
  await page.locator(byTestId("examples")).selectOption(String(index));
  await page.locator(stateNode("Cool Down")).waitFor(TIMEOUT);
  await page.locator(byTestId("clock")).selectOption("real");
  await page.locator(byTestId("run")).click();
  await page.locator(`${stateNode("Cool Down")}[data-status="running"]`).waitFor(TIMEOUT);
  assert.equal(await page.locator(byTestId("send-success")).count(), 0, "the Wait has not ended yet");
  // Paused, the run does not leave the Wait state, even after its 3 seconds.
  await page.locator(byTestId("pause")).click();
  assert.equal(await page.locator(byTestId("pause")).textContent(), "Resume");
  await page.waitForTimeout(3_500);
  assert.equal(await statusOf(page, "Cool Down"), "running");
  assert.equal(await page.locator(byTestId("send-failure")).count(), 0);
  await page.locator(byTestId("pause")).click();
  await page.locator(byTestId("send-failure")).waitFor(TIMEOUT);
  // The graph repaints on the next frame; wait for it rather than read it at once.
  await page.locator(`${stateNode("Cool Down")}[data-status="succeeded"]`).waitFor(TIMEOUT);
  await page.locator(byTestId("send-failure")).click();
  assert.equal(await waitForFinalStatus(page), "FAILED");
  assert.match(await text(page, "output"), /Rejected/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("an endless loop ends at 25,000 events without flooding the page", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);
  const loop = {
    StartAt: "A",
    States: {
      A: { Type: "Pass", Next: "B" },
      B: { Type: "Choice", Choices: [{ Variable: "$.stop", IsPresent: true, Next: "C" }], Default: "A" },
      C: { Type: "Succeed" },
    },
  };
  await setEditor(page, "definition-editor", JSON.stringify(loop));
  await page.locator(stateNode("C")).waitFor(TIMEOUT);
  await page.locator(byTestId("run")).click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="execution-status"]').textContent === "FAILED",
    null,
    { timeout: 60_000 },
  );
  assert.match(await text(page, "output"), /25000/);
  assert.equal(await page.locator(`${byTestId("history")} tbody tr`).count(), 500, "the table renders a page of rows");
  await page.locator(byTestId("history-more")).click();
  assert.equal(await page.locator(`${byTestId("history")} tbody tr`).count(), 1000);
  assert.match(await page.locator(`${stateNode("A")} .badge`).textContent(), /×\d{4,}/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("user text is shown as text, never as markup", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);
  const name = '<img src=x onerror="document.title=1">';
  const definition = { StartAt: name, States: { [name]: { Type: "Pass", Next: "<b>gone</b>" } } };
  await setEditor(page, "definition-editor", JSON.stringify(definition));
  await waitForDiagnostic(page, { path: `/States/${name}/Next` });
  assert.equal(await page.locator(`${byTestId("graph")} img, ${byTestId("diagnostics")} b`).count(), 0);
  assert.equal(await page.locator(`${byTestId("graph")} g.state`).first().getAttribute("data-state"), name);
  assert.deepEqual(problems, []);
  await page.close();
});

test("selecting a state shows its data-flow stages with the changes highlighted", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);
  await page.locator(byTestId("run")).click();
  assert.equal(await waitForFinalStatus(page), "SUCCEEDED");
  await page.locator(stateNode("Process Payment")).click();
  const stages = await page
    .locator(`${byTestId("dataflow")} li.stage`)
    .evaluateAll((items) => items.map((item) => item.dataset.stage));
  assert.deepEqual(
    stages.filter((stage) => stage !== "error"),
    ["input", "afterInputPath", "afterParameters", "result", "afterResultSelector", "afterResultPath", "output"],
  );
  const afterResultPath = page.locator(`${byTestId("dataflow")} li.stage[data-stage="afterResultPath"]`);
  assert.match(await afterResultPath.locator(".added").first().textContent(), /"payment"/);
  assert.match(await afterResultPath.locator(".stage-title").textContent(), /\+1 added/);
  // The handler editor follows the selection.
  assert.equal(await page.locator(byTestId("handler-state")).inputValue(), "Process Payment");
  // A Map's inner state is visited once per item; a history row picks its visit.
  await page.locator(byTestId("examples")).selectOption("2");
  await page.locator(stateNode("Look Up Price")).waitFor(TIMEOUT);
  await page.locator(byTestId("run")).click();
  assert.equal(await waitForFinalStatus(page), "SUCCEEDED");
  assert.match(await page.locator(`${stateNode("Price Items")} .badge`).textContent(), /3\/3 items/);
  const rows = page.locator(`${byTestId("history")} tbody tr[data-type="TaskStateEntered"] td.step`);
  await rows.nth(2).click();
  assert.equal(await page.locator(byTestId("visit-picker")).inputValue(), "2");
  const input = await page.locator(`${byTestId("dataflow")} li.stage[data-stage="input"] pre`).textContent();
  assert.match(input, /"sku": "PEN-1"/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("handler code that does not compile is reported, and nothing runs", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);
  await page.locator(byTestId("handler-state")).selectOption("Check Inventory");
  await setEditor(page, "handler-editor", "async (order) => { return order + }");
  await page.locator(byTestId("run")).click();
  await page.locator(byTestId("notice")).waitFor(TIMEOUT);
  assert.match(await text(page, "notice"), /"Check Inventory" does not compile/);
  assert.equal(await text(page, "execution-status"), "");
  assert.equal(await page.locator(`${byTestId("history")} tbody tr`).count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test("Stop aborts a run whose handler never settles", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);
  await page.locator(byTestId("handler-state")).selectOption("Check Inventory");
  await setEditor(page, "handler-editor", "() => new Promise(() => {})");
  await page.locator(byTestId("run")).click();
  assert.equal(await text(page, "execution-status"), "RUNNING");
  // Wait until the task is really waiting on the handler before stopping the run.
  await page.locator(`${byTestId("history")} tbody tr[data-type="LambdaFunctionStarted"]`).waitFor(TIMEOUT);
  await assertNoNotice(page);
  assert.equal(await statusOf(page, "Check Inventory"), "running");
  await page.locator(byTestId("stop")).click();
  assert.equal(await text(page, "execution-status"), "ABORTED");
  assert.equal(await page.locator(byTestId("stop")).isDisabled(), true);
  assert.equal(await statusOf(page, "Check Inventory"), "failed");
  assert.deepEqual(problems, []);
  await page.close();
});

test("Step advances a paused run one event at a time", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);
  const rows = page.locator(`${byTestId("history")} tbody tr`);
  await page.locator(byTestId("step")).click();
  await rows.first().waitFor(TIMEOUT);
  await page.locator(byTestId("step")).click();
  await rows.nth(1).waitFor(TIMEOUT);
  await page.waitForTimeout(300);
  assert.equal(await rows.count(), 2, "two steps, two events");
  assert.equal(await text(page, "execution-status"), "RUNNING");
  await page.locator(byTestId("pause")).click(); // Resume
  assert.equal(await waitForFinalStatus(page), "SUCCEEDED");
  assert.deepEqual(problems, []);
  await page.close();
});

test("a .waitForTaskToken task waits for Send success", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);
  const index = await page.locator(`${byTestId("examples")} option`).evaluateAll((options) => options.findIndex((o) => /waitForTaskToken/.test(o.textContent)));
  await page.locator(byTestId("examples")).selectOption(String(index));
  await page.locator(stateNode("Ask For Approval")).waitFor(TIMEOUT);
  await page.locator(byTestId("run")).click();
  await page.locator(byTestId("send-success")).waitFor(TIMEOUT);
  assert.equal(await text(page, "execution-status"), "RUNNING");
  await page.locator(byTestId("send-success")).click();
  assert.equal(await waitForFinalStatus(page), "SUCCEEDED");
  // AWS: the task's result is the output sent with SendTaskSuccess (not a Lambda response).
  const approval = JSON.parse(await text(page, "output")).approval;
  assert.deepEqual(approval?.Payload ?? approval, { approved: true }, JSON.stringify(approval));
  assert.deepEqual(problems, []);
  await page.close();
});

test("a share link round-trips and does not run on load", async () => {
  const first = await openPlayground();
  await waitForPackage(first.page);
  const input = { order: { id: "order-shared", total: 1, customer: "s@example.com", items: [{ sku: "A", quantity: 1 }] } };
  await setEditor(first.page, "input-editor", JSON.stringify(input));
  await first.page.locator(byTestId("handler-state")).selectOption("Check Inventory");
  const marker = 'async (order) => { console.log("shared handler ran"); return { inStock: true, warehouse: "SHARED" }; }';
  await setEditor(first.page, "handler-editor", marker);
  await first.page.locator(byTestId("share")).click();
  await first.page.locator(byTestId("share-link")).waitFor(TIMEOUT);
  const link = await first.page.locator(byTestId("share-link")).inputValue();
  assert.match(link, /#share=[A-Za-z0-9_-]+$/);
  assert.deepEqual(first.problems, []);
  await first.page.close();

  const { page, problems } = await open(link);
  await waitForPackage(page);
  await page.locator(byTestId("info")).waitFor(TIMEOUT);
  assert.match(await text(page, "info"), /share link/);
  await page.waitForTimeout(500);
  assert.equal(await text(page, "execution-status"), "", "nothing ran on load");
  assert.equal(await page.locator(`${byTestId("history")} tbody tr`).count(), 0);
  assert.equal(await text(page, "console"), "");
  assert.match(await page.locator(`${byTestId("input-editor")} .cm-content`).textContent(), /order-shared/);
  await page.locator(byTestId("handler-state")).selectOption("Check Inventory");
  assert.match(await page.locator(`${byTestId("handler-editor")} .cm-content`).textContent(), /shared handler ran/);

  await page.locator(byTestId("run")).click();
  assert.equal(await waitForFinalStatus(page), "SUCCEEDED");
  assert.match(await text(page, "console"), /shared handler ran/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the embedding demo renders two working widgets that share one wasm load", async () => {
  const { page, problems, wasm } = await open("embed-demo.html");
  const widgets = page.locator("statelab-playground");
  assert.equal(await widgets.count(), 2);
  await widgets.nth(0).locator('g.state[data-state="Add Greeting"]').waitFor(TIMEOUT);
  await widgets.nth(1).locator('g.state[data-state="Double"]').waitFor(TIMEOUT);
  await page.waitForTimeout(500);
  assert.equal(wasm.length, 1, `the page loads the wasm once: ${wasm.join(", ")}`);

  for (const [index, expected] of [[0, { name: "Ana", greeting: "Hello" }], [1, { value: 21, doubled: 42 }]]) {
    const widget = widgets.nth(index);
    await widget.locator(byTestId("run")).click();
    await page.waitForFunction(
      (widget) => ["SUCCEEDED", "FAILED"].includes(widget.querySelector('[data-testid="execution-status"]').textContent),
      await widget.elementHandle(),
      TIMEOUT,
    );
    assert.equal(await widget.locator(byTestId("execution-status")).textContent(), "SUCCEEDED");
    assert.deepEqual(JSON.parse(await widget.locator(byTestId("output")).textContent()), expected);
  }
  // The second widget is read-only.
  assert.equal(await widgets.nth(1).locator(".cm-content").first().getAttribute("contenteditable"), "false");
  assert.deepEqual(problems, []);
  await page.close();
});
