// <statelab-playground>: a playground for documentation pages. Configured by attributes
//   height="420px"  readonly  panels="definition,graph,output"  clock="virtual|real"
//   theme="light|dark|auto" (auto, the default, follows the system; style.css reads it)
// and by an inline <script type="application/json"> child:
//   { "definition": object | string, "input": any, "handlers": { "State": "source" } }
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
    const root = document.createElement("div");
    this.replaceChildren(root);
    this.playground = new Playground(root, {
      definition: asText(config.definition, ""),
      input: asText(config.input, "{}"),
      handlers: config.handlers ?? {},
      panels,
      readonly: this.hasAttribute("readonly"),
      embedded: true,
    });
    const clock = this.getAttribute("clock");
    if (clock && [...this.playground.clock.options].some((option) => option.value === clock)) this.playground.clock.value = clock;
  }

  disconnectedCallback() {
    this.playground?.stop(false);
  }
}

if (!customElements.get("statelab-playground")) customElements.define("statelab-playground", StatelabPlayground);
