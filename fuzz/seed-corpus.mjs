// Writes the seed corpus (fuzz/corpus/<target>/) from the project's own test data and
// the shared conformance data: small files only, named by content hash so that reruns
// add nothing twice. The committed corpus is this output plus what fuzzing kept.
//
//   node fuzz/seed-corpus.mjs [path/to/shared/conformance]

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const conformance = process.argv[2] ?? join(root, "..", "shared", "conformance");
const MAX_BYTES = 4096;
const PER_TARGET = 150;

const counts = {};
function write(target, text) {
  if (text.length > MAX_BYTES || (counts[target] ?? 0) >= PER_TARGET) return;
  const dir = join(root, "fuzz", "corpus", target);
  mkdirSync(dir, { recursive: true });
  const name = createHash("sha1").update(text).digest("hex").slice(0, 16);
  writeFileSync(join(dir, name), text);
  counts[target] = (counts[target] ?? 0) + 1;
}

function files(dir, pattern) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...files(path, pattern));
    else if (pattern.test(entry)) out.push(path);
  }
  return out;
}

/** Every nth item, so the seeds spread over the whole list. */
const spread = (items, count) => items.filter((_, i) => i % Math.max(1, Math.floor(items.length / count)) === 0);

// Definitions: the data-driven cases, then accepted/rejected conformance definitions.
for (const path of spread(files(join(root, "tests", "cases"), /^definition\.json$/), 90)) {
  write("parse_validate", readFileSync(path, "utf8"));
}
for (const path of spread(files(join(conformance, "validation"), /\.json$/), 60)) {
  const record = JSON.parse(readFileSync(path, "utf8"));
  const definition = record.definition ?? record.Definition;
  if (definition !== undefined) write("parse_validate", typeof definition === "string" ? definition : JSON.stringify(definition, null, 1));
}

// Paths and intrinsics: the first line is the expression, the rest the input JSON.
const tables = join(root, "tests", "data", "paths");
for (const file of ["select.json", "result_path.json", "template.json", "choice.json"]) {
  if (!existsSync(join(tables, file))) continue;
  for (const row of JSON.parse(readFileSync(join(tables, file), "utf8"))) {
    const path = row.path ?? row.result_path ?? (row.template ? JSON.stringify(row.template) : undefined) ?? (row.rule ? JSON.stringify(row.rule) : undefined);
    if (typeof path === "string" && !path.includes("\n")) write("jsonpath", `${path}\n${JSON.stringify(row.input ?? null)}`);
  }
}
if (existsSync(join(tables, "intrinsic.json"))) {
  for (const row of JSON.parse(readFileSync(join(tables, "intrinsic.json"), "utf8"))) {
    if (!row.expr.includes("\n")) write("intrinsic", `${row.expr}\n${JSON.stringify(row.input ?? null)}`);
  }
}

// JSONata: the reference suite's expressions with their input.
const suite = join(conformance, "jsonata", "jsonata-2.0.6.jsonl");
if (existsSync(suite)) {
  const rows = readFileSync(suite, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
  for (const row of spread(rows, 150)) {
    if (typeof row.expr === "string" && !row.expr.includes("\n")) write("jsonata", `${row.expr}\n${JSON.stringify(row.data ?? null)}`);
  }
}

console.log(Object.entries(counts).map(([target, n]) => `${target}: ${n}`).join(", "));
