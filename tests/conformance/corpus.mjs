// What both conformance runners share: where the corpus is, reading one of its folders,
// and turning a case's recorded handler bodies into JS functions.

import { readFileSync, readdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
export const corpus = process.env.STATELAB_CONFORMANCE ?? resolve(here, "../../../shared/conformance");

/** Every case of a corpus folder (e.g. "asl"), in name order; exits when it is missing. */
export function loadCases(folder) {
  const dir = join(corpus, folder);
  if (!existsSync(dir)) {
    console.error(`conformance corpus not found at ${dir} (set STATELAB_CONFORMANCE)`);
    process.exit(2);
  }
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));
}

const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;

/** A case's handlers: each recorded body runs as `async function handler(event, context)`. */
export function handlersFor(testCase) {
  const handlers = {};
  for (const [name, spec] of Object.entries(testCase.handlers ?? {})) {
    handlers[name] = new AsyncFunction("event", "context", spec.js);
  }
  return handlers;
}
