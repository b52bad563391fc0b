// Walks the tour (www/learn/) in headless Chromium: every lesson page loads the wasm once,
// every example (a widget with data-expect) runs to its expected end status, every
// exercise fails with its starting definition and passes with its reference solution,
// progress is saved and shown in the table of contents, and each page is screenshotted
// to test-results/screenshots/learn-<lesson>.png. Page errors, failed requests and
// console errors (CSP violations included) fail the test.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { needsJsonata } from "../../js/module.js";
import { browser, byTestId, FINAL, SCREENSHOTS, serveAndLaunchChromium, TIMEOUT, url, watchPage } from "./harness.mjs";

const LESSON_FILES = readdirSync(fileURLToPath(new URL("../../www/learn/", import.meta.url)))
  .filter((name) => /^\d\d-[a-z0-9-]+\.html$/.test(name))
  .sort();

serveAndLaunchChromium();

async function open(path) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const { problems, wasm } = await watchPage(page);
  await page.goto(new URL(path, url).href);
  return { page, problems, wasm };
}

/** The widget's notice (why a run could not start), or "". */
const noticeOf = (widget) => widget.locator(byTestId("notice")).evaluate((element) => (element.hidden ? "" : element.textContent));

/** Presses Run in one widget and waits for a final status (answering a callback if asked). */
async function runWidget(page, widget) {
  await widget.locator(byTestId("run")).click();
  const answer = await widget.getAttribute("data-answer");
  if (answer) await widget.locator(byTestId(answer)).click(TIMEOUT);
  await page.waitForFunction(
    ([widget, final]) =>
      !widget.querySelector('[data-testid="notice"]').hidden ||
      final.includes(widget.querySelector('[data-testid="execution-status"]').textContent),
    [await widget.elementHandle(), FINAL],
    TIMEOUT,
  );
  const notice = await noticeOf(widget);
  if (notice) assert.fail(`the widget reports: ${notice}`);
  return widget.locator(byTestId("execution-status")).textContent();
}

/** Runs the page's exercise and returns what its check said: { state, text }. */
async function checkExercise(page, widget) {
  const result = page.locator(byTestId("exercise-result"));
  await widget.locator(byTestId("run")).click();
  await page.waitForFunction((element) => element.dataset.state !== "pending", await result.elementHandle(), TIMEOUT);
  return { state: await result.getAttribute("data-state"), text: (await result.textContent()).trim() };
}

/** The href of the first link matching `selector`, or null when there is none. */
async function hrefOf(page, selector) {
  const link = page.locator(selector);
  return (await link.count()) === 0 ? null : link.first().getAttribute("href");
}

test("the table of contents lists every lesson page, in order", async () => {
  const { page, problems } = await open("learn/");
  const links = await page.locator("ol.lessons a").evaluateAll((anchors) => anchors.map((a) => a.getAttribute("href")));
  assert.deepEqual(links, LESSON_FILES);
  assert.equal(await page.locator("ol.lessons li.done").count(), 0, "a fresh browser has no progress");
  assert.match(await page.locator(".progress-summary").textContent(), new RegExp(`0 of ${LESSON_FILES.length} lessons done`));
  await page.screenshot({ path: `${SCREENSHOTS}learn-index.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test("the playground links to the tour", async () => {
  const { page, problems } = await open("");
  await page.locator('header a[href="learn/"]').click();
  await page.waitForURL(/\/learn\/$/);
  assert.equal(await page.locator("ol.lessons li").count(), LESSON_FILES.length);
  assert.deepEqual(problems, []);
  await page.close();
});

for (const [index, file] of LESSON_FILES.entries()) {
  const slug = file.replace(/\.html$/, "");
  test(`lesson ${slug}: examples run, the exercise is checked, progress is kept`, async (t) => {
    const { page, problems, wasm } = await open(`learn/${file}`);
    const widgets = page.locator("statelab-playground");
    const count = await widgets.count();
    assert.ok(count >= 2, "a lesson has at least one example and an exercise");
    for (let i = 0; i < count; i += 1) await widgets.nth(i).locator("g.state").first().waitFor(TIMEOUT);
    // The package (for validate()) loads once for all the widgets: one fetch of the core
    // module, and one of the full module when a widget's definition uses JSONata.
    const html = readFileSync(new URL(`../../www/learn/${file}`, import.meta.url), "utf8");
    const modules = needsJsonata(html) ? ["statelab_core_bg.wasm", "statelab_bg.wasm"] : ["statelab_core_bg.wasm"];
    for (let waited = 0; wasm.length < modules.length && waited < TIMEOUT.timeout; waited += 100) await page.waitForTimeout(100);
    await page.waitForTimeout(500);
    assert.deepEqual(wasm.map((u) => u.split("/").at(-1)), modules, `the page loads each wasm module it needs once: ${wasm.join(", ")}`);
    const diagnostics = await page.locator(".diagnostics li").allTextContents();
    assert.deepEqual(diagnostics, [], "every widget starts with a definition free of errors and warnings");

    const examples = page.locator("statelab-playground[data-expect]");
    assert.ok((await examples.count()) >= 1, "a lesson has a runnable example");
    for (let i = 0; i < (await examples.count()); i += 1) {
      const widget = examples.nth(i);
      const expected = await widget.getAttribute("data-expect");
      const status = await runWidget(page, widget);
      assert.equal(status, expected, `example ${i + 1}: ${await widget.locator(byTestId("output")).textContent()}`);
      // Where the lesson shows the data-flow panel, open it on the first state (the screenshot shows it).
      if (await widget.locator('[data-panel="dataflow"]:not([hidden])').count()) await widget.locator("g.state").first().click();
    }

    const exercises = page.locator("statelab-playground.exercise");
    assert.equal(await exercises.count(), 1, "one exercise per lesson");
    const exercise = exercises.first();
    const start = await checkExercise(page, exercise);
    assert.equal(start.state, "failed", `the starting definition must not pass: ${start.text}`);
    assert.match(start.text, /Not yet/);
    t.diagnostic(`starting code: ${start.text}`);
    await page.locator(byTestId("show-solution")).click();
    const solved = await checkExercise(page, exercise);
    assert.equal(solved.state, "passed", `the reference solution must pass: ${solved.text}`);

    const progress = JSON.parse(await page.evaluate(() => localStorage.getItem("statelab.learn.progress")));
    assert.ok(progress[slug], `progress records ${slug}: ${JSON.stringify(progress)}`);
    assert.match(await page.locator(".lesson-counter").textContent(), new RegExp(`Lesson ${index + 1} of ${LESSON_FILES.length} · ✓ done`));

    // Links back and forward.
    assert.equal(await hrefOf(page, 'nav.lesson-nav a[rel="next"]'), LESSON_FILES[index + 1] ?? null);
    assert.equal(await hrefOf(page, 'nav.lesson-nav a[rel="prev"]'), LESSON_FILES[index - 1] ?? null);

    // Runs reuse the page's compiled wasm: no more fetches after every run.
    assert.equal(wasm.length, modules.length, `runs fetch no more wasm: ${wasm.join(", ")}`);
    await page.screenshot({ path: `${SCREENSHOTS}learn-${slug}.png`, fullPage: true });

    // The table of contents shows the tick (same browser context, same localStorage).
    await page.goto(new URL("learn/", url).href);
    assert.equal(await page.locator(`ol.lessons li.done[data-slug="${slug}"]`).count(), 1);
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test("after one visit the tour works offline (the playground's service worker)", async () => {
  const { page, problems } = await open(`learn/${LESSON_FILES[0]}`);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, TIMEOUT);
  await page.context().setOffline(true);
  await page.goto(new URL("learn/", url).href);
  assert.equal(await page.locator("ol.lessons li").count(), LESSON_FILES.length);
  const last = LESSON_FILES.at(-1);
  await page.goto(new URL(`learn/${last}`, url).href);
  const example = page.locator("statelab-playground[data-expect]").first();
  await example.locator("g.state").first().waitFor(TIMEOUT);
  assert.equal(await runWidget(page, example), await example.getAttribute("data-expect"));
  assert.deepEqual(problems, []);
  await page.close();
});

test("an exercise says why a run could not start, and Start over restores the starting code", async () => {
  const { page, problems } = await open(`learn/${LESSON_FILES[1]}`);
  const exercise = page.locator("statelab-playground.exercise");
  await exercise.locator("g.state").first().waitFor(TIMEOUT);
  const starting = await exercise.locator(`${byTestId("definition-editor")} .cm-content`).textContent();

  // Broken JSON: the widget's notice says why, and so does the check.
  await exercise.locator(`${byTestId("definition-editor")} .cm-content`).click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.insertText('{"StartAt": "Greet", "States": {');
  const broken = await checkExercise(page, exercise);
  assert.equal(broken.state, "failed");
  assert.match(broken.text, /The run could not start: /);
  // The page's own notice is expected here; it is not a problem of the page.
  assert.ok(await noticeOf(exercise));

  await page.locator(byTestId("reset-exercise")).click();
  assert.equal(await exercise.locator(`${byTestId("definition-editor")} .cm-content`).textContent(), starting);
  assert.equal(await page.locator(byTestId("exercise-result")).getAttribute("data-state"), "pending");
  const again = await checkExercise(page, exercise);
  assert.equal(again.state, "failed");
  assert.match(again.text, /output is "Hello"/);
  assert.deepEqual(problems, []);
  await page.close();
});
