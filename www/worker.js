// The run worker: loads the package, turns the user's handler code into functions (here,
// never on the page), runs one execution and posts its events and result back. The page
// stops a run by terminating this worker.
import { ERROR, EVENT, RESULT, RUN } from "./protocol.js";

/** Posts a message; values that do not structured-clone are sent as their JSON form. */
function post(message) {
  try {
    self.postMessage(message);
  } catch {
    self.postMessage(JSON.parse(JSON.stringify(message)));
  }
}

/** Evaluates the handlers source (an object expression) as a module from a blob URL. */
async function loadHandlers(source) {
  const body = source.trim().replace(/;+$/, "");
  if (body === "") return {};
  const blob = new Blob([`export default (\n${body}\n);\n`], { type: "text/javascript" });
  const url = URL.createObjectURL(blob);
  let module;
  try {
    module = await import(url);
  } catch (error) {
    throw new Error(`The handlers code does not compile: ${error?.message ?? error}`);
  } finally {
    URL.revokeObjectURL(url);
  }
  const handlers = module.default;
  if (typeof handlers !== "object" || handlers === null || Array.isArray(handlers)) {
    throw new Error("The handlers code must evaluate to an object: { \"State name\": async (input) => result }");
  }
  for (const [key, handler] of Object.entries(handlers)) {
    if (typeof handler !== "function") throw new Error(`The handler for "${key}" is not a function`);
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

async function run({ definition, input, handlers: handlersSource }) {
  const { StateMachine } = await import("../js/browser.js");
  const handlers = await loadHandlers(handlersSource);
  const machine = new StateMachine(definition);
  const execution = machine.start(parseInput(input), {
    handlers,
    onEvent: (event) => post({ type: EVENT, event }),
  });
  const result = await execution.result;
  post({ type: RESULT, result, history: execution.history() });
}

self.onmessage = async ({ data }) => {
  if (data?.type !== RUN) return;
  try {
    await run(data);
  } catch (error) {
    post({
      type: ERROR,
      message: String(error?.message ?? error),
      code: typeof error?.code === "string" ? error.code : undefined,
      diagnostics: Array.isArray(error?.diagnostics) ? error.diagnostics : undefined,
    });
  }
};
