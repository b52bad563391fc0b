// Drives the playground (www/) in headless Chromium: runs (every example), the graph's
// colours, diagnostics as squiggles, the data-flow view, Stop, share links, callbacks,
// themes, keyboard use, offline use and the embedding demo. Every test also fails on page
// errors, failed requests, console errors, Content-Security-Policy violations and any
// request to another origin. Screenshots of the main views go to
// test-results/screenshots/ (not committed) for people to look at.
import assert from "node:assert/strict";
import { test } from "node:test";
import { examples } from "../../www/examples.js";
import { browser, byTestId, FINAL, SCREENSHOTS, serveAndLaunchChromium, TIMEOUT, url, watchPage } from "./harness.mjs";

serveAndLaunchChromium();

/**
 * A fresh page (its own browser context) that records page errors, failed requests,
 * console errors, CSP violations and requests to any origin but the server's, the page's
 * own, its workers' and its service worker's. options: Playwright context options
 * (viewport, colorScheme, ...).
 */
async function open(path = "", options = {}) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, ...options });
  const { problems, wasm } = await watchPage(page);
  const origin = new URL(url).origin;
  page.context().on("request", (request) => {
    const target = new URL(request.url());
    if (!["data:", "blob:"].includes(target.protocol) && target.origin !== origin) problems.push(`request to another origin: ${request.url()}`);
  });
  page.context().on("requestfailed", (request) => {
    // Offline, a request the service worker does not answer fails: that is a problem too.
    // (A request cut short on purpose, e.g. by Stop terminating a worker, is "aborted".)
    const reason = request.failure()?.errorText ?? "";
    if (reason !== "net::ERR_ABORTED") problems.push(`request failed: ${request.url()} (${reason})`);
  });
  await page.goto(new URL(path, url).href);
  return { page, problems, wasm };
}

/** Saves a screenshot to test-results/screenshots/<name>.png (of an element, or the page). */
async function screenshot(page, name, locator = null) {
  const path = `${SCREENSHOTS}${name}.png`;
  if (locator) await locator.screenshot({ path, animations: "disabled" });
  else await page.screenshot({ path, animations: "disabled" });
  return path;
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

/** Picks the example whose menu entry matches `pattern`; returns its entry of examples.js. */
async function chooseExample(page, pattern) {
  const index = examples.findIndex((example) => pattern.test(example.name));
  assert.ok(index >= 0, `no example matches ${pattern}`);
  await page.locator(byTestId("examples")).selectOption(String(index));
  return examples[index];
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
  // A row's details open in place: the failed payment attempt's error and cause.
  const failed = page.locator(`${byTestId("history")} tbody tr[data-type="TaskFailed"]`).first();
  await failed.locator("summary").click();
  assert.match(await failed.locator("pre").textContent(), /PaymentGatewayTimeout/);
  await page.locator(`${byTestId("history")} tbody tr[data-type="TaskSucceeded"] summary`).first().click();
  await screenshot(page, "history-expanded", page.locator('[data-panel="history"]'));
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

test("a JSONata definition loads the JSONata engine and shows its syntax errors", async () => {
  const { page, problems, wasm } = await openPlayground();
  await waitForPackage(page);
  const definition = { QueryLanguage: "JSONata", StartAt: "A", States: { A: { Type: "Pass", Output: "{% $sum( %}", End: true } } };
  await setEditor(page, "definition-editor", JSON.stringify(definition, null, 2));
  // The diagnostic comes from the full module's JSONata parser (the core module has none).
  await waitForDiagnostic(page, { code: "INVALID_JSONATA", path: "/States/A/Output" });
  const message = await page.locator(`${byTestId("diagnostics")} li[data-code="INVALID_JSONATA"]`).textContent();
  assert.match(message, /S0\d{3}/, message);
  assert.deepEqual(wasm.map((u) => u.split("/").at(-1)), ["statelab_core_bg.wasm", "statelab_bg.wasm"]);
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

/**
 * Picks `label` from the editor's completion list. The list opens as you type, but on a
 * loaded machine it can miss the keystrokes or still show the options of a shorter prefix
 * (where Enter would pick another field), so ask for it (Ctrl-Space, CodeMirror's
 * startCompletion) until the option is there, and click that exact option.
 */
async function pickCompletion(page, label) {
  const option = page.locator(".cm-tooltip-autocomplete li", { hasText: new RegExp(`^${label}$`) });
  const deadline = Date.now() + TIMEOUT.timeout;
  while (!(await option.isVisible().catch(() => false))) {
    if (Date.now() > deadline) assert.fail(`the completion list never offered ${label}`);
    await option.waitFor({ timeout: 2000 }).catch(() => page.keyboard.press("Control+Space"));
  }
  await option.click();
}

/** Waits until the editor's text matches `pattern`. */
async function waitForEditorText(page, testId, pattern) {
  await page.waitForFunction(
    ([selector, source]) => new RegExp(source).test(document.querySelector(selector).textContent),
    [`${byTestId(testId)} .cm-content`, pattern.source],
    TIMEOUT,
  );
}

test("the definition editor completes field names and state types", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);
  await setEditor(page, "definition-editor", '{\n  "StartAt": "A",\n  "States": {\n    "A": {\n      ');
  await page.keyboard.type('"Ty');
  await waitForEditorText(page, "definition-editor", /"Ty/);
  await pickCompletion(page, "Type");
  await waitForEditorText(page, "definition-editor", /"Type"/);
  await page.keyboard.type('": "Pa');
  await waitForEditorText(page, "definition-editor", /"Type": "Pa/);
  await pickCompletion(page, "Pass");
  await waitForEditorText(page, "definition-editor", /"Type": "Pass"/);
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

  // Run it: the name reaches the history, the data flow, the output and the console.
  const runnable = { StartAt: name, States: { [name]: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:x", ResultPath: "$.r", End: true } } };
  await setEditor(page, "definition-editor", JSON.stringify(runnable, null, 2));
  await page.locator(byTestId("handler-state")).selectOption(name);
  await setEditor(page, "handler-editor", `async (input, context) => { console.log(context.stateName); return ${JSON.stringify(name)}; }`);
  await setEditor(page, "input-editor", JSON.stringify({ [name]: "<script>document.title=2</script>" }));
  await page.locator(byTestId("run")).click();
  assert.equal(await waitForFinalStatus(page), "SUCCEEDED");
  await page.locator(`${byTestId("history")} tbody tr[data-type="TaskStateEntered"] button.link`).click();
  await page.locator(`${byTestId("dataflow")} li.stage`).first().waitFor(TIMEOUT);
  await page.locator(`${byTestId("history")} summary`).first().click();
  assert.ok((await text(page, "history")).includes(name), `the history shows the name as text: ${await text(page, "history")}`);
  assert.ok((await text(page, "dataflow")).includes(name), "the data flow shows the name as text");
  assert.ok((await text(page, "console")).includes(name), "the console shows the name as text");
  assert.equal(JSON.parse(await text(page, "output")).r, name, "the output keeps the name as data");
  assert.equal(await page.locator("main img, main b, main script").count(), 0, "no markup made from user text");
  assert.notEqual(await page.title(), "1");
  assert.notEqual(await page.title(), "2");
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
  await screenshot(page, "dataflow-task-state", page.locator('[data-panel="dataflow"]'));
  // The handler editor follows the selection.
  assert.equal(await page.locator(byTestId("handler-state")).inputValue(), "Process Payment");
  // A Map's inner state is visited once per item; a history row picks its visit.
  await chooseExample(page, /^Map/);
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
  const { page, problems, wasm } = await open("embed-demo.html", { colorScheme: "light", viewport: { width: 1280, height: 800 } });
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
  await page.locator(`${stateNode("Add Greeting")}`).first().click();
  await screenshot(page, "embed-demo", null);
  await page.screenshot({ path: `${SCREENSHOTS}embed-demo-full.png`, fullPage: true, animations: "disabled" });
  // The theme attribute: the second widget is dark on a light page, the first follows it.
  const widgetBackground = (index) => widgets.nth(index).locator(".statelab").evaluate((node) => getComputedStyle(node).backgroundColor);
  assert.ok(isDark(await widgetBackground(1)), "theme=dark");
  assert.ok(!isDark(await widgetBackground(0)), "no theme attribute: the page's (light)");
  await widgets.nth(0).evaluate((node) => node.setAttribute("theme", "dark"));
  assert.ok(isDark(await widgetBackground(0)), "theme set later applies at once");
  // The second widget is read-only.
  assert.equal(await widgets.nth(1).locator(".cm-content").first().getAttribute("contenteditable"), "false");
  assert.deepEqual(problems, []);
  await page.close();
});

test("every example in the menu runs to the end status examples.js expects", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);
  const names = await page.locator(`${byTestId("examples")} option`).allTextContents();
  assert.deepEqual(names, examples.map((example) => example.name), "the menu lists examples.js");
  for (const [index, example] of examples.entries()) {
    await page.locator(byTestId("examples")).selectOption(String(index));
    const start = JSON.parse(example.definition).StartAt;
    await page.locator(stateNode(start)).waitFor(TIMEOUT);
    await page.locator(byTestId("run")).click();
    if (example.expect.callback === "success") {
      await page.locator(byTestId("send-success")).waitFor(TIMEOUT);
      assert.equal(await text(page, "execution-status"), "RUNNING", `${example.name} waits for its token`);
      await page.locator(byTestId("send-success")).click();
    }
    const status = await waitForFinalStatus(page);
    assert.equal(status, example.expect.status, `${example.name}: ${await text(page, "output")}`);
    const lastEvent = await page.locator(`${byTestId("history")} tbody tr`).last().getAttribute("data-type");
    assert.equal(lastEvent, status === "SUCCEEDED" ? "ExecutionSucceeded" : "ExecutionFailed", example.name);
    for (const [name, colour] of Object.entries(example.expect.states ?? {})) {
      await page.locator(stateNode(name)).first().waitFor(TIMEOUT);
      assert.equal(await page.locator(stateNode(name)).first().getAttribute("data-status"), colour, `${example.name}: ${name}`);
    }
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test("a retried state is coloured as retried while its backoff runs, then succeeded", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);
  await chooseExample(page, /^Retry/);
  await page.locator(stateNode("Call Flaky Service")).waitFor(TIMEOUT);
  await page.locator(byTestId("clock")).selectOption("real");
  await page.locator(byTestId("run")).click();
  // Second attempt failed: 2 s of backoff before the third, coloured "retried".
  await page.locator(`${stateNode("Call Flaky Service")}[data-status="retried"]`).waitFor(TIMEOUT);
  assert.match(await page.locator(`${stateNode("Call Flaky Service")} .badge`).textContent(), /↻[12]/);
  assert.equal(await waitForFinalStatus(page), "SUCCEEDED");
  assert.equal(await statusOf(page, "Call Flaky Service"), "succeeded");
  assert.match(await page.locator(`${stateNode("Call Flaky Service")} .badge`).textContent(), /↻2/);
  assert.equal(await statusOf(page, "Use Cached Rate"), null);
  assert.deepEqual(JSON.parse(await text(page, "output")), { amount: 100, rate: 1.08, currency: "USD" });
  assert.deepEqual(problems, []);
  await page.close();
});

// ---- themes and contrast ----------------------------------------------------------------

/** The WCAG contrast ratio of two "rgb(r, g, b)" colours. */
function contrast(a, b) {
  const luminance = (colour) => {
    const [r, g, bl] = colour.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high + 0.05) / (low + 0.05);
}

/** The computed colours of custom properties inside `selector` (light-dark() resolved). */
function colours(page, names, selector = ".statelab") {
  return page.evaluate(
    ([names, selector]) => {
      const probe = document.createElement("span");
      document.querySelector(selector).append(probe);
      const result = {};
      for (const name of names) {
        probe.style.color = `var(--${name})`;
        result[name] = getComputedStyle(probe).color;
      }
      probe.remove();
      return result;
    },
    [names, selector],
  );
}

// Text on a background: 4.5:1 (WCAG AA); graph outlines on the node fill: 3:1 (non-text).
const TEXT_PAIRS = [
  ["fg", "panel"], ["fg", "bg"], ["muted", "panel"], ["muted", "bg"], ["muted", "subtle"], ["accent", "panel"],
  ["ok", "panel"], ["bad", "panel"], ["run-text", "panel"], ["warn", "panel"],
  ["fg", "ok-bg"], ["fg", "bad-bg"], ["fg", "warn-bg"], ["fg", "caught-bg"], ["fg", "retry-bg"],
  ["muted", "ok-bg"], ["muted", "bad-bg"], ["muted", "warn-bg"], ["muted", "caught-bg"], ["muted", "retry-bg"],
  ["fg", "node-bg"], ["muted", "node-bg"], ["muted", "cluster-bg"], ["accent", "bg"],
  ["fg", "diff-added"], ["fg", "diff-changed"], ["diff-removed-fg", "diff-removed"], ["fg", "notice-bg"], ["fg", "info-bg"],
  ["syntax-property", "panel"], ["syntax-string", "panel"], ["syntax-number", "panel"], ["syntax-literal", "panel"],
  ["syntax-property", "active-line"], ["syntax-string", "selection"], ["fg", "selection"],
  ["console-fg", "console-bg"], ["console-muted", "console-bg"], ["header-muted", "header-bg"], ["header-link", "header-bg"],
];
const OUTLINE_PAIRS = [["run", "warn-bg"], ["ok", "ok-bg"], ["bad", "bad-bg"], ["caught", "caught-bg"], ["retry", "retry-bg"], ["node-stroke", "node-bg"], ["edge", "bg"]];

async function assertContrast(page, theme) {
  const names = [...new Set([...TEXT_PAIRS, ...OUTLINE_PAIRS].flat())];
  const values = await colours(page, names);
  const low = [];
  for (const [pairs, minimum] of [[TEXT_PAIRS, 4.5], [OUTLINE_PAIRS, 3]]) {
    for (const [fg, bg] of pairs) {
      const ratio = contrast(values[fg], values[bg]);
      if (ratio < minimum) low.push(`${fg} on ${bg}: ${ratio.toFixed(2)} < ${minimum}`);
    }
  }
  assert.deepEqual(low, [], `${theme} theme contrast`);
  // The five run colours are five different colours.
  const fills = ["warn-bg", "ok-bg", "bad-bg", "caught-bg", "retry-bg"].map((name) => values[name]);
  assert.equal(new Set(fills).size, 5, `${theme}: ${fills}`);
}

const background = (page) => page.evaluate(() => getComputedStyle(document.querySelector(".panel")).backgroundColor);
const isDark = (colour) => contrast(colour, "rgb(0, 0, 0)") < contrast(colour, "rgb(255, 255, 255)");

test("light and dark themes: system preference, the toggle (remembered), readable colours", async () => {
  const { page, problems } = await open("", { viewport: { width: 1280, height: 800 }, colorScheme: "dark" });
  await waitForPackage(page);
  const toggle = page.locator(byTestId("theme-toggle"));
  assert.equal(await toggle.getAttribute("data-theme"), "auto");
  assert.match(await toggle.getAttribute("aria-label"), /Auto/);
  assert.ok(isDark(await background(page)), "auto follows the dark system preference");

  // Colour every kind of state, then look at the result in both themes.
  await page.locator(byTestId("run")).click();
  assert.equal(await waitForFinalStatus(page), "SUCCEEDED");
  await page.locator(stateNode("Process Payment")).click();
  await assertContrast(page, "dark (system)");

  await toggle.click(); // auto -> light
  assert.equal(await toggle.getAttribute("data-theme"), "light");
  assert.ok(!isDark(await background(page)), "light, although the system prefers dark");
  await assertContrast(page, "light");
  await screenshot(page, "playground-light-1280x800");

  await toggle.click(); // light -> dark
  assert.equal(await toggle.getAttribute("data-theme"), "dark");
  await page.emulateMedia({ colorScheme: "light" });
  assert.ok(isDark(await background(page)), "dark, although the system now prefers light");
  await assertContrast(page, "dark");
  // The editors follow: CodeMirror's background is the panel colour.
  const editor = await page.locator(`${byTestId("definition-editor")} .cm-editor`).evaluate((node) => getComputedStyle(node).backgroundColor);
  assert.ok(isDark(editor), `editor background ${editor}`);
  await screenshot(page, "playground-dark-1280x800");

  // Remembered across loads.
  await page.reload();
  await waitForPackage(page);
  assert.equal(await page.locator(byTestId("theme-toggle")).getAttribute("data-theme"), "dark");
  assert.ok(isDark(await background(page)));
  await page.locator(byTestId("theme-toggle")).click(); // dark -> auto (the system: light)
  assert.ok(!isDark(await background(page)));
  assert.equal(await page.evaluate(() => localStorage.getItem("statelab-theme")), "auto");
  assert.deepEqual(problems, []);
  await page.close();
});

// ---- keyboard, narrow screens, layout ----------------------------------------------------

test("keyboard: Tab reaches the graph's states with a visible focus ring, Enter selects", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);
  await page.locator(byTestId("run")).click();
  assert.equal(await waitForFinalStatus(page), "SUCCEEDED");
  // From the Run button, Tab through the page until a state of the graph has the focus.
  await page.locator(byTestId("run")).focus();
  let focused = null;
  for (let presses = 0; presses < 60 && !focused; presses++) {
    // Tab indents inside an editor; Escape first lets the next Tab move the focus on.
    if (await page.evaluate(() => document.activeElement?.classList.contains("cm-content"))) await page.keyboard.press("Escape");
    await page.keyboard.press("Tab");
    focused = await page.evaluate(() => document.activeElement?.closest?.("g.state")?.dataset.state ?? null);
  }
  assert.equal(focused, "Check Inventory", "the first state in the tab order is the start state");
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement.querySelector(".focus-ring")).stroke);
  assert.notEqual(ring, "none", "the focused state shows its focus ring");
  // Every button has an accessible name.
  const unnamed = await page.locator(".statelab button").evaluateAll((buttons) =>
    buttons.filter((b) => !(b.getAttribute("aria-label") || b.textContent.trim())).map((b) => b.outerHTML));
  assert.deepEqual(unnamed, []);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  const selected = await page.evaluate(() => document.activeElement.closest("g.state").dataset.state);
  assert.equal(await page.locator(`${stateNode(selected)}.selected`).count(), 1);
  await page.locator(`${byTestId("dataflow")} li.stage`).first().waitFor(TIMEOUT);
  assert.match(await text(page, "dataflow"), new RegExp(selected.replace(/[?]/g, "\\?")));
  assert.deepEqual(problems, []);
  await page.close();
});

test("a narrow screen (390x844) stacks the panels without horizontal scrolling", async () => {
  const { page, problems } = await open("", { viewport: { width: 390, height: 844 }, colorScheme: "light" });
  await waitForPackage(page);
  await page.locator(byTestId("run")).click();
  assert.equal(await waitForFinalStatus(page), "SUCCEEDED");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  const boxes = await page.evaluate(() =>
    ["definition", "graph", "dataflow", "output", "history"].map((name) => {
      const box = document.querySelector(`[data-panel="${name}"]`).getBoundingClientRect();
      return { name, left: Math.round(box.left), right: Math.round(box.right), top: box.top };
    }));
  for (const box of boxes) assert.ok(box.left >= 0 && box.right <= 390, `${box.name} fits: ${JSON.stringify(box)}`);
  for (let i = 1; i < boxes.length; i++) assert.ok(boxes[i].top > boxes[i - 1].top, `${boxes[i].name} is below ${boxes[i - 1].name}`);
  await screenshot(page, "playground-narrow-390x844");
  await page.locator(byTestId("graph")).scrollIntoViewIfNeeded();
  await screenshot(page, "playground-narrow-390x844-graph");
  assert.deepEqual(problems, []);
  await page.close();
});

test("nothing moves on the page while a run goes on", async () => {
  const { page, problems } = await open("", { viewport: { width: 1280, height: 800 } });
  await waitForPackage(page);
  await chooseExample(page, /task token/);
  await page.locator(stateNode("Ask For Approval")).waitFor(TIMEOUT);
  const layout = () =>
    page.evaluate(() => {
      const selectors = ['[data-testid="run"]', '[data-testid="stop"]', '[data-testid="pause"]', '[data-testid="step"]',
        '[data-testid="clock"]', '[data-testid="share"]', ...["graph", "dataflow", "output", "console", "history"].map((n) => `[data-panel="${n}"]`)];
      return Object.fromEntries(selectors.map((selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return [selector, [box.x, box.y, box.width, box.height].map(Math.round).join(",")];
      }));
    });
  const before = await layout();
  await page.locator(byTestId("run")).click();
  await page.locator(byTestId("send-success")).waitFor(TIMEOUT); // mid-run: the callback is shown
  await page.locator(byTestId("pause")).click(); // "Resume": a longer label
  assert.deepEqual(await layout(), before, "mid-run, paused, with a callback waiting");
  await page.locator(byTestId("pause")).click();
  await page.locator(byTestId("send-success")).click();
  assert.equal(await waitForFinalStatus(page), "SUCCEEDED");
  assert.deepEqual(await layout(), before, "after the run");
  assert.deepEqual(problems, []);
  await page.close();
});

// ---- offline -----------------------------------------------------------------------------

test("after one load the page works offline (service worker), asking no other origin", async () => {
  const { page, problems } = await openPlayground();
  await waitForPackage(page);
  // The service worker has precached everything and controls the page.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, TIMEOUT);
  const cached = await page.evaluate(async () => {
    const names = await caches.keys();
    const cache = await caches.open(names.find((name) => name.startsWith("statelab-playground-")));
    return (await cache.keys()).map((request) => new URL(request.url).pathname);
  });
  for (const path of ["/www/", "/www/index.html", "/www/dist/vendor.js", "/www/worker.js", "/js/browser.js", "/js/module.js", "/dist/wasm/statelab_core.js", "/dist/wasm/statelab_core_bg.wasm", "/dist/wasm/statelab.js", "/dist/wasm/statelab_bg.wasm"]) {
    assert.ok(cached.includes(path), `${path} is precached: ${cached.join(" ")}`);
  }

  await page.context().setOffline(true);
  await page.reload();
  await waitForPackage(page);
  await chooseExample(page, /^Map/);
  await page.locator(stateNode("Look Up Price")).waitFor(TIMEOUT);
  await page.locator(byTestId("run")).click();
  assert.equal(await waitForFinalStatus(page), "SUCCEEDED");
  assert.match(await page.locator(`${stateNode("Price Items")} .badge`).textContent(), /3\/3 items/);
  assert.deepEqual(problems, []);
  await page.close();
});
