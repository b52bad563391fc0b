// The TestState conformance runner: every case under ../shared/conformance/asl_test_state
// (TestState API calls recorded against AWS) run through the public `testState()` and
// compared as CHECKER.md section 3 says. run.mjs calls it after the execution corpus;
// it also runs alone:
//
//   node tests/conformance/test_state.mjs [--list] [NAME...]
//
// Values that AWS returns as JSON text (output, inspectionData stages) are compared
// with the recorded value: parsed when the corpus stored it parsed, as text (or as the
// same JSON value) when it stored text. `expected.exception` = the call is rejected with
// that `.code`; a `null` code (a rejection by the AWS SDK before the call was sent)
// accepts any rejection. Skipped cases are listed with their reason, never passed.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";
import { testState } from "../../js/node.js";
import { maskedMatch } from "./masked_match.mjs";
import { handlersFor, loadCases } from "./corpus.mjs";

const here = dirname(fileURLToPath(import.meta.url));

/** Cases skipped until their feature lands: predicate -> reason. */
const UNSUPPORTED = [];


/** Feature group of a case: its test file's class (configuration, mocks, scenarios...). */
function group(testCase) {
  const m = /::(\w+)::/.exec(testCase.name);
  return m ? m[1] : "other";
}

function parseJson(text) {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Expected value (parsed or text) against our JSON text. */
function textMatches(expected, actual, tokens) {
  if (typeof actual !== "string") return maskedMatch(expected, actual, tokens);
  if (maskedMatch(expected, actual, tokens)) return true;
  const got = parseJson(actual);
  if (!got.ok) return false;
  if (typeof expected === "string") {
    // The corpus keeps some texts parsed (an output that is a JSON string) and others
    // as AWS sent them: accept either reading.
    if (maskedMatch(expected, got.value, tokens)) return true;
    const want = parseJson(expected);
    return want.ok && maskedMatch(want.value, got.value, tokens);
  }
  return maskedMatch(expected, got.value, tokens);
}

const RESPONSE_KEYS = ["status", "output", "error", "cause", "nextState", "inspectionData"];

function check(testCase, actual) {
  const expected = testCase.expected;
  const tokens = (testCase.masked?.tokens ?? []).map((t) => [t.pattern, t.scope]);
  if (expected.exception) {
    if (!actual.exception) return [`expected rejection ${expected.exception.code}: ${expected.exception.message}; got ${JSON.stringify(actual.response)}`];
    if (expected.exception.code !== null && actual.exception.code !== expected.exception.code) {
      return [`expected ${expected.exception.code} (${expected.exception.message}), got ${actual.exception.code}: ${actual.exception.message}`];
    }
    return [];
  }
  if (actual.exception) return [`rejected: ${actual.exception.code}: ${actual.exception.message}`];
  const got = actual.response ?? {};
  const bad = [];
  for (const key of new Set([...RESPONSE_KEYS, ...Object.keys(expected)])) {
    const want = expected[key];
    const have = got[key];
    if (want === undefined) {
      if (have !== undefined && have !== null) bad.push(`${key}: AWS reported none, got ${JSON.stringify(have)}`);
      continue;
    }
    if (key === "inspectionData") {
      for (const stage of new Set([...Object.keys(want), ...Object.keys(have ?? {})])) {
        if (!(stage in want)) {
          bad.push(`inspectionData.${stage}: AWS reported none, got ${JSON.stringify(have[stage])}`);
        } else if (!textMatches(want[stage], have?.[stage], tokens)) {
          bad.push(`inspectionData.${stage}: expected ${JSON.stringify(want[stage])}, got ${JSON.stringify(have?.[stage])}`);
        }
      }
      continue;
    }
    if (!textMatches(want, have, tokens)) bad.push(`${key}: expected ${JSON.stringify(want)}, got ${JSON.stringify(have)}`);
  }
  return bad;
}

async function runCase(testCase) {
  const request = { definition: testCase.definition, ...testCase.request };
  if (testCase.handlers) request.handlers = handlersFor(testCase);
  try {
    return { response: await testState(request) };
  } catch (error) {
    if (error && typeof error.code === "string") return { exception: { code: error.code, message: error.message } };
    throw error;
  }
}

/** Runs the corpus; returns {passed, failed, skipped}. Exits non-zero below the floor. */
export async function runTestStateCorpus({ list = false, filters = [] } = {}) {
  const floor = JSON.parse(readFileSync(join(here, "floor.json"), "utf8"));
  const cases = loadCases("asl_test_state").filter((c) => filters.length === 0 || filters.some((f) => c.name.includes(f)));
  const byGroup = {};
  const failures = [];
  const skips = [];
  let passed = 0;
  let failed = 0;
  for (const testCase of cases) {
    const g = group(testCase);
    byGroup[g] ??= { pass: 0, fail: 0, skip: 0 };
    const reason = UNSUPPORTED.find(([applies]) => applies(testCase))?.[1];
    if (reason) {
      byGroup[g].skip += 1;
      skips.push({ name: testCase.name, reason });
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
      byGroup[g].pass += 1;
    } else {
      failed += 1;
      byGroup[g].fail += 1;
      failures.push({ name: testCase.name, bad });
    }
  }
  console.log("TestState conformance (../shared/conformance/asl_test_state), per group:");
  console.log(`  ${"group".padEnd(34)} ${"pass".padStart(5)} ${"fail".padStart(5)} ${"skip".padStart(5)}`);
  for (const [g, t] of Object.entries(byGroup).sort()) {
    console.log(`  ${g.padEnd(34)} ${String(t.pass).padStart(5)} ${String(t.fail).padStart(5)} ${String(t.skip).padStart(5)}`);
  }
  for (const s of skips) console.log(`SKIP ${s.name}: ${s.reason}`);
  if (list || filters.length > 0) {
    for (const f of failures) console.log(`FAIL ${f.name}\n    ${f.bad.join("\n    ")}`);
  } else if (failures.length > 0) {
    console.log(`${failures.length} failing TestState case(s); run with --list to see them`);
  }
  console.log(`test_state conformance: ${passed} passed, ${failed} failed, ${skips.length} skipped`);
  const minimum = floor.test_state_passed ?? 0;
  if (filters.length === 0 && passed < minimum) {
    console.error(`below the floor: ${passed} passed < ${minimum} (test_state_passed in tests/conformance/floor.json); the floor only rises`);
    process.exitCode = 1;
  } else if (filters.length === 0 && passed > minimum) {
    console.log(`(above the floor of ${minimum}: raise test_state_passed in tests/conformance/floor.json)`);
  }
  return { passed, failed, skipped: skips.length };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  await runTestStateCorpus({ list: args.includes("--list"), filters: args.filter((a) => !a.startsWith("--")) });
}
