// A full garbage collection between executions must not throw away the handler loop's
// optimised code (js/api.js `latestCall`, `#target`, `#fullProgress`): when it did, every
// run of a test suite that collects between executions recompiled the loop, about a third
// of a 10,000-call run. V8 reports each discarded function with --trace-deopt; this test
// runs a Task loop in a child node with a forced GC before each run and counts those
// reports after the warm-up runs. (Counts, not times: the machine's load does not matter.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const api = fileURLToPath(new URL("../../js/node.js", import.meta.url));

const child = `
import { StateMachine } from ${JSON.stringify(api)};
const machine = new StateMachine({
  StartAt: "Increment",
  States: {
    Increment: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:increment", Next: "Check" },
    Check: { Type: "Choice", Choices: [{ Variable: "$.i", NumericLessThan: 3000, Next: "Increment" }], Default: "Done" },
    Done: { Type: "Succeed" },
  },
}, { type: "EXPRESS" });
const handlers = { Increment: async (input) => ({ i: input.i + 1 }) };
for (let run = 0; run < 8; run++) {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
  console.log("=== run " + run);
  const result = await machine.run({ i: 0 }, { handlers });
  if (result.output?.i !== 3000) throw new Error("unexpected output " + JSON.stringify(result));
}
`;

test("a full GC between executions keeps the handler loop optimised", () => {
  const out = spawnSync(process.execPath, ["--expose-gc", "--single-threaded", "--trace-deopt", "--input-type=module", "-e", child], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  assert.equal(out.status, 0, out.stderr);
  const runs = out.stdout.split(/^=== run \d+$/m);
  assert.equal(runs.length, 9, "every run printed its marker");
  // After four warm-up runs, js/api.js code discarded because a collected object's
  // shape or closure was embedded in it ("weak objects"), or because feedback for
  // objects of an earlier execution went stale.
  const discarded = runs
    .slice(5)
    .join("\n")
    .split("\n")
    .filter((line) => /reason: weak objects|reason: Insufficient type feedback/.test(line))
    .filter((line) => /#(pump|compactProgress|call|invoke|drive|writeInput|site)\b|HandlerContext|parseShort|resumeIo/.test(line));
  assert.deepEqual(discarded, []);
});
