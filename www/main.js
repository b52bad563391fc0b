// The playground page: wires the editors, the run worker and the panels. The page never
// evaluates user code: handlers are sent as text to worker.js, which runs them.
import { examples } from "./examples.js";
import { renderDiagnostics } from "./panels/diagnostics.js";
import { applyEvent, finishStates, renderStates, resetStates } from "./panels/graph.js";
import { appendEvent, clearHistory, historyLength, renderHistory } from "./panels/history.js";
import { ERROR, EVENT, RESULT, RUN } from "./protocol.js";

const $ = (id) => document.getElementById(id);
const editors = { definition: $("definition"), input: $("input"), handlers: $("handlers") };
const runButton = $("run");
const stopButton = $("stop");

/** The session: the worker of the run in progress, if any. */
let worker = null;

function setStatus(status) {
  $("status").textContent = status;
  $("status").dataset.status = status;
}

function notice(text) {
  $("notice").textContent = text;
  $("notice").hidden = !text;
}

function showOutput(text) {
  $("output").textContent = text;
}

function endRun() {
  worker?.terminate();
  worker = null;
  stopButton.disabled = true;
}

function onResult({ result, history }) {
  if (Array.isArray(history) && history.length > historyLength()) renderHistory(history);
  setStatus(result.status);
  finishStates(result.status);
  if (result.status === "SUCCEEDED") {
    showOutput(JSON.stringify(result.output ?? null, null, 2));
  } else {
    const lines = [result.error && `error: ${result.error}`, result.cause && `cause: ${result.cause}`];
    showOutput(lines.filter(Boolean).join("\n"));
  }
  endRun();
}

function onError({ message, diagnostics }) {
  endRun();
  setStatus("");
  notice(message);
  if (diagnostics) renderDiagnostics(diagnostics);
}

function run() {
  endRun();
  notice("");
  showOutput("");
  clearHistory();
  resetStates();
  setStatus("RUNNING");
  stopButton.disabled = false;
  worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  worker.onmessage = ({ data }) => {
    if (data.type === EVENT) {
      appendEvent(data.event);
      applyEvent(data.event);
    } else if (data.type === RESULT) {
      onResult(data);
    } else if (data.type === ERROR) {
      onError(data);
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    onError({ message: `The run worker failed: ${event.message || "it could not be loaded"}` });
  };
  worker.postMessage({
    type: RUN,
    definition: editors.definition.value,
    input: editors.input.value,
    handlers: editors.handlers.value,
  });
}

function stop() {
  if (!worker) return;
  endRun();
  setStatus("ABORTED");
  finishStates("ABORTED");
}

/** Live validation: validate() from the package, imported on the page (it runs no user code). */
let validate = null;
let validateTimer = 0;

function revalidate() {
  renderStates(editors.definition.value);
  if (!validate) return;
  try {
    renderDiagnostics(validate(editors.definition.value).diagnostics);
  } catch (error) {
    notice(`validate() failed: ${error.message}`);
  }
}

function scheduleValidation() {
  clearTimeout(validateTimer);
  validateTimer = setTimeout(revalidate, 150);
}

const example = examples[0];
editors.definition.value = example.definition;
editors.input.value = example.input;
editors.handlers.value = example.handlers;
editors.definition.addEventListener("input", scheduleValidation);
runButton.addEventListener("click", run);
stopButton.addEventListener("click", stop);
renderStates(editors.definition.value);

import("../js/browser.js")
  .then((statelab) => {
    validate = statelab.validate;
    revalidate();
  })
  .catch((error) => notice(`The Statelab package could not be loaded: ${error.message}`));
