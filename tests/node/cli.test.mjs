// The `statelab` command (js/cli.js), spawned on temporary files as a user would run it:
// exit codes (0 ok, 1 failed/invalid, 2 usage), output formats, --json, --help.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const CLI = join(root, "js", "cli.js");
const dir = mkdtempSync(join(tmpdir(), "statelab-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a file into the scratch directory; objects as JSON. Returns its name. */
function file(name, content) {
  writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return name;
}

/** Runs the CLI in the scratch directory; stdout is a pipe, so no colour is expected. */
function cli(args, { input } = {}) {
  const env = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, input, encoding: "utf8", env, timeout: 60_000 });
  assert.equal(result.error, undefined, `cannot run the CLI: ${result.error?.message}`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:inventory";

const orders = file("orders.asl.json", {
  Comment: "check inventory, wait, done",
  StartAt: "Check Inventory",
  States: {
    "Check Inventory": { Type: "Task", Resource: LAMBDA, Next: "Pause" },
    Pause: { Type: "Wait", Seconds: 3600, Next: "Done" },
    Done: { Type: "Pass", End: true },
  },
});
// The bad Next is on line 4, as a user would see it in an editor.
const broken = file(
  "broken.asl.json",
  `{
  "StartAt": "A",
  "States": {
    "A": { "Type": "Pass", "Next": "Ship Order" },
    "Ship order": { "Type": "Succeed" }
  }
}
`,
);
const failing = file("failing.asl.json", {
  StartAt: "Give up",
  States: { "Give up": { Type: "Fail", Error: "Orders.OutOfStock", Cause: "nothing left" } },
});
const defaultHandlers = file("default.mjs", `export default { "Check Inventory": async (input) => ({ ...input, inStock: true }) };\n`);
const namedHandlers = file("named.mjs", `export function inventory() { throw new RangeError("no stock"); }\n`);
const badHandlers = file("bad-handlers.mjs", `export const inventory = 42;\n`);
const input = file("input.json", { order: 7 });

const ANSI = /\x1b\[/;

describe("statelab run", () => {
  test("a succeeding execution prints SUCCEEDED and the output, exit 0", () => {
    const started = Date.now();
    const { code, stdout, stderr } = cli(["run", orders, "--input", input, "--handlers", defaultHandlers]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^SUCCEEDED\s+arn:aws:states:/);
    const json = stdout.slice(stdout.indexOf("{"));
    assert.deepEqual(JSON.parse(json), { order: 7, inStock: true });
    assert.match(stdout, /\{\n  "order": 7,\n  "inStock": true\n\}/, "the output is pretty-printed");
    assert.doesNotMatch(stdout, ANSI, "no colour when stdout is not a terminal");
    assert.ok(Date.now() - started < 30_000, "the virtual clock skips the hour-long Wait");
  });

  test("a failing handler: FAILED with error and cause, exit 1", () => {
    const { code, stdout } = cli(["run", orders, "--handlers", namedHandlers]);
    assert.equal(code, 1);
    assert.match(stdout, /^FAILED/);
    assert.match(stdout, /^error: RangeError$/m);
    assert.match(stdout, /"errorMessage": "no stock"/);
  });

  test("a Fail state: exit 1 with its error and cause", () => {
    const { code, stdout } = cli(["run", failing]);
    assert.equal(code, 1);
    assert.match(stdout, /^error: Orders\.OutOfStock$/m);
    assert.match(stdout, /^cause: nothing left$/m);
  });

  test("--input - reads stdin", () => {
    const { code, stdout, stderr } = cli(["run", orders, "--input", "-", "--handlers", defaultHandlers], { input: '{"order": 9}' });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /"order": 9/);
  });

  test("--json prints one parseable result, with the history when asked", () => {
    const { code, stdout, stderr } = cli(["run", orders, "--handlers", defaultHandlers, "--json", "--history"]);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.equal(result.status, "SUCCEEDED");
    assert.deepEqual(result.output, { inStock: true });
    assert.match(result.executionArn, /^arn:aws:states:[^:]+:\d+:execution:orders:/);
    assert.equal(Date.parse(result.stopDate) - Date.parse(result.startDate), 3_600_000);
    assert.equal(result.history[0].type, "ExecutionStarted");
    assert.equal(result.history.at(-1).type, "ExecutionSucceeded");
    assert.deepEqual(result.history.map((e) => e.id), result.history.map((_, i) => i + 1));
  });

  test("--json for a failed execution: exit 1, still JSON", () => {
    const { code, stdout } = cli(["run", failing, "--json"]);
    assert.equal(code, 1);
    const result = JSON.parse(stdout);
    assert.equal(result.status, "FAILED");
    assert.equal(result.error, "Orders.OutOfStock");
  });

  test("--history prints an event table before the status", () => {
    const { code, stdout } = cli(["run", orders, "--history", "--handlers", defaultHandlers]);
    assert.equal(code, 0);
    const lines = stdout.split("\n");
    assert.match(lines[0], /^\s*ID\s+PREV\s+TYPE\s+TIME\s+DETAIL$/);
    assert.match(lines[1], /^\s*1\s+0\s+ExecutionStarted\s+\+0ms$/);
    assert.match(stdout, /TaskStateEntered\s+\+0ms\s+Check Inventory/);
    assert.match(stdout, /WaitStateExited\s+\+3600\.000s\s+Pause/);
    assert.match(stdout, /ExecutionSucceeded/);
    assert.ok(stdout.indexOf("ExecutionSucceeded") < stdout.indexOf("SUCCEEDED  "), "the table comes first");
  });

  test("an invalid definition: file:line:col diagnostics on stderr, exit 1", () => {
    const { code, stderr } = cli(["run", broken]);
    assert.equal(code, 1);
    assert.match(stderr, /^broken\.asl\.json:4:\d+: error\[UNKNOWN_NEXT\]: /m);
  });

  test("Ctrl-C stops a running execution: ABORTED, exit 1", async () => {
    const hanging = file("hanging.mjs", `export const inventory = () => { console.error("handler started"); return new Promise(() => {}); };\n`);
    const child = spawn(process.execPath, [CLI, "run", orders, "--handlers", hanging], { cwd: dir });
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    const started = new Promise((resolve) => child.stderr.on("data", (chunk) => String(chunk).includes("handler started") && resolve()));
    const first = await Promise.race([started.then(() => "started"), exited.then(() => "exited")]);
    assert.equal(first, "started", `the CLI exited before its handler started: ${stdout}`);
    child.kill("SIGINT");
    const { code } = await exited;
    assert.equal(code, 1);
    assert.match(stdout, /^ABORTED/);
  });

  test("input over 256 KiB is refused like StartExecution: InvalidExecutionInput, exit 1", () => {
    const big = file("big.json", { text: "x".repeat(300_000) });
    const { code, stdout, stderr } = cli(["run", orders, "--input", big]);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(stderr, /InvalidExecutionInput: .*256 KiB/);
  });

  test("--max-transitions stops an endless loop", () => {
    const loop = file("loop.asl.json", {
      StartAt: "A",
      States: {
        A: { Type: "Pass", Next: "B" },
        B: { Type: "Choice", Choices: [{ Variable: "$.stop", IsPresent: true, Next: "C" }], Default: "A" },
        C: { Type: "Succeed" },
      },
    });
    const { code, stdout } = cli(["run", loop, "--max-transitions", "50", "--json"]);
    assert.equal(code, 1);
    const result = JSON.parse(stdout);
    assert.equal(result.status, "FAILED");
    assert.match(result.cause, /50/);
  });

  test("--json with an invalid definition: the diagnostics as JSON, exit 1", () => {
    const { code, stdout } = cli(["run", broken, "--json"]);
    assert.equal(code, 1);
    const report = JSON.parse(stdout);
    assert.equal(report.valid, false);
    assert.ok(report.diagnostics.some((d) => d.code === "UNKNOWN_NEXT" && d.range.start.line === 4));
  });

  test("usage errors exit 2 with a pointer to --help", () => {
    for (const args of [
      ["run"],
      ["run", orders, orders],
      ["run", orders, "--bogus"],
      ["run", orders, "--clock", "fast"],
      ["run", orders, "--input"],
      ["run", "missing.asl.json"],
      ["run", orders, "--input", "missing.json"],
      ["run", orders, "--input", defaultHandlers], // not JSON
      ["run", orders, "--handlers", badHandlers],
      ["run", orders, "--handlers", "missing.mjs"],
      ["run", orders, "--mocks", "x.json"],
      ["run", orders, "--type", "BATCH"],
      ["run", orders, "--max-transitions", "0"],
    ]) {
      const { code, stderr } = cli(args);
      assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
      assert.match(stderr, /^statelab run: .+\nRun 'statelab run --help' for usage\.\n$/s, args.join(" "));
    }
  });

  test("a handlers export that is not a function is named", () => {
    const { stderr } = cli(["run", orders, "--handlers", badHandlers]);
    assert.match(stderr, /export "inventory" is number, not a function/);
  });
});

describe("statelab validate", () => {
  test("a bad file: file:line:col: error[CODE]: message, exit 1", () => {
    const { code, stdout, stderr } = cli(["validate", broken, orders]);
    assert.equal(code, 1);
    const lines = stdout.trim().split("\n");
    assert.ok(lines.every((line) => line.startsWith("broken.asl.json:")), stdout);
    // The range of a bad Next covers the target string: line 4, the column of its quote.
    const column = readFileSync(join(dir, broken), "utf8").split("\n")[3].indexOf('"Ship Order"') + 1;
    const prefix = `broken.asl.json:4:${column}: error[UNKNOWN_NEXT]: Next target 'Ship Order' does not exist`;
    assert.ok(lines.some((line) => line.startsWith(prefix)), `no line starts with ${prefix}:\n${stdout}`);
    assert.match(stderr, /2 files checked: 1 invalid/);
    assert.doesNotMatch(stdout, ANSI);
  });

  test("valid files: no diagnostics, exit 0", () => {
    const { code, stdout, stderr } = cli(["validate", orders, failing]);
    assert.equal(code, 0, stdout);
    assert.equal(stdout, "");
    assert.match(stderr, /2 files checked: all valid/);
  });

  test("text that is not JSON is an INVALID_JSON diagnostic with its position", () => {
    file("truncated.asl.json", '{\n  "StartAt": "A",\n  "States": {\n');
    const { code, stdout } = cli(["validate", "truncated.asl.json"]);
    assert.equal(code, 1);
    assert.match(stdout, /^truncated\.asl\.json:\d+:\d+: error\[INVALID_JSON\]: /);
  });

  test("- reads the definition from stdin", () => {
    const { code, stdout } = cli(["validate", "-"], { input: readFileSync(join(dir, broken), "utf8") });
    assert.equal(code, 1);
    assert.match(stdout, /^-:4:\d+: error\[UNKNOWN_NEXT\]: /m);
  });

  test("--json parses: {valid, files: [{file, valid, diagnostics}]}", () => {
    const { code, stdout } = cli(["validate", "--json", broken, orders]);
    assert.equal(code, 1);
    const report = JSON.parse(stdout);
    assert.equal(report.valid, false);
    assert.deepEqual(report.files.map((f) => [f.file, f.valid]), [[broken, false], [orders, true]]);
    const next = report.files[0].diagnostics.find((d) => d.code === "UNKNOWN_NEXT");
    assert.equal(next.path, "/States/A/Next");
    assert.equal(next.range.start.line, 4);
  });

  test("several invalid files: every problem under its own file name, exit 1", () => {
    const noStart = file("no-start.asl.json", { States: { A: { Type: "Pass", End: true } } });
    const { code, stdout, stderr } = cli(["validate", broken, orders, noStart]);
    assert.equal(code, 1);
    const lines = stdout.trim().split("\n");
    assert.ok(lines.some((l) => /^broken\.asl\.json:4:\d+: error\[UNKNOWN_NEXT\]: /.test(l)), stdout);
    // A missing field is reported at the key of the object that lacks it: the root's "{".
    assert.ok(lines.some((l) => /^no-start\.asl\.json:1:1: error\[MISSING_FIELD\]: .*StartAt/.test(l)), stdout);
    assert.ok(!lines.some((l) => l.startsWith("orders.asl.json")), stdout);
    assert.match(stderr, /3 files checked: 2 invalid/);
  });

  test("warnings are printed as warning[CODE] and do not make the exit code 1", () => {
    // Line 4 holds the Choice state, which has no Default.
    const choice = file(
      "choice.asl.json",
      `{
  "StartAt": "Ready?",
  "States": {
    "Ready?": {
      "Type": "Choice",
      "Choices": [{ "Variable": "$.ready", "BooleanEquals": true, "Next": "Go" }]
    },
    "Go": { "Type": "Succeed" }
  }
}
`,
    );
    const { code, stdout, stderr } = cli(["validate", choice, orders]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^choice\.asl\.json:4:5: warning\[CHOICE_WITHOUT_DEFAULT\]: Choice state 'Ready\?' has no Default/);
    assert.doesNotMatch(stdout, /error\[/);
    assert.match(stderr, /2 files checked: all valid \(0 errors, 1 warning\)/);
  });

  test("a file with errors and warnings prints both and exits 1", () => {
    const mixed = file("mixed.asl.json", {
      StartAt: "Ready?",
      States: {
        "Ready?": { Type: "Choice", Choices: [{ Variable: "$.ready", BooleanEquals: true, Next: "Gone" }] },
        Go: { Type: "Succeed" },
      },
    });
    const { code, stdout } = cli(["validate", mixed]);
    assert.equal(code, 1);
    assert.match(stdout, /^mixed\.asl\.json:\d+:\d+: warning\[CHOICE_WITHOUT_DEFAULT\]: /m);
    assert.match(stdout, /^mixed\.asl\.json:\d+:\d+: error\[UNKNOWN_NEXT\]: Next target 'Gone' does not exist/m);
  });

  test("--type EXPRESS applies the rules of Express state machines", () => {
    const callback = file("callback.asl.json", {
      StartAt: "Ask",
      States: { Ask: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken", End: true } },
    });
    assert.equal(cli(["validate", callback]).code, 0);
    const express = cli(["validate", "--type", "EXPRESS", callback]);
    assert.equal(express.code, 1);
    assert.match(express.stdout, /^callback\.asl\.json:\d+:\d+: error\[UNSUPPORTED_IN_EXPRESS\]: /);
  });

  test("usage errors exit 2: no file, an unreadable file, an unknown option", () => {
    assert.equal(cli(["validate"]).code, 2);
    assert.equal(cli(["validate", "--strict", orders]).code, 2);
    const missing = cli(["validate", orders, "missing.json"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing\.json: error: cannot read: ENOENT/);
  });
});

describe("statelab test", () => {
  const mocks = file("mocks.json", {
    StateMachines: {
      orders: {
        TestCases: {
          HappyPath: { "Check Inventory": "InStock" },
          OutOfStock: { "Check Inventory": "Broken" },
        },
      },
    },
    MockedResponses: {
      InStock: { 0: { Return: { inStock: true } } },
      Broken: { "0-2": { Throw: { Error: "Lambda.ServiceException", Cause: "down" } } },
    },
  });

  test("a malformed MockConfigFile: each problem named, exit 1", () => {
    const bad = file("bad-mocks.json", {
      StateMachines: { orders: { TestCases: { Case: { "Check Inventory": "Missing" } } } },
      MockedResponses: { R: { first: { Return: 1, Throw: { Error: "E" } } } },
    });
    const { code, stderr } = cli(["test", bad, "--definition", orders]);
    assert.equal(code, 1);
    assert.match(stderr, /bad-mocks\.json: error: \/StateMachines\/orders\/TestCases\/Case\/Check Inventory: mocked response "Missing" does not exist/);
    assert.match(stderr, /\/MockedResponses\/R\/first: an attempt key is a number or a range/);
    assert.match(stderr, /\/MockedResponses\/R\/first must have exactly one of "Return" and "Throw"/);
  });

  test("usage errors exit 2", () => {
    for (const args of [
      ["test"],
      ["test", mocks],
      ["test", mocks, "--definition", orders, "--test-case", "Nope"],
      ["test", mocks, "--definition", orders, "--state-machine", "Other"],
      ["test", orders, "--definition", orders, "--bogus"],
      ["test", "missing.json", "--definition", orders],
    ]) {
      const { code, stderr } = cli(args);
      assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
      assert.match(stderr, /Run 'statelab test --help' for usage\./, args.join(" "));
    }
  });

  test("each test case of a MockConfigFile runs and is reported", async () => {
    const expected = file("expected.json", { OutOfStock: { status: "FAILED", error: "Lambda.ServiceException" } });
    const { code, stdout, stderr } = cli(["test", mocks, "--definition", orders, "--expected", expected]);
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /^PASS HappyPath \(SUCCEEDED\)$/m);
    assert.match(stdout, /^PASS OutOfStock \(FAILED\)$/m);
    assert.match(stdout, /2 test cases: 2 passed, 0 failed/);
    const json = cli(["test", mocks, "--definition", orders, "--json"]);
    assert.equal(json.code, 1, "OutOfStock fails without --expected");
    const report = JSON.parse(json.stdout);
    assert.equal(report.passed, 1);
    assert.equal(report.failed, 1);
  });
});

// Until the engine applies MockConfigFiles, the reporting of `statelab test` runs against
// a stand-in: a loader hook swaps js/node.js for a module whose StateMachine turns the
// test case's mocked responses into handlers. It proves the CLI's side, not the mocks'.
describe("statelab test, reporting (with a stand-in for the engine's mocks)", () => {
  const realEngine = new URL("../../js/node.js", import.meta.url).href;
  file(
    "stand-in.mjs",
    `import * as real from ${JSON.stringify(realEngine)};
export * from ${JSON.stringify(realEngine)};
export class StateMachine extends real.StateMachine {
  start(input, options = {}) {
    const { mocks, testCase, ...rest } = options;
    if (!mocks) return super.start(input, options);
    const handlers = { ...rest.handlers };
    for (const [state, name] of Object.entries(mocks.StateMachines[this.name].TestCases[testCase])) {
      const response = mocks.MockedResponses[name];
      let calls = 0;
      handlers[state] = () => {
        const attempt = calls++;
        const key = Object.keys(response).find((k) => {
          const [first, last = first] = k.split("-").map(Number);
          return attempt >= first && attempt <= last;
        });
        const answer = response[key];
        if (answer.Throw) throw { errorType: answer.Throw.Error, errorMessage: answer.Throw.Cause };
        return answer.Return;
      };
    }
    return super.start(input, { ...rest, handlers });
  }
}
`,
  );
  const standIn = new URL(`file://${join(dir, "stand-in.mjs")}`).href;
  file(
    "hooks.mjs",
    `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url === ${JSON.stringify(realEngine)} && context.parentURL !== ${JSON.stringify(standIn)}) {
    return { url: ${JSON.stringify(standIn)}, shortCircuit: true };
  }
  return result;
}
`,
  );
  file("register.mjs", `import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n`);

  const mocks = file("mocks-reporting.json", {
    StateMachines: {
      orders: {
        TestCases: {
          HappyPath: { "Check Inventory": "InStock" },
          OutOfStock: { "Check Inventory": "Broken" },
        },
      },
    },
    MockedResponses: {
      InStock: { 0: { Return: { inStock: true } } },
      Broken: { "0-2": { Throw: { Error: "Lambda.ServiceException", Cause: "down" } } },
    },
  });

  function withStandIn(args) {
    const result = spawnSync(process.execPath, ["--import", join(dir, "register.mjs"), CLI, ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  test("a failing test case: FAIL with the reason, a summary, exit 1", () => {
    const { code, stdout, stderr } = withStandIn(["test", mocks, "--definition", orders]);
    assert.equal(code, 1, stderr);
    assert.match(stdout, /^PASS HappyPath \(SUCCEEDED\)$/m);
    assert.match(stdout, /^FAIL OutOfStock \(FAILED\)\n {5}expected status SUCCEEDED, got FAILED \(Lambda\.ServiceException: /m);
    assert.match(stdout, /^2 test cases: 1 passed, 1 failed$/m);
  });

  test("--expected: each test case ends as expected, exit 0", () => {
    const expected = file("expected-reporting.json", {
      HappyPath: { output: { inStock: true } },
      OutOfStock: { status: "FAILED", error: "Lambda.ServiceException" },
    });
    const { code, stdout, stderr } = withStandIn(["test", mocks, "--definition", orders, "--expected", expected]);
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /^2 test cases: 2 passed, 0 failed$/m);
  });

  test("--expected output that differs is a failure that shows both", () => {
    const expected = file("expected-wrong.json", { HappyPath: { output: { inStock: false } } });
    const { code, stdout } = withStandIn(["test", mocks, "--definition", orders, "--expected", expected, "--test-case", "HappyPath"]);
    assert.equal(code, 1);
    assert.match(stdout, /expected output \{"inStock":false\}, got \{"inStock":true\}/);
    assert.match(stdout, /^1 test case: 0 passed, 1 failed$/m);
  });

  test("--json: {stateMachine, passed, failed, testCases}", () => {
    const { code, stdout } = withStandIn(["test", mocks, "--definition", orders, "--json"]);
    assert.equal(code, 1);
    const report = JSON.parse(stdout);
    assert.equal(report.stateMachine, "orders");
    assert.deepEqual([report.passed, report.failed], [1, 1]);
    assert.deepEqual(report.testCases.map((t) => [t.testCase, t.pass, t.result.status]), [["HappyPath", true, "SUCCEEDED"], ["OutOfStock", false, "FAILED"]]);
  });

  test("run --mocks with an unknown test case or state machine: exit 2", () => {
    assert.equal(withStandIn(["run", orders, "--mocks", mocks, "--test-case", "Nope"]).code, 2);
    assert.equal(withStandIn(["run", orders, "--mocks", mocks, "--test-case", "HappyPath", "--name", "other"]).code, 2);
  });

  test("run --mocks --test-case runs one test case", () => {
    const { code, stdout, stderr } = withStandIn(["run", orders, "--mocks", mocks, "--test-case", "HappyPath", "--json"]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(JSON.parse(stdout).output, { inStock: true });
  });
});

describe("help and version", () => {
  test("--version prints the package's version", () => {
    const { code, stdout } = cli(["--version"]);
    assert.equal(code, 0);
    assert.equal(stdout.trim(), JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);
  });

  test("--help for statelab and for each command, exit 0", () => {
    assert.match(cli(["--help"]).stdout, /^statelab — .*\n\nUsage:\n  statelab run /s);
    for (const command of ["run", "validate", "test"]) {
      const { code, stdout } = cli([command, "--help"]);
      assert.equal(code, 0);
      assert.match(stdout, new RegExp(`^Usage: statelab ${command} `));
      assert.equal(cli(["help", command]).stdout, stdout);
    }
  });

  test("no command, or an unknown one: exit 2", () => {
    const none = cli([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Usage:/);
    const unknown = cli(["frob"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frob"/);
  });
});

describe("colour", () => {
  // util-linux `script` runs the CLI on a pseudo-terminal.
  const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;
  const quote = (text) => `'${text.replaceAll("'", `'\\''`)}'`;
  const onTerminal = (args, env) => {
    const command = [process.execPath, CLI, ...args].map(quote).join(" ");
    return spawnSync("script", ["-qec", command, "/dev/null"], { cwd: dir, encoding: "utf8", env, timeout: 60_000 });
  };

  test("only on a terminal, and never with NO_COLOR", { skip: !hasScript && "no util-linux `script` for a terminal" }, () => {
    const env = { ...process.env };
    delete env.NO_COLOR;
    const coloured = onTerminal(["validate", broken], env);
    assert.equal(coloured.status, 1, coloured.stdout);
    assert.match(coloured.stdout, /\x1b\[31m\x1b\[1merror\[UNKNOWN_NEXT\]/);
    const plain = onTerminal(["validate", broken], { ...env, NO_COLOR: "1" });
    assert.equal(plain.status, 1);
    assert.doesNotMatch(plain.stdout, ANSI);
    assert.match(plain.stdout, /^broken\.asl\.json:4:\d+: error\[UNKNOWN_NEXT\]: /m);
  });
});
