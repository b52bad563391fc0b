// An exercise's check: what is still wrong with a run, in sentences a learner can act on.
// Pure functions (no DOM), used by learn.js and tested in tests/node/learn-check.test.mjs.
//   check: { status?, error?, path?: [state names entered, in order],
//            output? (deep equal), outputContains? (these fields, others ignored) }
//   run:   the "statelab-run" event's detail { status, output, error, cause, visited }

/** A value as short JSON text (long values are cut, the check names their place). */
function show(value) {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** A Lambda-style cause (JSON with errorMessage) as its message; other causes as they are. */
function causeText(cause) {
  let text = cause;
  try {
    text = JSON.parse(cause)?.errorMessage ?? cause;
  } catch {
    // not JSON: the cause as written
  }
  return String(text).length > 160 ? `${String(text).slice(0, 157)}...` : text;
}
const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

/** Where `actual` differs from `expected`, as sentences naming the JSON path. */
export function differences(actual, expected, { partial = false } = {}, path = "output", found = []) {
  if (found.length >= 6) return found;
  if (isObject(expected) && isObject(actual)) {
    // Nothing in common: one sentence about the whole value reads better than one per field.
    if (!partial && !Object.keys(expected).some((key) => key in actual)) {
      found.push(`${path} is ${show(actual)}, expected ${show(expected)}`);
      return found;
    }
    for (const key of Object.keys(expected)) differences(actual[key], expected[key], { partial }, `${path}.${key}`, found);
    if (partial) return found;
    for (const key of Object.keys(actual)) if (!(key in expected)) found.push(`${path}.${key} should not be there (it is ${show(actual[key])})`);
    return found;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (actual.length !== expected.length) {
      found.push(`${path} has ${actual.length} item${actual.length === 1 ? "" : "s"}, expected ${expected.length}: ${show(actual)}`);
      return found;
    }
    expected.forEach((item, index) => differences(actual[index], item, { partial }, `${path}[${index}]`, found));
    return found;
  }
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    found.push(actual === undefined ? `${path} is missing, expected ${show(expected)}` : `${path} is ${show(actual)}, expected ${show(expected)}`);
  }
  return found;
}

/** What is still wrong with a run, given an exercise's check; [] means it passes. */
export function problems(check, run) {
  if (run.status === "NOT_STARTED") return [`The run could not start: ${run.error}`];
  const found = [];
  const failure = run.error ? ` with ${run.error}${run.cause ? ` (${causeText(run.cause)})` : ""}` : "";
  // An expected output implies a run that succeeded: a failed run has no output.
  const status = check.status ?? ("output" in check || "outputContains" in check ? "SUCCEEDED" : undefined);
  if (status && run.status !== status) found.push(`The execution ended ${run.status}${failure}, expected ${status}.`);
  if (check.error && run.error !== check.error) found.push(`The execution's error is ${run.error ?? "none"}, expected ${check.error}.`);
  if (check.path && run.visited.join(" → ") !== check.path.join(" → ")) {
    found.push(`The run visited ${run.visited.join(" → ") || "no state"}, expected ${check.path.join(" → ")}.`);
  }
  if (run.status === "SUCCEEDED") {
    if ("output" in check) found.push(...differences(run.output, check.output).map((text) => `${text}.`));
    if ("outputContains" in check) found.push(...differences(run.output, check.outputContains, { partial: true }).map((text) => `${text}.`));
  }
  return found;
}
