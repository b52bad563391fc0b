// The data-driven execution cases (DESIGN.md "Tests", STYLE.md "Tests are data").
//
// Each directory tests/cases/<area>/<name>/ that holds a definition.json is one case:
//   definition.json   the state machine
//   input.json        the execution input (optional; default {})
//   handlers.mjs      an ES module whose default export is the handlers map (optional)
//   options.json      execution options (optional): "type" goes to the StateMachine,
//                     everything else (startDate, name, seed, maxTransitions...) to run()
//   expected.json     { status, output?, error?, cause?, history: [{type, stateName?, at?, details?}] }
//
// The case runs through the public JS API and is compared with expected.json:
// status, output, error and cause (an absent key must be absent); the history event by
// event: type, the state name of StateEntered/StateExited events, the elapsed virtual
// time `at` (seconds since the start, omitted when 0), and the kept details (KEPT_DETAILS
// below; JSON text in events is compared as JSON, an absent detail must be absent). Random values are masked: UUIDs become "<uuid>", a Node.js Lambda error's
// `trace` becomes "<trace>", the HTTP Date header of lambda:invoke becomes "<http-date>".
//
//   node --test tests/node/cases.test.mjs
//   CASES=map/ node --test tests/node/cases.test.mjs          # cases whose id contains "map/"
//   UPDATE_GOLDEN=1 node --test tests/node/cases.test.mjs     # rewrite expected.json files
//
// After UPDATE_GOLDEN=1, read every diff and judge it against AWS's documented behaviour.
// When the engine is wrong, keep the correct expected.json and list the case in
// tests/cases/known_failures.json ({"<area>/<name>": "reason"}): it is then reported as
// a TODO, never as passed, and it fails once it passes (so the entry gets removed).
// UPDATE_GOLDEN never rewrites a known failure's expected.json.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// STATELAB_CORE=1 (tests/node/core-cases.test.mjs): the browser's core module, built
// without JSONata; the cases that need JSONata are skipped there.
const CORE = Boolean(process.env.STATELAB_CORE);
const { StateMachine, needsJsonata } = await import(CORE ? "./core-entry.mjs" : "../../js/node.js");

const CASES_DIR = fileURLToPath(new URL("../cases/", import.meta.url));
const KNOWN_FAILURES_FILE = join(CASES_DIR, "known_failures.json");
const UPDATE = Boolean(process.env.UPDATE_GOLDEN);
const FILTER = process.env.CASES ?? "";

const DEFAULT_OPTIONS = { startDate: "2024-01-01T00:00:00Z", name: "case-execution" };

// The details kept from an event's `<x>EventDetails`; JSON-text fields are parsed.
const KEPT_DETAILS = ["input", "output", "error", "cause", "index", "length", "resource", "resourceType", "parameters", "timeoutInSeconds", "heartbeatInSeconds"];
const JSON_TEXT_DETAILS = new Set(["input", "output", "parameters"]);

// A version-4 UUID (States.UUID, request ids); another shape is not masked, so it shows.
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/gi;

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`${relative(process.cwd(), path)}: ${error.message}`);
  }
}

/** Every directory under tests/cases that holds a definition.json, sorted. */
function caseDirectories(dir) {
  const found = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (!statSync(path).isDirectory()) continue;
    if (existsSync(join(path, "definition.json"))) found.push(path);
    else found.push(...caseDirectories(path));
  }
  return found;
}

/** A string with its random parts replaced by placeholders. */
function maskString(text) {
  const masked = text.replace(UUID, "<uuid>");
  if (!masked.startsWith("{") || !masked.includes('"trace"')) return masked;
  // The cause of a Node.js Lambda error: compact JSON text whose `trace` holds file
  // paths. Only text that is exactly JSON.stringify's is rewritten, so that a change of
  // format (spacing, key order) still shows in the comparison.
  try {
    const value = JSON.parse(masked);
    if (value && typeof value === "object" && Array.isArray(value.trace) && JSON.stringify(value) === masked) {
      value.trace = "<trace>";
      return JSON.stringify(value);
    }
  } catch {
    // not JSON: keep the text
  }
  return masked;
}

// The HTTP Date header of a lambda:invoke response (the time of the call). Masked so that
// every lambda:invoke golden does not depend on it; task/lambda-invoke-date-header checks
// it inside the state machine (with a Choice), where no mask applies.
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/;

function mask(value, key) {
  if (typeof value === "string") return key === "Date" && HTTP_DATE.test(value) ? "<http-date>" : maskString(value);
  if (Array.isArray(value)) return value.map((item) => mask(item, key));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, k)]));
  }
  return value;
}

function parseJsonText(text) {
  if (typeof text !== "string") return text;
  try {
    return JSON.parse(text);
  } catch {
    return { unparsedJsonText: text };
  }
}

/** An AWS history event as it is kept in a golden file. */
function normaliseEvent(event, startMs) {
  const result = { type: event.type };
  const detailsKey = Object.keys(event).find((key) => key.endsWith("EventDetails"));
  const raw = detailsKey ? event[detailsKey] : undefined;
  if (raw && typeof raw.name === "string" && /State(Entered|Exited)$/.test(event.type)) result.stateName = raw.name;
  const elapsed = (Date.parse(event.timestamp) - startMs) / 1000;
  if (elapsed) result.at = elapsed;
  if (raw) {
    const details = {};
    for (const key of KEPT_DETAILS) {
      if (!(key in raw)) continue;
      details[key] = mask(JSON_TEXT_DETAILS.has(key) ? parseJsonText(raw[key]) : raw[key]);
    }
    if (Object.keys(details).length) result.details = details;
  }
  return result;
}

async function runCase(dir) {
  const definition = readJson(join(dir, "definition.json"));
  const input = existsSync(join(dir, "input.json")) ? readJson(join(dir, "input.json")) : {};
  const { type, ...options } = existsSync(join(dir, "options.json")) ? readJson(join(dir, "options.json")) : {};
  let handlers = {};
  if (existsSync(join(dir, "handlers.mjs"))) handlers = (await import(pathToFileURL(join(dir, "handlers.mjs")).href)).default;
  const machine = new StateMachine(definition, type ? { type } : undefined);
  const runOptions = { ...DEFAULT_OPTIONS, ...options, handlers };
  const execution = machine.start(input, runOptions);
  const result = await execution.result;
  const startMs = Date.parse(result.startDate);
  const actual = { status: result.status };
  for (const key of ["output", "error", "cause"]) if (key in result) actual[key] = mask(result[key]);
  actual.history = execution.history().map((event) => normaliseEvent(event, startMs));
  return actual;
}

/** Differences between a golden and a run, as readable lines (empty: they agree). */
function compare(expected, actual) {
  const diffs = [];
  const show = (v) => (v === undefined ? "(absent)" : JSON.stringify(v));
  const same = (a, b) => {
    try {
      assert.deepStrictEqual(a, b);
      return true;
    } catch {
      return false;
    }
  };
  if (expected.status !== actual.status) diffs.push(`status: expected ${show(expected.status)}, got ${show(actual.status)}`);
  for (const key of ["output", "error", "cause"]) {
    if (!same(expected[key], actual[key])) diffs.push(`${key}: expected ${show(expected[key])}, got ${show(actual[key])}`);
  }
  if (!Array.isArray(expected.history)) {
    diffs.push("expected.json has no history (run with UPDATE_GOLDEN=1, then read the diff)");
    return diffs;
  }
  const count = Math.max(expected.history.length, actual.history.length);
  for (let i = 0; i < count; i++) {
    const want = expected.history[i];
    const got = actual.history[i];
    const where = `history[${i}]`;
    if (!want || !got) {
      diffs.push(`${where}: expected ${show(want)}, got ${show(got)}`);
      continue;
    }
    if (want.type !== got.type || want.stateName !== got.stateName) {
      diffs.push(`${where}: expected ${want.type}${want.stateName ? ` "${want.stateName}"` : ""}, got ${got.type}${got.stateName ? ` "${got.stateName}"` : ""}`);
      continue;
    }
    if ((want.at ?? 0) !== (got.at ?? 0)) diffs.push(`${where} ${want.type}: expected at +${want.at ?? 0}s, got +${got.at ?? 0}s`);
    const keys = new Set([...Object.keys(want.details ?? {}), ...Object.keys(got.details ?? {})]);
    for (const key of keys) {
      const [wantValue, gotValue] = [want.details?.[key], got.details?.[key]];
      if (!same(wantValue, gotValue)) diffs.push(`${where} ${want.type}.${key}: expected ${show(wantValue)}, got ${show(gotValue)}`);
    }
  }
  return diffs;
}

const knownFailures = existsSync(KNOWN_FAILURES_FILE) ? readJson(KNOWN_FAILURES_FILE) : {};
const directories = caseDirectories(CASES_DIR);
const ids = new Set(directories.map((dir) => relative(CASES_DIR, dir).split(sep).join("/")));

test("known_failures.json names existing cases", () => {
  const missing = Object.keys(knownFailures).filter((id) => !ids.has(id));
  assert.deepEqual(missing, [], "entries in tests/cases/known_failures.json without a case directory");
});

for (const dir of directories) {
  const id = relative(CASES_DIR, dir).split(sep).join("/");
  if (FILTER && !id.includes(FILTER)) continue;
  const known = knownFailures[id];
  test(id, async (t) => {
    if (CORE && needsJsonata(readJson(join(dir, "definition.json")))) return t.skip("uses JSONata: not in the core module");
    const expectedPath = join(dir, "expected.json");
    const actual = await runCase(dir);
    if (UPDATE && !known) {
      writeFileSync(expectedPath, JSON.stringify(actual, null, 2) + "\n");
      return;
    }
    const expected = existsSync(expectedPath) ? readJson(expectedPath) : {};
    const diffs = compare(expected, actual);
    if (known) {
      if (diffs.length === 0) assert.fail(`${id} passes now: remove it from tests/cases/known_failures.json`);
      t.todo(`known failure: ${known}\n${diffs.join("\n")}`);
      return;
    }
    if (diffs.length) assert.fail(`${id} differs from expected.json:\n${diffs.join("\n")}`);
  });
}
