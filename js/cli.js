#!/usr/bin/env node
// The `statelab` command (DESIGN.md "The CLI"): run a definition, validate definitions,
// run the test cases of a Step Functions Local MockConfigFile. A thin consumer of the
// public JS API (./node.js), node built-ins only. The engine is loaded lazily, so that
// `--help` and usage errors answer without instantiating the wasm.
//
// Exit codes: 0 ok; 1 an execution did not succeed, a definition is invalid or a test
// case failed; 2 a usage error (bad arguments, unreadable files, unsupported feature).

import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { isDeepStrictEqual, parseArgs } from "node:util";
import { pathToFileURL } from "node:url";

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

/** A bad invocation: printed with a pointer to --help, exit code 2. */
class UsageError extends Error {}

/** A failure to report by its message alone (no stack), exit code 1. */
class PlainError extends Error {}

// ---------------------------------------------------------------------------------------
// Output: colour only on a terminal, and never when NO_COLOR is set.
// ---------------------------------------------------------------------------------------

function painter(stream) {
  const enabled = Boolean(stream.isTTY) && !process.env.NO_COLOR;
  const code = (open, close) => (text) => (enabled ? `\x1b[${open}m${text}\x1b[${close}m` : String(text));
  return {
    bold: code(1, 22),
    dim: code(2, 22),
    red: code(31, 39),
    green: code(32, 39),
    yellow: code(33, 39),
    cyan: code(36, 39),
  };
}

const out = painter(process.stdout);
const err = painter(process.stderr);

function print(text = "") {
  process.stdout.write(`${text}\n`);
}

function printError(text) {
  process.stderr.write(`${text}\n`);
}

function printJson(value) {
  print(JSON.stringify(value, null, 2));
}

// ---------------------------------------------------------------------------------------
// Help
// ---------------------------------------------------------------------------------------

const HELP = {
  main: `statelab — run AWS Step Functions state machines (Amazon States Language) locally

Usage:
  statelab run definition.asl.json [--input FILE|-] [--handlers handlers.mjs] [options]
  statelab validate FILE... [--json]
  statelab test MockConfigFile.json --definition definition.asl.json [options]

Commands:
  run        run an execution and print its status, output or error
  validate   check definitions; prints file:line:col: error[CODE]: message
  test       run each test case of a Step Functions Local MockConfigFile

Options:
  -h, --help      help for statelab or for a command (statelab run --help)
  -v, --version   print the version

Exit codes: 0 ok; 1 execution failed, definition invalid or test failed; 2 usage error.
Colour is used only when the output is a terminal and NO_COLOR is not set.`,

  run: `Usage: statelab run definition.asl.json [options]

Runs one execution of the state machine and prints its status, then its output
(SUCCEEDED) or its error and cause.

Options:
  --input FILE|-         the execution input, JSON (- reads stdin); default {}
  --handlers FILE        an ES module whose exports are the Task handlers: a default
                         export object, or named exports. Keys: state name, Resource
                         ARN, Lambda function name, or "*"
  --clock MODE           virtual (default: waits take no time), real, or a number:
                         real time sped up by that factor
  --history              print the execution's event history as a table
  --json                 print one JSON object: {status, output, error, cause,
                         executionArn, startDate, stopDate[, history]}
  --type TYPE            STANDARD (default) or EXPRESS
  --name NAME            the state machine's name (default: from the file name)
  --execution-name NAME  the execution's name (default: a random UUID)
  --max-transitions N    stop an endless loop after N state transitions (default 250000)
  --mocks FILE           a Step Functions Local MockConfigFile ...
  --test-case NAME       ... and the test case of it to run (its state machine:
                         --name, the only one, or the one named like the file)
  -h, --help             this help

Exit codes: 0 SUCCEEDED; 1 FAILED, TIMED_OUT, ABORTED or an invalid definition;
2 usage error.`,

  validate: `Usage: statelab validate FILE... [options]

Checks state machine definitions as AWS would (- reads one from stdin). Prints each
problem as
  file:line:col: error[CODE]: message
(warnings as warning[CODE]) and a summary on stderr.

Options:
  --json        print {valid, files: [{file, valid, diagnostics}]} instead
  --type TYPE   STANDARD (default) or EXPRESS
  -h, --help    this help

Exit codes: 0 every file is valid (warnings allowed); 1 a file is invalid;
2 usage error (or a file cannot be read).`,

  test: `Usage: statelab test MockConfigFile.json --definition definition.asl.json [options]

Runs the test cases of a Step Functions Local MockConfigFile against a definition,
with the mocked responses standing in for the mocked states. A test case passes when
its execution SUCCEEDED, or, with --expected, when it ends as expected.

Options:
  --definition FILE     the state machine definition (required)
  --state-machine NAME  which StateMachines entry of the MockConfigFile to use
                        (default: the only one, or the one named like the file)
  --test-case NAME      run only this test case (repeatable)
  --expected FILE       JSON {"<test case>": {status?, output?, error?, cause?}}: what
                        each test case must end with (default: status SUCCEEDED)
  --input FILE|-        the execution input, JSON (- reads stdin); default {}
  --handlers FILE       handlers for the states that are not mocked (as in run)
  --type TYPE           STANDARD (default) or EXPRESS
  --json                print {stateMachine, passed, failed, testCases: [...]}
  -h, --help            this help

Exit codes: 0 every test case passed; 1 a test case failed, or a file is invalid;
2 usage error, or MockConfigFile support missing from the engine.`,
};

// ---------------------------------------------------------------------------------------
// Arguments and files
// ---------------------------------------------------------------------------------------

function parse(args, options) {
  try {
    return parseArgs({ args, options: { help: { type: "boolean", short: "h" }, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    if (typeof error.code === "string" && error.code.startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError(error.message.split(". To specify")[0]);
    }
    throw error;
  }
}

function readText(file, what) {
  try {
    return file === "-" ? readFileSync(0, "utf8") : readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file === "-" ? "from stdin" : file}: ${error.code ?? error.message}`);
  }
}

function readJson(file, what) {
  const text = readText(file, what);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} ${file === "-" ? "(stdin)" : file} is not JSON: ${error.message}`);
  }
}

function machineType(value) {
  if (value === undefined) return undefined;
  const type = value.toUpperCase();
  if (type !== "STANDARD" && type !== "EXPRESS") throw new UsageError(`--type must be STANDARD or EXPRESS, got "${value}"`);
  return type;
}

function clockOption(value) {
  if (value === undefined || value === "virtual") return undefined;
  if (value === "real") return "real";
  const speed = Number(value.replace(/x$/i, ""));
  if (Number.isFinite(speed) && speed > 0) return { speed };
  throw new UsageError(`--clock must be virtual, real or a speed-up factor such as 10, got "${value}"`);
}

function positiveInteger(value, option) {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) throw new UsageError(`${option} must be a positive integer, got "${value}"`);
  return number;
}

/** A state machine name from a file name: definition.asl.json -> definition. */
function nameFromFile(file) {
  const stem = basename(file).replace(/\.json$/i, "").replace(/\.asl$/i, "");
  const name = stem.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 80);
  return name || "StateMachine";
}

/** The public API, loaded on first use (instantiates the wasm). */
async function loadApi() {
  try {
    return await import("./node.js");
  } catch (error) {
    if (error.code === "ENOENT" || error.code === "ERR_MODULE_NOT_FOUND") {
      throw new PlainError(`statelab: the engine is missing (${error.message}); build it with \`npm run build\``);
    }
    throw error;
  }
}

/** The handlers map of an ES module: its default export object, or its named exports. */
async function loadHandlers(file) {
  if (file === undefined) return undefined;
  let module;
  try {
    module = await import(pathToFileURL(resolve(file)).href);
  } catch (error) {
    throw new UsageError(`cannot load --handlers ${file}: ${error.message}`);
  }
  const fallback = module.default;
  const useDefault = fallback !== null && typeof fallback === "object";
  const source = useDefault ? fallback : Object.fromEntries(Object.entries(module).filter(([key]) => key !== "default"));
  const handlers = {};
  for (const [key, value] of Object.entries(source)) {
    if (typeof value !== "function") {
      throw new UsageError(`--handlers ${file}: export "${key}" is ${value === null ? "null" : typeof value}, not a function`);
    }
    handlers[key] = value;
  }
  if (Object.keys(handlers).length === 0) {
    throw new UsageError(`--handlers ${file} exports no handlers: export functions by name, or a default object of functions`);
  }
  return handlers;
}

// ---------------------------------------------------------------------------------------
// Diagnostics
// ---------------------------------------------------------------------------------------

/** `file:line:col: error[CODE]: message`, the format of compilers and editors. */
function formatDiagnostic(file, d, paint) {
  const where = d.range ? `${file}:${d.range.start.line}:${d.range.start.column}` : file;
  const label = d.severity === "error" ? paint.red(paint.bold(`error[${d.code}]`)) : paint.yellow(paint.bold(`warning[${d.code}]`));
  const at = d.range || !d.path ? "" : paint.dim(` (at ${d.path})`);
  return `${paint.bold(where)}: ${label}: ${d.message}${at}`;
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** Compiles a definition; prints its diagnostics and returns null when AWS would reject it. */
function compile(api, file, text, options, json) {
  try {
    return new api.StateMachine(text, options);
  } catch (error) {
    if (!(error instanceof api.ValidationError)) throw error;
    if (json) printJson({ file, valid: false, diagnostics: error.diagnostics });
    else for (const d of error.diagnostics) printError(formatDiagnostic(file, d, err));
    if (!json) printError(`${file}: invalid definition (${plural(error.diagnostics.filter((d) => d.severity === "error").length, "error")})`);
    return null;
  }
}

// ---------------------------------------------------------------------------------------
// statelab validate
// ---------------------------------------------------------------------------------------

async function validateCommand(args) {
  const { values, positionals } = parse(args, { json: { type: "boolean" }, type: { type: "string" } });
  if (values.help) return help("validate");
  if (positionals.length === 0) throw new UsageError("no file to validate");
  const type = machineType(values.type);
  const api = await loadApi();

  const files = [];
  let unreadable = false;
  for (const file of positionals) {
    let text;
    try {
      text = readFileSync(file === "-" ? 0 : file, "utf8");
    } catch (error) {
      unreadable = true;
      files.push({ file, valid: false, error: `cannot read: ${error.code ?? error.message}`, diagnostics: [] });
      if (!values.json) printError(`${err.bold(file)}: ${err.red(err.bold("error"))}: cannot read: ${error.code ?? error.message}`);
      continue;
    }
    const { valid, diagnostics } = api.validate(text, type ? { type } : undefined);
    files.push({ file, valid, diagnostics });
    if (!values.json) for (const d of diagnostics) print(formatDiagnostic(file, d, out));
  }

  const valid = files.every((f) => f.valid);
  if (values.json) {
    printJson({ valid, files });
  } else {
    const all = files.flatMap((f) => f.diagnostics);
    const errors = all.filter((d) => d.severity === "error").length;
    const warnings = all.length - errors;
    const invalid = files.filter((f) => !f.valid).length;
    const verdict = invalid ? err.red(`${invalid} invalid`) : err.green("all valid");
    printError(`${plural(files.length, "file")} checked: ${verdict} (${plural(errors, "error")}, ${plural(warnings, "warning")})`);
  }
  if (unreadable) return EXIT_USAGE;
  return valid ? EXIT_OK : EXIT_FAILED;
}

// ---------------------------------------------------------------------------------------
// MockConfigFile
// ---------------------------------------------------------------------------------------

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

/** The problems of a MockConfigFile's structure (Step Functions Local's format). */
function mockConfigProblems(config) {
  if (!isObject(config)) return ["the MockConfigFile must be a JSON object with StateMachines and MockedResponses"];
  const problems = [];
  const responses = isObject(config.MockedResponses) ? config.MockedResponses : {};
  if (!isObject(config.StateMachines)) problems.push('"StateMachines" must be an object: state machine name -> {"TestCases": {...}}');
  if (config.MockedResponses !== undefined && !isObject(config.MockedResponses)) problems.push('"MockedResponses" must be an object');
  for (const [machine, entry] of Object.entries(isObject(config.StateMachines) ? config.StateMachines : {})) {
    if (!isObject(entry) || !isObject(entry.TestCases)) {
      problems.push(`/StateMachines/${machine}: "TestCases" must be an object: test case name -> {state name: mocked response name}`);
      continue;
    }
    for (const [testCase, states] of Object.entries(entry.TestCases)) {
      if (!isObject(states)) {
        problems.push(`/StateMachines/${machine}/TestCases/${testCase} must be an object: state name -> mocked response name`);
        continue;
      }
      for (const [state, response] of Object.entries(states)) {
        if (typeof response !== "string") problems.push(`/StateMachines/${machine}/TestCases/${testCase}/${state} must name a mocked response`);
        else if (!(response in responses)) {
          const known = Object.keys(responses);
          problems.push(`/StateMachines/${machine}/TestCases/${testCase}/${state}: mocked response "${response}" does not exist; MockedResponses are: ${known.join(", ") || "(none)"}`);
        }
      }
    }
  }
  for (const [name, attempts] of Object.entries(responses)) {
    if (!isObject(attempts)) {
      problems.push(`/MockedResponses/${name} must be an object: attempt ("0", "1-2", ...) -> {"Return": ...} or {"Throw": {...}}`);
      continue;
    }
    for (const [key, answer] of Object.entries(attempts)) {
      if (!/^\d+(-\d+)?$/.test(key)) problems.push(`/MockedResponses/${name}/${key}: an attempt key is a number or a range such as "1-2"`);
      const hasReturn = isObject(answer) && "Return" in answer;
      const hasThrow = isObject(answer) && "Throw" in answer;
      if (hasReturn === hasThrow) problems.push(`/MockedResponses/${name}/${key} must have exactly one of "Return" and "Throw"`);
      else if (hasThrow && (!isObject(answer.Throw) || typeof answer.Throw.Error !== "string")) {
        problems.push(`/MockedResponses/${name}/${key}/Throw must be {"Error": string, "Cause"?: string}`);
      }
    }
  }
  return problems;
}

/**
 * Does this engine honour the `mocks`/`testCase` execution options? Older engines accept
 * and ignore them, so ask by running a one-state machine whose Lambda has no handler:
 * only a mock can make it succeed with the mocked value.
 */
async function mocksSupported(api) {
  const marker = { statelabMockProbe: true };
  const definition = {
    StartAt: "Probe",
    States: { Probe: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:statelab-probe", End: true } },
  };
  const mocks = {
    StateMachines: { StatelabProbe: { TestCases: { Probe: { Probe: "ProbeResponse" } } } },
    MockedResponses: { ProbeResponse: { 0: { Return: marker } } },
  };
  try {
    const machine = new api.StateMachine(definition, { name: "StatelabProbe" });
    const result = await machine.run({}, { mocks, testCase: "Probe" });
    return result.status === "SUCCEEDED" && isDeepStrictEqual(result.output, marker);
  } catch {
    return false;
  }
}

function mocksUnsupported(command) {
  printError(
    `statelab ${command}: MockConfigFile test cases are not supported yet: this version of the engine does not ` +
      "apply the `mocks`/`testCase` execution options, so no test case can run. Use --handlers to stand in for tasks meanwhile.",
  );
  return EXIT_USAGE;
}

// ---------------------------------------------------------------------------------------
// statelab run
// ---------------------------------------------------------------------------------------

/** A short description of an event for the history table. */
function eventDetail(event) {
  const key = Object.keys(event).find((k) => k.endsWith("EventDetails"));
  const details = key ? event[key] : {};
  if (typeof details.name === "string" && event.type.endsWith("Exited")) return details.name;
  if (typeof details.name === "string" && event.type.endsWith("Entered")) return details.name;
  if (typeof details.error === "string") return details.cause === undefined ? details.error : `${details.error}: ${oneLine(details.cause)}`;
  if (event.type.startsWith("MapIteration")) return `${details.name ?? ""}[${details.index ?? "?"}]`;
  if (typeof details.length === "number") return `${details.length} items`;
  if (typeof details.resource === "string") return details.resourceType ? `${details.resourceType}:${details.resource}` : details.resource;
  return "";
}

function oneLine(text, max = 80) {
  const flat = String(text).replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function elapsed(from, to) {
  const ms = Date.parse(to) - Date.parse(from);
  if (!Number.isFinite(ms)) return "";
  return ms < 1000 ? `+${ms}ms` : `+${(ms / 1000).toFixed(3)}s`;
}

function printHistory(history) {
  if (history.length === 0) return;
  const start = history[0].timestamp;
  const rows = history.map((e) => [String(e.id), String(e.previousEventId), e.type, elapsed(start, e.timestamp), eventDetail(e)]);
  const header = ["ID", "PREV", "TYPE", "TIME", "DETAIL"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells, style = (s) => s) =>
    cells
      .map((cell, i) => (i < 2 ? cell.padStart(widths[i]) : i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
      .map(style)
      .join("  ")
      .trimEnd();
  print(line(header, out.dim));
  for (const row of rows) {
    const failed = /Failed|TimedOut|Aborted/.test(row[2]);
    print(line(row, failed ? out.red : (s) => s));
  }
  print();
}

function statusColour(status, paint) {
  return status === "SUCCEEDED" ? paint.green(paint.bold(status)) : status === "RUNNING" ? paint.cyan(status) : paint.red(paint.bold(status));
}

/** A cause that is JSON (a Lambda error payload) printed readably; other text as is. */
function formatCause(cause) {
  try {
    const value = JSON.parse(cause);
    if (isObject(value) || Array.isArray(value)) return JSON.stringify(value, null, 2);
  } catch {
    // not JSON: plain text
  }
  return cause;
}

/**
 * Starts an execution and waits for its result; Ctrl-C stops it (ABORTED), a second
 * Ctrl-C quits. Input the API refuses (InvalidExecutionInput) is reported, no execution.
 */
async function execute(machine, input, options) {
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  let execution;
  try {
    execution = machine.start(input, options);
  } catch (error) {
    if (error.code !== "InvalidExecutionInput") throw error;
    printError(`statelab: ${error.code}: ${error.message}`);
    return {};
  }
  const onInterrupt = () => {
    process.once("SIGINT", () => process.exit(130));
    execution.stop();
  };
  process.once("SIGINT", onInterrupt);
  // A handler may wait on nothing that keeps Node's event loop alive (a promise that never
  // settles, a task token no one can send here): keep the process up until the result.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const result = await execution.result;
  clearInterval(keepAlive);
  process.removeListener("SIGINT", onInterrupt);
  return { execution, result };
}

function printResult(result) {
  print(`${statusColour(result.status, out)}  ${out.dim(result.executionArn)}`);
  if ("output" in result) print(JSON.stringify(result.output, null, 2));
  if (result.error !== undefined) print(`${out.bold("error:")} ${result.error}`);
  if (result.cause !== undefined) print(`${out.bold("cause:")} ${formatCause(result.cause)}`);
}

async function runCommand(args) {
  const { values, positionals } = parse(args, {
    input: { type: "string" },
    handlers: { type: "string" },
    clock: { type: "string" },
    history: { type: "boolean" },
    json: { type: "boolean" },
    type: { type: "string" },
    name: { type: "string" },
    "execution-name": { type: "string" },
    "max-transitions": { type: "string" },
    mocks: { type: "string" },
    "test-case": { type: "string" },
  });
  if (values.help) return help("run");
  if (positionals.length === 0) throw new UsageError("no definition file to run");
  if (positionals.length > 1) throw new UsageError(`one definition at a time, got ${positionals.length}: ${positionals.join(" ")}`);
  if ((values.mocks === undefined) !== (values["test-case"] === undefined)) throw new UsageError("--mocks and --test-case go together");
  const [file] = positionals;
  const type = machineType(values.type);
  const clock = clockOption(values.clock);
  const maxTransitions = positiveInteger(values["max-transitions"], "--max-transitions");
  const text = readText(file, "the definition");
  const input = values.input === undefined ? {} : readJson(values.input, "--input");
  const mocks = values.mocks === undefined ? undefined : readJson(values.mocks, "--mocks");
  if (mocks !== undefined) {
    const problems = mockConfigProblems(mocks);
    if (problems.length) throw new UsageError(`--mocks ${values.mocks} is not a valid MockConfigFile:\n  ${problems.join("\n  ")}`);
  }
  const name = mocks ? chooseMachine(mocks, values.name, file, "--name") : (values.name ?? nameFromFile(file));
  if (mocks && !Object.hasOwn(mocks.StateMachines[name].TestCases, values["test-case"])) {
    const known = Object.keys(mocks.StateMachines[name].TestCases);
    throw new UsageError(`no test case "${values["test-case"]}" for ${name} in ${values.mocks}; test cases are: ${known.join(", ")}`);
  }
  const handlers = await loadHandlers(values.handlers);
  const api = await loadApi();
  if (mocks !== undefined && !(await mocksSupported(api))) return mocksUnsupported("run");

  const machine = compile(api, file, text, { name, ...(type && { type }) }, values.json);
  if (!machine) return EXIT_FAILED;

  const options = { handlers, clock, name: values["execution-name"], maxTransitions, mocks, testCase: values["test-case"] };
  const { execution, result } = await execute(machine, input, options);
  if (!execution) return EXIT_FAILED;
  if (values.json) {
    printJson(values.history ? { ...result, history: execution.history() } : result);
  } else {
    if (values.history) printHistory(execution.history());
    printResult(result);
  }
  return result.status === "SUCCEEDED" ? EXIT_OK : EXIT_FAILED;
}

// ---------------------------------------------------------------------------------------
// statelab test
// ---------------------------------------------------------------------------------------

/** The ways a result differs from what a test case expects (empty when it passes). */
function expectationProblems(expected, result) {
  const problems = [];
  const status = expected.status ?? "SUCCEEDED";
  if (result.status !== status) {
    const why = result.error === undefined ? "" : ` (${result.error}${result.cause === undefined ? "" : `: ${oneLine(result.cause)}`})`;
    problems.push(`expected status ${status}, got ${result.status}${why}`);
  }
  if ("output" in expected && !isDeepStrictEqual(expected.output, result.output)) {
    problems.push(`expected output ${oneLine(JSON.stringify(expected.output))}, got ${oneLine(JSON.stringify(result.output))}`);
  }
  for (const key of ["error", "cause"]) {
    if (key in expected && expected[key] !== result[key]) problems.push(`expected ${key} ${JSON.stringify(expected[key])}, got ${JSON.stringify(result[key])}`);
  }
  return problems;
}

/** The StateMachines entry of a MockConfigFile to use: as requested, the only one, or the file's. */
function chooseMachine(config, requested, definitionFile, option) {
  const names = Object.keys(config.StateMachines);
  if (requested !== undefined) {
    if (!names.includes(requested)) throw new UsageError(`${option} "${requested}" is not in the MockConfigFile; StateMachines are: ${names.join(", ")}`);
    return requested;
  }
  if (names.length === 1) return names[0];
  const fromFile = nameFromFile(definitionFile);
  if (names.includes(fromFile)) return fromFile;
  throw new UsageError(`the MockConfigFile has ${names.length} state machines (${names.join(", ")}): choose one with ${option}`);
}

async function testCommand(args) {
  const { values, positionals } = parse(args, {
    definition: { type: "string" },
    "state-machine": { type: "string" },
    "test-case": { type: "string", multiple: true },
    expected: { type: "string" },
    input: { type: "string" },
    handlers: { type: "string" },
    type: { type: "string" },
    json: { type: "boolean" },
  });
  if (values.help) return help("test");
  if (positionals.length === 0) throw new UsageError("no MockConfigFile to test");
  if (positionals.length > 1) throw new UsageError(`one MockConfigFile at a time, got ${positionals.length}: ${positionals.join(" ")}`);
  if (values.definition === undefined) throw new UsageError("--definition definition.asl.json is required");
  const [configFile] = positionals;
  const type = machineType(values.type);
  const config = readJson(configFile, "the MockConfigFile");
  const problems = mockConfigProblems(config);
  if (problems.length) {
    if (values.json) printJson({ file: configFile, valid: false, problems });
    else for (const problem of problems) printError(`${err.bold(configFile)}: ${err.red(err.bold("error"))}: ${problem}`);
    return EXIT_FAILED;
  }
  const machineName = chooseMachine(config, values["state-machine"], values.definition, "--state-machine");
  const testCases = Object.keys(config.StateMachines[machineName].TestCases);
  const selected = values["test-case"] ?? testCases;
  const unknown = selected.filter((name) => !testCases.includes(name));
  if (unknown.length) throw new UsageError(`no test case ${unknown.map((n) => `"${n}"`).join(", ")} for ${machineName}; test cases are: ${testCases.join(", ")}`);
  const expectations = values.expected === undefined ? {} : readJson(values.expected, "--expected");
  if (!isObject(expectations)) throw new UsageError(`--expected ${values.expected} must be an object: test case -> {status?, output?, error?, cause?}`);
  const text = readText(values.definition, "the definition");
  const input = values.input === undefined ? {} : readJson(values.input, "--input");
  const handlers = await loadHandlers(values.handlers);
  const api = await loadApi();
  if (!(await mocksSupported(api))) return mocksUnsupported("test");

  const machine = compile(api, values.definition, text, { name: machineName, ...(type && { type }) }, values.json);
  if (!machine) return EXIT_FAILED;

  const reports = [];
  for (const testCase of selected) {
    const { result } = await execute(machine, structuredClone(input), { mocks: config, testCase, handlers });
    if (!result) return EXIT_FAILED;
    const expected = isObject(expectations[testCase]) ? expectations[testCase] : {};
    const failures = expectationProblems(expected, result);
    reports.push({ testCase, pass: failures.length === 0, problems: failures, result });
    if (!values.json) {
      const mark = failures.length === 0 ? out.green(out.bold("PASS")) : out.red(out.bold("FAIL"));
      print(`${mark} ${testCase} ${out.dim(`(${result.status})`)}`);
      for (const problem of failures) print(`     ${problem}`);
    }
  }
  const passed = reports.filter((r) => r.pass).length;
  const failed = reports.length - passed;
  if (values.json) {
    printJson({ stateMachine: machineName, passed, failed, testCases: reports });
  } else {
    const summary = `${plural(reports.length, "test case")}: ${passed} passed, ${failed} failed`;
    print(failed ? out.red(summary) : out.green(summary));
  }
  return failed ? EXIT_FAILED : EXIT_OK;
}

// ---------------------------------------------------------------------------------------
// Entry
// ---------------------------------------------------------------------------------------

function help(command) {
  print(HELP[command]);
  return EXIT_OK;
}

function version() {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  print(manifest.version);
  return EXIT_OK;
}

const COMMANDS = { run: runCommand, validate: validateCommand, test: testCommand };

async function main(argv) {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      printError(HELP.main);
      return EXIT_USAGE;
    }
    if (command === "--help" || command === "-h") return help("main");
    if (command === "help") return help(COMMANDS[rest[0]] ? rest[0] : "main");
    if (command === "--version" || command === "-v") return version();
    const run = COMMANDS[command];
    if (!run) throw new UsageError(`unknown command "${command}"; commands: run, validate, test`);
    return await run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      const where = COMMANDS[command] ? `statelab ${command}` : "statelab";
      printError(`${where}: ${error.message}`);
      printError(`Run '${where} --help' for usage.`);
      return EXIT_USAGE;
    }
    printError(error instanceof PlainError ? error.message : (error?.stack ?? String(error)));
    return EXIT_FAILED;
  }
}

const code = await main(process.argv.slice(2));
// Exit once the output is flushed, even if a handler left a timer or a socket open.
process.stdout.write("", () => process.exit(code));
