// The public JS API (DESIGN.md "The JS API"): what users of the npm package rely on
// beyond the data-driven cases — argument checking, handler lookup and error shapes,
// stop/pause/step, task tokens, streaming, limits, and that the module stays usable
// after bad input.

import { test } from "node:test";
import assert from "node:assert/strict";
import { StateMachine, ValidationError, validate, evaluateJsonata } from "../../js/node.js";

const LAMBDA = "arn:aws:lambda:us-east-1:111111111111:function:";
const startDate = "2024-01-01T00:00:00Z";

function oneTask(resource, extra = {}) {
  return { StartAt: "Work", States: { Work: { Type: "Task", Resource: resource, End: true, ...extra } } };
}

test("validate never throws for text or objects and reports positions", () => {
  const bad = validate('{\n  "StartAt": "A",\n  "States": {"A": {"Type": "Pass", "Next": "Nope"}}\n}');
  assert.equal(bad.valid, false);
  const next = bad.diagnostics.find((d) => d.path === "/States/A/Next");
  assert.ok(next, JSON.stringify(bad.diagnostics));
  assert.equal(next.range.start.line, 3);
  const notJson = validate("{ nope");
  assert.equal(notJson.valid, false);
  assert.equal(notJson.diagnostics[0].code, "INVALID_JSON");
  assert.ok(notJson.diagnostics[0].range);
  assert.deepEqual(validate({ StartAt: "A", States: { A: { Type: "Succeed" } } }), { valid: true, diagnostics: [] });
  assert.throws(() => validate(42), TypeError);
  assert.throws(() => validate({}, { nonsense: 1 }), /unknown option/);
});

test("StateMachine rejects what validate rejects, with diagnostics", () => {
  for (const definition of ['{"StartAt": ', { StartAt: "X", States: {} }, { StartAt: "A", States: { A: { Type: "Nope", End: true } } }]) {
    assert.throws(
      () => new StateMachine(definition),
      (error) => error instanceof ValidationError && error.diagnostics.length > 0 && error.code === "InvalidDefinition",
    );
  }
  // The module is still usable afterwards.
  assert.ok(new StateMachine({ StartAt: "A", States: { A: { Type: "Succeed" } } }));
});

test("handler lookup order: state name, resource ARN, function name, *", async () => {
  const machine = new StateMachine(oneTask(`${LAMBDA}fn`));
  const byName = await machine.run({}, { startDate, handlers: { Work: () => "state", fn: () => "function", "*": () => "star" } });
  assert.equal(byName.output, "state");
  const byArn = await machine.run({}, { startDate, handlers: { [`${LAMBDA}fn`]: () => "arn", fn: () => "function" } });
  assert.equal(byArn.output, "arn");
  const byFunction = await machine.run({}, { startDate, handlers: { fn: () => "function", "*": () => "star" } });
  assert.equal(byFunction.output, "function");
  const byStar = await machine.run({}, { startDate, handlers: { "*": () => "star" } });
  assert.equal(byStar.output, "star");
  const missing = await machine.run({}, { startDate });
  assert.equal(missing.status, "FAILED");
  assert.equal(missing.error, "Lambda.ResourceNotFoundException");
});

test("thrown values of every type give a defined failure", async () => {
  const machine = new StateMachine(oneTask(`${LAMBDA}fn`));
  const run = (fn) => machine.run({}, { startDate, handlers: { fn } });
  class PaymentDeclined extends Error {
    name = "PaymentDeclined";
  }
  const error = await run(() => {
    throw new PaymentDeclined("card expired");
  });
  assert.equal(error.error, "PaymentDeclined");
  assert.equal(JSON.parse(error.cause).errorMessage, "card expired");
  const payload = await run(() => {
    throw { errorType: "Custom", errorMessage: "boom" };
  });
  assert.equal(payload.error, "Custom");
  assert.equal(JSON.parse(payload.cause).errorMessage, "boom");
  const rejected = await run(() => Promise.reject(new TypeError("bad")));
  assert.equal(rejected.error, "TypeError");
  for (const value of ["text", null, 7, undefined]) {
    const result = await run(() => {
      throw value;
    });
    assert.equal(result.status, "FAILED", String(value));
    assert.equal(typeof result.error, "string");
  }
  const returnsUndefined = await run(() => undefined);
  assert.equal(returnsUndefined.output, null);
});

test("a handler gets a copy of the input: mutating it changes nothing", async () => {
  const machine = new StateMachine({
    StartAt: "Work",
    States: { Work: { Type: "Task", Resource: `${LAMBDA}fn`, ResultPath: "$.result", End: true } },
  });
  const result = await machine.run({ keep: 1 }, {
    startDate,
    handlers: {
      fn: (input) => {
        input.keep = 999;
        return "done";
      },
    },
  });
  assert.deepEqual(result.output, { keep: 1, result: "done" });
});

test("stop() aborts a run whose handler never settles", async () => {
  const machine = new StateMachine(oneTask(`${LAMBDA}fn`));
  let signal;
  const execution = machine.start({}, { startDate, handlers: { fn: (_input, context) => ((signal = context.signal), new Promise(() => {})) } });
  await new Promise((resolve) => setTimeout(resolve, 20));
  execution.stop({ error: "Stopped", cause: "by the test" });
  const result = await execution.result;
  assert.equal(result.status, "ABORTED");
  assert.equal(execution.status, "ABORTED");
  assert.equal(signal.aborted, true);
  assert.equal(execution.history().at(-1).type, "ExecutionAborted");
});

test("waitForTaskToken: the task waits for sendTaskSuccess", async () => {
  const machine = new StateMachine({
    StartAt: "Approve",
    States: {
      Approve: {
        Type: "Task",
        Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        Parameters: { QueueUrl: "q", MessageBody: { "token.$": "$$.Task.Token" } },
        End: true,
      },
    },
  });
  let token;
  const execution = machine.start({}, {
    startDate,
    handlers: {
      Approve: (input) => {
        token = input.MessageBody.token;
        return { MessageId: "1" };
      },
    },
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(execution.status, "RUNNING");
  assert.ok(token);
  assert.throws(() => execution.sendTaskSuccess("not-a-token", {}), (e) => e.code === "TaskDoesNotExist");
  execution.sendTaskSuccess(token, { approved: true });
  const result = await execution.result;
  assert.equal(result.status, "SUCCEEDED");
  assert.deepEqual(result.output, { approved: true });
});

test("onEvent streams AWS-shaped events; pause and step advance one event at a time", async () => {
  const definition = {
    StartAt: "A",
    States: { A: { Type: "Pass", Next: "B" }, B: { Type: "Wait", Seconds: 60, Next: "C" }, C: { Type: "Succeed" } },
  };
  const events = [];
  const result = await new StateMachine(definition).run({ x: 1 }, { startDate, onEvent: (e) => events.push(e) });
  assert.equal(result.status, "SUCCEEDED");
  assert.deepEqual(
    events.map((e) => e.type),
    ["ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered", "WaitStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"],
  );
  assert.equal(events[0].executionStartedEventDetails.input, '{"x":1}');
  assert.equal(result.stopDate, "2024-01-01T00:01:00.000Z", "the virtual clock advanced by the Wait");

  const execution = new StateMachine(definition).start({}, { startDate });
  execution.pause();
  const first = await execution.step();
  assert.equal(first.length, 1);
  assert.equal(first[0].type, "ExecutionStarted");
  const second = await execution.step();
  assert.equal(second[0].type, "PassStateEntered");
  execution.resume();
  assert.equal((await execution.result).status, "SUCCEEDED");
});

test("input over 256 KiB or not JSON is InvalidExecutionInput; bad options throw", () => {
  const machine = new StateMachine({ StartAt: "A", States: { A: { Type: "Succeed" } } });
  assert.throws(() => machine.start({ big: "x".repeat(300 * 1024) }), (e) => e.code === "InvalidExecutionInput");
  const cyclic = {};
  cyclic.self = cyclic;
  assert.throws(() => machine.start(cyclic), (e) => e.code === "InvalidExecutionInput");
  // A function in the input is a mistake, not something to drop silently.
  assert.throws(() => machine.start({ callback() {} }), (e) => e.code === "InvalidExecutionInput" && /"callback" is a function/.test(e.message));
  assert.throws(() => machine.start({}, { colour: "blue" }), /unknown option "colour"/);
  assert.throws(() => machine.start({}, { handlers: { A: "not a function" } }), /must be a function/);
  assert.throws(() => machine.start({}, { clock: "sundial" }), TypeError);
});

test("an endless loop stops at maxTransitions with a clear failure", async () => {
  const loop = new StateMachine({
    StartAt: "Again",
    States: {
      Again: { Type: "Pass", Next: "Check" },
      Check: { Type: "Choice", Choices: [{ Variable: "$.done", IsPresent: true, Next: "Done" }], Default: "Again" },
      Done: { Type: "Succeed" },
    },
  }, { type: "EXPRESS" });
  const result = await loop.run({}, { maxTransitions: 5000 });
  assert.equal(result.status, "FAILED");
  assert.equal(result.error, "Statelab.MaxTransitionsExceeded");
  assert.match(result.cause, /5000 state transitions/);
});

test("a STANDARD execution stops at AWS's 25,000 history events", async () => {
  const loop = new StateMachine({
    StartAt: "Again",
    States: {
      Again: { Type: "Pass", Next: "Check" },
      Check: { Type: "Choice", Choices: [{ Variable: "$.done", IsPresent: true, Next: "Done" }], Default: "Again" },
      Done: { Type: "Succeed" },
    },
  });
  const result = await loop.run({});
  assert.equal(result.status, "FAILED");
  assert.match(result.cause, /25000/);
});

test("evaluateJsonata: values, AWS functions, codes and positions, limits", () => {
  assert.equal(evaluateJsonata("$sum(a)", { a: [1, 2, 3.5] }), 6.5);
  assert.equal(evaluateJsonata("$x & '!'", {}, { x: "hi" }), "hi!");
  assert.deepEqual(evaluateJsonata("$partition([1,2,3], 2)"), [[1, 2], [3]]);
  assert.equal(evaluateJsonata("nothing", {}), undefined);
  assert.throws(() => evaluateJsonata('1 + "a"'), (e) => e.code === "T2002" && e.position === 3);
  assert.throws(() => evaluateJsonata("$eval('1')"), (e) => typeof e.code === "string");
  const deep = "$f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000)";
  assert.throws(() => evaluateJsonata(`(${deep})`, {}, {}, { maxDepth: 200 }), (e) => e.code === "U1001");
  assert.throws(() => evaluateJsonata("$f", {}, { f: () => 1 }), /bindings is not JSON: "f" is a function/);
  assert.equal(evaluateJsonata("1 + 1"), 2, "still usable after errors");
});

test("the in-memory S3 feeds a distributed Map and can be read back", async () => {
  const machine = new StateMachine({
    StartAt: "Each",
    States: {
      Each: {
        Type: "Map",
        ItemReader: { Resource: "arn:aws:states:::s3:getObject", ReaderConfig: { InputType: "CSV", CSVHeaderLocation: "FIRST_ROW" }, Parameters: { Bucket: "in", Key: "rows.csv" } },
        ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "P", States: { P: { Type: "Pass", End: true } } },
        End: true,
      },
    },
  });
  const execution = machine.start({}, { startDate, s3: { in: { "rows.csv": "sku,qty\nA,1\nB,2\n" } } });
  const result = await execution.result;
  assert.deepEqual(result.output, [{ sku: "A", qty: "1" }, { sku: "B", qty: "2" }]);
  assert.deepEqual(execution.services().s3.in, { "rows.csv": "sku,qty\nA,1\nB,2\n" });
  assert.ok(execution.history().some((e) => e.type === "MapRunStarted"));
});

test("inspections record every data-flow stage of each state visit", async () => {
  const machine = new StateMachine({
    StartAt: "Shape",
    States: { Shape: { Type: "Pass", InputPath: "$.order", Parameters: { "id.$": "$.id" }, ResultPath: "$.shaped", OutputPath: "$.shaped", End: true } },
  });
  const execution = machine.start({ order: { id: 7, junk: true } }, { startDate, inspect: true });
  await execution.result;
  const [visit] = execution.inspections();
  assert.equal(visit.stateName, "Shape");
  assert.deepEqual(visit.afterInputPath, { id: 7, junk: true });
  assert.deepEqual(visit.afterParameters, { id: 7 });
  assert.deepEqual(visit.afterResultPath, { order: { id: 7, junk: true }, shaped: { id: 7 } });
  assert.deepEqual(visit.output, { id: 7 });
});

test("a Step Functions Local MockConfigFile test case replaces the tasks", async () => {
  const machine = new StateMachine(
    {
      StartAt: "LambdaState",
      States: {
        LambdaState: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke",
          Parameters: { FunctionName: "HelloFunction", "Payload.$": "$" },
          Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 1, MaxAttempts: 3 }],
          OutputPath: "$.Payload",
          End: true,
        },
      },
    },
    { name: "LambdaSQSIntegration" },
  );
  const mocks = {
    StateMachines: { LambdaSQSIntegration: { TestCases: { RetryPath: { LambdaState: "MockedLambdaRetry" } } } },
    MockedResponses: {
      MockedLambdaRetry: {
        0: { Throw: { Error: "Lambda.ResourceNotReadyException", Cause: "Lambda resource is not ready." } },
        "1-2": { Throw: { Error: "Lambda.TimeoutException", Cause: "Lambda timed out." } },
        3: { Return: { StatusCode: 200, Payload: { body: "Hello from Lambda!" } } },
      },
    },
  };
  const execution = machine.start({}, { startDate, mocks, testCase: "RetryPath" });
  const result = await execution.result;
  assert.equal(result.status, "SUCCEEDED");
  assert.deepEqual(result.output, { body: "Hello from Lambda!" });
  assert.equal(execution.history().filter((e) => e.type === "TaskFailed").length, 3);
  assert.throws(() => machine.start({}, { mocks, testCase: "Nope" }), /Nope/);
});

test("waitForTaskToken: TaskSubmitted, heartbeats, and States.HeartbeatTimeout", async () => {
  const machine = new StateMachine({
    StartAt: "Approve",
    States: {
      Approve: {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
        HeartbeatSeconds: 1,
        Parameters: { FunctionName: "approver", Payload: { "token.$": "$$.Task.Token" } },
        End: true,
      },
    },
  });
  let token;
  const execution = machine.start({}, { startDate, handlers: { approver: (input) => ((token = input.token), { queued: true }) } });
  await new Promise((resolve) => setTimeout(resolve, 600));
  execution.sendTaskHeartbeat(token); // keeps it alive past the first second
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(execution.status, "RUNNING");
  const result = await execution.result; // no more heartbeats: times out
  assert.equal(result.status, "FAILED");
  assert.equal(result.error, "States.HeartbeatTimeout");
  const types = execution.history().map((e) => e.type);
  assert.deepEqual(types.slice(0, 6), ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskTimedOut"]);
});

test("startExecution.sync runs a machine from stateMachines as a child execution", async () => {
  const child = new StateMachine(
    { StartAt: "Double", States: { Double: { Type: "Pass", Parameters: { "n.$": "States.MathAdd($.n, $.n)" }, End: true } } },
    { name: "Doubler" },
  );
  const failing = new StateMachine({ StartAt: "F", States: { F: { Type: "Fail", Error: "Nope", Cause: "child failed" } } }, { name: "Failing" });
  const parent = new StateMachine({
    StartAt: "Call",
    States: {
      Call: {
        Type: "Task",
        Resource: "arn:aws:states:::states:startExecution.sync:2",
        Parameters: { StateMachineArn: "arn:aws:states:us-east-1:111111111111:stateMachine:Doubler", "Input.$": "$" },
        OutputPath: "$.Output",
        Next: "Fails",
      },
      Fails: {
        Type: "Task",
        Resource: "arn:aws:states:::states:startExecution.sync",
        Parameters: { StateMachineArn: "arn:aws:states:us-east-1:111111111111:stateMachine:Failing" },
        Catch: [{ ErrorEquals: ["States.TaskFailed"], ResultPath: "$.caught", Next: "Done" }],
        End: true,
      },
      Done: { Type: "Succeed" },
    },
  });
  const result = await parent.run({ n: 21 }, { startDate, stateMachines: { Doubler: child, Failing: failing } });
  assert.equal(result.status, "SUCCEEDED");
  assert.equal(result.output.n, 42);
  assert.equal(result.output.caught.Error, "States.TaskFailed");
  assert.equal(JSON.parse(result.output.caught.Cause).Error, "Nope");
  const missing = await parent.run({ n: 1 }, { startDate, stateMachines: {} });
  assert.equal(missing.status, "FAILED");
  assert.equal(missing.error, "StepFunctions.StateMachineDoesNotExistException");
});

test("in-memory DynamoDB and SQS: seeded, used by tasks, read back; callbacks through SQS", async () => {
  const machine = new StateMachine({
    StartAt: "Save",
    States: {
      Save: {
        Type: "Task",
        Resource: "arn:aws:states:::dynamodb:putItem",
        Parameters: { TableName: "Orders", Item: { id: { "S.$": "$.id" }, total: { N: "42" } } },
        ResultPath: null,
        Next: "Ask",
      },
      Ask: {
        Type: "Task",
        Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        Parameters: { QueueUrl: "https://sqs.us-east-1.amazonaws.com/111111111111/approvals", MessageBody: { "token.$": "$$.Task.Token" } },
        End: true,
      },
    },
  });
  const queue = "https://sqs.us-east-1.amazonaws.com/111111111111/approvals";
  const execution = machine.start({ id: "o-1" }, {
    startDate,
    dynamodb: { tables: { Orders: { keySchema: { partitionKey: "id" } } } },
    sqs: { queues: [queue] },
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  const state = execution.services();
  assert.equal(JSON.stringify(state.dynamodb).includes("o-1"), true, JSON.stringify(state.dynamodb));
  const message = JSON.stringify(state.sqs);
  const token = JSON.parse(JSON.parse(message.match(/"Body":("(?:[^"\\]|\\.)*")/)[1])).token;
  assert.ok(token, message);
  assert.ok(execution.history().some((e) => e.type === "TaskSubmitted"));
  execution.sendTaskSuccess(token, { approved: true });
  assert.deepEqual((await execution.result).output, { approved: true });
});

test("a distributed Map's ResultWriter writes the manifest and result files to S3", async () => {
  const machine = new StateMachine({
    StartAt: "Each",
    States: {
      Each: {
        Type: "Map",
        ItemProcessor: {
          ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
          StartAt: "Check",
          States: {
            Check: { Type: "Choice", Choices: [{ Variable: "$", NumericEquals: 2, Next: "Bad" }], Default: "Good" },
            Good: { Type: "Pass", End: true },
            Bad: { Type: "Fail", Error: "Odd", Cause: "two" },
          },
        },
        ToleratedFailureCount: 1,
        ResultWriter: { Resource: "arn:aws:states:::s3:putObject", Parameters: { Bucket: "out", Prefix: "runs" } },
        End: true,
      },
    },
  });
  const execution = machine.start([1, 2, 3], { startDate, s3: { out: {} } });
  const result = await execution.result;
  assert.equal(result.status, "SUCCEEDED");
  assert.match(result.output.MapRunArn, /:mapRun:/);
  assert.equal(result.output.ResultWriterDetails.Bucket, "out");
  const files = execution.services().s3.out;
  const manifest = JSON.parse(files[result.output.ResultWriterDetails.Key]);
  assert.equal(manifest.DestinationBucket, "out");
  assert.equal(manifest.ResultFiles.SUCCEEDED.length, 1);
  assert.equal(manifest.ResultFiles.FAILED.length, 1);
  const succeeded = JSON.parse(files[manifest.ResultFiles.SUCCEEDED[0].Key]);
  assert.deepEqual(succeeded.map((r) => JSON.parse(r.Output)), [1, 3]);
  const failed = JSON.parse(files[manifest.ResultFiles.FAILED[0].Key]);
  assert.equal(failed[0].Error, "Odd");
  assert.equal(failed[0].Input, "2");
});

test("activities are served by handlers and recorded as Activity events", async () => {
  const arn = "arn:aws:states:us-east-1:111111111111:activity:review";
  const machine = new StateMachine({ StartAt: "Review", States: { Review: { Type: "Task", Resource: arn, TimeoutSeconds: 60, End: true } } });
  const execution = machine.start({ doc: 1 }, { startDate, handlers: { [arn]: (input) => ({ ...input, reviewed: true }) } });
  const result = await execution.result;
  assert.deepEqual(result.output, { doc: 1, reviewed: true });
  assert.deepEqual(
    execution.history().map((e) => e.type),
    ["ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted", "ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"],
  );
  const failing = await machine.run({}, { startDate, handlers: { review: () => { throw new Error("no"); } } });
  assert.equal(failing.status, "FAILED");
  assert.equal(failing.error, "Statelab.NoHandler");
});

test("execution input: what JSON would lose is refused, what it keeps goes through the fast path", async () => {
  const machine = new StateMachine({ StartAt: "P", States: { P: { Type: "Pass", End: true } } });
  const nested = (levels) => {
    let value = 1;
    for (let i = 0; i < levels; i++) value = [value];
    return value;
  };
  const cyclic = {};
  cyclic.self = cyclic;
  await assert.rejects(async () => machine.run({ a: 1, b: () => 1 }), /the input is not JSON: "b" is a function/);
  await assert.rejects(async () => machine.run([1, Symbol("x")]), /the input is not JSON: "1" is a symbol/);
  await assert.rejects(async () => machine.run({ deep: nested(200) }), /nested more than 127 levels deep/);
  await assert.rejects(async () => machine.run(cyclic), /circular/);
  // toJSON is honoured (Date), nesting up to the limit passes, key order is kept.
  assert.deepEqual((await machine.run({ when: new Date(0) })).output, { when: "1970-01-01T00:00:00.000Z" });
  assert.deepEqual((await machine.run({ deep: nested(120) })).output, { deep: nested(120) });
  assert.deepEqual(Object.keys((await machine.run({ z: 1, a: [{ y: 2, b: 3 }] })).output), ["z", "a"]);
});
