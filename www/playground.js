// One playground session: editors, run controls, graph, data flow, output, console and
// history, built inside a root element. The full page (main.js) and the embeddable
// <statelab-playground> (embed.js) are both a Playground with different options. The page
// never evaluates user code: handlers go as text to worker.js, which runs them.
import { examples } from "./examples.js";
import { createDefinitionEditor, createEditor, reveal, setQueryLanguage, setText, showDiagnostics } from "./panels/editor.js";
import { DataFlowPanel } from "./panels/dataflow.js";
import { GraphPanel } from "./panels/graph.js";
import { HistoryPanel } from "./panels/history.js";
import * as protocol from "./protocol.js";
import { encodeShare } from "./share.js";
import { loadJsonata, loadStatelab, runModules } from "./statelab.js";

export const ALL_PANELS = ["definition", "input", "handlers", "graph", "dataflow", "output", "console", "history"];
const CLOCKS = [
  ["virtual", "Virtual clock (instant)"],
  ["real", "Real time (1×)"],
  ["10", "Real time ×10"],
  ["100", "Real time ×100"],
];

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "testid") node.dataset.testid = value;
    else if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

/** A button whose accessible name is its title (which starts with its visible text). */
function button(text, testid, title) {
  return el("button", { type: "button", testid, title: title ?? text, "aria-label": title ?? text, text });
}

function panel(name, title, ...content) {
  const section = el("section", { class: `panel panel-${name}`, "data-panel": name });
  section.append(el("h2", { text: title }), ...content);
  return section;
}

/** What the graph's colours mean. */
function legend() {
  const list = el("ul", { class: "legend", "aria-label": "Legend" });
  for (const status of ["running", "succeeded", "failed", "caught", "retried"]) {
    const item = el("li", { text: status });
    item.dataset.status = status;
    list.append(item);
  }
  list.append(el("li", { class: "note-item", text: "×N visits · ↻N retries · N/M Map items" }));
  return list;
}

/** Every Task state of a definition (nested ones included): name -> its Resource. */
function taskStates(definition) {
  const tasks = new Map();
  const visit = (scope) => {
    const states = scope && typeof scope.States === "object" && scope.States ? scope.States : {};
    for (const [name, state] of Object.entries(states)) {
      if (state?.Type === "Task") tasks.set(name, typeof state.Resource === "string" ? state.Resource : "");
      if (Array.isArray(state?.Branches)) state.Branches.forEach(visit);
      if (state?.ItemProcessor) visit(state.ItemProcessor);
      if (state?.Iterator) visit(state.Iterator);
    }
  };
  visit(definition);
  return tasks;
}

// Integrations the package serves itself, in memory: no handler unless the user writes one.
const IN_MEMORY = /^arn:aws:states:::(aws-sdk:)?(s3|dynamodb|sqs|sns|events|eventbridge)[:.]/;

function stubFor(name, resource) {
  if (IN_MEMORY.test(resource) && !resource.endsWith(".waitForTaskToken")) {
    return `// ${resource} is served by the package's in-memory AWS service.
// To answer it yourself instead, replace these comments with a handler:
// async (input, context) => ({ ... })
`;
  }
  if (resource.endsWith(".waitForTaskToken")) {
    return `async (input, context) => {
  // ${name} waits for its task token: press Send success or Send failure.
  console.log("waiting for a callback; token", context.taskToken);
}`;
  }
  return `async (input, context) => {
  console.log(${JSON.stringify(name)}, "got", input);
  return { ok: true };
}`;
}

export class Playground {
  /**
   * options: { definition, input, handlers: {state: source}, panels?: string[],
   *   readonly?: boolean, examples?: boolean, share?: boolean, embedded?: boolean,
   *   s3?: {bucket: {key: text}} (the run's in-memory S3),
   *   onRunEnd?: ({ result, history }) => void (a run ended, or could not start) }
   */
  constructor(root, options) {
    this.root = root;
    this.options = options;
    this.panels = new Set(options.panels ?? ALL_PANELS);
    this.handlers = { ...(options.handlers ?? {}) };
    this.tasks = new Map();
    this.handlerState = null;
    this.worker = null;
    this.paused = false;
    this.pendingEvents = [];
    this.frame = 0;
    this.validate = null;
    this.statelab = null;
    this.timer = 0;
    this.build();
    this.load({ definition: options.definition, input: options.input, handlers: options.handlers });
    loadStatelab()
      .then((statelab) => {
        this.statelab = statelab;
        this.validate = statelab.validate;
        this.refresh();
      })
      .catch((error) => this.notice(`The Statelab package could not be loaded: ${error.message}`));
  }

  build() {
    const { root, options } = this;
    root.classList.add("statelab");
    if (options.embedded) root.classList.add("embedded");

    this.status = el("span", { class: "status", testid: "execution-status", "aria-live": "polite" });
    this.runButton = button("Run", "run", "Run the state machine (handlers run in a worker)");
    this.runButton.classList.add("primary");
    this.stopButton = button("Stop", "stop", "Stop the run (terminates its worker)");
    this.pauseButton = button("Pause", "pause", "Pause or resume the run");
    this.stepButton = button("Step", "step", "Step: advance the run by one history event");
    this.clock = el("select", { testid: "clock", "aria-label": "Clock" });
    for (const [value, label] of CLOCKS) this.clock.append(el("option", { value, text: label }));
    this.language = el("select", { testid: "query-language", "aria-label": "Query language", title: "The top-level QueryLanguage" });
    for (const value of ["JSONPath", "JSONata"]) this.language.append(el("option", { value, text: value }));

    const toolbar = el("div", { class: "toolbar" });
    if (options.examples) {
      this.examples = el("select", { testid: "examples", "aria-label": "Examples" });
      examples.forEach((example, index) => this.examples.append(el("option", { value: String(index), text: example.name })));
      this.examples.addEventListener("change", () => this.load(examples[Number(this.examples.value)]));
      toolbar.append(el("label", { class: "field" }, "Example ", this.examples));
    }
    if (!options.readonly) toolbar.append(el("label", { class: "field" }, "Query language ", this.language));
    toolbar.append(el("span", { class: "spacer" }));
    toolbar.append(this.runButton, this.stopButton, this.pauseButton, this.stepButton, this.clock);
    if (options.share) {
      this.shareButton = button("Share", "share", "Share: put definition, input and handlers in a link");
      toolbar.append(this.shareButton);
    }
    toolbar.append(el("span", { class: "status-box" }, el("span", { class: "muted", text: "Status " }), this.status));

    this.noticeBox = el("p", { class: "notice", testid: "notice", role: "alert" });
    this.noticeBox.hidden = true;
    this.infoBox = el("p", { class: "info", testid: "info" });
    this.infoBox.hidden = true;
    this.shareLink = el("input", { class: "share-link", testid: "share-link", readonly: "", "aria-label": "Share link" });
    this.shareLink.hidden = true;

    // Editors.
    this.definitionHost = el("div", { class: "editor editor-definition", testid: "definition-editor" });
    this.diagnostics = el("ul", { class: "diagnostics", testid: "diagnostics", "aria-live": "polite" });
    this.inputHost = el("div", { class: "editor editor-input", testid: "input-editor" });
    this.handlerPicker = el("select", { testid: "handler-state", "aria-label": "Task state" });
    this.handlerHost = el("div", { class: "editor editor-handler", testid: "handler-editor" });
    this.handlerNote = el("p", { class: "note", text: "This state machine has no Task states." });
    const handlerHead = el("div", { class: "handler-head" },
      el("label", { class: "field" }, "Task ", this.handlerPicker),
      el("span", { class: "muted", text: "(input, context) => result · runs in a worker" }));

    // Results.
    this.graphHost = el("div", { class: "graph", testid: "graph" });
    this.callbacks = el("div", { class: "callbacks", testid: "callbacks" });
    this.dataflowHost = el("div", { class: "dataflow", testid: "dataflow" });
    this.output = el("pre", { class: "output", testid: "output" });
    this.console = el("pre", { class: "console", testid: "console" });
    const table = el("table", { class: "history", testid: "history" });
    const head = el("tr");
    for (const title of ["ID", "Type", "State", "Elapsed (ms)", "Details"]) head.append(el("th", { text: title }));
    table.append(el("thead", {}, head), el("tbody"));

    const panels = {
      definition: panel("definition", "Definition (Amazon States Language)", this.definitionHost, this.diagnostics),
      input: panel("input", "Execution input", this.inputHost),
      handlers: panel("handlers", "Task handlers (JavaScript)", handlerHead, this.handlerHost, this.handlerNote),
      graph: panel("graph", "Graph", this.graphHost, legend(), this.callbacks),
      dataflow: panel("dataflow", "Data flow", this.dataflowHost),
      output: panel("output", "Output", this.output),
      console: panel("console", "Console", this.console),
      history: panel("history", "Event history", el("div", { class: "history-scroll" }, table)),
    };
    const left = el("div", { class: "column column-editors" });
    const right = el("div", { class: "column column-results" });
    const pair = el("div", { class: "pair" });
    const side = el("div", { class: "stack" });
    for (const name of ["definition", "input", "handlers"]) left.append(panels[name]);
    right.append(panels.graph, pair, panels.history);
    pair.append(panels.dataflow, side);
    side.append(panels.output, panels.console);
    for (const [name, section] of Object.entries(panels)) section.hidden = !this.panels.has(name);
    if (![...left.children].some((child) => !child.hidden)) left.hidden = true;

    const body = el("div", { class: "body" }, left, right);
    root.replaceChildren(toolbar, this.noticeBox, this.infoBox, this.shareLink, body);

    this.definitionEditor = createDefinitionEditor(this.definitionHost, {
      readonly: options.readonly,
      label: "Definition",
      onChange: () => this.scheduleRefresh(),
    });
    this.inputEditor = createEditor(this.inputHost, { readonly: options.readonly, json: true, label: "Execution input" });
    this.handlerEditor = createEditor(this.handlerHost, {
      readonly: options.readonly,
      label: "Handler",
      onChange: (text) => {
        if (this.handlerState !== null) this.handlers[this.handlerState] = text;
      },
    });

    this.graph = new GraphPanel(this.graphHost, { onSelect: (name, type) => this.select(name, type) });
    this.dataflow = new DataFlowPanel(this.dataflowHost);
    this.history = new HistoryPanel(table, {
      onSelect: (name, eventId) => {
        this.graph.select(name, this.graph.typeOf(name));
        this.dataflow.showEvent(eventId);
      },
    });

    this.runButton.addEventListener("click", () => this.run());
    this.stopButton.addEventListener("click", () => this.stop());
    this.pauseButton.addEventListener("click", () => this.togglePause());
    this.stepButton.addEventListener("click", () => this.step());
    this.language.addEventListener("change", () => {
      if (!setQueryLanguage(this.definitionEditor, this.language.value)) this.notice("The definition is not a JSON object: QueryLanguage cannot be set.");
    });
    this.shareButton?.addEventListener("click", () => this.share());
    this.handlerPicker.addEventListener("change", () => this.showHandler(this.handlerPicker.value));
    // Ctrl+Enter (Cmd+Enter) runs from anywhere in the playground.
    this.root.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        this.run();
      }
    });
    this.runButton.title = "Run the state machine (Ctrl+Enter); handlers run in a worker";
    this.setRunning(false);
  }

  /** Loads a session: { definition, input, handlers }. */
  load({ definition = "", input = "", handlers = {} }) {
    this.stop(false);
    this.resetRun();
    this.handlers = { ...handlers };
    this.handlerState = null;
    setText(this.definitionEditor, definition);
    setText(this.inputEditor, input);
    this.refresh();
  }

  get definitionText() {
    return this.definitionEditor.state.doc.toString();
  }

  // ---- live validation, graph, handler list --------------------------------------------

  scheduleRefresh() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), 200);
  }

  refresh() {
    const text = this.definitionText;
    this.graph.render(text);
    let definition = null;
    try {
      definition = JSON.parse(text);
    } catch {
      // not JSON: validate() says where
    }
    if (definition && typeof definition === "object") {
      this.language.value = definition.QueryLanguage === "JSONata" ? "JSONata" : "JSONPath";
      this.updateTasks(taskStates(definition));
    }
    if (!this.validate) return;
    if (!this.statelab.jsonataLoaded() && this.statelab.needsJsonata(text)) {
      // The JSONata engine is a second module, loaded on first need: validate after it.
      loadJsonata()
        .then(() => this.refresh())
        .catch((error) => this.notice(`The JSONata engine could not be loaded: ${error.message}`));
      return;
    }
    let diagnostics;
    try {
      diagnostics = this.validate(text).diagnostics;
    } catch (error) {
      this.notice(`validate() failed: ${error.message}`);
      return;
    }
    showDiagnostics(this.definitionEditor, diagnostics);
    this.renderDiagnostics(diagnostics);
  }

  renderDiagnostics(diagnostics) {
    this.diagnostics.replaceChildren(
      ...diagnostics.map((diagnostic) => {
        const start = diagnostic.range?.start;
        const item = el("li", { class: diagnostic.severity === "warning" ? "warning" : "error" });
        item.dataset.code = diagnostic.code;
        item.dataset.path = diagnostic.path ?? "";
        if (start) item.dataset.line = String(start.line);
        const where = el("code", { text: `${start ? `${start.line}:${start.column}` : diagnostic.path || "/"} ${diagnostic.code}` });
        item.append(where, ` ${diagnostic.message}`);
        item.tabIndex = 0;
        item.addEventListener("click", () => reveal(this.definitionEditor, diagnostic.range));
        item.addEventListener("keydown", (event) => {
          if (event.key === "Enter") reveal(this.definitionEditor, diagnostic.range);
        });
        return item;
      }),
    );
  }

  updateTasks(tasks) {
    this.tasks = tasks;
    for (const [name, resource] of tasks) this.handlers[name] ??= stubFor(name, resource);
    const names = [...tasks.keys()];
    const current = [...this.handlerPicker.options].map((option) => option.value);
    if (names.join("\n") !== current.join("\n")) {
      this.handlerPicker.replaceChildren(...names.map((name) => el("option", { value: name, text: name })));
    }
    this.handlerNote.hidden = names.length > 0;
    this.handlerHost.hidden = names.length === 0;
    if (names.length === 0) return;
    this.showHandler(names.includes(this.handlerState) ? this.handlerState : names[0]);
  }

  showHandler(name) {
    if (!this.tasks.has(name)) return;
    this.handlerPicker.value = name;
    if (this.handlerState === name) return;
    this.handlerState = null; // no write-back while the text is swapped
    setText(this.handlerEditor, this.handlers[name] ?? "");
    this.handlerState = name;
  }

  select(name, type) {
    this.dataflow.select(name, type);
    if (this.tasks.has(name)) this.showHandler(name);
  }

  // ---- runs --------------------------------------------------------------------------------

  setStatus(status) {
    this.status.textContent = status;
    this.status.dataset.status = status;
  }

  notice(text) {
    this.noticeBox.textContent = text;
    this.noticeBox.hidden = !text;
  }

  info(text) {
    this.infoBox.textContent = text;
    this.infoBox.hidden = !text;
  }

  setRunning(running) {
    this.stopButton.disabled = !running;
    this.pauseButton.disabled = !running;
    this.pauseButton.textContent = this.paused ? "Resume" : "Pause";
    this.root.dataset.running = running ? (this.paused ? "paused" : "running") : "";
  }

  resetRun() {
    cancelAnimationFrame(this.frame);
    this.pendingEvents = [];
    this.output.textContent = "";
    this.console.textContent = "";
    this.callbacks.replaceChildren();
    this.history.clear();
    this.graph.reset();
    this.dataflow.setInspections(undefined);
    this.setStatus("");
  }

  clockOption() {
    const value = this.clock.value;
    if (value === "virtual" || value === "real") return value;
    return { speed: Number(value) };
  }

  run({ paused = false } = {}) {
    this.stop(false);
    this.notice("");
    this.info("");
    this.resetRun();
    this.paused = paused;
    this.setStatus("RUNNING");
    const handlers = {};
    for (const name of this.tasks.keys()) if (typeof this.handlers[name] === "string") handlers[name] = this.handlers[name];
    const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.worker = worker;
    worker.onmessage = ({ data }) => {
      if (this.worker === worker) this.onMessage(data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      if (this.worker === worker) this.onError({ message: `The run worker failed: ${event.message || "it could not be loaded"}` });
    };
    const message = {
      type: protocol.RUN,
      definition: this.definitionText,
      input: this.inputEditor.state.doc.toString(),
      handlers,
      clock: this.clockOption(),
      paused,
      s3: this.options.s3,
    };
    // The page's compiled wasm modules go along, so that the worker does not fetch them
    // again. (Control messages posted meanwhile wait in the worker until the run has started.)
    runModules(message.definition)
      .then((modules) => worker.postMessage({ ...message, ...modules }))
      .catch(() => worker.postMessage(message));
    this.setRunning(true);
    return worker;
  }

  onMessage(data) {
    switch (data.type) {
      case protocol.EVENT:
        this.queueEvent(data.event);
        break;
      case protocol.LOG:
        this.log(data);
        break;
      case protocol.TOKEN:
        this.addCallback(data);
        break;
      case protocol.INSPECTIONS:
        this.dataflow.setInspections(data.inspections);
        break;
      case protocol.RESULT:
        this.onResult(data);
        break;
      case protocol.ERROR:
        this.onError(data);
        break;
    }
  }

  /** Events are rendered once per frame, so that a long run cannot flood the page. */
  queueEvent(event) {
    this.pendingEvents.push(event);
    if (this.pendingEvents.length === 1) this.frame = requestAnimationFrame(() => this.flushEvents());
  }

  flushEvents() {
    cancelAnimationFrame(this.frame);
    const events = this.pendingEvents;
    if (events.length === 0) return;
    this.pendingEvents = [];
    for (const event of events) {
      this.history.append(event);
      this.graph.applyEvent(event, false);
    }
    this.graph.paint();
  }

  log({ state, level, text }) {
    const line = el("span", { class: `log-${level}` });
    line.textContent = `[${state}] ${text}\n`;
    this.console.append(line);
    this.console.scrollTop = this.console.scrollHeight;
  }

  addCallback({ state, token }) {
    const output = el("input", { class: "callback-output", value: '{"approved": true}', "aria-label": "Task output (JSON)", spellcheck: "false" });
    const success = button("Send success", "send-success", "Send success: sendTaskSuccess(token, output)");
    const failure = button("Send failure", "send-failure", "Send failure: sendTaskFailure(token, error, cause)");
    const item = el("div", { class: "callback" }, el("strong", { text: state }), " waits for its task token ", output, success, failure);
    success.addEventListener("click", () => {
      this.worker?.postMessage({ type: protocol.TASK_SUCCESS, token, output: output.value });
      item.remove();
    });
    failure.addEventListener("click", () => {
      this.worker?.postMessage({ type: protocol.TASK_FAILURE, token, error: "Rejected", cause: "Sent from the playground" });
      item.remove();
    });
    this.callbacks.append(item);
  }

  onResult({ result, history, inspections }) {
    this.flushEvents();
    if (Array.isArray(history) && history.length > this.history.length) this.history.render(history);
    this.setStatus(result.status);
    this.graph.finish(result.status);
    this.dataflow.setInspections(inspections ?? null);
    if (result.status === "SUCCEEDED") {
      this.output.textContent = JSON.stringify(result.output ?? null, null, 2);
    } else {
      this.output.textContent = [result.error && `error: ${result.error}`, result.cause && `cause: ${result.cause}`].filter(Boolean).join("\n");
    }
    this.callbacks.replaceChildren();
    this.endWorker();
    this.options.onRunEnd?.({ result, history: Array.isArray(history) ? history : [] });
  }

  onError({ message, diagnostics }) {
    const running = this.status.textContent === "RUNNING" && this.history.length === 0;
    if (running) {
      this.endWorker();
      this.setStatus("");
    }
    this.notice(message);
    if (diagnostics) this.renderDiagnostics(diagnostics);
    if (running) this.options.onRunEnd?.({ result: { status: "NOT_STARTED", error: message }, history: [] });
  }

  endWorker() {
    this.worker?.terminate();
    this.worker = null;
    this.paused = false;
    this.setRunning(false);
  }

  /** Stop: terminates the worker (a handler that never settles cannot hold it). */
  stop(report = true) {
    if (!this.worker) return;
    this.flushEvents();
    this.endWorker();
    this.callbacks.replaceChildren();
    if (!report) return;
    this.setStatus("ABORTED");
    this.graph.finish("ABORTED");
  }

  togglePause() {
    if (!this.worker) return;
    this.paused = !this.paused;
    this.worker.postMessage({ type: this.paused ? protocol.PAUSE : protocol.RESUME });
    this.setRunning(true);
  }

  step() {
    const worker = this.worker ?? this.run({ paused: true });
    this.paused = true;
    worker.postMessage({ type: protocol.STEP });
    this.setRunning(true);
  }

  // ---- share -------------------------------------------------------------------------------

  session() {
    const handlers = {};
    for (const name of this.tasks.keys()) if (typeof this.handlers[name] === "string") handlers[name] = this.handlers[name];
    return { definition: this.definitionText, input: this.inputEditor.state.doc.toString(), handlers };
  }

  async share() {
    const hash = await encodeShare(this.session());
    const url = new URL(location.href);
    url.hash = hash;
    history.replaceState(null, "", url);
    this.shareLink.value = url.href;
    this.shareLink.hidden = false;
    this.shareLink.select();
    try {
      await navigator.clipboard.writeText(url.href);
      this.info("Share link copied to the clipboard.");
    } catch {
      this.info("Share link ready: copy it from the box below.");
    }
  }
}
