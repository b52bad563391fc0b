// The messages between the page (main.js) and the run worker (worker.js). The page only
// sends text; the worker only sends data (events, results, errors), never code.
//
// page -> worker
//   { type: "run", definition: string, input: string, handlers: string }
//       definition: ASL JSON text; input: JSON text ("" means {}); handlers: JavaScript
//       source of an expression that evaluates to { [handlerKey]: function }.
// worker -> page
//   { type: "event", event: HistoryEvent }          as each event is recorded (onEvent)
//   { type: "result", result: ExecutionResult, history: HistoryEvent[] }   once, at the end
//   { type: "error", message: string, code?: string, diagnostics?: Diagnostic[] }
//       the run could not start (bad input JSON, bad handler code, invalid definition)

export const RUN = "run";
export const EVENT = "event";
export const RESULT = "result";
export const ERROR = "error";
