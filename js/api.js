// The public JS API of the `statelab` package (DESIGN.md "The JS API"). It sits on the
// wasm-bindgen exports of the module js/module.js holds (the full one or the browser's
// core one), which js/node.js and js/browser.js install before re-exporting this module. Everything here is host work: calling
// handlers, timers, streaming events. The interpreter itself is in Rust.

import { callWasm, guarded, generation, rethrowTrap, staleError, unwrap, StatelabInternalError } from "./guard.js";
import { JsonataNotLoadedError, jsonataLoaded, loadJsonata, needsJsonata, requireJsonata, wasm } from "./module.js";

export { StatelabInternalError, JsonataNotLoadedError, jsonataLoaded, loadJsonata, needsJsonata };

// Values cross into wasm as JSON text (`JSON.stringify` here, serde_json there) and come
// back as JSON text for `JSON.parse`: far cheaper than converting objects property by
// property across the boundary (see bench/RESULTS.md, "The JS boundary").

/** `definition` as the wasm exports take it: the text, and whether it is the user's. */
function definitionText(definition) {
  return typeof definition === "string" ? definition : JSON.stringify(definition);
}

/** Thrown by `new StateMachine()` for a definition AWS would reject. */
export class ValidationError extends Error {
  constructor(message, diagnostics) {
    super(message);
    this.name = "ValidationError";
    this.code = "InvalidDefinition";
    this.diagnostics = diagnostics;
  }
}

function definitionArgument(definition, what) {
  if (typeof definition === "string") return definition;
  if (definition !== null && typeof definition === "object" && !Array.isArray(definition)) return definition;
  throw new TypeError(`${what}: the definition must be JSON text or an object, got ${definition === null ? "null" : typeof definition}`);
}

function optionsArgument(options, what, allowed) {
  if (options === undefined || options === null) return {};
  if (typeof options !== "object" || Array.isArray(options)) throw new TypeError(`${what}: options must be an object`);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new TypeError(`${what}: unknown option "${key}"; known options: ${allowed.join(", ")}`);
  }
  return options;
}

/** Every diagnostic for a definition; never throws for a string or an object. */
export function validate(definition, options) {
  definitionArgument(definition, "validate");
  const opts = optionsArgument(options, "validate", ["type"]);
  const deep = tooDeepDiagnostic(definition);
  if (deep) return { valid: false, diagnostics: [deep] };
  if (!jsonataLoaded() && needsJsonata(definition)) return { valid: false, diagnostics: [jsonataNotLoadedDiagnostic()] };
  const diagnostics = JSON.parse(callWasm(() => wasm.validateDefinition(definitionText(definition), typeof definition === "string", JSON.stringify(opts))));
  return { valid: !diagnostics.some((d) => d.severity === "error"), diagnostics };
}

/** validate()'s answer (it never throws) for a JSONata definition before loadJsonata(). */
function jsonataNotLoadedDiagnostic() {
  return { severity: "error", code: "JSONATA_NOT_LOADED", message: new JsonataNotLoadedError("This definition").message, path: "" };
}

/** The startExecution integration's resources, run as child executions. */
const NESTED_RESOURCES = ["sync", "sync:2", "", "waitForTaskToken"].map(
  (suffix) => `arn:aws:states:::states:startExecution${suffix ? `.${suffix}` : ""}`,
);

const EXECUTION_OPTIONS = ["handlers", "s3", "dynamodb", "sqs", "sns", "eventbridge", "stateMachines", "mocks", "testCase", "clock", "startDate", "name", "onEvent", "maxTransitions", "seed", "inspect"];

export class StateMachine {
  #machine;
  #generation;
  #source;

  constructor(definition, options) {
    definitionArgument(definition, "StateMachine");
    const opts = optionsArgument(options, "StateMachine", ["type", "name"]);
    const deep = tooDeepDiagnostic(definition);
    if (deep) throw new ValidationError(`Invalid state machine definition: ${deep.message}`, [deep]);
    requireJsonata(definition, "This definition");
    this.type = opts.type ?? "STANDARD";
    this.#source = { definition, opts };
    this.#compile();
    this.name = this.#machine.name;
  }

  #compile() {
    const { definition, opts } = this.#source;
    this.#generation = generation();
    try {
      this.#machine = guarded(callWasm(() => new wasm.WasmMachine(definitionText(definition), typeof definition === "string", JSON.stringify(opts))), "state machine");
    } catch (error) {
      if (error && error.name === "ValidationError") throw new ValidationError(error.message, JSON.parse(error.diagnostics));
      throw error;
    }
  }

  /** Starts an execution; its `result` promise resolves for every outcome. */
  start(input, options) {
    const opts = optionsArgument(options, "start", EXECUTION_OPTIONS);
    // After an internal error the module was re-instantiated: compile again there.
    if (this.#generation !== generation()) this.#compile();
    return new Execution(this.#machine, input === undefined ? {} : input, opts);
  }

  /** Runs an execution to its end. */
  run(input, options) {
    return this.start(input, options).result;
  }
}

function toMillis(date) {
  if (date === undefined) return Date.now();
  const ms = date instanceof Date ? date.getTime() : Date.parse(date);
  if (Number.isNaN(ms)) throw new TypeError(`startDate must be a Date or an ISO 8601 string, got ${String(date)}`);
  return ms;
}

function clockSpeed(clock) {
  if (clock === undefined || clock === "virtual") return null;
  if (clock === "real") return 1;
  if (clock && typeof clock === "object" && typeof clock.speed === "number" && clock.speed > 0) return clock.speed;
  throw new TypeError(`clock must be "virtual", "real" or { speed: number > 0 }`);
}

function randomUuid() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Where `readField` reads next in a compact progress text. */
let fieldAt = 0;

/**
 * The integer at `fieldAt` in a compact progress (src/wasm.rs `write_compact`), or null
 * for an empty field; moves past the field and the "," or line break that ends it.
 * (By hand: slicing and `Number()` cost more than the rest of reading a progress.)
 */
function readField(text) {
  let value = 0;
  let digits = 0;
  let sign = 1;
  for (;;) {
    const c = text.charCodeAt(fieldAt++);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
    } else if (c === 45 /* - */) {
      sign = -1;
    } else {
      // "," or "\n" ends the field; NaN is the end of the text.
      if (c !== c) fieldAt = text.length;
      return digits === 0 ? null : sign * value;
    }
  }
}

/** A JS value as Lambda would return it, as JSON text: `undefined` (or a function) -> null. */
function jsonText(value, replacer) {
  let text;
  try {
    text = JSON.stringify(value, replacer);
  } catch (error) {
    // JSON.stringify runs out of stack on very deep values before we can measure them.
    if (error instanceof RangeError) throw new RangeError(TOO_DEEP);
    throw error;
  }
  // Each level of nesting writes at least two characters, so short text cannot be too
  // deep: the walk is skipped for the small values most handlers return.
  if (text !== undefined && text.length > 2 * MAX_NESTING && tooDeep(value) !== null) throw new RangeError(TOO_DEEP);
  return text ?? "null";
}

/**
 * Objects and arrays nest at most this deep in values that cross into the interpreter:
 * serde_json refuses 128 levels where src/wasm.rs parses them (its guard against overflow).
 */
const MAX_NESTING = 127;

/**
 * The JSON pointer of the first object or array nested deeper than MAX_NESTING, or null.
 * Iterative (a cycle counts as too deep), so any value can be checked.
 */
function tooDeep(value) {
  // Each entry links to its parent's, so the pointer is built only for the one reported.
  const stack = [{ item: value, depth: 0, key: null, parent: null }];
  while (stack.length > 0) {
    const entry = stack.pop();
    if (entry.item === null || typeof entry.item !== "object") continue;
    if (entry.depth >= MAX_NESTING) {
      const keys = [];
      for (let e = entry; e.parent; e = e.parent) keys.push(String(e.key).replaceAll("~", "~0").replaceAll("/", "~1"));
      return keys.reverse().map((key) => `/${key}`).join("");
    }
    for (const [key, child] of Object.entries(entry.item)) {
      if (child !== null && typeof child === "object") stack.push({ item: child, depth: entry.depth + 1, key, parent: entry });
    }
  }
  return null;
}

const TOO_DEEP = `objects and arrays are nested more than ${MAX_NESTING} levels deep`;

/** A definition object too deep to cross into the interpreter: its diagnostic. */
function tooDeepDiagnostic(definition) {
  if (typeof definition === "string") return null;
  const pointer = tooDeep(definition);
  return pointer === null ? null : { severity: "error", code: "INVALID_JSON", message: `The definition's ${TOO_DEEP}`, path: pointer };
}

/**
 * JSON text of a value the caller hands us as data (execution input, callback output,
 * JSONata bindings). Unlike a handler's result, which is serialised as the Lambda runtime
 * does (JSON.stringify: functions vanish), a function or symbol here is a mistake, so it
 * throws rather than being dropped without a word.
 */
function dataJsonText(value, what) {
  // Fast path: one cheap walk proves there is nothing to reject, then the native
  // stringify without a replacer (a replacer call per key made a 200 KiB input ~3x slower).
  if (!needsReplacer(value)) return JSON.stringify(value) ?? "null";
  return jsonText(value, (key, item) => {
    if (typeof item === "function" || typeof item === "symbol") {
      throw new TypeError(`${what} is not JSON: ${key === "" ? "the value" : `"${key}"`} is a ${typeof item}`);
    }
    return item;
  });
}

/**
 * True when `value` may hold something the plain JSON.stringify would drop or fail on
 * where data must not lose anything: a function or symbol, a `toJSON` method, nesting
 * at MAX_NESTING or deeper (a cycle included). Then dataJsonText takes the slow path,
 * which reports the exact problem.
 */
function needsReplacer(value) {
  const type = typeof value;
  if (type === "function" || type === "symbol") return true;
  if (value === null || type !== "object") return false;
  const stack = [value];
  const depths = [0];
  while (stack.length > 0) {
    const item = stack.pop();
    const depth = depths.pop();
    if (depth >= MAX_NESTING || typeof item.toJSON === "function") return true;
    const keys = Array.isArray(item) ? null : Object.keys(item);
    const count = keys === null ? item.length : keys.length;
    for (let i = 0; i < count; i++) {
      const child = keys === null ? item[i] : item[keys[i]];
      const childType = typeof child;
      if (childType === "object") {
        if (child !== null) {
          stack.push(child);
          depths.push(depth + 1);
        }
      } else if (childType === "function" || childType === "symbol") {
        return true;
      }
    }
  }
  return false;
}

/**
 * A handler's second argument. `signal` and `awsRequestId` are made on first use: most
 * handlers never read them, and an AbortController plus a UUID per call cost more than
 * the rest of the call.
 */
class HandlerContext {
  #controller = null;
  #aborted = false;
  #requestId = null;

  constructor(call, executionArn, callbacks) {
    this.stateName = call.stateName;
    this.resource = call.resource;
    this.taskToken = call.taskToken ?? undefined;
    this.executionArn = executionArn;
    this.retryCount = call.retryCount;
    // The callback API a worker would call (SendTaskSuccess, ...), for handlers that
    // play the worker of a `.waitForTaskToken` task: one set of functions per execution.
    this.sendTaskSuccess = callbacks.sendTaskSuccess;
    this.sendTaskFailure = callbacks.sendTaskFailure;
    this.sendTaskHeartbeat = callbacks.sendTaskHeartbeat;
  }

  get awsRequestId() {
    return (this.#requestId ??= randomUuid());
  }

  get signal() {
    if (this.#controller === null) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  /** The task no longer matters: abort the signal (now, or when it is first read). */
  static abort(context) {
    context.#aborted = true;
    context.#controller?.abort();
  }
}

function traceOf(error) {
  return typeof error.stack === "string" ? error.stack.split("\n").map((l) => l.trim()).filter(Boolean) : [];
}

export class Execution {
  #run;
  #direct; // {target, born, what}: #run's wasm object, for the per-call hot path
  #sites = []; // call site index -> {handler, kind, stateName, resource} (see #site)
  #handlers;
  #onEvent;
  #speed;
  #settle;
  #reject;
  #pending = new Map(); // effect id -> call (with its context and timers)
  #tokens = new Map(); // task token -> effect id
  #paused = false;
  #stepWaiters = [];
  #done = false;
  #stateMachines;
  #childOptions;
  #scheduled = false; // a #pump is queued as a microtask
  #timer = null; // external clock: the timeout that pumps at the next timer
  // Virtual clock: one real-time timer for every pending call's TimeoutSeconds and
  // HeartbeatSeconds, armed for the earliest (a setTimeout + clearTimeout per call cost
  // more than the rest of the call). See #watchDeadlines.
  #deadlineTimer = null;
  #deadlineAt = Infinity;
  #expireDeadlines = () => this.#expire();
  #pumpNow = () => {
    try {
      this.#pump();
    } catch (error) {
      this.#crash(error);
    }
  };
  #callbacks = {
    sendTaskSuccess: (token, output) => this.sendTaskSuccess(token, output),
    sendTaskFailure: (token, error, cause) => this.sendTaskFailure(token, error, cause),
    sendTaskHeartbeat: (token) => this.sendTaskHeartbeat(token),
  };
  #startTime = 0;
  #realStart = 0;

  constructor(machine, input, options) {
    this.#handlers = options.handlers ?? {};
    this.#stateMachines = options.stateMachines ?? {};
    if (typeof this.#stateMachines !== "object") throw new TypeError("stateMachines must be an object of StateMachine instances");
    this.#childOptions = { handlers: options.handlers, stateMachines: options.stateMachines, clock: options.clock };
    if (typeof this.#handlers !== "object") throw new TypeError("handlers must be an object of functions");
    for (const [key, fn] of Object.entries(this.#handlers)) {
      if (typeof fn !== "function") throw new TypeError(`handler "${key}" must be a function`);
    }
    if (options.onEvent !== undefined && typeof options.onEvent !== "function") throw new TypeError("onEvent must be a function");
    this.#onEvent = options.onEvent;
    this.#speed = clockSpeed(options.clock);
    const startTime = toMillis(options.startDate);
    this.#startTime = startTime;
    this.#realStart = Date.now();
    let inputText;
    try {
      inputText = dataJsonText(input, "the input");
    } catch (cause) {
      const error = new Error(`Input is not JSON-serialisable: ${cause.message}`);
      error.code = "InvalidExecutionInput";
      throw error;
    }
    this.#run = guarded(machine.start(inputText, JSON.stringify({
      name: options.name ?? randomUuid(),
      startTime,
      clock: this.#speed === null ? "virtual" : "external",
      // With stateMachines, startExecution tasks come to us to run the child here.
      handlerKeys: [...Object.keys(this.#handlers), ...(options.stateMachines ? NESTED_RESOURCES : [])],
      maxTransitions: options.maxTransitions,
      seed: options.seed,
      s3: options.s3,
      dynamodb: options.dynamodb,
      sqs: options.sqs,
      sns: options.sns,
      eventbridge: options.eventbridge,
      mocks: options.mocks,
      testCase: options.testCase,
      inspect: Boolean(options.inspect),
    })), "execution");
    this.#direct = unwrap(this.#run);
    this.executionArn = this.#run.executionArn;
    this.name = this.#run.name;
    this.startDate = this.#run.startDate;
    this.status = "RUNNING";
    this.result = new Promise((resolve, reject) => {
      this.#settle = resolve;
      this.#reject = reject;
    });
    this.#poke();
  }

  /** An internal error ended the run: `result` rejects with it, handlers are aborted. */
  #crash(error) {
    if (this.#done) return;
    this.#done = true;
    this.status = "FAILED";
    this.#abortPending();
    this.#reject(error);
  }

  history() {
    return JSON.parse(this.#run.history());
  }

  /**
   * Every state visit with the value after each data-flow stage (input, afterInputPath,
   * afterParameters, result, afterResultSelector, afterResultPath, afterArguments,
   * output, assigned, error). Recorded only when started with `inspect: true`.
   */
  inspections() {
    return JSON.parse(this.#run.inspections());
  }

  /** The in-memory AWS services' state, e.g. `{ s3: { bucket: { key: text } } }`. */
  services() {
    return JSON.parse(this.#run.services());
  }

  stop(options = {}) {
    if (this.#done) return;
    this.#run.stop(options.error, options.cause);
    this.#abortPending();
    this.#poke();
  }

  sendTaskSuccess(taskToken, output) {
    const id = this.#takeToken(taskToken);
    this.#run.resumeOk(id, dataJsonText(output, "the task output"));
    this.#poke();
  }

  sendTaskFailure(taskToken, error, cause) {
    const id = this.#takeToken(taskToken);
    this.#run.resumeError(id, error ?? "", cause);
    this.#poke();
  }

  sendTaskHeartbeat(taskToken) {
    const id = this.#tokens.get(taskToken);
    if (id === undefined) throw this.#invalidToken(taskToken);
    this.#run.heartbeat(id);
    const call = this.#pending.get(id);
    // The wait for the next heartbeat starts again (virtual clock; real time).
    if (call?.heartbeatAt) call.heartbeatAt = performance.now() + call.heartbeatSeconds * 1000;
  }

  pause() {
    this.#paused = true;
  }

  resume() {
    this.#paused = false;
    this.#poke();
  }

  /** While paused: advance by one history event; resolves with the events produced. */
  step() {
    this.#paused = true;
    return new Promise((resolve) => {
      this.#stepWaiters.push(resolve);
      this.#poke();
    });
  }

  #invalidToken(token) {
    const error = new Error(`Invalid task token: ${token}`);
    error.code = "TaskDoesNotExist";
    return error;
  }

  #takeToken(token) {
    const id = this.#tokens.get(token);
    if (id === undefined) throw this.#invalidToken(token);
    this.#tokens.delete(token);
    this.#clearPending(id);
    return id;
  }

  /** Something happened (a handler settled, stop(), resume(), ...): pump soon, once. */
  #poke() {
    if (this.#scheduled || this.#done) return;
    this.#scheduled = true;
    queueMicrotask(this.#pumpNow);
  }

  /**
   * Drives the execution until it must wait: for handlers (their settling pokes), a task
   * token, stop(), resume()/step() while paused, or (external clock) the next timer.
   * Each drive returns everything ready at once (events, calls, tokens, outcome).
   * `resumeId` >= 0: first deliver that handler's result (JSON text), in the same crossing.
   */
  #pump(resumeId = -1, resumeText = "") {
    this.#scheduled = false;
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const external = this.#speed !== null;
    while (!this.#done) {
      if (this.#paused && this.#stepWaiters.length === 0) {
        if (resumeId >= 0) this.#resumeOk(resumeId, resumeText);
        return;
      }
      if (external) this.#run.advanceClock(this.#virtualNow());
      const stepping = this.#paused;
      const text = this.#drive(resumeId, resumeText, Boolean(this.#onEvent) || stepping, stepping ? 1 : 0);
      resumeId = -1;
      let nextTimer;
      if (text.charCodeAt(0) !== 123 /* { */) {
        // The common case: handler calls only (src/wasm.rs `write_compact`).
        nextTimer = this.#compactProgress(text);
      } else {
        const progress = JSON.parse(text);
        if (progress.events) {
          for (const event of progress.events) this.#emit(event);
          if (stepping) this.#stepWaiters.shift()(progress.events);
        }
        if (progress.outcome) return this.#finish(progress.outcome);
        for (const call of progress.calls) this.#call(call, progress.now);
        for (const { id, token } of progress.tokens) this.#tokens.set(token, id);
        if (stepping) continue;
        nextTimer = progress.nextTimer;
      }
      if (external && nextTimer !== null) {
        // Wake at the next timer (in scaled real time) unless something pokes first.
        this.#timer = setTimeout(this.#pumpNow, Math.max(0, (nextTimer - this.#virtualNow()) / this.#speed));
      }
      return;
    }
  }

  /** `drive()`, or `resumeOkAndDrive()`: the wasm object called directly (see guard.js `unwrap`). */
  #drive(resumeId, resumeText, withEvents, maxEvents) {
    const { target, born, what } = this.#direct;
    if (born !== generation()) throw staleError(what);
    try {
      return resumeId >= 0 ? target.resumeOkAndDrive(resumeId, resumeText, withEvents, maxEvents) : target.drive(withEvents, maxEvents);
    } catch (error) {
      rethrowTrap(error);
    }
  }

  /**
   * Reads the short progress of src/wasm.rs `write_compact` (a line `now,nextTimer`, then
   * a line `id,site,retryCount,timeoutSeconds,heartbeatSeconds,INPUT` per call), makes the
   * calls and returns nextTimer.
   */
  #compactProgress(text) {
    fieldAt = 0;
    const now = readField(text);
    const nextTimer = readField(text);
    while (fieldAt < text.length) {
      const id = readField(text);
      const site = this.#site(readField(text));
      const retryCount = readField(text);
      const timeoutSeconds = readField(text);
      const heartbeatSeconds = readField(text);
      const end = text.indexOf("\n", fieldAt);
      const input = JSON.parse(end < 0 ? text.slice(fieldAt) : text.slice(fieldAt, end));
      fieldAt = end < 0 ? text.length : end + 1;
      // One shape for every call; it also holds its context and timers while pending.
      const call = {
        id,
        handler: site.handler,
        kind: site.kind,
        input,
        stateName: site.stateName,
        resource: site.resource,
        taskToken: null,
        retryCount,
        timeoutSeconds,
        heartbeatSeconds,
        context: null,
        now,
        timeoutAt: 0,
        heartbeatAt: 0,
      };
      this.#call(call, now);
    }
    return nextTimer;
  }

  /** What every call from a Task state shares, asked of the wasm once per state. */
  #site(index) {
    return (this.#sites[index] ??= JSON.parse(this.#run.site(index)));
  }

  #virtualNow() {
    return this.#startTime + (Date.now() - this.#realStart) * this.#speed;
  }

  #emit(event) {
    if (!this.#onEvent) return;
    try {
      this.#onEvent(event);
    } catch {
      // A listener's error must not break the execution.
    }
  }

  #finish(outcome) {
    this.#done = true;
    this.#abortPending();
    this.status = outcome.status;
    const result = { status: outcome.status, executionArn: this.executionArn, startDate: this.startDate, stopDate: outcome.stopDate };
    if ("output" in outcome) result.output = outcome.output;
    if ("error" in outcome) result.error = outcome.error;
    if ("cause" in outcome) result.cause = outcome.cause;
    this.#settle(result);
  }

  #abortPending() {
    for (const id of [...this.#pending.keys()]) this.#clearPending(id, true);
    this.#tokens.clear();
    if (this.#deadlineTimer !== null) clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = null;
    this.#deadlineAt = Infinity;
  }

  #clearPending(id, abort = false) {
    const call = this.#pending.get(id);
    if (!call) return;
    this.#pending.delete(id);
    // The shared deadline timer stays armed; it must not keep the process alive for
    // calls that are gone (node's timers have unref; browsers' are numbers).
    if (this.#pending.size === 0) this.#deadlineTimer?.unref?.();
    if (abort) HandlerContext.abort(call.context);
  }

  /** (Re)arms the shared deadline timer if `at` (performance.now() ms) is earlier. */
  #watchDeadlines(at) {
    this.#deadlineTimer?.ref?.();
    if (at >= this.#deadlineAt) return;
    if (this.#deadlineTimer !== null) clearTimeout(this.#deadlineTimer);
    this.#deadlineAt = at;
    this.#deadlineTimer = setTimeout(this.#expireDeadlines, Math.max(0, at - performance.now()));
  }

  /**
   * The shared deadline timer fired: calls past their TimeoutSeconds or HeartbeatSeconds
   * (real time) time out, the earliest first: the clock moves to the call's start plus
   * that many seconds, where the engine fails the task (States.Timeout /
   * States.HeartbeatTimeout).
   */
  #expire() {
    this.#deadlineTimer = null;
    this.#deadlineAt = Infinity;
    if (this.#done) return;
    const t = performance.now();
    const due = (call) => Math.min(call.timeoutAt || Infinity, call.heartbeatAt || Infinity);
    const expired = [];
    let next = Infinity;
    for (const call of this.#pending.values()) {
      const at = due(call);
      if (at <= t) expired.push(call);
      else if (at < next) next = at;
    }
    expired.sort((a, b) => due(a) - due(b));
    try {
      for (const call of expired) {
        if (!this.#pending.has(call.id)) continue;
        const timedOut = (call.timeoutAt || Infinity) <= (call.heartbeatAt || Infinity);
        this.#clearPending(call.id, true);
        this.#run.advanceClock(call.now + (timedOut ? call.timeoutSeconds : call.heartbeatSeconds) * 1000);
      }
    } catch (error) {
      return this.#crash(error);
    }
    if (next < Infinity) this.#watchDeadlines(next);
    if (expired.length > 0) this.#poke();
  }

  /** Starts a handler call; the call object also holds its context and deadlines while pending. */
  #call(call, now) {
    const context = new HandlerContext(call, this.executionArn, this.#callbacks);
    call.context = context;
    call.now = now;
    this.#pending.set(call.id, call);
    if (call.taskToken) this.#tokens.set(call.taskToken, call.id);
    if ((call.timeoutSeconds || call.heartbeatSeconds) && this.#speed === null) {
      // Virtual clock: a handler that never settles is bounded by TimeoutSeconds in real
      // time, and a task that gets no heartbeat for HeartbeatSeconds (real time) times
      // out; each sendTaskHeartbeat restarts that wait. (External clock: the engine's own
      // deadlines, driven by advanceClock.)
      const t = performance.now();
      call.timeoutAt = call.timeoutSeconds ? t + call.timeoutSeconds * 1000 : 0;
      call.heartbeatAt = call.heartbeatSeconds ? t + call.heartbeatSeconds * 1000 : 0;
      this.#watchDeadlines(Math.min(call.timeoutAt || Infinity, call.heartbeatAt || Infinity));
    }
    const handler = this.#handlers[call.handler] ?? (NESTED_RESOURCES.includes(call.handler) ? (input) => this.#startChild(call, input) : undefined);
    this.#invoke(handler, call, context);
  }

  /** Calls the handler and answers the task; an internal error ends the run (#crash). */
  async #invoke(handler, call, context) {
    let outcome;
    let threw = false;
    try {
      outcome = await handler(call.input, context);
    } catch (error) {
      outcome = error;
      threw = true;
    }
    try {
      if (threw) this.#answerError(call, outcome);
      else this.#answer(call, outcome);
    } catch (error) {
      this.#crash(error);
    }
  }

  /** The handler threw: the task fails, as DESIGN.md "Handlers" describes. */
  #answerError(call, error) {
    if (!this.#pending.has(call.id) || this.#done) return;
    this.#clearPending(call.id);
    if (call.taskToken) this.#tokens.delete(call.taskToken);
    try {
      this.#fail(call, error);
    } catch (readError) {
      if (readError instanceof StatelabInternalError) throw readError;
      // A thrown value whose getters throw (or a Proxy): report that, not crash.
      this.#run.resumeError(call.id, "Error", `The handler threw a value that cannot be read: ${Object.prototype.toString.call(readError)}`);
    }
    this.#poke();
  }

  /** The handler returned `value`: the task's result (or, with a task token, its submission). */
  #answer(call, value) {
    if (!this.#pending.has(call.id) || this.#done) return;
    if (call.taskToken) {
      // The service call went out; the task waits for sendTaskSuccess/Failure.
      try {
        this.#run.taskSubmitted(call.id, jsonText(value));
      } catch {
        this.#run.taskSubmitted(call.id, "null");
      }
      this.#poke();
      return;
    }
    this.#clearPending(call.id);
    let text;
    try {
      text = jsonText(value);
    } catch (error) {
      this.#run.resumeError(call.id, "States.Runtime", `The handler's result is not JSON-serialisable: ${error.message}`);
      this.#poke();
      return;
    }
    if (!this.#scheduled && this.#pending.size === 0 && this.#speed === null) {
      // The only task running just finished (a Task loop): resume and drive now, in one
      // crossing, rather than a microtask later. With other tasks still running, results
      // settling in the same tick are delivered together by one queued pump, as before.
      this.#pump(call.id, text);
      return;
    }
    this.#resumeOk(call.id, text);
    this.#poke();
  }

  /** A handler's result (JSON text); one that does not parse fails the task (as resumeOkAndDrive does). */
  #resumeOk(id, text) {
    try {
      this.#run.resumeOk(id, text);
    } catch (error) {
      if (error instanceof StatelabInternalError) throw error;
      this.#run.resumeError(id, "States.Runtime", `The handler's result is not JSON-serialisable: ${error.message}`);
    }
  }

  /**
   * `arn:aws:states:::states:startExecution[.sync[:2]]`: runs the named machine from
   * the `stateMachines` option as a child execution and answers as StartExecution /
   * DescribeExecution would.
   */
  async #startChild(call, input) {
    const target = String(input?.StateMachineArn ?? "");
    const name = target.split(":").at(-1);
    const machine = this.#stateMachines[target] ?? this.#stateMachines[name];
    if (!(machine instanceof StateMachine)) {
      throw Object.assign(new Error(`State Machine Does Not Exist: '${target}' (Service: AWSStepFunctions; Status Code: 400; Error Code: StateMachineDoesNotExist)`), {
        name: "StepFunctions.StateMachineDoesNotExistException",
      });
    }
    let childInput = input.Input ?? {};
    if (typeof childInput === "string") childInput = JSON.parse(childInput);
    const child = machine.start(childInput, {
      ...this.#childOptions,
      name: input.Name ?? randomUuid(),
      startDate: new Date(this.#run.now),
    });
    const startDate = Date.parse(child.startDate);
    if (!call.resource.includes(".sync")) return { ExecutionArn: child.executionArn, StartDate: startDate };
    const result = await child.result;
    const asObjects = call.resource.endsWith(".sync:2");
    const described = {
      ExecutionArn: child.executionArn,
      Input: asObjects ? childInput : JSON.stringify(childInput),
      InputDetails: { Included: true },
      Name: child.name,
      StartDate: startDate,
      StateMachineArn: target,
      Status: result.status,
      StopDate: Date.parse(result.stopDate),
    };
    if (result.status === "SUCCEEDED") {
      described.Output = asObjects ? result.output : JSON.stringify(result.output);
      described.OutputDetails = { Included: true };
      return described;
    }
    if (result.error !== undefined) described.Error = result.error;
    if (result.cause !== undefined) described.Cause = result.cause;
    throw { error: "States.TaskFailed", cause: JSON.stringify(described) };
  }

  /** A thrown value -> the task's failure, as DESIGN.md "Handlers" describes. */
  #fail(call, error) {
    const lambda = call.kind === "lambda" || call.kind === "lambda:invoke";
    if (error instanceof Error) {
      const name = error.name || "Error";
      if (lambda) {
        const payload = { errorType: name, errorMessage: error.message, trace: traceOf(error) };
        this.#run.resumeError(call.id, name, JSON.stringify(payload));
      } else {
        this.#run.resumeError(call.id, name, error.message);
      }
      return;
    }
    if (error !== null && typeof error === "object") {
      if (lambda) {
        let payload;
        try {
          payload = jsonText(error);
        } catch {
          payload = JSON.stringify({ errorType: "Error", errorMessage: String(error) });
        }
        this.#run.resumeErrorPayload(call.id, payload);
      } else {
        const name = String(error.error ?? error.Error ?? error.errorType ?? error.name ?? "Error");
        const cause = error.cause ?? error.Cause ?? error.errorMessage ?? error.message;
        this.#run.resumeError(call.id, name, cause === undefined ? undefined : typeof cause === "string" ? cause : JSON.stringify(cause));
      }
      return;
    }
    // A thrown primitive (string, number, null, undefined).
    const type = error === null ? "object" : typeof error;
    const message = String(error);
    if (lambda) {
      this.#run.resumeError(call.id, type, JSON.stringify({ errorType: type, errorMessage: message, trace: [] }));
    } else {
      this.#run.resumeError(call.id, "Error", message);
    }
  }
}

/**
 * Evaluates a JSONata expression as AWS Step Functions does (JSONata 2.0.6 plus AWS's
 * $partition, $range, $hash, $random, $uuid, $parse). Synchronous; throws an error with
 * JSONata's `.code` (e.g. "T2002") and `.position`.
 */
export function evaluateJsonata(expression, input, bindings, options) {
  if (typeof expression !== "string") throw new TypeError("evaluateJsonata: the expression must be a string");
  if (bindings !== undefined && (bindings === null || typeof bindings !== "object" || Array.isArray(bindings))) {
    throw new TypeError("evaluateJsonata: bindings must be an object");
  }
  const opts = optionsArgument(options, "evaluateJsonata", ["maxDepth", "maxSteps", "now", "seed"]);
  if (!jsonataLoaded()) throw new JsonataNotLoadedError("evaluateJsonata");
  const now = opts.now === undefined ? Date.now() : toMillis(opts.now);
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 32);
  const inputText = input === undefined ? undefined : dataJsonText(input, "the input");
  const bindingsText = dataJsonText(bindings ?? {}, "bindings");
  const result = callWasm(() => wasm.evaluateJsonata(expression, inputText, bindingsText, JSON.stringify({ maxDepth: opts.maxDepth, maxSteps: opts.maxSteps }), now, seed));
  return result === undefined ? undefined : JSON.parse(result);
}

const TEST_STATE_FIELDS = ["definition", "input", "inspectionLevel", "variables", "context", "mock", "stateName", "stateConfiguration", "revealSecrets", "handlers"];

/**
 * Runs one state like AWS's TestState API and resolves with AWS's response shape
 * (`status`, `output` as JSON text, `error`, `cause`, `nextState`, `inspectionData`).
 * A request AWS would reject throws with `.code` = AWS's exception name. Task states
 * without a mock call `handlers` exactly as executions do (the same host loop).
 */
export async function testState(request) {
  if (request === null || typeof request !== "object" || Array.isArray(request)) throw new TypeError("testState: the request must be an object");
  for (const key of Object.keys(request)) {
    if (!TEST_STATE_FIELDS.includes(key)) throw new TypeError(`testState: unknown request field "${key}"; known fields: ${TEST_STATE_FIELDS.join(", ")}`);
  }
  const { handlers, ...fields } = request;
  definitionArgument(fields.definition, "testState");
  const deep = tooDeepDiagnostic(fields.definition);
  if (deep) throw Object.assign(new Error(deep.message), { name: "InvalidDefinition", code: "InvalidDefinition" });
  // Asynchronous anyway: a JSONata request loads the engine itself (browsers).
  if (!jsonataLoaded() && needsJsonata(fields)) await loadJsonata();
  const run = guarded(callWasm(() => wasm.testState(JSON.stringify(fields), JSON.stringify(Object.keys(handlers ?? {})))), "TestState run");
  // The same host loop as executions: a "machine" whose start() is this run.
  const execution = new Execution({ start: () => run }, null, { handlers });
  await execution.result;
  return JSON.parse(run.testResponse());
}
