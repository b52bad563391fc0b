// The run worker: loads the package, turns the user's handler code into functions (here,
// never on the page), runs one execution and posts its events, logs and result back. The
// page stops a run by terminating this worker.
import * as protocol from "./protocol.js";

/** Posts a message; values that do not structured-clone are sent as their JSON form. */
function post(message) {
  try {
    self.postMessage(message);
  } catch {
    self.postMessage(JSON.parse(JSON.stringify(message)));
  }
}

function format(value) {
  if (typeof value === "string") return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The `console` a handler module sees: its lines go to the page's console panel. */
self.__statelabConsole = (state) => {
  const line = (level) => (...args) => post({ type: protocol.LOG, state, level, text: args.map(format).join(" ") });
  return { log: line("log"), info: line("info"), debug: line("log"), warn: line("warn"), error: line("error") };
};

/** Compiles one handler (a function expression) as a module with its own console. */
async function loadHandler(state, source) {
  const body = source.trim().replace(/;+$/, "");
  const code = `const console = self.__statelabConsole(${JSON.stringify(state)});\nexport default (\n${body}\n);\n`;
  const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  let module;
  try {
    module = await import(url);
  } catch (error) {
    throw new Error(`The handler of "${state}" does not compile: ${error?.message ?? error}`);
  } finally {
    URL.revokeObjectURL(url);
  }
  if (typeof module.default !== "function") {
    throw new Error(`The handler of "${state}" must be a function expression: (input, context) => result`);
  }
  return module.default;
}

async function loadHandlers(sources) {
  const handlers = {};
  for (const [state, source] of Object.entries(sources ?? {})) {
    // No code (or only comments): no handler, so the package's own behaviour applies.
    if (typeof source !== "string" || source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "").trim() === "") continue;
    const handler = await loadHandler(state, source);
    // Tell the page about task tokens, so that it can offer Send success / Send failure.
    handlers[state] = (input, context) => {
      if (context.taskToken) post({ type: protocol.TOKEN, state: context.stateName, token: context.taskToken });
      return handler(input, context);
    };
  }
  return handlers;
}

function parseInput(text) {
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw Object.assign(new Error(`The execution input is not valid JSON: ${error.message}`), {
      code: "InvalidExecutionInput",
    });
  }
}

/** The per-visit data flow, when this build of the package has it. */
function inspectionsOf(execution) {
  if (typeof execution?.inspections !== "function") return null;
  try {
    return execution.inspections();
  } catch {
    return null;
  }
}

let execution = null;
// Control messages (pause, step...) that arrive while the run is still loading wait for it.
let started;
const ready = new Promise((resolve) => (started = resolve));

async function run({ definition, input, handlers: sources, clock, paused, s3, module, jsonataModule }) {
  if (module instanceof WebAssembly.Module) {
    // The page's compiled wasm: browser.js then finds its glue initialised, fetches nothing.
    const { default: init } = await import("../dist/wasm/statelab_core.js");
    await init({ module_or_path: module });
  }
  const { StateMachine, Execution, needsJsonata, loadJsonata } = await import("../js/browser.js");
  // The full module (the page's, when it sent one) for a definition that uses JSONata.
  if (needsJsonata(definition)) await loadJsonata(jsonataModule instanceof WebAssembly.Module ? jsonataModule : undefined);
  const handlers = await loadHandlers(sources);
  const machine = new StateMachine(definition);
  const options = {
    handlers,
    clock: clock ?? "virtual",
    onEvent: (event) => post({ type: protocol.EVENT, event }),
  };
  if (s3) options.s3 = s3;
  // Record every state's data-flow stages, when this build of the package can.
  if (typeof Execution?.prototype?.inspections === "function") options.inspect = true;
  execution = machine.start(parseInput(input), options);
  if (paused) execution.pause();
  started();
  post({ type: protocol.STARTED, executionArn: execution.executionArn });
  const result = await execution.result;
  post({ type: protocol.RESULT, result, history: execution.history(), inspections: inspectionsOf(execution) });
}

function fail(error) {
  post({
    type: protocol.ERROR,
    message: String(error?.message ?? error),
    code: typeof error?.code === "string" ? error.code : undefined,
    diagnostics: Array.isArray(error?.diagnostics) ? error.diagnostics : undefined,
  });
}

function parseOutput(text) {
  try {
    return JSON.parse(text.trim() === "" ? "null" : text);
  } catch (error) {
    throw new Error(`The task output is not valid JSON: ${error.message}`);
  }
}

const controls = {
  [protocol.PAUSE]: () => execution.pause(),
  [protocol.RESUME]: () => execution.resume(),
  [protocol.STEP]: async () => {
    await execution.step();
    post({ type: protocol.INSPECTIONS, inspections: inspectionsOf(execution) });
  },
  [protocol.TASK_SUCCESS]: ({ token, output }) => execution.sendTaskSuccess(token, parseOutput(output)),
  [protocol.TASK_FAILURE]: ({ token, error, cause }) => execution.sendTaskFailure(token, error, cause),
};

self.onmessage = async ({ data }) => {
  try {
    if (data?.type === protocol.RUN) return await run(data);
    if (!controls[data?.type]) return;
    await ready;
    await controls[data.type](data);
  } catch (error) {
    fail(error);
  }
};
