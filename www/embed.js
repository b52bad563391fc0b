// <statelab-playground>: a playground for documentation pages. Configured by attributes
//   height="420px"  readonly  panels="definition,graph,output"  clock="virtual|real"
//   theme="light|dark|auto" (auto, the default, follows the system; style.css reads it)
// and by an inline <script type="application/json"> child:
//   { "definition": object | string, "input": any, "handlers": { "State": "source" },
//     "s3": { "bucket": { "key": "object text" } } }   (s3: the run's in-memory S3)
// The parsed configuration stays readable as element.config (pages may keep their own
// keys in it). When a run ends (or cannot start) the element dispatches a bubbling
// "statelab-run" event, detail: { status, output, error, cause, visited, history };
// visited lists the states entered, in order (NOT_STARTED: the run could not start).
// element.load({ definition, input, handlers }) replaces the session; element.run() runs.
// No network at run time beyond same-origin files; every widget on a page shares one
// load of the package (statelab.js). Handler code runs only in a worker, on Run.
import { ALL_PANELS, Playground } from "./playground.js";

const DEFAULT_PANELS = ["definition", "graph", "output"];

function stylesheet() {
  const href = new URL("./style.css", import.meta.url).href;
  if ([...document.querySelectorAll('link[rel="stylesheet"]')].some((link) => link.href === href)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  document.head.append(link);
}

function asText(value, fallback) {
  if (value === undefined) return fallback;
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

/** What a "statelab-run" event carries: the result, the states entered in order, the history. */
function runDetail(result, history) {
  const visited = history.filter((event) => event.type.endsWith("StateEntered")).map((event) => event.stateEnteredEventDetails?.name);
  return { status: result.status, output: result.output, error: result.error, cause: result.cause, visited, history };
}

class StatelabPlayground extends HTMLElement {
  connectedCallback() {
    if (this.playground) return;
    stylesheet();
    let config = {};
    const script = this.querySelector('script[type="application/json"]');
    try {
      config = script ? JSON.parse(script.textContent) : {};
    } catch (error) {
      this.textContent = `statelab-playground: the configuration is not JSON: ${error.message}`;
      return;
    }
    const panels = (this.getAttribute("panels") ?? DEFAULT_PANELS.join(","))
      .split(",")
      .map((name) => name.trim())
      .filter((name) => ALL_PANELS.includes(name));
    const height = this.getAttribute("height");
    if (height) this.style.height = /^\d+$/.test(height) ? `${height}px` : height;
    this.config = config;
    const root = document.createElement("div");
    this.replaceChildren(root);
    this.playground = new Playground(root, {
      definition: asText(config.definition, ""),
      input: asText(config.input, "{}"),
      handlers: config.handlers ?? {},
      s3: config.s3,
      panels,
      readonly: this.hasAttribute("readonly"),
      embedded: true,
      onRunEnd: ({ result, history }) => this.dispatchEvent(new CustomEvent("statelab-run", { bubbles: true, detail: runDetail(result, history) })),
    });
    const clock = this.getAttribute("clock");
    if (clock && [...this.playground.clock.options].some((option) => option.value === clock)) this.playground.clock.value = clock;
  }

  /** Replaces the session (definition, input, handlers); values may be JSON or text. */
  load({ definition, input, handlers } = {}) {
    if (!this.playground) return;
    const current = this.playground.session();
    this.playground.load({
      definition: asText(definition, current.definition),
      input: asText(input, current.input),
      handlers: handlers ?? current.handlers,
    });
  }

  run() {
    this.playground?.run();
  }

  disconnectedCallback() {
    this.playground?.stop(false);
  }
}

if (!customElements.get("statelab-playground")) customElements.define("statelab-playground", StatelabPlayground);
