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

  /**
   * Runs an execution to its end. Nothing can ask for its history afterwards, so its
   * wasm memory is freed at once rather than when the GC finalizes it: a test suite's
   * thousands of runs would otherwise keep every history until then, and V8 does not see
   * the wasm memory they hold (repeated runs slowed down several times).
   */
  async run(input, options) {
    const execution = this.start(input, options);
    try {
      return await execution.result;
    } finally {
      execution[RELEASE]();
    }
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

// The handler loop reads the progress of src/wasm.rs `driveIo`/`resumeIo` straight from
// the wasm memory and writes handler results there (the execution's scratch buffers):
// wasm-bindgen's String arguments and results cost a malloc, a free, a typed-array view
// and a TextDecoder call per crossing, more than the rest of the JS side of a call.

/** `Execution`'s method that frees its wasm object, for `StateMachine.run` only. */
const RELEASE = Symbol("release");

const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/**
 * The numbers of a compact progress (src/wasm.rs `write_compact`): a header (compact?,
 * now, nextTimer, number of calls), then per call its id, site, retryCount,
 * timeoutSeconds, heartbeatSeconds and the byte length of its input. NaN is none.
 */
const NUMBERS_HEADER = 4;
const NUMBERS_PER_CALL = 6;
// 64: src/wasm.rs COMPACT_MAX_CALLS (change both together).
const NUMBERS_LENGTH = NUMBERS_HEADER + NUMBERS_PER_CALL * 64;

/** A number of a compact progress, or null for none (NaN). */
function orNull(n) {
  return n === n ? n : null;
}

/** Texts up to this many bytes are decoded by hand: a TextDecoder call costs more. */
const SHORT_TEXT = 48;

/** The text of the UTF-8 bytes `bytes[start, end)`. */
function textAt(bytes, start, end) {
  if (end - start <= SHORT_TEXT) {
    let text = "";
    for (let i = start; i < end; i++) {
      const c = bytes[i];
      if (c >= 0x80) return utf8Decoder.decode(bytes.subarray(start, end));
      text += String.fromCharCode(c);
    }
    return text;
  }
  return utf8Decoder.decode(bytes.subarray(start, end));
}

/**
 * JSON inputs up to this many bytes are parsed from the bytes by `parseShort`: for the
 * small inputs most tasks get, JSON.parse's fixed cost (and decoding the text first) is
 * most of the time it takes; for larger ones JSON.parse is the faster.
 */
const SHORT_JSON = 256;

/** Where `parseShort` reads next. */
let parseAt = 0;

/** Returned by `parseShort` for what it leaves to JSON.parse. */
const NOT_SHORT = Symbol("not short");

/**
 * The value of the JSON text `bytes[start, end)` (compact JSON that serde_json wrote), as
 * JSON.parse gives it.
 */
function parseJsonAt(bytes, start, end) {
  if (end - start <= SHORT_JSON) {
    parseAt = start;
    const value = parseShort(bytes, end, 0);
    if (value !== NOT_SHORT && parseAt === end) return value;
  }
  return JSON.parse(textAt(bytes, start, end));
}

/**
 * The JSON value at `parseAt`, or NOT_SHORT for anything but the plain cases: strings
 * with escapes or non-ASCII characters, a "__proto__" key (JSON.parse makes it an own
 * property), deep nesting, whitespace or malformed text are JSON.parse's to read.
 */
function parseShort(bytes, end, depth) {
  if (parseAt >= end || depth > 16) return NOT_SHORT;
  const c = bytes[parseAt];
  if (c === 123 /* { */) {
    parseAt++;
    const object = {};
    if (bytes[parseAt] === 125 /* } */) {
      parseAt++;
      return object;
    }
    for (;;) {
      if (bytes[parseAt] !== 34 /* " */) return NOT_SHORT;
      const key = parseShortKey(bytes, end);
      if (key === NOT_SHORT || key === "__proto__" || bytes[parseAt++] !== 58 /* : */) return NOT_SHORT;
      const value = parseShort(bytes, end, depth + 1);
      if (value === NOT_SHORT) return NOT_SHORT;
      object[key] = value;
      const next = bytes[parseAt++];
      if (next === 125 /* } */) return object;
      if (next !== 44 /* , */) return NOT_SHORT;
    }
  }
  if (c === 91 /* [ */) {
    parseAt++;
    const array = [];
    if (bytes[parseAt] === 93 /* ] */) {
      parseAt++;
      return array;
    }
    for (;;) {
      const value = parseShort(bytes, end, depth + 1);
      if (value === NOT_SHORT) return NOT_SHORT;
      array.push(value);
      const next = bytes[parseAt++];
      if (next === 93 /* ] */) return array;
      if (next !== 44 /* , */) return NOT_SHORT;
    }
  }
  if (c === 34 /* " */) return parseShortString(bytes, end);
  if (c === 45 /* - */ || (c >= 48 && c <= 57)) return parseShortNumber(bytes, end);
  if (c === 116 /* t */ && bytes[parseAt + 1] === 114 && bytes[parseAt + 2] === 117 && bytes[parseAt + 3] === 101) {
    parseAt += 4;
    return true;
  }
  if (c === 102 /* f */ && bytes[parseAt + 1] === 97 && bytes[parseAt + 2] === 108 && bytes[parseAt + 3] === 115 && bytes[parseAt + 4] === 101) {
    parseAt += 5;
    return false;
  }
  if (c === 110 /* n */ && bytes[parseAt + 1] === 117 && bytes[parseAt + 2] === 108 && bytes[parseAt + 3] === 108) {
    parseAt += 4;
    return null;
  }
  return NOT_SHORT;
}

/** A string of printable ASCII without escapes at `parseAt` (its opening quote), or NOT_SHORT. */
function parseShortString(bytes, end) {
  let text = "";
  for (let i = parseAt + 1; i < end; i++) {
    const c = bytes[i];
    if (c === 34 /* " */) {
      parseAt = i + 1;
      return text;
    }
    if (c < 0x20 || c >= 0x7f || c === 92 /* \ */) return NOT_SHORT;
    text += String.fromCharCode(c);
  }
  return NOT_SHORT;
}

/** Recently read object keys, by a hash of their bytes (see `parseShortKey`). */
const KEY_SLOTS = 64;
const KEY_CACHED_LENGTH = 32;
const recentKeys = new Array(KEY_SLOTS).fill("");

/**
 * An object key at `parseAt` (its opening quote), as `parseShortString` reads it; the
 * same keys come back in every call of a loop, and a key taken from `recentKeys` costs
 * neither building the string nor V8 looking it up to use it as a property name.
 */
function parseShortKey(bytes, end) {
  const start = parseAt + 1;
  let hash = 0;
  let i = start;
  for (; i < end; i++) {
    const c = bytes[i];
    if (c === 34 /* " */) break;
    if (c < 0x20 || c >= 0x7f || c === 92 /* \ */) return NOT_SHORT;
    hash = (hash * 31 + c) | 0;
  }
  if (i >= end) return NOT_SHORT;
  const length = i - start;
  if (length > KEY_CACHED_LENGTH) return parseShortString(bytes, end);
  parseAt = i + 1;
  const slot = (hash + length) & (KEY_SLOTS - 1);
  const cached = recentKeys[slot];
  if (cached.length === length) {
    let k = 0;
    while (k < length && cached.charCodeAt(k) === bytes[start + k]) k++;
    if (k === length) return cached;
  }
  let key = "";
  for (let k = start; k < i; k++) key += String.fromCharCode(bytes[k]);
  recentKeys[slot] = key;
  return key;
}

/** A number at `parseAt`; an integer of up to 15 digits directly, others by `Number()`. */
function parseShortNumber(bytes, end) {
  const start = parseAt;
  let i = start;
  const negative = bytes[i] === 45; /* - */
  if (negative) i++;
  let value = 0;
  const digitsStart = i;
  while (i < end && bytes[i] >= 48 && bytes[i] <= 57) value = value * 10 + (bytes[i++] - 48);
  const digits = i - digitsStart;
  if (digits === 0 || (digits > 1 && bytes[digitsStart] === 48)) return NOT_SHORT;
  const c = bytes[i];
  if (c === 46 /* . */ || c === 101 /* e */ || c === 69 /* E */ || digits > 15) {
    // Fractions, exponents and long integers: the same correctly rounded conversion
    // JSON.parse makes, from the number's text.
    while (i < end && ((bytes[i] >= 48 && bytes[i] <= 57) || bytes[i] === 46 || bytes[i] === 101 || bytes[i] === 69 || bytes[i] === 43 || bytes[i] === 45)) i++;
    const number = Number(textAt(bytes, start, i));
    if (Number.isNaN(number)) return NOT_SHORT;
    parseAt = i;
    return number;
  }
  parseAt = i;
  return negative ? -value : value;
}

// A handler's result as JSON text written straight into bytes (UTF-8), exactly as
// `JSON.stringify` writes it: for the small results most handlers return, the native
// call's fixed cost was the largest item of the JS side of a call. It reads every property
// once, in JSON.stringify's order (toJSON, then Object.keys, then each value); what it does
// not write itself it hands to JSON.stringify: an object that is not a plain object or
// array (class instances, Maps, boxed primitives) as a subtree, and a cycle, a BigInt or
// deep nesting as a whole (`NOT_WRITTEN`; those fail the task anyway).

/** Where `writeJson` writes: a scratch buffer that grows as needed, and the position in it. */
let jsonBytes = new Uint8Array(256);
let jsonAt = 0;

/** Thrown by the writer for the cases it leaves to JSON.stringify as a whole. */
const NOT_WRITTEN = Symbol("not written");

/** Nesting the writer handles; deeper values go to JSON.stringify (and the depth check). */
const WRITER_DEPTH = 32;

/** Ancestors of the object being written, for JSON.stringify's cycle error. */
const writing = [];

function reserve(bytes) {
  if (jsonAt + bytes <= jsonBytes.length) return;
  const grown = new Uint8Array(Math.max(2 * jsonBytes.length, jsonAt + bytes));
  grown.set(jsonBytes.subarray(0, jsonAt));
  jsonBytes = grown;
}

function writeAscii(text) {
  reserve(text.length);
  for (let i = 0; i < text.length; i++) jsonBytes[jsonAt++] = text.charCodeAt(i);
}

const HEX = "0123456789abcdef";

/** A string as JSON.stringify quotes it (escapes, lone surrogates as \\uXXXX), in UTF-8. */
function writeString(text) {
  const length = text.length;
  reserve(2 + 6 * length); // at most 6 bytes per UTF-16 unit (\uXXXX), quotes
  const bytes = jsonBytes;
  let at = jsonAt;
  bytes[at++] = 34;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x80) {
      if (c === 34 || c === 92) bytes[at++] = 92;
      bytes[at++] = c;
    } else if (c < 0x20) {
      bytes[at++] = 92;
      if (c === 8) bytes[at++] = 98; // \b
      else if (c === 9) bytes[at++] = 116; // \t
      else if (c === 10) bytes[at++] = 110; // \n
      else if (c === 12) bytes[at++] = 102; // \f
      else if (c === 13) bytes[at++] = 114; // \r
      else {
        bytes[at++] = 117; // \u00XX
        bytes[at++] = 48;
        bytes[at++] = 48;
        bytes[at++] = HEX.charCodeAt(c >> 4);
        bytes[at++] = HEX.charCodeAt(c & 15);
      }
    } else if (c < 0x800) {
      bytes[at++] = 0xc0 | (c >> 6);
      bytes[at++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < length ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const point = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        bytes[at++] = 0xf0 | (point >> 18);
        bytes[at++] = 0x80 | ((point >> 12) & 63);
        bytes[at++] = 0x80 | ((point >> 6) & 63);
        bytes[at++] = 0x80 | (point & 63);
        i++;
      } else {
        // A lone surrogate: escaped, as the well-formed JSON.stringify does.
        bytes[at++] = 92;
        bytes[at++] = 117;
        for (let shift = 12; shift >= 0; shift -= 4) bytes[at++] = HEX.charCodeAt((c >> shift) & 15);
      }
    } else {
      bytes[at++] = 0xe0 | (c >> 12);
      bytes[at++] = 0x80 | ((c >> 6) & 63);
      bytes[at++] = 0x80 | (c & 63);
    }
  }
  bytes[at++] = 34;
  jsonAt = at;
}

function writeNumber(n) {
  if ((n | 0) === n) {
    // A 32-bit integer (-0 included, written 0 as JSON.stringify does): integer
    // arithmetic, cheaper than the floating-point division below.
    reserve(11);
    let m = n;
    if (m < 0) {
      jsonBytes[jsonAt++] = 45;
      m = -m; // at most 2 ** 31: an unsigned 32-bit integer
    }
    let digits = 1;
    for (let rest = m; rest >= 10; rest = (rest / 10) >>> 0) digits++;
    jsonAt += digits;
    for (let at = jsonAt - 1; digits > 0; digits--, at--) {
      const next = (m / 10) >>> 0;
      jsonBytes[at] = 48 + (m - next * 10);
      m = next;
    }
    return;
  }
  if (n !== n || n === Infinity || n === -Infinity) return writeAscii("null");
  if (Number.isSafeInteger(n)) {
    reserve(17);
    if (n < 0) {
      jsonBytes[jsonAt++] = 45;
      n = -n;
    }
    // n === 0 covers -0, which JSON.stringify writes as 0. Digits from the last one.
    let digits = 1;
    for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    jsonAt += digits;
    for (let at = jsonAt - 1; digits > 0; digits--, at--) {
      jsonBytes[at] = 48 + (n % 10);
      n = Math.floor(n / 10);
    }
    return;
  }
  writeAscii(String(n));
}

/**
 * Writes the JSON of `value`, the property `key` of its holder, as JSON.stringify's
 * SerializeJSONProperty does; returns false where JSON.stringify writes nothing
 * (undefined, a function, a symbol).
 */
function writeProperty(key, value, depth) {
  const type = typeof value;
  if (value !== null && (type === "object" || type === "function" || type === "bigint")) {
    const toJSON = value.toJSON;
    if (typeof toJSON === "function") {
      value = toJSON.call(value, key);
      if (value !== null && typeof value === "object" && !isPlain(value)) throw NOT_WRITTEN;
    }
  }
  switch (typeof value) {
    case "string":
      writeString(value);
      return true;
    case "number":
      writeNumber(value);
      return true;
    case "boolean":
      writeAscii(value ? "true" : "false");
      return true;
    case "object":
      if (value === null) {
        writeAscii("null");
        return true;
      }
      if (!isPlain(value)) return writeNative(key, value);
      if (depth >= WRITER_DEPTH || writing.includes(value)) throw NOT_WRITTEN;
      writing.push(value);
      if (Array.isArray(value)) writeArray(value, depth);
      else writeObject(value, depth);
      writing.pop();
      return true;
    case "bigint":
      throw NOT_WRITTEN;
    default:
      return false; // undefined, function, symbol
  }
}

/** A plain object or array: what the writer serialises itself. */
function isPlain(value) {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || (proto === Array.prototype && Array.isArray(value));
}

function writeObject(object, depth) {
  reserve(1);
  jsonBytes[jsonAt++] = 123; // {
  let first = true;
  for (const key of Object.keys(object)) {
    const mark = jsonAt;
    if (!first) {
      reserve(1);
      jsonBytes[jsonAt++] = 44; // ,
    }
    writeString(key);
    reserve(1);
    jsonBytes[jsonAt++] = 58; // :
    if (writeProperty(key, object[key], depth + 1)) first = false;
    else jsonAt = mark; // nothing for undefined, functions, symbols
  }
  reserve(1);
  jsonBytes[jsonAt++] = 125; // }
}

function writeArray(array, depth) {
  reserve(1);
  jsonBytes[jsonAt++] = 91; // [
  const length = array.length;
  for (let i = 0; i < length; i++) {
    if (i > 0) {
      reserve(1);
      jsonBytes[jsonAt++] = 44; // ,
    }
    if (!writeProperty(String(i), array[i], depth + 1)) writeAscii("null");
  }
  reserve(1);
  jsonBytes[jsonAt++] = 93; // ]
}

/** Another kind of object (a class instance, Map, boxed primitive): JSON.stringify's. */
function writeNative(key, value) {
  const text = JSON.stringify({ [key]: value });
  const prefix = JSON.stringify(key).length + 2; // {"key":
  if (text.length <= prefix) return false; // "{}": nothing to write
  const json = text.slice(prefix, -1);
  if (json.length > 0) {
    // Its text may hold non-ASCII characters: written as the string writer would.
    for (let i = 0; i < json.length; i++) {
      if (json.charCodeAt(i) >= 0x80) {
        reserve(3 * json.length);
        jsonAt += utf8Encoder.encodeInto(json, jsonBytes.subarray(jsonAt)).written;
        return true;
      }
    }
    writeAscii(json);
  }
  return true;
}

/**
 * A handler's result as JSON.stringify (Lambda) writes it, in UTF-8 at jsonBytes[0,
 * return value); `undefined` (or a function) writes null. -1: JSON.stringify must do it
 * (`jsonText`), which is the case for a cycle, a BigInt or deep nesting.
 */
function writeResult(value) {
  jsonAt = 0;
  try {
    if (!writeProperty("", value, 0)) writeAscii("null");
  } catch (error) {
    writing.length = 0;
    if (error === NOT_WRITTEN) return -1;
    throw error;
  }
  return jsonAt;
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
 * The most recent handler call, kept alive on purpose. V8's optimised code refers to the
 * shapes (hidden classes) of the objects it handles weakly: once every call object,
 * handler context and handler input of an execution is garbage, a full GC drops their
 * shapes and throws away the optimised handler loop (and the user's optimised handler),
 * and the next execution recompiles it all (about 40% of a 10,000-call run). One
 * live call keeps every shape on its path (and its execution reachable until the next
 * call: one execution at most, whose wasm memory `run()` has already freed).
 */
let latestCall = null;

/**
 * The latest call's settle callbacks (#invoke), kept alive for the same reason: the
 * optimised code of a closure is held only by the closures that run it, and the
 * fulfilment callback's code inlines most of the handler loop. Once an execution's
 * callbacks are garbage, a full GC drops that code and the next execution compiles it
 * again (`--trace-opt`: once per run, about 1 ms of TurboFan each time).
 */
let latestFulfilled = null;
let latestRejected = null;

/** What #fullProgress returns when the execution has ended. */
const FINISHED = Symbol("finished");

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
  // The execution's scratch buffers in wasm memory (src/wasm.rs `ioInput`/`ioOutput`):
  // a byte view of the memory (replaced when the memory grows, which detaches it), where
  // handler results are written (#inputCapacity bytes at #inputAt) and where the
  // progress is read (#outputAt).
  #memory;
  #numbers; // Float64Array: the numbers of a compact progress (src/wasm.rs `io_numbers`)
  #numbersAt = 0;
  #inputAt = 0;
  #inputCapacity = 0;
  #outputAt = 0;
  #sites = []; // call site index -> {handler, kind, stateName, resource} (see #site)
  #handlers;
  #onEvent;
  #speed;
  #settle;
  #reject;
  // The calls running (with their context and timers), each at its `slot` here (-1 once
  // it is not): an array with swap-removal, since a Map's set + delete per call cost more
  // than the rest of the JS side of a call.
  #pending = [];
  #tokenCalls = new Map(); // effect id -> pending call, for calls with a task token
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
    this.#numbersAt = this.#run.ioNumbers();
    this.#refreshViews(this.#direct.target);
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

  /** Frees the wasm execution (see `StateMachine.run`); it must be finished. */
  [RELEASE]() {
    const { target, born } = this.#direct;
    if (this.#done && born === generation()) target.free();
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
    const call = this.#tokenCalls.get(id);
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
    const call = this.#tokenCalls.get(id);
    if (call) this.#clearPending(call);
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
   * `resumeId` >= 0: first deliver that handler's result (JSON text, or null when it is
   * in jsonBytes[0, jsonAt)), in the same crossing.
   */
  #pump(resumeId = -1, resumeText = null) {
    this.#scheduled = false;
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const external = this.#speed !== null;
    while (!this.#done) {
      if (this.#paused && this.#stepWaiters.length === 0) {
        if (resumeId >= 0) this.#resumeOk(resumeId, resumeText ?? textAt(jsonBytes, 0, jsonAt));
        return;
      }
      if (external) this.#run.advanceClock(this.#virtualNow());
      const stepping = this.#paused;
      const length = this.#drive(resumeId, resumeText, Boolean(this.#onEvent) || stepping, stepping ? 1 : 0);
      resumeId = -1;
      const at = this.#outputAt;
      let nextTimer;
      if (this.#numbers[0] === 1) {
        // The common case: handler calls only (src/wasm.rs `write_compact`).
        nextTimer = this.#compactProgress(at);
      } else {
        nextTimer = this.#fullProgress(at, at + length, stepping);
        if (nextTimer === FINISHED) return;
        if (stepping) continue;
      }
      if (external && nextTimer !== null) {
        // Wake at the next timer (in scaled real time) unless something pokes first.
        this.#timer = setTimeout(this.#pumpNow, Math.max(0, (nextTimer - this.#virtualNow()) / this.#speed));
      }
      return;
    }
  }

  /**
   * Acts on a progress in full (JSON: events, the outcome, calls with task tokens) at
   * #memory[start, end); returns its nextTimer, or FINISHED. (Apart from #pump: once a
   * run, at its end, so the loop's optimised code need not hold feedback for it.)
   */
  #fullProgress(start, end, stepping) {
    const progress = JSON.parse(textAt(this.#memory, start, end));
    if (progress.events) {
      for (const event of progress.events) this.#emit(event);
      if (stepping) this.#stepWaiters.shift()(progress.events);
    }
    if (progress.outcome) {
      this.#finish(progress.outcome);
      return FINISHED;
    }
    for (const call of progress.calls) this.#call(call, progress.now);
    for (const { id, token } of progress.tokens) this.#tokens.set(token, id);
    return progress.nextTimer;
  }

  /**
   * `driveIo()`, or `resumeIo()` with `resumeText` written to the input buffer first: the
   * wasm object called directly (see guard.js `unwrap`). Returns the progress's length;
   * it is at #outputAt in #memory.
   */
  #drive(resumeId, resumeText, withEvents, maxEvents) {
    const { target, born, what } = this.#direct;
    if (born !== generation()) throw staleError(what);
    try {
      let length =
        resumeId >= 0
          ? target.resumeIo(resumeId, this.#writeInput(target, resumeText), withEvents, maxEvents)
          : target.driveIo(withEvents, maxEvents);
      if (length < 0) {
        // The output buffer moved (it grew).
        length = -1 - length;
        this.#outputAt = target.ioOutput();
      }
      if (this.#memory.byteLength === 0) this.#refreshViews(target);
      return length;
    } catch (error) {
      rethrowTrap(error);
    }
  }

  /**
   * Writes a handler's result into the input buffer: `text`, or with null what
   * writeResult left in jsonBytes. Returns its length in bytes.
   */
  #writeInput(target, text) {
    if (text === null) {
      if (jsonAt > this.#inputCapacity) this.#growInput(target, jsonAt);
      if (this.#memory.byteLength === 0) this.#refreshViews(target);
      const memory = this.#memory;
      const at = this.#inputAt;
      // A loop for short results: a subarray and set() cost more.
      if (jsonAt <= 64) for (let i = 0; i < jsonAt; i++) memory[at + i] = jsonBytes[i];
      else memory.set(jsonBytes.subarray(0, jsonAt), at);
      return jsonAt;
    }
    const length = text.length;
    if (length > this.#inputCapacity) this.#growInput(target, length);
    if (this.#memory.byteLength === 0) this.#refreshViews(target);
    const memory = this.#memory;
    const at = this.#inputAt;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        // Not ASCII: TextEncoder, with room for 3 bytes per UTF-16 unit.
        if (3 * length > this.#inputCapacity) this.#growInput(target, 3 * length);
        return utf8Encoder.encodeInto(text, this.#memory.subarray(this.#inputAt, this.#inputAt + this.#inputCapacity)).written;
      }
      memory[at + i] = c;
    }
    return length;
  }

  #growInput(target, length) {
    this.#inputAt = target.ioInput(length);
    this.#inputCapacity = length;
    // Growing the buffer may have grown the memory.
    if (this.#memory.byteLength === 0) this.#refreshViews(target);
  }

  /**
   * Reads the short progress of src/wasm.rs `write_compact`: its numbers in #numbers
   * (NUMBERS_HEADER, then NUMBERS_PER_CALL per call), the calls' inputs one after the
   * other from #memory[start]. Makes the calls and returns nextTimer.
   */
  #compactProgress(start) {
    const numbers = this.#numbers;
    const now = numbers[1];
    const nextTimer = orNull(numbers[2]);
    const count = numbers[3];
    let at = start;
    for (let k = 0; k < count; k++) {
      // A handler called below may have grown the memory (detaching the views), not
      // moved the progress or the numbers: only this execution's drives write there.
      if (this.#memory.byteLength === 0) this.#refreshViews(this.#target());
      const n = NUMBERS_HEADER + k * NUMBERS_PER_CALL;
      const fields = this.#numbers;
      const id = fields[n];
      const siteIndex = fields[n + 1];
      const retryCount = fields[n + 2];
      const timeoutSeconds = orNull(fields[n + 3]);
      const heartbeatSeconds = orNull(fields[n + 4]);
      const end = at + fields[n + 5];
      const site = this.#site(siteIndex);
      // A site's first call asks the wasm for it, which may grow the memory too.
      if (this.#memory.byteLength === 0) this.#refreshViews(this.#target());
      const input = parseJsonAt(this.#memory, at, end);
      at = end;
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
        slot: -1,
      };
      this.#call(call, now, site.fn);
    }
    return nextTimer;
  }

  /** New views of the wasm memory, after it grew (which detaches the old ones). */
  #refreshViews(target) {
    const buffer = target.ioMemory().buffer;
    this.#memory = new Uint8Array(buffer);
    this.#numbers = new Float64Array(buffer, this.#numbersAt, NUMBERS_LENGTH);
  }

  /** What every call from a Task state shares, asked of the wasm once per state. */
  #site(index) {
    let site = this.#sites[index];
    if (site === undefined) {
      site = this.#sites[index] = JSON.parse(callWasm(() => this.#target().site(index)));
      // The handler, looked up once per site rather than by key per call.
      site.fn = this.#handlers[site.handler];
    }
    return site;
  }

  /**
   * The wasm object itself, as #drive uses it. Hot functions call this rather than #run:
   * the proxy's methods are closures made per execution, which optimised code would
   * hold, and lose (deoptimised) when the execution is collected.
   */
  #target() {
    const { target, born, what } = this.#direct;
    if (born !== generation()) throw staleError(what);
    return target;
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
    // Aborted in the order they started (swap-removal reorders the array).
    for (const call of this.#pending.slice().sort((a, b) => a.id - b.id)) this.#clearPending(call, true);
    this.#tokens.clear();
    if (this.#deadlineTimer !== null) clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = null;
    this.#deadlineAt = Infinity;
  }

  #clearPending(call, abort = false) {
    if (call.slot < 0) return;
    const last = this.#pending.pop();
    if (last !== call) {
      this.#pending[call.slot] = last;
      last.slot = call.slot;
    }
    call.slot = -1;
    if (call.taskToken) this.#tokenCalls.delete(call.id);
    // The shared deadline timer stays armed; it must not keep the process alive for
    // calls that are gone (node's timers have unref; browsers' are numbers).
    if (this.#pending.length === 0) this.#deadlineTimer?.unref?.();
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
    for (const call of this.#pending) {
      const at = due(call);
      if (at <= t) expired.push(call);
      else if (at < next) next = at;
    }
    expired.sort((a, b) => due(a) - due(b));
    try {
      for (const call of expired) {
        if (call.slot < 0) continue;
        const timedOut = (call.timeoutAt || Infinity) <= (call.heartbeatAt || Infinity);
        this.#clearPending(call, true);
        this.#run.advanceClock(call.now + (timedOut ? call.timeoutSeconds : call.heartbeatSeconds) * 1000);
      }
    } catch (error) {
      return this.#crash(error);
    }
    if (next < Infinity) this.#watchDeadlines(next);
    if (expired.length > 0) this.#poke();
  }

  /** Starts a handler call; the call object also holds its context and deadlines while pending. */
  #call(call, now, handler = this.#handlers[call.handler]) {
    const context = new HandlerContext(call, this.executionArn, this.#callbacks);
    call.context = context;
    latestCall = call;
    call.now = now;
    call.slot = this.#pending.length;
    this.#pending.push(call);
    if (call.taskToken) {
      this.#tokens.set(call.taskToken, call.id);
      this.#tokenCalls.set(call.id, call);
    }
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
    this.#invoke(handler ?? (NESTED_RESOURCES.includes(call.handler) ? (input) => this.#startChild(call, input) : undefined), call, context);
  }

  /**
   * Calls the handler and answers the task with what it returns or throws, delivered as
   * `await` would (a promise's outcome when it settles, a plain value a tick later, a
   * synchronous throw at once); an internal error ends the run (#crash). Not an async
   * function: its own promise and resumption cost more than the rest of the call.
   */
  #invoke(handler, call, context) {
    let outcome;
    try {
      outcome = handler(call.input, context);
    } catch (error) {
      this.#settled(call, error, true);
      return;
    }
    const fulfilled = (value) => this.#settled(call, value, false);
    const rejected = (error) => this.#settled(call, error, true);
    latestFulfilled = fulfilled;
    latestRejected = rejected;
    Promise.resolve(outcome).then(fulfilled, rejected);
  }

  #settled(call, outcome, threw) {
    try {
      if (threw) this.#answerError(call, outcome);
      else this.#answer(call, outcome);
    } catch (error) {
      this.#crash(error);
    }
  }

  /** The handler threw: the task fails, as DESIGN.md "Handlers" describes. */
  #answerError(call, error) {
    if (call.slot < 0 || this.#done) return;
    this.#clearPending(call);
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
    if (call.slot < 0 || this.#done) return;
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
    this.#clearPending(call);
    // The JSON text, or null when it is in jsonBytes (writeResult).
    let text = null;
    try {
      if (writeResult(value) < 0) text = jsonText(value);
    } catch (error) {
      this.#run.resumeError(call.id, "States.Runtime", `The handler's result is not JSON-serialisable: ${error.message}`);
      this.#poke();
      return;
    }
    if (!this.#scheduled && this.#pending.length === 0 && this.#speed === null) {
      // The only task running just finished (a Task loop): resume and drive now, in one
      // crossing, rather than a microtask later. With other tasks still running, results
      // settling in the same tick are delivered together by one queued pump, as before.
      this.#pump(call.id, text);
      return;
    }
    this.#resumeOk(call.id, text ?? textAt(jsonBytes, 0, jsonAt));
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
