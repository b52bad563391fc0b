// The JS handler loop (js/api.js #pump/#invoke, src/wasm.rs driveIo/resumeIo):
// the common step of a Task loop goes through a short progress text and one crossing per
// call. These tests hold the API contract on that path: the handler's input and context
// on every call, concurrent calls, pause/step, streaming and the stale-module guard.

import { test } from "node:test";
import assert from "node:assert/strict";
import { StateMachine, StatelabInternalError } from "../../js/node.js";
import { debugPanic } from "../../dist/wasm/statelab_node.js";
import { callWasm } from "../../js/guard.js";

const LAMBDA = "arn:aws:lambda:us-east-1:111111111111:function:";
const startDate = "2024-01-01T00:00:00Z";

/** Task -> Choice loop of `times` calls; the Task has TimeoutSeconds and a Retry. */
function loop(times, task = {}) {
  return {
    StartAt: "Step",
    States: {
      Step: { Type: "Task", Resource: `${LAMBDA}step`, TimeoutSeconds: 30, HeartbeatSeconds: 10, Next: "More?", ...task },
      "More?": { Type: "Choice", Choices: [{ Variable: "$.i", NumericLessThan: times, Next: "Step" }], Default: "Done" },
      Done: { Type: "Succeed" },
    },
  };
}

test("every call of a Task loop gets its input and the full context", async () => {
  const seen = [];
  const machine = new StateMachine(loop(5, { Retry: [{ ErrorEquals: ["Flaky"], IntervalSeconds: 1 }] }), { type: "EXPRESS" });
  const result = await machine.run({ i: 0, text: "é\u2028\"\n" }, {
    startDate,
    handlers: {
      step: async (input, context) => {
        seen.push({ input, stateName: context.stateName, resource: context.resource, retryCount: context.retryCount, taskToken: context.taskToken, arn: context.executionArn });
        // The third call fails once: the retry is the same site with retryCount 1.
        if (input.i === 2 && context.retryCount === 0) throw Object.assign(new Error("try again"), { name: "Flaky" });
        assert.equal(typeof context.awsRequestId, "string");
        assert.equal(context.signal.aborted, false);
        return { ...input, i: input.i + 1 };
      },
    },
  });
  assert.equal(result.status, "SUCCEEDED");
  assert.deepEqual(result.output, { i: 5, text: "é\u2028\"\n" });
  assert.deepEqual(seen.map((s) => [s.input.i, s.retryCount]), [[0, 0], [1, 0], [2, 0], [2, 1], [3, 0], [4, 0]]);
  for (const s of seen) {
    assert.equal(s.stateName, "Step");
    assert.equal(s.resource, `${LAMBDA}step`);
    assert.equal(s.taskToken, undefined);
    assert.equal(s.arn, result.executionArn);
    assert.equal(s.input.text, "é\u2028\"\n");
  }
});

test("TimeoutSeconds still bounds a handler that never settles in a loop", async () => {
  let calls = 0;
  const result = await new StateMachine(loop(3, { TimeoutSeconds: 1, HeartbeatSeconds: undefined })).run({ i: 0 }, {
    startDate,
    handlers: {
      // The second call hangs: the task times out after 1 s (virtual clock: real time).
      step: (input) => (++calls === 2 ? new Promise(() => {}) : Promise.resolve({ i: input.i + 1 })),
    },
  });
  assert.equal(result.status, "FAILED");
  assert.equal(result.error, "States.Timeout");
  assert.equal(calls, 2);
});

test("concurrent calls (Parallel) settling in one tick and out of order all arrive", async () => {
  const delays = { a: 5, b: 0, c: 5, d: 1 };
  const branch = (name) => ({ StartAt: name, States: { [name]: { Type: "Task", Resource: `${LAMBDA}${name}`, End: true } } });
  const definition = { StartAt: "Fan", States: { Fan: { Type: "Parallel", Branches: Object.keys(delays).map(branch), End: true } } };
  const handlers = {};
  for (const [k, ms] of Object.entries(delays)) {
    handlers[k] = (input) => new Promise((resolve) => setTimeout(() => resolve({ k, ...input }), ms));
  }
  const result = await new StateMachine(definition).run({ x: 1 }, { startDate, handlers });
  assert.equal(result.status, "SUCCEEDED");
  assert.deepEqual(result.output, ["a", "b", "c", "d"].map((k) => ({ k, x: 1 })));
});

test("a drive that hands out more calls than the compact progress holds (64) sends them all", async () => {
  // A Parallel state starts every branch at once: 100 calls in one progress, which
  // src/wasm.rs writes in full (JSON) instead; 40 fit the compact one.
  for (const count of [40, 100]) {
    const branch = (k) => ({ StartAt: `W${k}`, States: { [`W${k}`]: { Type: "Task", Resource: `${LAMBDA}work`, TimeoutSeconds: 9, End: true } } });
    const definition = { StartAt: "Fan", States: { Fan: { Type: "Parallel", Branches: Array.from({ length: count }, (_, k) => branch(k)), End: true } } };
    const seen = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const handlers = {
      work: async (input, context) => {
        seen.push(context.stateName);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight--;
        return { n: input.n * 2, label: `é${context.stateName}` };
      },
    };
    const result = await new StateMachine(definition).run({ n: 21 }, { startDate, handlers });
    assert.equal(result.status, "SUCCEEDED", JSON.stringify(result));
    assert.deepEqual(result.output, Array.from({ length: count }, (_, k) => ({ n: 42, label: `éW${k}` })));
    assert.deepEqual(seen, Array.from({ length: count }, (_, k) => `W${k}`));
    assert.equal(maxInFlight, count, "every call was handed out at once");
  }
});

test("pause() from inside a handler keeps its result; step() and resume() carry on", async () => {
  let execution;
  const events = [];
  execution = new StateMachine(loop(3)).start({ i: 0 }, {
    startDate,
    onEvent: (e) => events.push(e.type),
    handlers: {
      step: async (input) => {
        if (input.i === 1) execution.pause();
        return { i: input.i + 1 };
      },
    },
  });
  // Let the execution run into the pause.
  for (let n = 0; n < 20 && !events.includes("LambdaFunctionStarted"); n++) await new Promise((r) => setTimeout(r, 1));
  await new Promise((r) => setTimeout(r, 5));
  const before = events.length;
  const stepped = await execution.step();
  assert.equal(stepped.length, 1);
  assert.equal(events.length, before + 1, "one event per step while paused");
  execution.resume();
  const result = await execution.result;
  assert.equal(result.status, "SUCCEEDED");
  assert.deepEqual(result.output, { i: 3 });
  assert.equal(events.filter((t) => t === "LambdaFunctionSucceeded").length, 3);
  assert.equal(events.at(-1), "ExecutionSucceeded");
});

test("after the module restarts, a running Task loop fails with StatelabInternalError", async () => {
  let execution;
  execution = new StateMachine(loop(4)).start({ i: 0 }, {
    startDate,
    handlers: {
      step: async (input) => {
        if (input.i === 2) {
          // Another call traps: the module is re-instantiated under this execution.
          assert.throws(() => callWasm(() => debugPanic("boom")), StatelabInternalError);
        }
        return { i: input.i + 1 };
      },
    },
  });
  await assert.rejects(execution.result, (e) => e instanceof StatelabInternalError && /lost when the module restarted/.test(e.message));
  // New executions work on the fresh module.
  const again = await new StateMachine(loop(2)).run({ i: 0 }, { startDate, handlers: { step: async (x) => ({ i: x.i + 1 }) } });
  assert.deepEqual(again.output, { i: 2 });
});

test("one shared deadline timer: concurrent calls time out in deadline order, and nothing is left running", async () => {
  const hang = () => new Promise(() => {});
  const branch = (name, seconds) => ({
    StartAt: name,
    States: {
      [name]: {
        Type: "Task",
        Resource: `${LAMBDA}${name}`,
        TimeoutSeconds: seconds,
        Catch: [{ ErrorEquals: ["States.Timeout"], ResultPath: "$.timedOut", Next: `${name} timed out` }],
        End: true,
      },
      [`${name} timed out`]: { Type: "Pass", Result: name, End: true },
    },
  });
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  const before = timers();
  const events = [];
  const result = await new StateMachine({
    StartAt: "Fan",
    States: { Fan: { Type: "Parallel", Branches: [branch("slow", 2), branch("quick", 1), branch("fine", 30)], End: true } },
  }).run({}, { startDate, onEvent: (e) => events.push(e), handlers: { slow: hang, quick: hang, fine: async () => "ok" } });
  assert.equal(result.status, "SUCCEEDED");
  assert.deepEqual(result.output, ["slow", "quick", "ok"]);
  // Each timed-out task failed at its own TimeoutSeconds on the virtual clock, quick first.
  const timedOut = events.filter((e) => e.type === "LambdaFunctionTimedOut").map((e) => Date.parse(e.timestamp) - Date.parse(startDate));
  assert.deepEqual(timedOut, [1000, 2000]);
  assert.equal(timers(), before, "no timer outlives the run");

  // Paused with nothing pending: the armed timer must not keep the process alive.
  const execution = new StateMachine(loop(3, { TimeoutSeconds: 300, HeartbeatSeconds: undefined })).start({ i: 0 }, {
    startDate,
    handlers: {
      step: async (input) => {
        if (input.i === 1) execution.pause();
        return { i: input.i + 1 };
      },
    },
  });
  // Handlers settle in microtasks: a few turns of the event loop reach the pause.
  for (let n = 0; n < 50; n++) await new Promise((r) => setImmediate(r));
  assert.equal(execution.status, "RUNNING");
  assert.equal(timers(), before, "a paused execution with no pending call holds no timer");
  execution.resume();
  assert.deepEqual((await execution.result).output, { i: 3 });
  assert.equal(timers(), before);
});

// The loop reads each call's input from the wasm memory (small ones parsed there, not by
// JSON.parse) and writes each result there: what crosses must be exactly what JSON.parse
// and JSON.stringify would give, for every kind of value and size.
const CROSSING_VALUES = [
  { i: 0 },
  { i: -12, big: 123456789012345678, unsafe: 9007199254740993, neg: -9007199254740991 },
  { f: 0.1, e: 1e21, tiny: 1.5e-7, neg: -2.5, exp: 1e-300, int: 10.0 },
  { t: true, f: false, n: null, empty: {}, list: [], nested: [[1, [2, [3]]], { a: { b: {} } }] },
  { text: "plain", quote: 'say "hi"', slash: "a\\b/c", control: "\n\t\u0001\u001f", del: "\u007f" },
  { unicode: "é ü ß", emoji: "😀", lineSeparator: "\u2028", cjk: "漢字" },
  { ["__proto__"]: { polluted: true }, constructor: 1, toString: "x", hasOwnProperty: null },
  { "2": "b", "1": "a", z: 0, y: 1, "": "empty key", "10": "c" },
  // Keys of one length that may share a slot of the key cache (js/api.js recentKeys),
  // alternating, and keys longer than it keeps.
  { ab: 1, ba: 2, aa: 3, bb: 4, list: [{ ab: 5 }, { ba: 6 }, { ab: 7, aa: 8 }], ["k".repeat(33)]: 9, ["k".repeat(32)]: 10, ["j".repeat(33)]: 11 },
  [1, "two", null, true, { three: 3 }],
  "just a string",
  42,
  null,
  { deep: JSON.parse(`${"[".repeat(40)}1${"]".repeat(40)}`) },
  { long: "x".repeat(300), items: Array.from({ length: 50 }, (_, k) => ({ k, v: `item ${k}` })) },
];

test("inputs and results cross the wasm memory exactly as JSON text would", async () => {
  const definition = {
    StartAt: "Echo",
    States: {
      Echo: { Type: "Task", Resource: `${LAMBDA}echo`, Next: "Again" },
      Again: { Type: "Task", Resource: `${LAMBDA}again`, End: true },
    },
  };
  const machine = new StateMachine(definition, { type: "EXPRESS" });
  for (const value of CROSSING_VALUES) {
    const expected = JSON.parse(JSON.stringify(value));
    const seen = [];
    const result = await machine.run(value, {
      startDate,
      handlers: {
        echo: async (input) => {
          seen.push(input);
          return input;
        },
        // A fresh copy back: the second Task gets the first's result.
        again: (input) => {
          seen.push(input);
          return JSON.parse(JSON.stringify(input));
        },
      },
    });
    assert.equal(result.status, "SUCCEEDED", JSON.stringify(value).slice(0, 80));
    for (const input of [...seen, result.output]) {
      assert.deepStrictEqual(input, expected);
      // Same keys in the same order, same numbers to the last bit.
      assert.equal(JSON.stringify(input), JSON.stringify(expected));
      if (input !== null && typeof input === "object" && !Array.isArray(input)) assert.equal(Object.getPrototypeOf(input), Object.prototype);
    }
    if (expected !== null && Object.hasOwn(expected, "__proto__")) assert.ok(Object.hasOwn(seen[0], "__proto__"));
  }
});

test("results larger than the input buffer, and non-ASCII ones, grow it and arrive whole", async () => {
  const sizes = [10, 1000, 70_000, 5, 200_000, 3];
  let k = 0;
  const result = await new StateMachine(loop(sizes.length)).run({ i: 0 }, {
    startDate,
    handlers: {
      step: (input) => {
        assert.equal(input.pad?.length ?? 10, sizes[k - 1] ?? 10);
        const pad = (k % 2 ? "é" : "x").repeat(sizes[k++]);
        return { i: input.i + 1, pad };
      },
    },
  });
  assert.equal(result.status, "SUCCEEDED");
  assert.deepEqual(result.output, { i: sizes.length, pad: "é".repeat(3) });
});

test("a handler that grows the wasm memory (a big execution inside it) does not disturb the loop", async () => {
  const big = new StateMachine({ StartAt: "P", States: { P: { Type: "Pass", End: true } } });
  const result = await new StateMachine(loop(4)).run({ i: 0 }, {
    startDate,
    handlers: {
      step: async (input) => {
        // ~1 MB crosses into the wasm and back: its memory grows, detaching old views.
        const out = await big.run({ blob: "y".repeat(200_000), n: input.i });
        assert.equal(out.output.n, input.i);
        return { i: input.i + 1 };
      },
    },
  });
  assert.equal(result.status, "SUCCEEDED");
  assert.deepEqual(result.output, { i: 4 });
});

test("results are serialised exactly as JSON.stringify does (Lambda), each property read once", async () => {
  class Point {
    constructor() {
      this.x = 1;
      this.y = 2;
    }
  }
  let reads = 0;
  const counted = {
    get value() {
      reads++;
      return "read";
    },
  };
  const nullProto = Object.assign(Object.create(null), { a: 1 });
  const results = [
    { i: 1 },
    { int32: [0, -0, 7, 9, 10, 99, 100, -1, -10, 65535, 2147483647, -2147483647, -2147483648, 2147483648, -2147483649, 4294967295, 4294967296] },
    { neg: -0, nan: NaN, inf: Infinity, ninf: -Infinity, big: 1e21, tiny: 1.5e-7, small: -1e-7, max: Number.MAX_VALUE, min: Number.MIN_VALUE, unsafe: 2 ** 53, negUnsafe: -(2 ** 60), frac: 0.1 + 0.2 },
    { text: "é ü ß 漢字 😀", pair: "\ud83d\ude00", control: "\b\t\n\f\r\u0000\u001f\u007f", quote: '"\\/' },
    { skip: undefined, fn() {}, sym: Symbol("s"), [Symbol("key")]: 1, kept: true },
    [undefined, () => 1, Symbol("x"), null, , 3], // eslint-disable-line no-sparse-arrays
    { date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), point: new Point(), map: new Map([[1, 2]]), num: new Number(3), str: new String("boxed"), bool: new Boolean(false) },
    { custom: { toJSON: (key) => `key was ${key}` }, list: [{ toJSON: (key) => ({ index: key }) }], nullProto },
    { deep: JSON.parse(`${'{"a":'.repeat(60)}1${"}".repeat(60)}`) },
    counted,
    "a string",
    12.5,
    true,
    null,
    undefined,
    () => "a function",
    { long: "z".repeat(100_000), unicode: "é".repeat(50_000) },
  ];
  const machine = new StateMachine({ StartAt: "Task", States: { Task: { Type: "Task", Resource: `${LAMBDA}f`, End: true } } }, { type: "EXPRESS" });
  const expected = results.map((value) => JSON.parse(JSON.stringify(value) ?? "null"));
  reads = 0;
  for (const [k, value] of results.entries()) {
    const result = await machine.run({}, { startDate, handlers: { f: async () => value } });
    assert.equal(result.status, "SUCCEEDED", String(result.cause));
    assert.deepStrictEqual(result.output, expected[k]);
  }
  assert.equal(reads, 1, "a getter is read once");
});

test("a result that is not JSON fails the task as before (BigInt, cycle, lone surrogate)", async () => {
  const cyclic = { a: { list: [] } };
  cyclic.a.list.push(cyclic);
  const machine = new StateMachine({ StartAt: "Task", States: { Task: { Type: "Task", Resource: `${LAMBDA}f`, End: true } } }, { type: "EXPRESS" });
  for (const [value, message] of [
    [{ n: 1n }, /BigInt/],
    [cyclic, /circular/],
    // JSON.stringify escapes it (\\ud800), which serde_json refuses.
    [{ lone: "a\ud800b" }, /surrogate|hex escape/],
  ]) {
    const result = await machine.run({}, { startDate, handlers: { f: async () => value } });
    assert.equal(result.status, "FAILED");
    assert.equal(result.error, "States.Runtime");
    assert.match(result.cause, /not JSON-serialisable/);
    assert.match(result.cause, message);
  }
});

test("run() frees each execution when it ends: repeated runs do not pile up wasm memory", async () => {
  // The wasm memory (the Memory object every execution of this module shares).
  const { WasmMachine } = await import("../../dist/wasm/statelab_node.js");
  const raw = new WasmMachine(JSON.stringify({ StartAt: "P", States: { P: { Type: "Pass", End: true } } }), false, "{}");
  const execution = raw.start("{}", JSON.stringify({ name: "probe", startTime: 0, clock: "virtual", handlerKeys: [] }));
  const memory = execution.ioMemory();
  execution.free();
  raw.free();
  // Each run records ~14,000 history events (~1 MB of wasm memory while it is held).
  const machine = new StateMachine(loop(2000), { type: "EXPRESS" });
  const handlers = { step: async (input) => ({ i: input.i + 1 }) };
  await machine.run({ i: 0 }, { handlers });
  const before = memory.buffer.byteLength;
  for (let n = 0; n < 30; n++) {
    const result = await machine.run({ i: 0 }, { handlers });
    assert.equal(result.output.i, 2000);
  }
  // Freed at the end of each run, the memory is reused: it does not grow by a history
  // per run (30 held histories would add ~30 MB).
  assert.ok(memory.buffer.byteLength - before < 8 << 20, `grew by ${memory.buffer.byteLength - before} bytes`);
});
