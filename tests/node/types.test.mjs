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
const PENDING = ["testState", "evaluateJsonata"];

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
