// The tour's shared script: the lesson list (table of contents, previous/next links),
// progress in localStorage, and exercises. A lesson page is static HTML with
// <statelab-playground> widgets; an exercise is a widget with class "exercise" whose
// configuration also holds
//   "check":    what the run must do (check.js: status, error, path, output...)
//   "solution": { definition, input?, handlers? }   (the reference solution)
// When its run ends, the check runs on the result and says what is still wrong; a pass
// marks the lesson done. Like the playground, this page evaluates no user code.
import "../embed.js";
import { problems } from "./check.js";

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
      previous ? el("a", { href: `${previous.slug}.html`, rel: "prev", text: `← ${previous.title}` }) : el("span"),
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

// Offline after the first visit, like the playground: its service worker (../sw.js, scope
// www/) precaches the tour's pages too.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(new URL("../sw.js", import.meta.url)).catch((error) => {
    console.warn(`The tour will not work offline: ${error.message}`);
  });
}

const slug = document.body.dataset.lesson;
const contents = document.querySelector("ol.lessons");
if (contents) renderContents(contents);
if (slug) {
  renderNav(slug);
  await customElements.whenDefined("statelab-playground");
  for (const widget of document.querySelectorAll("statelab-playground.exercise")) setupExercise(widget, slug);
}
