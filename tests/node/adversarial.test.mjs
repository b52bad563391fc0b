// Adversarial inputs (issue "Reliability and safety"): whatever a user pastes, links or
// returns from a handler, the package answers with a diagnostic, a failure or a clear
// thrown error, and stays usable. Each test ends by checking the module still works.

import { test } from "node:test";
import assert from "node:assert/strict";
import { StateMachine, StatelabInternalError, ValidationError, evaluateJsonata, validate } from "../../js/node.js";
import * as raw from "../../dist/wasm/statelab_node.js";
import { callWasm } from "../../js/guard.js";

const startDate = "2024-01-01T00:00:00Z";
const LAMBDA = "arn:aws:lambda:us-east-1:111111111111:function:work";
const SIMPLE = { StartAt: "A", States: { A: { Type: "Pass", Result: { ok: true }, End: true } } };

/** The module still validates and runs after whatever came before. */
async function assertStillWorks() {
  assert.deepEqual(validate(SIMPLE), { valid: true, diagnostics: [] });
  const result = await new StateMachine(SIMPLE).run({}, { startDate });
  assert.equal(result.status, "SUCCEEDED");
  assert.deepEqual(result.output, { ok: true });
}

/** A value nested `depth` levels deep: {"a":{"a":...}} (built without recursion). */
function nested(depth, leaf = 1) {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

// --- Panics at the boundary ---------------------------------------------------------

test("a panic inside the wasm becomes StatelabInternalError and the module is restarted", async () => {
  const before = new StateMachine(SIMPLE);
  assert.throws(
    () => callWasm(() => raw.debugPanic("forced for the test")),
    (error) =>
      error instanceof StatelabInternalError &&
      error.name === "StatelabInternalError" &&
      error.code === "StatelabInternalError" &&
      /forced for the test/.test(error.message) &&
      String(error).startsWith("StatelabInternalError: "),
  );
  await assertStillWorks();
  // A machine compiled before the restart recompiles itself in the new instance.
  assert.equal((await before.run({}, { startDate })).status, "SUCCEEDED");
  assert.equal(evaluateJsonata("1 + 2"), 3);
  // Several panics in a row: each is caught, each restart works.
  for (let i = 0; i < 3; i++) assert.throws(() => callWasm(() => raw.debugPanic(`again ${i}`)), StatelabInternalError);
  await assertStillWorks();
});

test("an execution running when the module restarts ends with StatelabInternalError", async () => {
  let release;
  const machine = new StateMachine({ StartAt: "T", States: { T: { Type: "Task", Resource: LAMBDA, End: true } } });
  const execution = machine.start({}, { startDate, handlers: { work: () => new Promise((resolve) => (release = resolve)) } });
  while (!release) await new Promise((resolve) => setTimeout(resolve, 1));
  assert.throws(() => callWasm(() => raw.debugPanic("while an execution waits")), StatelabInternalError);
  release({ late: true });
  await assert.rejects(execution.result, (error) => error instanceof StatelabInternalError && /start it again/.test(error.message));
  assert.throws(() => execution.history(), StatelabInternalError);
  await assertStillWorks();
});

// --- Malformed JSON ------------------------------------------------------------------

test("malformed definition text is a diagnostic, never a throw", async () => {
  const good = JSON.stringify(SIMPLE);
  const texts = {
    empty: "",
    whitespace: "  \n ",
    truncated: good.slice(0, good.length - 3),
    "truncated in a string": '{"StartAt": "A',
    "byte order mark": `\uFEFF${good}`,
    NaN: '{"StartAt":"A","States":{"A":{"Type":"Pass","Result":NaN,"End":true}}}',
    Infinity: '{"StartAt":"A","States":{"A":{"Type":"Pass","Result":-Infinity,"End":true}}}',
    "trailing comma in object": '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true},}}',
    "trailing comma in array": '{"StartAt":"A","States":{"A":{"Type":"Pass","Result":[1,],"End":true}}}',
    "single quotes": "{'StartAt':'A'}",
    comment: '{"StartAt":"A", /* no */ "States":{}}',
    "lone high surrogate escape": '{"StartAt":"\\ud800","States":{"\\ud800":{"Type":"Succeed"}}}',
    "lone low surrogate escape": '{"Comment":"\\udc00","StartAt":"A","States":{"A":{"Type":"Succeed"}}}',
    "lone surrogate in the text": `{"StartAt":"A","Comment":"\ud800","States":{"A":{"Type":"Succeed"}}}`,
    "control character in a string": '{"StartAt":"A\u0001","States":{}}',
    "bad escape": '{"StartAt":"\\x41","States":{}}',
    "huge number": `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":1e999999,"End":true}}}`,
    "number with many digits": `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":${"9".repeat(5000)},"End":true}}}`,
    "text after the value": `${good} {}`,
    "a bare array": "[1, 2, 3]",
    "a bare string": '"StartAt"',
    "null": "null",
    "NUL byte": `${good}\u0000`,
  };
  for (const [name, text] of Object.entries(texts)) {
    let result;
    assert.doesNotThrow(() => (result = validate(text)), name);
    assert.equal(typeof result.valid, "boolean", name);
    if (!result.valid) {
      assert.ok(result.diagnostics.length > 0, `${name}: invalid without a diagnostic`);
      for (const d of result.diagnostics) assert.ok(d.code && d.message, `${name}: ${JSON.stringify(d)}`);
      assert.throws(() => new StateMachine(text), ValidationError, name);
    }
  }
  // Text that is not JSON at all must say so, with a position.
  for (const name of ["truncated", "NaN", "trailing comma in object", "single quotes", "comment", "text after the value"]) {
    const { diagnostics } = validate(texts[name]);
    assert.equal(diagnostics[0].code, "INVALID_JSON", `${name}: ${JSON.stringify(diagnostics)}`);
    assert.ok(diagnostics[0].range, name);
  }
  await assertStillWorks();
});

// --- Wrong types at every field of every state type ----------------------------------

const JSONPATH_STATES = {
  Pass: { Type: "Pass", Comment: "c", InputPath: "$", Parameters: { "a.$": "$" }, ResultPath: "$.r", OutputPath: "$", Result: { x: 1 }, Assign: { v: 1 }, Next: "End" },
  Task: {
    Type: "Task", Resource: LAMBDA, Comment: "c", InputPath: "$", Parameters: { a: 1 }, ResultSelector: { "b.$": "$" }, ResultPath: "$.r", OutputPath: "$",
    TimeoutSeconds: 10, HeartbeatSeconds: 5, Credentials: { RoleArn: "arn:aws:iam::111111111111:role/R" }, Assign: { v: 1 },
    Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2, MaxDelaySeconds: 10, JitterStrategy: "FULL" }],
    Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.e", Next: "End" }], Next: "End",
  },
  Choice: {
    Type: "Choice", Comment: "c", InputPath: "$", OutputPath: "$", Default: "End",
    Choices: [{ Variable: "$.a", StringEquals: "x", Next: "End" }, { And: [{ Variable: "$.n", NumericGreaterThan: 1 }], Next: "End" }],
  },
  Wait: { Type: "Wait", Comment: "c", Seconds: 1, InputPath: "$", OutputPath: "$", Next: "End" },
  Succeed: { Type: "Succeed", Comment: "c", InputPath: "$", OutputPath: "$" },
  Fail: { Type: "Fail", Comment: "c", Error: "E", Cause: "C" },
  Parallel: {
    Type: "Parallel", Comment: "c", InputPath: "$", Parameters: { a: 1 }, ResultSelector: { b: 1 }, ResultPath: "$.r", OutputPath: "$",
    Branches: [{ StartAt: "B", States: { B: { Type: "Pass", End: true } } }],
    Retry: [{ ErrorEquals: ["States.ALL"] }], Catch: [{ ErrorEquals: ["States.ALL"], Next: "End" }], Next: "End",
  },
  Map: {
    Type: "Map", Comment: "c", InputPath: "$", ItemsPath: "$.items", ItemSelector: { "v.$": "$$.Map.Item.Value" }, ResultPath: "$.r", OutputPath: "$",
    MaxConcurrency: 2, ToleratedFailurePercentage: 10,
    ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, StartAt: "I", States: { I: { Type: "Pass", End: true } } },
    Retry: [{ ErrorEquals: ["States.ALL"] }], Catch: [{ ErrorEquals: ["States.ALL"], Next: "End" }], Next: "End",
  },
};

const JSONATA_STATES = {
  Pass: { Type: "Pass", QueryLanguage: "JSONata", Output: "{% $states.input %}", Assign: { v: "{% 1 %}" }, Next: "End" },
  Task: { Type: "Task", QueryLanguage: "JSONata", Resource: LAMBDA, Arguments: { a: "{% 1 %}" }, Output: "{% $states.result %}", TimeoutSeconds: "{% 10 %}", Next: "End" },
  Choice: { Type: "Choice", QueryLanguage: "JSONata", Choices: [{ Condition: "{% true %}", Next: "End" }], Default: "End" },
  Wait: { Type: "Wait", QueryLanguage: "JSONata", Seconds: "{% 1 %}", Next: "End" },
  Map: {
    Type: "Map", QueryLanguage: "JSONata", Items: "{% [1, 2] %}", ItemSelector: { v: "{% $states.context.Map.Item.Value %}" }, MaxConcurrency: 1,
    ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, StartAt: "I", States: { I: { Type: "Pass", End: true } } }, Next: "End",
  },
};

const SUBSTITUTES = [null, 7, "text", [], {}, true];
const typeOf = (value) => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value);

/** Every [pointer, value] under a state: its fields and the fields of nested objects. */
function* fields(value, pointer = []) {
  if (value === null || typeof value !== "object") return;
  for (const [key, child] of Object.entries(value)) {
    yield [[...pointer, key], child];
    if (key !== "States" && key !== "Branches" && key !== "ItemProcessor") yield* fields(child, [...pointer, key]);
  }
}

function withValueAt(state, path, replacement) {
  const copy = structuredClone(state);
  let cursor = copy;
  for (const key of path.slice(0, -1)) cursor = cursor[key];
  cursor[path.at(-1)] = replacement;
  return copy;
}

test("a wrong type at any field of any state type is a diagnostic", async () => {
  let checked = 0;
  const accepted = [];
  for (const [language, states] of [["JSONPath", JSONPATH_STATES], ["JSONata", JSONATA_STATES]]) {
    for (const [type, state] of Object.entries(states)) {
      // "End" exists when the state refers to it (a terminal state has nothing after it).
      const refersToEnd = JSON.stringify(state).includes('"End"');
      const definition = (s) => ({ StartAt: "S", States: refersToEnd ? { S: s, End: { Type: "Succeed" } } : { S: s } });
      assert.deepEqual(validate(definition(state)).diagnostics.filter((d) => d.severity === "error"), [], `${language} ${type} base`);
      for (const [path, original] of fields(state)) {
        for (const substitute of SUBSTITUTES) {
          if (typeOf(substitute) === typeOf(original)) continue;
          const bad = definition(withValueAt(state, path, substitute));
          let result;
          assert.doesNotThrow(() => (result = validate(bad)), `${type}/${path.join("/")} = ${JSON.stringify(substitute)}`);
          // Text goes through the positioned parser: the same verdict, and a range.
          const fromText = validate(JSON.stringify(bad, null, 1));
          assert.equal(fromText.valid, result.valid, `${type}/${path.join("/")}: text and object disagree`);
          if (result.valid) accepted.push(`${language} ${type}/${path.join("/")} = ${JSON.stringify(substitute)}`);
          else assert.throws(() => new StateMachine(bad), ValidationError);
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 400, `only ${checked} substitutions`);
  // Where AWS takes more than one type, another type is fine; everything else must be
  // rejected. This list is the contract.
  const allowed = [
    /^JSONPath \w+\/(InputPath|OutputPath|ResultPath|Catch\/0\/ResultPath) = null$/, // null discards
    /^JSONPath \w+\/(Parameters|Result)(\/.*)? = /, // payload templates and Result: any JSON
    /\/(Assign\/v|Arguments(\/a)?|Output|ItemSelector(\/v)?|ResultSelector\/b|Parameters\/a) = /, // any JSON
    /^JSONata \w+\/(TimeoutSeconds|Seconds) = 7$/, // a number or an expression
    /^JSONata Choice\/Choices\/0\/Condition = true$/, // a boolean or an expression
    /^JSONata Map\/Items = \[\]$/, // an array or an expression
  ];
  assert.deepEqual(accepted.filter((line) => !allowed.some((pattern) => pattern.test(line))), [], "wrong types accepted");
  await assertStillWorks();
});

// --- Huge and deep inputs ------------------------------------------------------------

test("payloads near and over 256 KiB: InvalidExecutionInput and States.DataLimitExceeded", async () => {
  const machine = new StateMachine({ StartAt: "T", States: { T: { Type: "Task", Resource: LAMBDA, End: true } } });
  const under = { s: "x".repeat(256 * 1024 - 20) };
  const ok = await machine.run(under, { startDate, handlers: { work: () => ({ fine: true }) } });
  assert.equal(ok.status, "SUCCEEDED");
  assert.throws(() => machine.start({ s: "x".repeat(256 * 1024) }), (e) => e.code === "InvalidExecutionInput" && /256 KiB/.test(e.message));
  const over = await machine.run({}, { startDate, handlers: { work: () => ({ s: "y".repeat(300 * 1024) }) } });
  assert.equal(over.status, "FAILED");
  assert.equal(over.error, "States.DataLimitExceeded");
  // A Pass state that builds an over-limit output from a small input.
  const grow = new StateMachine({
    StartAt: "Grow",
    States: { Grow: { Type: "Pass", Parameters: { "a.$": "States.ArrayRange(1, 1000, 1)", "b.$": "$.s", "c.$": "$.s", "d.$": "$.s" }, End: true } },
  });
  const grown = await grow.run({ s: "z".repeat(90 * 1024) }, { startDate });
  assert.equal(grown.status, "FAILED");
  assert.equal(grown.error, "States.DataLimitExceeded");
  await assertStillWorks();
});

test("10,000-level nesting in definitions and inputs is a clear error, not a stack overflow", async () => {
  const depth = 10_000;
  const deepText = `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":${'{"a":'.repeat(depth)}1${"}".repeat(depth)},"End":true}}}`;
  const fromText = validate(deepText);
  assert.equal(fromText.valid, false);
  assert.match(fromText.diagnostics[0].message, /nest|deep/i);
  const deepDefinition = { StartAt: "A", States: { A: { Type: "Pass", Result: nested(depth), End: true } } };
  let fromObject;
  assert.doesNotThrow(() => (fromObject = validate(deepDefinition)));
  assert.equal(fromObject.valid, false, "a 10,000-level Result is refused");
  assert.match(fromObject.diagnostics[0].message, /nest|deep/i);
  assert.match(fromObject.diagnostics[0].path, /^\/States\/A\/Result(\/a)+$/, "points at the deep value");
  assert.throws(() => new StateMachine(deepDefinition), ValidationError);

  const machine = new StateMachine({ StartAt: "T", States: { T: { Type: "Task", Resource: LAMBDA, End: true } } });
  assert.throws(() => machine.start(nested(depth)), (e) => e.code === "InvalidExecutionInput" && /nest|deep/i.test(e.message));
  const deepResult = await machine.run({}, { startDate, handlers: { work: () => nested(depth) } });
  assert.equal(deepResult.status, "FAILED");
  assert.match(`${deepResult.error} ${deepResult.cause}`, /nest|deep/i);
  // At the limit where values cross into the wasm: just under runs, just over is refused.
  const pass = new StateMachine({ StartAt: "P", States: { P: { Type: "Pass", End: true } } });
  for (const levels of [120, 127, 128, 129, 200]) {
    const outcome = await Promise.resolve()
      .then(() => pass.run(nested(levels), { startDate }))
      .then((r) => r.status, (e) => e.code);
    assert.equal(outcome, levels <= 127 ? "SUCCEEDED" : "InvalidExecutionInput", `${levels} levels`);
    assert.doesNotThrow(() => validate({ StartAt: "P", States: { P: { Type: "Pass", Result: nested(levels - 4), End: true } } }), `${levels} levels`);
  }
  // Deep JSONata input.
  assert.throws(() => evaluateJsonata("a.a.a", nested(depth)), (e) => /nest|deep/i.test(e.message));
  await assertStillWorks();
});

// --- Endless loops -------------------------------------------------------------------

test("an endless loop stops under the default budget with a clear failure", async () => {
  const definition = {
    StartAt: "Again",
    States: {
      Again: { Type: "Pass", Next: "Check" },
      Check: { Type: "Choice", Choices: [{ Variable: "$.done", IsPresent: true, Next: "Done" }], Default: "Again" },
      Done: { Type: "Succeed" },
    },
  };
  // STANDARD (the default type) with default options: AWS's 25,000-event history limit.
  const standard = await new StateMachine(definition).run({}, { startDate });
  assert.equal(standard.status, "FAILED");
  assert.match(standard.cause, /maximum number of history events/);
  // EXPRESS has no history limit: the transition budget stops it, by default after
  // 250,000 transitions (about a second), or at the budget given.
  const expressDefault = await new StateMachine(definition, { type: "EXPRESS" }).run({}, { startDate });
  assert.equal(expressDefault.error, "Statelab.MaxTransitionsExceeded");
  assert.match(expressDefault.cause, /more than 250000 state transitions/);
  const express = await new StateMachine(definition, { type: "EXPRESS" }).run({}, { startDate, maxTransitions: 20_000 });
  assert.equal(express.status, "FAILED");
  assert.equal(express.error, "Statelab.MaxTransitionsExceeded");
  assert.match(express.cause, /more than 20000 state transitions/);
  // A Map whose iterations loop forever: the budget counts every iteration's transitions.
  const mapLoop = new StateMachine(
    { StartAt: "M", States: { M: { Type: "Map", ItemProcessor: { StartAt: "Again", States: definition.States }, End: true } } },
    { type: "EXPRESS" },
  );
  const mapped = await mapLoop.run([1, 2, 3], { startDate, maxTransitions: 3000 });
  assert.equal(mapped.error, "Statelab.MaxTransitionsExceeded");
  // A JSONata expression that never ends is stopped by its step budget.
  const spin = new StateMachine({
    QueryLanguage: "JSONata",
    StartAt: "Spin",
    States: { Spin: { Type: "Pass", Output: "{% ($f := function($n) { $f($n + 1) }; $f(0)) %}", End: true } },
  });
  const spun = await spin.run({}, { startDate });
  assert.equal(spun.status, "FAILED");
  assert.equal(spun.error, "States.QueryEvaluationError");
  await assertStillWorks();
});

// --- Misbehaving handlers ------------------------------------------------------------

class CustomError extends Error {
  constructor(message) {
    super(message);
    this.name = "CustomError";
  }
}

test("a handler that throws or rejects anything gives a defined failure", async () => {
  const services = { StartAt: "T", States: { T: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage", Parameters: { QueueUrl: "q", MessageBody: "m" }, End: true } } };
  const lambda = { StartAt: "T", States: { T: { Type: "Task", Resource: LAMBDA, End: true } } };
  const hostile = {
    get name() {
      throw new Error("getter");
    },
  };
  const thrown = {
    "an Error subclass": [new CustomError("bad"), "CustomError", "CustomError"],
    "a string": ["just text", "string", "Error"],
    null: [null, "object", "Error"],
    undefined: [undefined, "undefined", "Error"],
    "a number": [42, "number", "Error"],
    "a plain object": [{ errorType: "Mine", errorMessage: "m" }, "Mine", "Mine"],
    "a symbol": [Symbol("s"), "symbol", "Error"],
    "a BigInt": [10n, "bigint", "Error"],
    "an object with a throwing getter": [hostile, "Error", "Error"],
  };
  for (const [name, [value, lambdaError, serviceError]] of Object.entries(thrown)) {
    for (const [kind, definition, expected] of [["lambda", lambda, lambdaError], ["service", services, serviceError]]) {
      for (const how of ["throws", "rejects"]) {
        const work = how === "throws" ? () => { throw value; } : () => Promise.reject(value);
        const handlers = kind === "lambda" ? { work } : { T: work };
        const result = await new StateMachine(definition).run({}, { startDate, handlers });
        assert.equal(result.status, "FAILED", `${kind} ${how} ${name}`);
        assert.equal(result.error, expected, `${kind} ${how} ${name}: ${JSON.stringify(result)}`);
      }
    }
  }
  await assertStillWorks();
});

test("a handler that never settles is bounded by TimeoutSeconds and by stop()", async () => {
  const machine = new StateMachine({ StartAt: "T", States: { T: { Type: "Task", Resource: LAMBDA, TimeoutSeconds: 1, End: true } } });
  let signal;
  const result = await machine.run({}, { startDate, handlers: { work: (_input, context) => ((signal = context.signal), new Promise(() => {})) } });
  assert.equal(result.status, "FAILED");
  assert.equal(result.error, "States.Timeout");
  assert.equal(signal.aborted, true, "the handler is told to give up");
  const endless = new StateMachine({ StartAt: "T", States: { T: { Type: "Task", Resource: LAMBDA, End: true } } });
  const execution = endless.start({}, { startDate, handlers: { work: () => new Promise(() => {}) } });
  setTimeout(() => execution.stop({ error: "Bored", cause: "never answered" }), 20);
  const stopped = await execution.result;
  assert.equal(stopped.status, "ABORTED");
  await assertStillWorks();
});

test("a handler cannot change the interpreter's state by mutating what it was given", async () => {
  const machine = new StateMachine({
    StartAt: "T",
    States: {
      T: { Type: "Task", Resource: LAMBDA, ResultPath: "$.result", Next: "Check" },
      Check: { Type: "Pass", Parameters: { "seen.$": "$.list", "result.$": "$.result" }, End: true },
    },
  });
  const execution = machine.start({ list: [1, 2, 3] }, {
    startDate,
    handlers: {
      work: (input, context) => {
        input.list.push(666);
        input.injected = true;
        Object.defineProperty(context, "stateName", { value: "tampered" });
        return { n: 1 };
      },
    },
  });
  const result = await execution.result;
  assert.equal(result.status, "SUCCEEDED");
  assert.deepEqual(result.output, { seen: [1, 2, 3], result: { n: 1 } });
  const scheduled = execution.history().find((e) => e.type === "LambdaFunctionScheduled");
  assert.equal(JSON.parse(scheduled.lambdaFunctionScheduledEventDetails.input).injected, undefined);
  // A value returned and then mutated later is not seen either.
  const kept = { n: 1 };
  const later = await new StateMachine({ StartAt: "T", States: { T: { Type: "Task", Resource: LAMBDA, End: true } } }).run({}, {
    startDate,
    handlers: { work: () => (setTimeout(() => (kept.n = 2)), kept) },
  });
  assert.deepEqual(later.output, { n: 1 });
  await assertStillWorks();
});

test("handler results that are not JSON: undefined, functions, BigInt, cycles", async () => {
  const machine = new StateMachine({ StartAt: "T", States: { T: { Type: "Task", Resource: LAMBDA, End: true } } });
  const run = (value) => machine.run({}, { startDate, handlers: { work: () => value } });
  assert.deepEqual((await run(undefined)).output, null);
  assert.deepEqual((await run(() => 1)).output, null, "a function is not JSON: null, as JSON.stringify does");
  assert.deepEqual((await run({ f: () => 1, u: undefined, n: 1 })).output, { n: 1 });
  const big = await run({ n: 10n });
  assert.equal(big.status, "FAILED");
  assert.equal(big.error, "States.Runtime");
  assert.match(big.cause, /not JSON-serialisable/);
  const cyclic = { a: 1 };
  cyclic.self = cyclic;
  const cycled = await run(cyclic);
  assert.equal(cycled.status, "FAILED");
  assert.match(cycled.cause, /not JSON-serialisable/);
  assert.deepEqual((await run(Promise.resolve(NaN))).output, null);
  await assertStillWorks();
});

// --- Hostile strings -----------------------------------------------------------------

test("hostile strings: markup, prototype keys, long names, unicode", async () => {
  const name = "<script>alert(1)</script>";
  const definition = {
    StartAt: name,
    States: {
      [name]: { Type: "Pass", Parameters: { "__proto__.$": "$.__proto__", "constructor.$": "$.constructor", "x.$": "$['😀 ключ']" }, Next: "Ünïcødé ✓ 名前" },
      "Ünïcødé ✓ 名前": { Type: "Pass", End: true },
    },
  };
  assert.deepEqual(validate(definition).diagnostics, []);
  const input = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "😀 ключ": "v"}');
  const execution = new StateMachine(definition).start(input, { startDate });
  const result = await execution.result;
  assert.equal(result.status, "SUCCEEDED", JSON.stringify(result));
  assert.deepEqual(Object.keys(result.output).sort(), ["__proto__", "constructor", "x"].sort());
  assert.deepEqual(Object.getOwnPropertyDescriptor(result.output, "__proto__").value, { polluted: true });
  assert.equal({}.polluted, undefined, "Object.prototype untouched");
  assert.equal(execution.history()[1].stateEnteredEventDetails.name, name);

  // State names: 80 characters is AWS's limit, counted in characters, not bytes.
  const named = (n) => ({ StartAt: n, States: { [n]: { Type: "Succeed" } } });
  assert.equal(validate(named("é".repeat(80))).valid, true);
  const long = validate(named("x".repeat(81)));
  assert.equal(long.valid, false);
  assert.ok(long.diagnostics.some((d) => /80/.test(d.message)), JSON.stringify(long.diagnostics));
  assert.equal(validate(named("x".repeat(100_000))).valid, false);
  assert.equal(validate(named("")).valid, false);
  await assertStillWorks();
});

// --- Limits, each tested -------------------------------------------------------------

test("limits: definition 1 MB, intrinsic nesting 10, ArrayRange 1,000, variables", async () => {
  const padding = "x".repeat(1024 * 1024);
  const huge = validate(JSON.stringify({ ...SIMPLE, Comment: padding }));
  assert.equal(huge.valid, false);
  assert.equal(huge.diagnostics[0].code, "DEFINITION_TOO_LARGE");
  assert.equal(validate({ ...SIMPLE, Comment: padding }).valid, false, "the object form is measured too");

  const nestedCall = (depth) => {
    let call = "$.n";
    for (let i = 0; i < depth; i++) call = `States.MathAdd(${call}, 1)`;
    return call;
  };
  const pass = (call) => ({ StartAt: "P", States: { P: { Type: "Pass", Parameters: { "v.$": call }, End: true } } });
  assert.equal(validate(pass(nestedCall(10))).valid, true);
  assert.equal(validate(pass(nestedCall(11))).valid, false);
  assert.equal(validate(pass(nestedCall(5000))).valid, false, "deep calls are refused, not recursed");
  assert.deepEqual((await new StateMachine(pass(nestedCall(10))).run({ n: 0 }, { startDate })).output, { v: 10 });

  const range = (end) => new StateMachine(pass(`States.ArrayRange(1, $.end, 1)`)).run({ end }, { startDate });
  assert.equal((await range(1000)).output.v.length, 1000);
  const tooMany = await range(1001);
  assert.equal(tooMany.status, "FAILED");
  assert.equal(tooMany.error, "States.IntrinsicFailure");

  const assign = new StateMachine({ StartAt: "A", States: { A: { Type: "Pass", Assign: { "big.$": "$.s" }, End: true } } });
  const bigVariable = await assign.run({ s: "v".repeat(200 * 1024) }, { startDate });
  assert.equal(bigVariable.status, "SUCCEEDED", "a 200 KiB variable is fine");
  const twice = new StateMachine({ StartAt: "A", States: { A: { Type: "Pass", Assign: { "a.$": "$.s", "b.$": "$.s" }, End: true } } });
  const tooBig = await twice.run({ s: "v".repeat(200 * 1024) }, { startDate });
  assert.equal(tooBig.status, "FAILED");
  assert.equal(tooBig.error, "States.DataLimitExceeded");
  await assertStillWorks();
});

test("limits: JSONata recursion depth and evaluation steps; 25,000 history events", async () => {
  const recurse = "($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))";
  assert.throws(() => evaluateJsonata(recurse), (e) => e.code === "U1001");
  assert.throws(() => evaluateJsonata("$sum([1..1000000].($ * 2))", {}, {}, { maxSteps: 1000 }), (e) => e.code === "U1001" || /step/i.test(e.message));
  const inState = await new StateMachine({
    QueryLanguage: "JSONata",
    StartAt: "R",
    States: { R: { Type: "Pass", Output: `{% ${recurse} %}`, End: true } },
  }).run({}, { startDate });
  assert.equal(inState.status, "FAILED");
  assert.equal(inState.error, "States.QueryEvaluationError");

  const loop = new StateMachine({
    StartAt: "Again",
    States: { Again: { Type: "Pass", Next: "Check" }, Check: { Type: "Choice", Choices: [{ Variable: "$.done", IsPresent: true, Next: "Done" }], Default: "Again" }, Done: { Type: "Succeed" } },
  });
  const execution = loop.start({}, { startDate });
  const result = await execution.result;
  assert.equal(result.status, "FAILED");
  assert.match(result.cause, /maximum number of history events \(25000\)/);
  // The state that would pass the limit is not entered; its closing events still count.
  const events = execution.history().length;
  assert.ok(events >= 24_990 && events <= 25_002, `${events} events`);
  await assertStillWorks();
});
