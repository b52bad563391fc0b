// The conformance runner: every case under ../shared/conformance/asl, recorded against
// real AWS, run through the public JS API and compared as CHECKER.md says.
//
//   npm run conformance                      # report + floor check
//   node tests/conformance/run.mjs --list    # also list every failure with its reason
//   node tests/conformance/run.mjs NAME...   # only cases whose name contains NAME
//
// A case is skipped (and counted as skipped, never as passed) only when it needs a
// feature listed in UNSUPPORTED below, with the issue that brings it.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { StateMachine } from "../../js/node.js";
import { maskedMatch } from "./masked_match.mjs";
import { runTestStateCorpus } from "./test_state.mjs";
import { handlersFor, loadCases } from "./corpus.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const floor = JSON.parse(readFileSync(join(here, "floor.json"), "utf8"));

/** Features whose cases are skipped until their issue lands: feature -> reason. */
const UNSUPPORTED = {};


async function runCase(testCase) {
  const machine = new StateMachine(testCase.definition, { type: testCase.state_machine_type ?? "STANDARD" });
  const s3 = {};
  for (const object of testCase.fixtures?.s3_objects ?? []) {
    (s3[object.bucket] ??= {})[object.key] = object.body;
  }
  const execution = machine.start(testCase.input, {
    handlers: handlersFor(testCase),
    s3,
    startDate: testCase.clock,
    maxTransitions: 100000,
  });
  const result = await execution.result;
  return { ...result, history: execution.history().map((e) => e.type) };
}

function check(testCase, actual) {
  const expected = testCase.expected;
  const tokens = (testCase.masked?.tokens ?? []).map((t) => [t.pattern, t.scope]);
  const bad = [];
  if (actual.status !== expected.status) bad.push(`status: expected ${expected.status}, got ${actual.status}`);
  if ("output" in expected && !maskedMatch(expected.output, actual.output, tokens)) {
    bad.push(`output differs: expected ${JSON.stringify(expected.output)}, got ${JSON.stringify(actual.output)}`);
  }
  if ("output_text" in expected) {
    const got = JSON.stringify(actual.output);
    if (!maskedMatch(expected.output_text, got, tokens)) bad.push(`output text differs: expected ${expected.output_text}, got ${got}`);
  }
  if (expected.status !== "SUCCEEDED") {
    for (const key of ["error", "cause"]) {
      if (key in expected) {
        if (!maskedMatch(expected[key], actual[key], tokens)) bad.push(`${key} differs: expected ${JSON.stringify(expected[key])}, got ${JSON.stringify(actual[key])}`);
      } else if (`${key}_json` in expected) {
        let got;
        try {
          got = JSON.parse(actual[key]);
        } catch {
          got = undefined;
        }
        if (!maskedMatch(expected[`${key}_json`], got, tokens)) bad.push(`${key} (JSON text) differs: got ${JSON.stringify(actual[key])}`);
      } else if (actual[key] !== undefined && actual[key] !== null && actual[key] !== "") {
        bad.push(`${key}: AWS reported none, got ${JSON.stringify(actual[key])}`);
      }
    }
  }
  if (testCase.history && actual.history) {
    const e = testCase.history;
    const a = actual.history;
    if ((testCase.history_order ?? "strict") === "strict") {
      if (JSON.stringify(e) !== JSON.stringify(a)) bad.push(`history differs:\n      expected ${e.join(" ")}\n      got      ${a.join(" ")}`);
    } else {
      const count = (xs) => JSON.stringify(Object.entries(xs.reduce((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {})).sort());
      if (count(e) !== count(a) || e[0] !== a[0] || e.at(-1) !== a.at(-1)) {
        bad.push(`history differs (as multiset):\n      expected ${e.join(" ")}\n      got      ${a.join(" ")}`);
      }
    }
  }
  return bad;
}

async function main() {
  const args = process.argv.slice(2);
  const list = args.includes("--list");
  const filters = args.filter((a) => !a.startsWith("--"));
  const cases = loadCases("asl").filter((c) => filters.length === 0 || filters.some((f) => c.name.includes(f)));
  const byFeature = {};
  const failures = [];
  const skipReasons = {};
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const tally = (testCase, outcome) => {
    for (const feature of ["all", ...testCase.features]) {
      byFeature[feature] ??= { pass: 0, fail: 0, skip: 0 };
      byFeature[feature][outcome] += 1;
    }
  };
  const queue = [...cases];
  async function worker() {
    while (queue.length > 0) {
      const testCase = queue.shift();
      const missing = testCase.features.filter((f) => f in UNSUPPORTED);
      if (missing.length > 0) {
        skipped += 1;
        for (const f of missing) skipReasons[UNSUPPORTED[f]] = (skipReasons[UNSUPPORTED[f]] ?? 0) + 1;
        tally(testCase, "skip");
        continue;
      }
      let bad;
      try {
        bad = check(testCase, await runCase(testCase));
      } catch (error) {
        bad = [`threw: ${error?.stack ?? error}`];
      }
      if (bad.length === 0) {
        passed += 1;
        tally(testCase, "pass");
      } else {
        failed += 1;
        tally(testCase, "fail");
        failures.push({ name: testCase.name, bad });
      }
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker));

  console.log("ASL conformance (../shared/conformance/asl), per feature:");
  console.log(`  ${"feature".padEnd(28)} ${"pass".padStart(5)} ${"fail".padStart(5)} ${"skip".padStart(5)}  rate (of run)`);
  for (const [feature, t] of Object.entries(byFeature).sort((a, b) => (a[0] === "all" ? -1 : b[0] === "all" ? 1 : a[0].localeCompare(b[0])))) {
    const run = t.pass + t.fail;
    const rate = run ? `${((100 * t.pass) / run).toFixed(1)}%` : "-";
    console.log(`  ${feature.padEnd(28)} ${String(t.pass).padStart(5)} ${String(t.fail).padStart(5)} ${String(t.skip).padStart(5)}  ${rate}`);
  }
  for (const [reason, n] of Object.entries(skipReasons)) console.log(`  skipped ${n} case(s) needing ${reason}`);
  failures.sort((a, b) => a.name.localeCompare(b.name));
  if (list || filters.length > 0) {
    for (const f of failures) console.log(`FAIL ${f.name}\n    ${f.bad.join("\n    ")}`);
  } else if (failures.length > 0) {
    console.log(`${failures.length} failing case(s); run with --list to see them`);
  }
  console.log(`conformance: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  if (filters.length === 0 && passed < floor.asl_passed) {
    console.error(`below the floor: ${passed} passed < ${floor.asl_passed} (tests/conformance/floor.json); the floor only rises`);
    process.exit(1);
  }
  if (filters.length === 0 && passed > floor.asl_passed) {
    console.log(`(above the floor of ${floor.asl_passed}: raise it in tests/conformance/floor.json)`);
  }
  // The second corpus: TestState calls (its own report and floor).
  console.log("");
  await runTestStateCorpus({ list, filters });
}

await main();
