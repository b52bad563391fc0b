// testState(): AWS's TestState API through the public JS API (the corpus in
// tests/conformance/test_state.mjs covers AWS's recorded responses).
import { test } from "node:test";
import assert from "node:assert/strict";
import { testState } from "../../js/node.js";

const task = { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: "double", "Payload.$": "$" }, ResultSelector: { "n.$": "$.Payload" }, Next: "Done" };

test("a Task state calls its handler like an execution does", async () => {
  const result = await testState({ definition: task, input: 3, inspectionLevel: "DEBUG", handlers: { double: (n) => n * 2 } });
  assert.equal(result.status, "SUCCEEDED");
  assert.equal(result.nextState, "Done");
  assert.deepEqual(JSON.parse(result.output), { n: 6 });
  assert.equal(result.inspectionData.afterParameters, '{"FunctionName": "double", "Payload": 3}');
});

test("a thrown handler error is the state's failure", async () => {
  const handlers = { double: () => { throw new TypeError("nope"); } };
  const result = await testState({ definition: task, input: 3, handlers });
  assert.equal(result.status, "FAILED");
  assert.equal(result.error, "TypeError");
});

test("a mock needs no handler", async () => {
  const result = await testState({ definition: task, mock: { result: '{"Payload": 1}' } });
  assert.deepEqual(JSON.parse(result.output), { n: 1 });
});

test("a request AWS rejects throws with AWS's exception name", async () => {
  await assert.rejects(testState({ definition: { Type: "Pass", End: true }, mock: { result: "{}" } }), { code: "ValidationException" });
  await assert.rejects(testState({ definition: { StartAt: "A", States: { A: { Type: "Pass", End: true } } }, stateName: "B" }), { code: "ValidationException", message: "State not found in definition" });
  await assert.rejects(testState({ definition: { Type: "Bogus" } }), { code: "InvalidDefinition" });
  await assert.rejects(testState({ definition: task, bogus: 1 }), TypeError);
});
