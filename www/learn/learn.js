// The tour's shared script: the lesson list (table of contents, previous/next links),
// progress in localStorage, and exercises. A lesson page is static HTML with
// <statelab-playground> widgets; an exercise is a widget with class "exercise" whose
// configuration also holds
//   "check":    { status?, error?, path?: [state names entered, in order],
//                 output? (deep equal), outputContains? (these fields, others ignored) }
//   "solution": { definition, input?, handlers? }   (the reference solution)
// When its run ends, the check runs on the result and says what is still wrong; a pass
// marks the lesson done. Like the playground, this page evaluates no user code.
import "../embed.js";

export const LESSONS = [
  ["01-state-machines", "What a state machine is"],
  ["02-pass", "Pass and the shape of data"],
  ["03-task", "Task states with a JavaScript handler"],
  ["04-input-path", "InputPath"],
  ["05-parameters", "Parameters and .$"],
  ["06-result-selector", "ResultSelector"],
  ["07-result-path", "ResultPath"],
  ["08-output-path", "OutputPath"],
  ["09-filters-together", "All the filters together"],
  ["10-context", "The context object"],
  ["11-choice", "Choice"],
  ["12-wait", "Wait, on a virtual clock"],
  ["13-fail-succeed", "Fail and Succeed"],
  ["14-retry", "Retry with back-off and jitter"],
  ["15-catch", "Catch and fallback"],
  ["16-parallel", "Parallel"],
  ["17-map", "Map over items"],
  ["18-distributed-map", "Distributed Map over S3"],
  ["19-intrinsics", "Intrinsic functions"],
  ["20-jsonata", "JSONata and variables"],
  ["21-callbacks", "Waiting for a callback"],
  ["22-capstone", "Capstone: order fulfilment"],
].map(([slug, title]) => ({ slug, title }));

export const PROGRESS_KEY = "statelab.learn.progress";

/** { slug: ISO date passed } — empty when storage is unavailable or holds junk. */
export function readProgress() {
  try {
    const value = JSON.parse(localStorage.getItem(PROGRESS_KEY) ?? "{}");
    return value && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

function markDone(slug) {
  const progress = readProgress();
  if (progress[slug]) return;
  progress[slug] = new Date().toISOString();
  try {
    localStorage.setItem(PROGRESS_KEY, JSON.stringify(progress));
  } catch {
    // private mode or full storage: the tour still works, it just forgets
  }
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "text") node.textContent = value;
    else if (key === "testid") node.dataset.testid = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

// ---- checks ---------------------------------------------------------------------------

const show = (value) => (value === undefined ? "missing" : JSON.stringify(value));
const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

/** Where `actual` differs from `expected`, as sentences naming the JSON path. */
export function differences(actual, expected, { partial = false } = {}, path = "output", found = []) {
  if (found.length >= 6) return found;
  if (isObject(expected) && isObject(actual)) {
    for (const key of Object.keys(expected)) differences(actual[key], expected[key], { partial }, `${path}.${key}`, found);
    if (partial) return found;
    for (const key of Object.keys(actual)) if (!(key in expected)) found.push(`${path}.${key} should not be there (it is ${show(actual[key])})`);
    return found;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (actual.length !== expected.length) {
      found.push(`${path} has ${actual.length} item${actual.length === 1 ? "" : "s"}, expected ${expected.length}: ${show(actual)}`);
      return found;
    }
    expected.forEach((item, index) => differences(actual[index], item, { partial }, `${path}[${index}]`, found));
    return found;
  }
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    found.push(actual === undefined ? `${path} is missing, expected ${show(expected)}` : `${path} is ${show(actual)}, expected ${show(expected)}`);
  }
  return found;
}

/** What is still wrong with a run, given an exercise's check; [] means it passes. */
export function problems(check, run) {
  if (run.status === "NOT_STARTED") return [`The run could not start: ${run.error}`];
  const found = [];
  const failure = run.error ? ` with ${run.error}${run.cause ? ` (${run.cause})` : ""}` : "";
  if (check.status && run.status !== check.status) found.push(`The execution ended ${run.status}${failure}, expected ${check.status}.`);
  if (check.error && run.error !== check.error) found.push(`The execution's error is ${run.error ?? "none"}, expected ${check.error}.`);
  if (check.path && run.visited.join(" → ") !== check.path.join(" → ")) {
    found.push(`The run visited ${run.visited.join(" → ") || "no state"}, expected ${check.path.join(" → ")}.`);
  }
  if (run.status === "SUCCEEDED") {
    if ("output" in check) found.push(...differences(run.output, check.output).map((text) => `${text}.`));
    if ("outputContains" in check) found.push(...differences(run.output, check.outputContains, { partial: true }).map((text) => `${text}.`));
  }
  return found;
}

// ---- exercises --------------------------------------------------------------------------

function setupExercise(widget, slug) {
  const { check, solution } = widget.config ?? {};
  if (!check) return;
  const start = { definition: widget.config.definition, input: widget.config.input, handlers: widget.config.handlers ?? {} };
  const result = el("div", { class: "exercise-result", testid: "exercise-result", "aria-live": "polite", role: "status" });
  const message = el("p", { text: "Edit the definition, then press Run: the check runs on the result." });
  const list = el("ul");
  result.append(message, list);
  result.dataset.state = "pending";
  const reset = el("button", { type: "button", testid: "reset-exercise", text: "Start over" });
  const solve = el("button", { type: "button", testid: "show-solution", text: "Show solution" });
  const load = (session) => {
    widget.load(session);
    result.dataset.state = "pending";
    message.textContent = "Press Run to check.";
    list.replaceChildren();
  };
  reset.addEventListener("click", () => load(start));
  solve.addEventListener("click", () => load({ ...start, ...solution }));
  const bar = el("div", { class: "exercise-bar" }, result, el("div", { class: "exercise-buttons" }, solve, reset));
  widget.after(bar);
  widget.addEventListener("statelab-run", ({ detail }) => {
    const found = problems(check, detail);
    result.dataset.state = found.length === 0 ? "passed" : "failed";
    message.textContent = found.length === 0 ? "✓ Passed. The lesson is marked done." : "Not yet:";
    list.replaceChildren(...found.map((text) => el("li", { text })));
    if (found.length === 0) {
      markDone(slug);
      renderNav(slug);
    }
  });
}

// ---- navigation ---------------------------------------------------------------------------

function renderNav(slug) {
  const progress = readProgress();
  const index = LESSONS.findIndex((lesson) => lesson.slug === slug);
  const counter = document.querySelector(".lesson-counter");
  if (counter) counter.textContent = `Lesson ${index + 1} of ${LESSONS.length}${progress[slug] ? " · ✓ done" : ""}`;
  for (const nav of document.querySelectorAll("nav.lesson-nav")) {
    const previous = LESSONS[index - 1];
    const next = LESSONS[index + 1];
    nav.replaceChildren(
      previous ? el("a", { href: `${previous.slug}.html`, rel: "prev", text: `← ${previous.title}` }) : el("a", { href: "./", text: "← Contents" }),
      el("a", { href: "./", class: "contents", text: "Contents" }),
      next ? el("a", { href: `${next.slug}.html`, rel: "next", text: `${next.title} →` }) : el("a", { href: "../", text: "Open the playground →" }),
    );
  }
}

function renderContents(list) {
  const progress = readProgress();
  list.replaceChildren(
    ...LESSONS.map(({ slug, title }) => {
      const item = el("li", {}, el("a", { href: `${slug}.html`, text: title }));
      item.dataset.slug = slug;
      if (progress[slug]) {
        item.classList.add("done");
        item.append(el("span", { class: "tick", title: `passed ${progress[slug].slice(0, 10)}`, text: " ✓" }));
      }
      return item;
    }),
  );
  const done = LESSONS.filter(({ slug }) => progress[slug]).length;
  const summary = document.querySelector(".progress-summary");
  if (summary) summary.textContent = `${done} of ${LESSONS.length} lessons done.`;
}

const slug = document.body.dataset.lesson;
const contents = document.querySelector("ol.lessons");
if (contents) renderContents(contents);
if (slug) {
  renderNav(slug);
  await customElements.whenDefined("statelab-playground");
  for (const widget of document.querySelectorAll("statelab-playground.exercise")) setupExercise(widget, slug);
}
