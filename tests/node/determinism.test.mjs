// Determinism: the same definition, input, handlers and seed give the same history, byte
// for byte (ids, timestamps under the virtual clock, UUIDs, jitter, task tokens); another
// seed gives other ids.

import { test } from "node:test";
import assert from "node:assert/strict";
import { StateMachine } from "../../js/node.js";

const LAMBDA = "arn:aws:lambda:us-east-1:111111111111:function:";

const definition = {
  StartAt: "Ids",
  States: {
    Ids: { Type: "Pass", Parameters: { "uuid.$": "States.UUID()", "random.$": "States.MathRandom(1, 1000000)" }, ResultPath: "$.ids", Next: "Flaky" },
    Flaky: {
      Type: "Task",
      Resource: `${LAMBDA}flaky`,
      ResultPath: "$.flaky",
      Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 3, MaxAttempts: 4, BackoffRate: 2, JitterStrategy: "FULL" }],
      Next: "Both",
    },
    Both: {
      Type: "Parallel",
      ResultPath: "$.both",
      Branches: [
        {
          StartAt: "Approve",
          States: {
            Approve: {
              Type: "Task",
              Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
              Parameters: { FunctionName: "approver", Payload: { "token.$": "$$.Task.Token" } },
              End: true,
            },
          },
        },
        {
          StartAt: "Each",
          States: {
            Each: {
              Type: "Map",
              ItemsPath: "$.items",
              MaxConcurrency: 2,
              ItemProcessor: {
                StartAt: "Pause",
                States: {
                  Pause: { Type: "Wait", Seconds: 5, Next: "Work" },
                  Work: { Type: "Task", Resource: `${LAMBDA}work`, End: true },
                },
              },
              End: true,
            },
          },
        },
      ],
      Next: "Jsonata",
    },
    Jsonata: {
      Type: "Pass",
      QueryLanguage: "JSONata",
      Output: "{% $merge([$states.input, {'uuid': $uuid(), 'random': $random(), 'now': $now()}]) %}",
      End: true,
    },
  },
};

const handlers = {
  flaky: (input, context) => {
    if (context.retryCount < 3) throw new Error("not yet");
    return { attempts: context.retryCount + 1 };
  },
  approver: (input, context) => {
    // The worker answers a moment later (after TaskSubmitted), through the callback API.
    setTimeout(() => context.sendTaskSuccess(input.token, { approved: input.token.length > 0 }), 5);
    return { queued: true };
  },
  work: (n) => n * 10,
};

async function historyText(seed) {
  const execution = new StateMachine(definition, { name: "Determinism" }).start(
    { items: [1, 2, 3, 4] },
    { handlers, seed, name: "run-1", startDate: "2024-01-01T00:00:00Z" },
  );
  const result = await execution.result;
  assert.equal(result.status, "SUCCEEDED", JSON.stringify(result));
  return { history: JSON.stringify(execution.history()), output: result.output };
}

test("the same seed gives the same history byte for byte; another seed other ids", async () => {
  const first = await historyText(42);
  const second = await historyText(42);
  assert.equal(first.history, second.history);
  assert.deepEqual(first.output, second.output);
  // Everything random took part: retries with jitter, a Map, a task token, UUIDs.
  const types = JSON.parse(first.history).map((e) => e.type);
  for (const type of ["TaskSubmitted", "MapIterationSucceeded", "ParallelStateStarted", "WaitStateExited", "LambdaFunctionFailed"]) {
    assert.ok(types.includes(type), `history has no ${type}: ${[...new Set(types)].join(", ")}`);
  }
  assert.match(first.output.ids.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

  const other = await historyText(43);
  assert.notEqual(other.history, first.history);
  assert.notEqual(other.output.ids.uuid, first.output.ids.uuid);
  assert.notEqual(other.output.uuid, first.output.uuid);
});
