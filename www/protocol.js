// The messages between the page (playground.js) and the run worker (worker.js). The page
// only sends text and plain data; the worker only sends data (events, results, logs),
// never code.
//
// page -> worker
//   { type: "run", definition: string, input: string, handlers: { [stateName]: string },
//     clock: "virtual" | "real" | { speed: number }, paused: boolean,
//     s3?: { [bucket]: { [key]: string } }, module?: WebAssembly.Module }
//       definition: ASL JSON text; input: JSON text ("" means {}); handlers: for each Task
//       state, the JavaScript source of a function expression `(input, context) => result`.
//       paused: start paused (the page's Step before any Run). s3: the in-memory S3's
//       objects at the start (e.g. a distributed Map's item source). module: the page's
//       compiled wasm, so that the worker neither fetches nor compiles it again.
//   { type: "pause" } | { type: "resume" } | { type: "step" }
//   { type: "task-success", token: string, output: string /* JSON text */ }
//   { type: "task-failure", token: string, error: string, cause: string }
// worker -> page
//   { type: "started", executionArn: string }
//   { type: "event", event: HistoryEvent }          as each event is recorded (onEvent)
//   { type: "log", state: string, level: "log"|"info"|"warn"|"error", text: string }
//   { type: "token", state: string, token: string } a .waitForTaskToken task is waiting
//   { type: "inspections", inspections: Inspection[] | null }   after a step, at the end
//   { type: "result", result: ExecutionResult, history: HistoryEvent[],
//     inspections: Inspection[] | null }                          once, at the end
//   { type: "error", message: string, code?: string, diagnostics?: Diagnostic[] }
//       the run could not start (bad input JSON, bad handler code, invalid definition),
//       or a control message failed (a bad task token)

export const RUN = "run";
export const PAUSE = "pause";
export const RESUME = "resume";
export const STEP = "step";
export const TASK_SUCCESS = "task-success";
export const TASK_FAILURE = "task-failure";

export const STARTED = "started";
export const EVENT = "event";
export const LOG = "log";
export const TOKEN = "token";
export const INSPECTIONS = "inspections";
export const RESULT = "result";
export const ERROR = "error";
