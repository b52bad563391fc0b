// A typed usage example of the public API: must compile with `tsc --noEmit --strict`
// (tests/node/types.test.mjs). Importing by the package's name checks the `types`
// condition of package.json `exports` too. It is compiled, never run.
import {
  evaluateJsonata,
  Execution,
  jsonataLoaded,
  JsonataNotLoadedError,
  loadJsonata,
  needsJsonata,
  StateMachine,
  testState,
  validate,
  ValidationError,
  type Diagnostic,
  type ExecutionOptions,
  type ExecutionResult,
  type Handler,
  type HistoryEvent,
  type HistoryEventType,
  type MockConfig,
  type TestStateResult,
} from "statelab";

const definition = {
  StartAt: "Check Inventory",
  States: {
    "Check Inventory": { Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:inventory", Next: "Done" },
    Done: { Type: "Succeed" },
  },
};

// validate: text or object, every diagnostic with a position.
const checked = validate(JSON.stringify(definition), { type: "EXPRESS" });
const valid: boolean = checked.valid;
for (const d of checked.diagnostics) {
  const severity: "error" | "warning" = d.severity;
  const where: string = d.range ? `${d.range.start.line}:${d.range.start.column}` : d.path;
  console.log(valid, severity, where, d.code, d.message);
}
validate(definition);

// StateMachine: a bad definition throws a ValidationError with diagnostics.
let machine: StateMachine;
try {
  machine = new StateMachine(definition, { type: "STANDARD", name: "Orders" });
} catch (error) {
  if (error instanceof ValidationError) {
    const diagnostics: Diagnostic[] = error.diagnostics;
    const code: "InvalidDefinition" = error.code;
    console.log(code, diagnostics.length);
  }
  throw error;
}
const machineName: string = machine.name;

// Handlers: sync or async, with the context AWS's Lambda runtime would give.
const inventory: Handler = async (input, context) => {
  context.signal.addEventListener("abort", () => {});
  const token: string | undefined = context.taskToken;
  const attempt: number = context.retryCount;
  return { items: input.items, token, attempt, state: context.stateName, arn: context.executionArn };
};

const events: HistoryEvent[] = [];
const options: ExecutionOptions = {
  handlers: { "Check Inventory": inventory, "*": () => undefined },
  clock: { speed: 10 },
  startDate: new Date(0),
  name: "first",
  maxTransitions: 1000,
  s3: { bucket: { "key.json": "[]" } },
  stateMachines: { child: machine },
  onEvent: (event) => events.push(event),
  seed: 7,
};

const result: ExecutionResult = await machine.run({ items: [1, 2] }, options);
if (result.status === "SUCCEEDED") console.log(result.output);
else console.log(result.error ?? "", result.cause ?? "", result.stopDate);
// @ts-expect-error: a finished execution is never RUNNING
if (result.status === "RUNNING") console.log("unreachable");

// Execution: control, task tokens and AWS-shaped history.
const execution: Execution = machine.start(undefined, { clock: "real" });
execution.pause();
const stepped: HistoryEvent[] = await execution.step();
execution.resume();
execution.sendTaskSuccess("token", { ok: true });
execution.sendTaskFailure("token", "Custom.Error", "why");
execution.sendTaskHeartbeat("token");
execution.stop({ error: "Stopped", cause: "by the test" });
const final = await execution.result;
const objects: Record<string, string> | undefined = execution.services().s3["bucket"];
console.log(objects?.["key.json"]);
console.log(execution.executionArn, execution.status, final.status, stepped.length, machineName);

for (const event of execution.history()) {
  const type: HistoryEventType = event.type;
  const id: number = event.id;
  const previous: number = event.previousEventId;
  const started: string | undefined = event.executionStartedEventDetails?.input;
  const truncated: boolean | undefined = event.executionStartedEventDetails?.inputDetails?.truncated;
  const entered: string | undefined = event.stateEnteredEventDetails?.name;
  const failed = event.taskFailedEventDetails;
  const lambda = event.lambdaFunctionScheduledEventDetails?.resource;
  const iteration: number | undefined = event.mapIterationStartedEventDetails?.index;
  console.log(type, id, previous, event.timestamp, started, truncated, entered, failed?.error, lambda, iteration);
}

// MockConfigFile options.
const mocks: MockConfig = {
  StateMachines: { Orders: { TestCases: { HappyPath: { "Check Inventory": "InStock" } } } },
  MockedResponses: {
    InStock: { "0": { Return: { items: [] } } },
    Broken: { "0-2": { Throw: { Error: "Lambda.ServiceException", Cause: "down" } } },
  },
};
await machine.run({}, { mocks, testCase: "HappyPath" });

// TestState and JSONata.
const tested: TestStateResult = await testState({
  definition: { Type: "Pass", Output: "{% $states.input.a %}", QueryLanguage: "JSONata" },
  input: { a: 1 },
  inspectionLevel: "DEBUG",
  variables: { x: 1 },
  mock: { result: "{}" },
});
console.log(tested.status, tested.output, tested.inspectionData?.afterInputPath, tested.nextState);
const value: unknown = evaluateJsonata("$sum(a)", { a: [1, 2] }, { x: 1 }, { maxDepth: 100, maxSteps: 10000 });
console.log(value);

// JSONata on demand (browsers): load before a JSONata machine; its error names the cure.
if (needsJsonata(definition) && !jsonataLoaded()) await loadJsonata();
try {
  evaluateJsonata("1");
} catch (error) {
  if (error instanceof JsonataNotLoadedError) console.log(error.code satisfies "JsonataNotLoaded");
}
