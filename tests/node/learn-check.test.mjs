// The tour's exercise checks (www/learn/check.js): each wrong run gets a sentence that
// names what is wrong and what was expected; a right run gets none.
import assert from "node:assert/strict";
import { test } from "node:test";
import { differences, problems } from "../../www/learn/check.js";

const run = (fields) => ({ status: "SUCCEEDED", visited: [], ...fields });

test("a run that does what the check asks passes", () => {
  const check = { status: "SUCCEEDED", path: ["A", "B"], output: { total: 15, lines: [1, 2] } };
  assert.deepEqual(problems(check, run({ visited: ["A", "B"], output: { total: 15, lines: [1, 2] } })), []);
  assert.deepEqual(problems({ status: "FAILED", error: "InvalidOrder" }, run({ status: "FAILED", error: "InvalidOrder" })), []);
  assert.deepEqual(problems({ outputContains: { order: { id: 1 } } }, run({ output: { order: { id: 1, x: 2 }, y: 3 } })), []);
});

test("a wrong field is named by its path, with both values", () => {
  assert.deepEqual(differences({ total: 12, items: 3 }, { total: 15, items: 3 }), ["output.total is 12, expected 15"]);
  assert.deepEqual(differences({ a: { b: [1, 5] } }, { a: { b: [1, 2] } }), ["output.a.b[1] is 5, expected 2"]);
  assert.deepEqual(differences({ a: 1 }, { a: 1, b: 2 }), ["output.b is missing, expected 2"]);
  assert.deepEqual(differences({ a: 1, extra: true }, { a: 1 }), ["output.extra should not be there (it is true)"]);
  assert.deepEqual(differences([1], [1, 2]), ["output has 1 item, expected 2: [1]"]);
  assert.deepEqual(differences({ x: 1 }, { y: 1 }), ['output is {"x":1}, expected {"y":1}'], "nothing in common: one sentence");
  assert.deepEqual(differences({ a: 1, extra: true }, { a: 1 }, { partial: true }), [], "outputContains ignores other fields");
});

test("status, error and path are checked and explained", () => {
  const lambdaCause = JSON.stringify({ errorType: "ServiceBusy", errorMessage: "busy", trace: ["..."] });
  assert.deepEqual(problems({ status: "SUCCEEDED" }, run({ status: "FAILED", error: "ServiceBusy", cause: lambdaCause })), [
    "The execution ended FAILED with ServiceBusy (busy), expected SUCCEEDED.",
  ]);
  assert.deepEqual(problems({ error: "InvalidOrder" }, run({ status: "FAILED", error: "States.Runtime" })), [
    "The execution's error is States.Runtime, expected InvalidOrder.",
  ]);
  assert.deepEqual(problems({ path: ["A", "B", "C"] }, run({ visited: ["A", "C"] })), ["The run visited A → C, expected A → B → C."]);
  assert.deepEqual(problems({ status: "SUCCEEDED" }, { status: "NOT_STARTED", error: "bad JSON" }), ["The run could not start: bad JSON"]);
  // An expected output means the run must succeed; a failed run's (missing) output is not compared.
  assert.deepEqual(problems({ output: { a: 1 } }, run({ status: "FAILED", error: "E" })), ["The execution ended FAILED with E, expected SUCCEEDED."]);
});
