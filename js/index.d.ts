// Types of the public API of the `statelab` package (DESIGN.md "The JS API"). They
// describe js/api.js, which js/node.js and js/browser.js re-export; tests/types/ compiles
// a typed usage example against them with `tsc --strict` so they cannot drift into `any`.
//
// History events and TestState results use AWS's shapes and names (GetExecutionHistory,
// TestState), so code written against the AWS SDK's types reads the same here. One
// difference: timestamps are ISO 8601 text, as the AWS API sends them on the wire.

// ---------------------------------------------------------------------------------------
// Definitions and validation
// ---------------------------------------------------------------------------------------

/** A state machine definition: Amazon States Language as JSON text or as a parsed object. */
export type Definition = string | object;

/** `STANDARD` (the default) or `EXPRESS`: which of AWS's rules and limits apply. */
export type StateMachineType = "STANDARD" | "EXPRESS";

/** A 1-based line and column in the definition text. */
export interface Position {
  line: number;
  column: number;
}

/** Where a diagnostic points in the definition text. */
export interface Range {
  start: Position;
  end: Position;
}

/** A problem found in a definition; validation returns them all. */
export interface Diagnostic {
  severity: "error" | "warning";
  /** A stable code, e.g. `INVALID_JSON`, `MISSING_FIELD`, `UNKNOWN_NEXT`. */
  code: string;
  /** What is wrong and what was expected. */
  message: string;
  /** A JSON pointer to the offending node, e.g. `/States/Check Inventory/Next`. */
  path: string;
  /** The offending value's range; present when the definition was given as text. */
  range?: Range;
}

export interface ValidateOptions {
  type?: StateMachineType;
}

export interface ValidationResult {
  /** False when any diagnostic is an error (warnings alone keep a definition valid). */
  valid: boolean;
  diagnostics: Diagnostic[];
}

/**
 * Thrown (or the rejection of `Execution.result`) when the interpreter fails internally:
 * a bug in Statelab, not in the input. The module restarts itself, so later calls work;
 * executions that were running at that moment end with this error.
 */
export class StatelabInternalError extends Error {
  constructor(message: string, options?: { cause?: unknown });
  name: "StatelabInternalError";
  code: "StatelabInternalError";
}

/**
 * Every diagnostic for a definition. Never throws for a string or an object: text that is
 * not JSON is an `INVALID_JSON` diagnostic. A wrong argument type throws a TypeError.
 */
export function validate(definition: Definition, options?: ValidateOptions): ValidationResult;

/** Thrown by `new StateMachine()` for a definition AWS would reject. */
export class ValidationError extends Error {
  constructor(message: string, diagnostics: Diagnostic[]);
  name: "ValidationError";
  /** AWS's exception name for CreateStateMachine with a bad definition. */
  code: "InvalidDefinition";
  diagnostics: Diagnostic[];
}

// ---------------------------------------------------------------------------------------
// State machines and executions
// ---------------------------------------------------------------------------------------

export interface StateMachineOptions {
  type?: StateMachineType;
  /** The state machine's name (in ARNs, and the key of a MockConfigFile's StateMachines). */
  name?: string;
}

/** What a Task handler is given besides its input. */
export interface HandlerContext {
  stateName: string;
  /** The Task's Resource as written, e.g. `arn:aws:states:::lambda:invoke`. */
  resource: string;
  /** The task token, for `.waitForTaskToken` tasks. */
  taskToken?: string;
  awsRequestId: string;
  executionArn: string;
  /** 0 for the first attempt, then 1, 2, ... as Retry tries again. */
  retryCount: number;
  /** Aborted when the task no longer matters (stop(), a timeout, the execution ended). */
  signal: AbortSignal;
  /** The callback API, for a handler that plays the worker of a `.waitForTaskToken` task. */
  sendTaskSuccess(taskToken: string, output: unknown): void;
  sendTaskFailure(taskToken: string, error?: string, cause?: string): void;
  sendTaskHeartbeat(taskToken: string): void;
}

/**
 * A Task's implementation. Its return value (or resolved promise) is the task's result,
 * `undefined` meaning `null`; a thrown value is the task's failure (DESIGN.md "Handlers").
 */
export type Handler = (input: any, context: HandlerContext) => unknown;

/**
 * Handlers by key, looked up in this order: the state name; the Resource ARN (or the
 * `lambda:invoke` FunctionName as written); the Lambda function name; `"*"`.
 */
export type Handlers = Record<string, Handler>;

/** `virtual` (the default: waits take no time), `real`, or real time sped up. */
export type Clock = "virtual" | "real" | { speed: number };

export interface ExecutionOptions {
  handlers?: Handlers;
  /** An in-memory S3: bucket -> key -> object text. */
  s3?: Record<string, Record<string, string>>;
  /** Child state machines for `startExecution`, by name or ARN. */
  stateMachines?: Record<string, StateMachine>;
  /** A Step Functions Local MockConfigFile (parsed); use with `testCase`. */
  mocks?: MockConfig;
  /** The MockConfigFile test case to run. */
  testCase?: string;
  clock?: Clock;
  /** The execution's start time (timestamps advance from it); default: now. */
  startDate?: string | Date;
  /** The execution's name; default: a random UUID. */
  name?: string;
  /** Called with each history event as it is recorded. */
  onEvent?: (event: HistoryEvent) => void;
  /** Guard against endless loops (Map iterations included); default 250,000. */
  maxTransitions?: number;
  /** Seed for jitter, ids and UUIDs, for reproducible runs. */
  seed?: number;
  /** In-memory DynamoDB tables: `{ tables: { Name: { keySchema: {partitionKey, sortKey?}, items?: AttributeMap[] } } }`. */
  dynamodb?: { tables: Record<string, { keySchema: { partitionKey: string; sortKey?: string }; items?: Record<string, AttributeValue>[] }> };
  /** In-memory SQS queues: URLs, or URL -> messages (body text or message objects). */
  sqs?: { queues: string[] | Record<string, Array<string | Record<string, unknown>>> };
  /** In-memory SNS topics: ARNs, or ARN -> messages. */
  sns?: { topics: string[] | Record<string, Array<string | Record<string, unknown>>> };
  /** In-memory EventBridge buses: names, or name -> events. */
  eventbridge?: { buses: string[] | Record<string, Array<Record<string, unknown>>> };
  /** Record each state visit's data-flow stages for `Execution.inspections()`. */
  inspect?: boolean;
}

/** A DynamoDB attribute value. */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { M: Record<string, AttributeValue> }
  | { L: AttributeValue[] }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] };

/** One state visit with the value after each data-flow stage. */
export interface Inspection {
  stateName: string;
  enteredEventId: number;
  exitedEventId?: number;
  queryLanguage: "JSONPath" | "JSONata";
  input: unknown;
  afterInputPath?: unknown;
  afterParameters?: unknown;
  result?: unknown;
  afterResultSelector?: unknown;
  afterResultPath?: unknown;
  afterArguments?: unknown;
  output?: unknown;
  assigned?: Record<string, unknown>;
  error?: { error: string; cause?: string | null };
}

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

/** How an execution ended; `result` resolves with it for every outcome. */
export interface ExecutionResult {
  status: Exclude<ExecutionStatus, "RUNNING">;
  /** The execution's output (a JS value), when it succeeded. */
  output?: unknown;
  /** AWS's error name, e.g. `States.TaskFailed`, where AWS reports one. */
  error?: string;
  cause?: string;
  executionArn: string;
  /** ISO 8601. */
  startDate: string;
  /** ISO 8601. */
  stopDate: string;
}

export class StateMachine {
  /** @throws {ValidationError} for a definition AWS would reject. */
  constructor(definition: Definition, options?: StateMachineOptions);
  readonly name: string;
  readonly type: StateMachineType;
  /**
   * Starts an execution. Throws an error with `.code = "InvalidExecutionInput"` for input
   * that is not JSON-serialisable or is over 256 KiB, as StartExecution does.
   */
  start(input?: unknown, options?: ExecutionOptions): Execution;
  /** Runs an execution to its end. */
  run(input?: unknown, options?: ExecutionOptions): Promise<ExecutionResult>;
}

/** The in-memory AWS services' state (what an execution read and wrote). */
export interface ServicesState {
  /** bucket -> key -> object text. */
  s3: Record<string, Record<string, string>>;
  dynamodb?: Record<string, unknown>;
  sqs?: Record<string, unknown>;
  sns?: Record<string, unknown>;
  eventbridge?: Record<string, unknown>;
}

export class Execution {
  /** Executions are made by `StateMachine.start()`. */
  private constructor();
  readonly executionArn: string;
  readonly name: string;
  /** ISO 8601. */
  readonly startDate: string;
  readonly status: ExecutionStatus;
  /** Resolves for every outcome (never rejects for a failed execution). */
  readonly result: Promise<ExecutionResult>;
  /** The events so far, in AWS's GetExecutionHistory shape. */
  history(): HistoryEvent[];
  /** The in-memory services' state after (or during) the run. */
  services(): ServicesState;
  /** Each state visit's data-flow stages (when started with `inspect: true`). */
  inspections(): Inspection[];
  stop(options?: { error?: string; cause?: string }): void;
  sendTaskSuccess(taskToken: string, output: unknown): void;
  sendTaskFailure(taskToken: string, error?: string, cause?: string): void;
  sendTaskHeartbeat(taskToken: string): void;
  pause(): void;
  resume(): void;
  /** Pauses and advances by one step; resolves with the events it produced. */
  step(): Promise<HistoryEvent[]>;
}

// ---------------------------------------------------------------------------------------
// History events (AWS GetExecutionHistory)
// ---------------------------------------------------------------------------------------

/** AWS's history event types. */
export type HistoryEventType =
  | "ActivityFailed"
  | "ActivityScheduled"
  | "ActivityScheduleFailed"
  | "ActivityStarted"
  | "ActivitySucceeded"
  | "ActivityTimedOut"
  | "ChoiceStateEntered"
  | "ChoiceStateExited"
  | "EvaluationFailed"
  | "ExecutionAborted"
  | "ExecutionFailed"
  | "ExecutionRedriven"
  | "ExecutionStarted"
  | "ExecutionSucceeded"
  | "ExecutionTimedOut"
  | "FailStateEntered"
  | "LambdaFunctionFailed"
  | "LambdaFunctionScheduled"
  | "LambdaFunctionScheduleFailed"
  | "LambdaFunctionStarted"
  | "LambdaFunctionStartFailed"
  | "LambdaFunctionSucceeded"
  | "LambdaFunctionTimedOut"
  | "MapIterationAborted"
  | "MapIterationFailed"
  | "MapIterationStarted"
  | "MapIterationSucceeded"
  | "MapRunAborted"
  | "MapRunFailed"
  | "MapRunRedriven"
  | "MapRunStarted"
  | "MapRunSucceeded"
  | "MapStateAborted"
  | "MapStateEntered"
  | "MapStateExited"
  | "MapStateFailed"
  | "MapStateStarted"
  | "MapStateSucceeded"
  | "ParallelStateAborted"
  | "ParallelStateEntered"
  | "ParallelStateExited"
  | "ParallelStateFailed"
  | "ParallelStateStarted"
  | "ParallelStateSucceeded"
  | "PassStateEntered"
  | "PassStateExited"
  | "SucceedStateEntered"
  | "SucceedStateExited"
  | "TaskFailed"
  | "TaskScheduled"
  | "TaskStarted"
  | "TaskStartFailed"
  | "TaskStateAborted"
  | "TaskStateEntered"
  | "TaskStateExited"
  | "TaskSubmitFailed"
  | "TaskSubmitted"
  | "TaskSucceeded"
  | "TaskTimedOut"
  | "WaitStateAborted"
  | "WaitStateEntered"
  | "WaitStateExited";

/** Whether a payload in an event was cut to fit AWS's size limit. */
export interface HistoryEventExecutionDataDetails {
  truncated?: boolean;
}

/** `{error, cause}` details; either may be absent, as in AWS. */
export interface FailureEventDetails {
  error?: string;
  cause?: string;
}

export interface TaskCredentials {
  roleArn?: string;
}

export interface ExecutionStartedEventDetails {
  /** JSON text. */
  input?: string;
  inputDetails?: HistoryEventExecutionDataDetails;
  roleArn?: string;
  stateMachineAliasArn?: string;
  stateMachineVersionArn?: string;
}

export interface ExecutionSucceededEventDetails {
  /** JSON text. */
  output?: string;
  outputDetails?: HistoryEventExecutionDataDetails;
}

export interface ExecutionRedrivenEventDetails {
  redriveCount?: number;
}

export interface StateEnteredEventDetails {
  name: string;
  /** JSON text. */
  input?: string;
  inputDetails?: HistoryEventExecutionDataDetails;
}

export interface StateExitedEventDetails {
  name: string;
  /** JSON text. */
  output?: string;
  outputDetails?: HistoryEventExecutionDataDetails;
  /** Variables set by the state's Assign: name -> JSON text. */
  assignedVariables?: Record<string, string>;
  assignedVariablesDetails?: { truncated?: boolean };
}

export interface ActivityScheduledEventDetails {
  resource: string;
  input?: string;
  inputDetails?: HistoryEventExecutionDataDetails;
  timeoutInSeconds?: number;
  heartbeatInSeconds?: number;
}

export interface ActivityStartedEventDetails {
  workerName?: string;
}

export interface ActivitySucceededEventDetails {
  output?: string;
  outputDetails?: HistoryEventExecutionDataDetails;
}

export interface LambdaFunctionScheduledEventDetails {
  resource: string;
  input?: string;
  inputDetails?: HistoryEventExecutionDataDetails;
  timeoutInSeconds?: number;
  taskCredentials?: TaskCredentials;
}

export interface LambdaFunctionSucceededEventDetails {
  output?: string;
  outputDetails?: HistoryEventExecutionDataDetails;
}

export interface TaskScheduledEventDetails {
  /** e.g. `lambda`, `dynamodb`, `states`. */
  resourceType: string;
  /** e.g. `invoke`, `putItem`, `startExecution.sync`. */
  resource: string;
  region: string;
  /** The task's parameters as JSON text. */
  parameters: string;
  timeoutInSeconds?: number;
  heartbeatInSeconds?: number;
  taskCredentials?: TaskCredentials;
}

export interface TaskStartedEventDetails {
  resourceType: string;
  resource: string;
}

export interface TaskFailureEventDetails extends FailureEventDetails {
  resourceType: string;
  resource: string;
}

export interface TaskOutputEventDetails {
  resourceType: string;
  resource: string;
  output?: string;
  outputDetails?: HistoryEventExecutionDataDetails;
}

export interface MapStateStartedEventDetails {
  /** The number of items. */
  length?: number;
}

export interface MapIterationEventDetails {
  /** The Map state's name. */
  name?: string;
  index?: number;
}

export interface MapRunStartedEventDetails {
  mapRunArn?: string;
}

export interface MapRunRedrivenEventDetails {
  mapRunArn?: string;
  redriveCount?: number;
}

export interface EvaluationFailedEventDetails extends FailureEventDetails {
  location?: string;
  state: string;
}

/** One event of an execution's history, as AWS's GetExecutionHistory returns it. */
export interface HistoryEvent {
  /** ISO 8601. */
  timestamp: string;
  type: HistoryEventType;
  /** 1, 2, 3, ... in order of recording. */
  id: number;
  /** The event this one follows from (0 for the first). */
  previousEventId: number;

  activityFailedEventDetails?: FailureEventDetails;
  activityScheduleFailedEventDetails?: FailureEventDetails;
  activityScheduledEventDetails?: ActivityScheduledEventDetails;
  activityStartedEventDetails?: ActivityStartedEventDetails;
  activitySucceededEventDetails?: ActivitySucceededEventDetails;
  activityTimedOutEventDetails?: FailureEventDetails;
  taskFailedEventDetails?: TaskFailureEventDetails;
  taskScheduledEventDetails?: TaskScheduledEventDetails;
  taskStartFailedEventDetails?: TaskFailureEventDetails;
  taskStartedEventDetails?: TaskStartedEventDetails;
  taskSubmitFailedEventDetails?: TaskFailureEventDetails;
  taskSubmittedEventDetails?: TaskOutputEventDetails;
  taskSucceededEventDetails?: TaskOutputEventDetails;
  taskTimedOutEventDetails?: TaskFailureEventDetails;
  executionFailedEventDetails?: FailureEventDetails;
  executionStartedEventDetails?: ExecutionStartedEventDetails;
  executionSucceededEventDetails?: ExecutionSucceededEventDetails;
  executionAbortedEventDetails?: FailureEventDetails;
  executionTimedOutEventDetails?: FailureEventDetails;
  executionRedrivenEventDetails?: ExecutionRedrivenEventDetails;
  mapStateStartedEventDetails?: MapStateStartedEventDetails;
  mapIterationStartedEventDetails?: MapIterationEventDetails;
  mapIterationSucceededEventDetails?: MapIterationEventDetails;
  mapIterationFailedEventDetails?: MapIterationEventDetails;
  mapIterationAbortedEventDetails?: MapIterationEventDetails;
  lambdaFunctionFailedEventDetails?: FailureEventDetails;
  lambdaFunctionScheduleFailedEventDetails?: FailureEventDetails;
  lambdaFunctionScheduledEventDetails?: LambdaFunctionScheduledEventDetails;
  lambdaFunctionStartFailedEventDetails?: FailureEventDetails;
  lambdaFunctionSucceededEventDetails?: LambdaFunctionSucceededEventDetails;
  lambdaFunctionTimedOutEventDetails?: FailureEventDetails;
  stateEnteredEventDetails?: StateEnteredEventDetails;
  stateExitedEventDetails?: StateExitedEventDetails;
  mapRunStartedEventDetails?: MapRunStartedEventDetails;
  mapRunFailedEventDetails?: FailureEventDetails;
  mapRunRedrivenEventDetails?: MapRunRedrivenEventDetails;
  evaluationFailedEventDetails?: EvaluationFailedEventDetails;
}

// ---------------------------------------------------------------------------------------
// MockConfigFile (Step Functions Local)
// ---------------------------------------------------------------------------------------

/** One mocked answer: a result, or an error to throw. */
export type MockedResponseAttempt =
  | { Return: unknown; Throw?: never }
  | { Throw: { Error: string; Cause?: string }; Return?: never };

/**
 * A Step Functions Local MockConfigFile: test cases (state name -> mocked response name)
 * per state machine, and the mocked responses by name, each keyed by the attempts it
 * answers (`"0"`, `"1-2"`, ...).
 */
export interface MockConfig {
  StateMachines: Record<string, { TestCases: Record<string, Record<string, string>> }>;
  MockedResponses: Record<string, Record<string, MockedResponseAttempt>>;
}

// ---------------------------------------------------------------------------------------
// TestState (AWS's TestState API)
// ---------------------------------------------------------------------------------------

export type InspectionLevel = "INFO" | "DEBUG" | "TRACE";

/** AWS TestState's `mock`: the task's result, or an error, instead of calling it. */
export interface TestStateMock {
  /** The mocked result as JSON text. */
  result?: string;
  errorOutput?: { error?: string; cause?: string };
  fieldValidationMode?: "STRICT" | "PRESENT" | "NONE";
}

export interface TestStateRequest {
  /** A whole state machine (with `stateName`) or a single state's definition. */
  definition: Definition;
  input?: unknown;
  inspectionLevel?: InspectionLevel;
  /** Workflow variables visible to the state. */
  variables?: object;
  /** The Context object (`$$` / `$states.context`). */
  context?: object;
  mock?: TestStateMock;
  /** Which state of a whole state machine definition to test. */
  stateName?: string;
  /** e.g. `{ retrierRetryCount, errorCausedByState, mapIterationFailureCount, mapItemReaderData }`. */
  stateConfiguration?: object;
  revealSecrets?: boolean;
  handlers?: Handlers;
}

export type TestExecutionStatus = "SUCCEEDED" | "FAILED" | "RETRIABLE" | "CAUGHT_ERROR";

export interface InspectionDataRequest {
  protocol?: string;
  method?: string;
  url?: string;
  headers?: string;
  body?: string;
}

export interface InspectionDataResponse {
  protocol?: string;
  statusCode?: string;
  statusMessage?: string;
  headers?: string;
  body?: string;
}

export interface InspectionErrorDetails {
  catchIndex?: number;
  retryIndex?: number;
  retryBackoffIntervalSeconds?: number;
}

/** Every stage of the state's data flow, as JSON text (AWS's InspectionData). */
export interface InspectionData {
  input?: string;
  afterArguments?: string;
  afterInputPath?: string;
  afterParameters?: string;
  result?: string;
  afterResultSelector?: string;
  afterResultPath?: string;
  request?: InspectionDataRequest;
  response?: InspectionDataResponse;
  /** Variables after the state's Assign, as JSON text. */
  variables?: string;
  errorDetails?: InspectionErrorDetails;
  afterItemsPath?: string;
  afterItemSelector?: string;
  afterItemBatcher?: string;
  afterItemsPointer?: string;
  toleratedFailureCount?: number;
  toleratedFailurePercentage?: number;
  maxConcurrency?: number;
}

/** AWS's TestState response. */
export interface TestStateResult {
  /** The state's output as JSON text, when it succeeded or caught an error. */
  output?: string;
  error?: string;
  cause?: string;
  inspectionData?: InspectionData;
  /** The state that would run next. */
  nextState?: string;
  status?: TestExecutionStatus;
}

/**
 * Runs one state like AWS's TestState API. Rejects a bad request as AWS does: with an
 * error whose `.code` is AWS's exception name (e.g. `InvalidDefinition`, `ValidationException`).
 */
export function testState(request: TestStateRequest): Promise<TestStateResult>;

// ---------------------------------------------------------------------------------------
// JSONata
// ---------------------------------------------------------------------------------------

export interface JsonataOptions {
  /** Deepest evaluation allowed; over it: error U1001. */
  maxDepth?: number;
  /** Most evaluation steps allowed. */
  maxSteps?: number;
}

/** The error `evaluateJsonata` throws: JSONata's code (e.g. `T2002`) and position. */
export interface JsonataError extends Error {
  code: string;
  position?: number;
  token?: string;
  value?: unknown;
}

/**
 * Evaluates a JSONata expression (JSONata 2.0.6 semantics, as in Step Functions).
 * Synchronous. @throws {JsonataError}
 */
export function evaluateJsonata(
  expression: string,
  input?: unknown,
  bindings?: Record<string, unknown>,
  options?: JsonataOptions,
): unknown;

// ---------------------------------------------------------------------------------------
// Loading JSONata (browsers)
// ---------------------------------------------------------------------------------------

/**
 * Thrown in browsers by `new StateMachine()` for a definition that uses JSONata, and by
 * `evaluateJsonata`, before `await loadJsonata()`: the browser entry starts with a core
 * module without the JSONata engine, to load fast. (`validate()` answers a
 * `JSONATA_NOT_LOADED` diagnostic instead; `testState()` loads the engine itself.)
 */
export class JsonataNotLoadedError extends Error {
  name: "JsonataNotLoadedError";
  code: "JsonataNotLoaded";
}

/**
 * Loads the JSONata engine: in browsers, fetches the full module once (or takes the
 * compiled `module` given) and uses it for every later call; in Node it is always loaded.
 */
export function loadJsonata(module?: WebAssembly.Module): Promise<void>;

/** True when JSONata can be used now (always in Node; in browsers after `loadJsonata()`). */
export function jsonataLoaded(): boolean;

/**
 * True when a definition (or a TestState request) may use JSONata: QueryLanguage
 * "JSONata", a `{% %}` field, or a `\u` escape. Conservative: it may say true for a
 * definition that turns out not to need the engine, never false for one that does.
 */
export function needsJsonata(definition: Definition | object): boolean;
