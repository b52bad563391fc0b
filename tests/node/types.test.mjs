// js/index.d.ts against typed examples: tests/types/usage.ts must compile with
// `tsc --noEmit --strict`, and every line of tests/types/wrong.ts marked `// error` must
// be a compile error there (and no other line), which proves the types are not `any`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const FLAGS = ["--noEmit", "--strict", "--target", "es2022", "--pretty", "false"];
// Node's ESM resolution, and a bundler's: both find the types by package.json `exports`.
const NODE = ["--module", "nodenext", "--moduleResolution", "nodenext"];
const BUNDLER = ["--module", "esnext", "--moduleResolution", "bundler"];

function compile(file, resolution = NODE) {
  assert.ok(existsSync(tsc), "typescript is not installed: run `npm ci`");
  const result = spawnSync(process.execPath, [tsc, ...FLAGS, ...resolution, file], { cwd: root, encoding: "utf8", timeout: 120_000 });
  assert.equal(result.error, undefined, `cannot run tsc: ${result.error?.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test("the typed usage example compiles under --strict", () => {
  const { status, output } = compile("tests/types/usage.ts");
  assert.equal(status, 0, `tsc reported errors:\n${output}`);
});

test("the typed usage example compiles with a bundler's resolution too", () => {
  const { status, output } = compile("tests/types/usage.ts", BUNDLER);
  assert.equal(status, 0, `tsc reported errors:\n${output}`);
});

// Declared in index.d.ts per DESIGN.md, implemented elsewhere; remove once they ship.
const PENDING = [];

test("index.d.ts declares exactly what the package exports", async () => {
  const runtime = Object.keys(await import("../../js/node.js")).sort();
  const source = readFileSync(join(root, "js/index.d.ts"), "utf8");
  const declared = [...source.matchAll(/^export (?:declare )?(?:function|class|const|let) (\w+)/gm)].map((m) => m[1]);
  const undeclared = runtime.filter((name) => !declared.includes(name));
  assert.deepEqual(undeclared, [], "exported at run time but missing from index.d.ts");
  const missing = [...new Set(declared)].filter((name) => !runtime.includes(name) && !PENDING.includes(name));
  assert.deepEqual(missing, [], "declared in index.d.ts but not exported");
});

test("every wrong use in tests/types/wrong.ts is a compile error", () => {
  const { status, output } = compile("tests/types/wrong.ts");
  assert.notEqual(status, 0, "wrong.ts compiled: the types accept anything");
  const lines = readFileSync(join(root, "tests/types/wrong.ts"), "utf8").split("\n");
  const expected = lines.flatMap((line, i) => (line.trimEnd().endsWith("// error") ? [i + 1] : []));
  assert.ok(expected.length >= 10, "wrong.ts marks too few lines");
  const reported = new Set([...output.matchAll(/wrong\.ts\((\d+),\d+\): error TS\d+/g)].map((m) => Number(m[1])));
  const missed = expected.filter((line) => !reported.has(line));
  assert.deepEqual(missed, [], `lines of wrong.ts that compiled although marked "// error":\n${missed.map((n) => `${n}: ${lines[n - 1]}`).join("\n")}`);
  const unexpected = [...reported].filter((line) => !expected.includes(line));
  assert.deepEqual(unexpected, [], `unexpected errors:\n${output}`);
});

test("index.d.ts declares every method of StateMachine and Execution", async () => {
  const api = await import("../../js/node.js");
  const source = readFileSync(join(root, "js/index.d.ts"), "utf8");
  for (const name of ["StateMachine", "Execution"]) {
    const start = source.indexOf(`export class ${name} `);
    const body = source.slice(start, source.indexOf("\n}", start));
    const declared = [...body.matchAll(/^\s+(\w+)\(/gm)].map((m) => m[1]).filter((m) => m !== "constructor");
    const methods = Object.getOwnPropertyNames(api[name].prototype).filter((m) => m !== "constructor");
    assert.deepEqual(methods.filter((m) => !declared.includes(m)), [], `${name} methods missing from index.d.ts`);
    assert.deepEqual(declared.filter((m) => !methods.includes(m)), [], `${name} methods declared but not implemented`);
  }
});

test("the engine's history events are within index.d.ts's HistoryEvent", async () => {
  const { StateMachine } = await import("../../js/node.js");
  const source = readFileSync(join(root, "js/index.d.ts"), "utf8");
  const union = source.slice(source.indexOf("export type HistoryEventType ="), source.indexOf(";", source.indexOf("export type HistoryEventType =")));
  const types = new Set([...union.matchAll(/"(\w+)"/g)].map((m) => m[1]));
  const body = source.slice(source.indexOf("export interface HistoryEvent {"), source.indexOf("\n}", source.indexOf("export interface HistoryEvent {")));
  const members = new Set([...body.matchAll(/^\s+(\w+)\??:/gm)].map((m) => m[1]));

  const lambda = "arn:aws:lambda:us-east-1:123456789012:function:work";
  const definition = {
    StartAt: "Each",
    States: {
      Each: {
        Type: "Map",
        ItemsPath: "$.items",
        ItemProcessor: { StartAt: "Item", States: { Item: { Type: "Pass", End: true } } },
        ResultPath: "$.mapped",
        Next: "Both",
      },
      Both: {
        Type: "Parallel",
        Branches: [
          { StartAt: "Work", States: { Work: { Type: "Task", Resource: lambda, Retry: [{ ErrorEquals: ["Busy"], MaxAttempts: 1 }], End: true } } },
          { StartAt: "Invoke", States: { Invoke: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: "work", "Payload.$": "$" }, End: true } } },
        ],
        ResultPath: "$.both",
        Next: "Pause",
      },
      Pause: { Type: "Wait", Seconds: 10, Next: "Pick" },
      Pick: { Type: "Choice", Choices: [{ Variable: "$.fail", BooleanEquals: true, Next: "Broken" }], Default: "Done" },
      Broken: { Type: "Task", Resource: lambda, Catch: [{ ErrorEquals: ["States.ALL"], Next: "Give up" }], End: true },
      "Give up": { Type: "Fail", Error: "GaveUp" },
      Done: { Type: "Succeed" },
    },
  };
  const machine = new StateMachine(definition);
  const seen = [];
  for (const fail of [false, true]) {
    let calls = 0;
    const work = (input, context) => {
      calls += 1;
      if (context.stateName === "Work" && context.retryCount === 0) throw Object.assign(new Error("busy"), { name: "Busy" });
      if (context.stateName === "Broken") throw new Error("broken");
      return { calls };
    };
    const execution = machine.start({ items: [1, 2], fail }, { handlers: { work } });
    const result = await execution.result;
    assert.equal(result.status, fail ? "FAILED" : "SUCCEEDED", JSON.stringify(result));
    seen.push(...execution.history());
  }
  assert.ok(new Set(seen.map((e) => e.type)).size >= 25, "the machines exercise too few event types");
  const unknownTypes = [...new Set(seen.map((e) => e.type))].filter((type) => !types.has(type));
  assert.deepEqual(unknownTypes, [], "event types the engine emits that are not AWS's (or not in index.d.ts)");
  const unknownMembers = [...new Set(seen.flatMap((e) => Object.keys(e)))].filter((key) => !members.has(key));
  assert.deepEqual(unknownMembers, [], "event members missing from index.d.ts's HistoryEvent");
  for (const event of seen) {
    assert.equal(typeof event.timestamp, "string");
    assert.equal(typeof event.id, "number");
    assert.equal(typeof event.previousEventId, "number");
  }
});
