// The benchmark workloads: ASL definitions and inputs that both simulators run
// unchanged (except (f), JSONata, which only Statelab implements). Each case says what
// output to expect, so a simulator that takes a shortcut or fails shows as a failure,
// not as a fast time.

/** (a) A Choice + Pass counter loop: `iterations` passes through Check and Increment. */
export function counterLoop(iterations) {
  return {
    definition: {
      Comment: "Counter loop: Choice + Pass with States.MathAdd",
      StartAt: "Check",
      States: {
        Check: {
          Type: "Choice",
          Choices: [{ Variable: "$.i", NumericLessThan: iterations, Next: "Increment" }],
          Default: "Done",
        },
        Increment: {
          Type: "Pass",
          Parameters: { "i.$": "States.MathAdd($.i, 1)" },
          Next: "Check",
        },
        Done: { Type: "Succeed" },
      },
    },
    input: { i: 0 },
    expect: (output) => output?.i === iterations,
  };
}

/**
 * (b) An inline Map over `count` items. The items are zeros so that 100,000 of them fit
 * in AWS's 256 KiB input limit (which Statelab enforces); each iteration builds its own
 * input with ItemSelector ($$.Map.Item.Index) and does an intrinsic in a Pass state.
 */
export function inlineMap(count) {
  return {
    definition: {
      Comment: "Inline Map: ItemSelector + Pass with States.MathAdd per item",
      StartAt: "Each",
      States: {
        Each: {
          Type: "Map",
          ItemsPath: "$.items",
          ItemSelector: { "index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value" },
          ItemProcessor: {
            ProcessorConfig: { Mode: "INLINE" },
            StartAt: "Work",
            States: {
              Work: {
                Type: "Pass",
                Parameters: { "sum.$": "States.MathAdd($.index, $.value)" },
                ResultPath: "$.result",
                OutputPath: "$.value",
                End: true,
              },
            },
          },
          End: true,
        },
      },
    },
    input: { items: new Array(count).fill(0) },
    expect: (output) => Array.isArray(output) && output.length === count && output.every((v) => v === 0),
  };
}

/**
 * (c) `iterations` Task states calling an async JS handler, in a Task -> Choice loop.
 * The resource is a Lambda ARN, so the handler's return value is the task's result.
 */
export function taskLoop(iterations) {
  return {
    definition: {
      Comment: "Task -> Choice loop with an async JS handler",
      StartAt: "Increment",
      States: {
        Increment: {
          Type: "Task",
          Resource: "arn:aws:lambda:us-east-1:123456789012:function:increment",
          Next: "Check",
        },
        Check: {
          Type: "Choice",
          Choices: [{ Variable: "$.i", NumericLessThan: iterations, Next: "Increment" }],
          Default: "Done",
        },
        Done: { Type: "Succeed" },
      },
    },
    input: { i: 0 },
    handler: async (input) => ({ i: input.i + 1 }),
    handlerState: "Increment",
    expect: (output) => output?.i === iterations,
  };
}

/** A JSON value of about `bytes` bytes of JSON text: an array of small records. */
export function payloadOf(bytes) {
  const items = [];
  let size = 2;
  for (let i = 0; size < bytes - 120; i++) {
    const item = { id: i, sku: `SKU-${String(i).padStart(6, "0")}`, qty: i % 7, price: (i % 100) + 0.99, tags: ["a", "b"] };
    size += JSON.stringify(item).length + 1;
    items.push(item);
  }
  return items;
}

/**
 * (d) A 200 KiB payload through `count` Pass states, each with InputPath, Parameters
 * (copying the payload and counting with an intrinsic), ResultPath and OutputPath.
 */
export function payloadChain(count, bytes = 200 * 1024) {
  const states = {};
  for (let n = 0; n < count; n++) {
    const name = `Step${n}`;
    states[name] = {
      Type: "Pass",
      InputPath: "$.order",
      Parameters: { "lines.$": "$.lines", "step.$": "States.MathAdd($.step, 1)" },
      ResultPath: "$.order",
      OutputPath: "$",
      ...(n + 1 < count ? { Next: `Step${n + 1}` } : { End: true }),
    };
  }
  const lines = payloadOf(bytes);
  return {
    definition: { Comment: `A ${bytes} byte payload through ${count} Pass states`, StartAt: "Step0", States: states },
    input: { order: { step: 0, lines }, meta: { source: "bench" } },
    bytes: JSON.stringify({ order: { step: 0, lines }, meta: { source: "bench" } }).length,
    expect: (output) => output?.order?.step === count && output.order.lines.length === lines.length,
  };
}

/**
 * (e) A valid definition of `count` states: a chain that cycles through Pass (with
 * Parameters), Task (Lambda ARN, Retry, Catch), Choice (two rules) and Wait, then Succeed
 * and a Fail for the Catch.
 */
export function bigDefinition(count) {
  const states = {};
  const name = (n) => (n >= count - 2 ? "Finish" : `S${n}`);
  for (let n = 0; n < count - 2; n++) {
    const next = name(n + 1);
    switch (n % 4) {
      case 0:
        states[name(n)] = {
          Type: "Pass",
          Parameters: { "value.$": "$.value", "n": n, "label.$": "States.Format('step {}', $.value)" },
          ResultPath: "$.pass",
          Next: next,
        };
        break;
      case 1:
        states[name(n)] = {
          Type: "Task",
          Resource: `arn:aws:lambda:us-east-1:123456789012:function:fn${n}`,
          InputPath: "$",
          ResultPath: "$.task",
          TimeoutSeconds: 30,
          Retry: [{ ErrorEquals: ["States.Timeout"], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }],
          Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "Failed" }],
          Next: next,
        };
        break;
      case 2:
        states[name(n)] = {
          Type: "Choice",
          Choices: [
            { Variable: "$.value", NumericGreaterThan: 1000000, Next: "Failed" },
            { And: [{ Variable: "$.value", IsPresent: true }, { Variable: "$.value", IsNumeric: true }], Next: next },
          ],
          Default: next,
        };
        break;
      default:
        states[name(n)] = { Type: "Wait", Seconds: 1, Next: next };
    }
  }
  states.Finish = { Type: "Succeed" };
  states.Failed = { Type: "Fail", Error: "Bench.Failed", Cause: "a Catch or Choice led here" };
  return { Comment: `${count} states`, StartAt: "S0", States: states };
}

/**
 * (f) The counter loop of (a) in JSONata: a Pass with Output and Assign and a Choice
 * with Condition, `iterations` times (Statelab only: the peer has no JSONata).
 */
export function jsonataLoop(iterations) {
  return {
    definition: {
      Comment: "Counter loop in JSONata: Arguments/Output/Condition/Assign",
      QueryLanguage: "JSONata",
      StartAt: "Check",
      States: {
        Check: {
          Type: "Choice",
          Choices: [{ Condition: `{% $states.input.i < ${iterations} %}`, Next: "Increment" }],
          Default: "Done",
        },
        Increment: {
          Type: "Pass",
          Output: "{% {'i': $states.input.i + 1, 'total': $states.input.total + $states.input.i} %}",
          Assign: { "last": "{% $states.input.i %}" },
          Next: "Check",
        },
        Done: { Type: "Succeed", Output: "{% {'i': $states.input.i, 'total': $states.input.total, 'last': $last} %}" },
      },
    },
    input: { i: 0, total: 0 },
    expect: (output) => output?.i === iterations && output.total === (iterations * (iterations - 1)) / 2,
  };
}

/**
 * (f2) The Task loop of (c) in JSONata: the Task's Arguments and Output and the Choice's
 * Condition are expressions (Statelab only).
 */
export function jsonataTaskLoop(iterations) {
  const plain = taskLoop(iterations);
  return {
    ...plain,
    definition: {
      Comment: "Task -> Choice loop in JSONata: Arguments/Output/Condition",
      QueryLanguage: "JSONata",
      StartAt: "Increment",
      States: {
        Increment: {
          Type: "Task",
          Resource: "arn:aws:lambda:us-east-1:123456789012:function:increment",
          Arguments: { "i": "{% $states.input.i %}" },
          Output: { "i": "{% $states.result.i %}" },
          Next: "Check",
        },
        Check: {
          Type: "Choice",
          Choices: [{ Condition: `{% $states.input.i < ${iterations} %}`, Next: "Increment" }],
          Default: "Done",
        },
        Done: { Type: "Succeed" },
      },
    },
  };
}
