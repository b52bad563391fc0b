// Instructions per wasm function (and per JS-to-C++ memory.copy caller) for one bench
// workload on Statelab: where the engine's time goes, which timing on this shared
// machine cannot say. Needs valgrind. node does not name wasm code for profilers, so
// this runs the workload under callgrind with `--print-wasm-code` (each compiled
// function's name and machine-code address) and sums callgrind's per-instruction counts
// by the function each instruction lies in.
//
//   node bench/wasm-profile.mjs [workload a|c|d] [runs, default 6] [top, default 40]
//
// Function names need the name section: build the node module with names kept, e.g.
// scripts/build.mjs's steps by hand with `wasm-opt -g` (see bench/RESULTS.md, session 6).
// Without names the rows read `wasm-function[N]`. wasm-opt inlines most of the engine
// into `drive_io`; `--one-caller-inline-max-function-size 100` keeps functions apart.
// Counts are per run: the total over `runs` runs (after a forced GC each, as
// bench/run.mjs does) divided by `runs`, so the first run's compilation is included.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const [which = "c", runsText = "6", topText = "40"] = process.argv.slice(2);
const runs = Number(runsText);
const out = `/tmp/statelab-wasm-profile.${process.pid}`;
const script = fileURLToPath(new URL("./instructions.mjs", import.meta.url));
const run = spawnSync(
  "valgrind",
  ["--tool=callgrind", "--dump-instr=yes", `--callgrind-out-file=${out}`, process.execPath, "--expose-gc", "--no-liftoff",
    "--print-wasm-code", "--no-wasm-generic-wrapper", "--single-threaded", script, "statelab", which, runsText],
  { encoding: "utf8", env: { ...process.env, GC: "1" }, maxBuffer: 1 << 30 },
);
if (run.status !== 0) throw new Error(`wasm-profile: valgrind failed: ${run.stderr.slice(-2000)}`);

// Compiled wasm functions: [start address, size, name], from --print-wasm-code.
const functions = [];
let name = null;
let size = 0;
let expectStart = false;
for (const line of run.stdout.split("\n")) {
  if (line.startsWith("name: ")) name = line.slice(6).trim().replace(/\[[0-9a-f]{16}\]/g, "").replace(/::h[0-9a-f]{16}$/, "");
  const sized = /^Instructions \(size = (\d+)\)/.exec(line);
  if (sized) {
    size = Number(sized[1]);
    expectStart = true;
  } else if (expectStart && /^0x[0-9a-f]+\s/.test(line)) {
    functions.push([Number.parseInt(line, 16), size, name]);
    expectStart = false;
  }
}
functions.sort((a, b) => a[0] - b[0]);
function functionAt(address) {
  let lo = 0;
  let hi = functions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (functions[mid][0] <= address) lo = mid + 1;
    else hi = mid - 1;
  }
  const f = functions[hi];
  return f && address < f[0] + f[1] ? f[2] : null;
}

// callgrind's file: per instruction address (absolute hex, or +/- relative to the last
// one, or * for the same) its count; a `calls=` line's next line is the call's inclusive
// count, not the instruction's own.
const self = new Map();
const memoryCopy = new Map();
let last = 0;
let callee = "";
let inCall = false;
const names = new Map();
for (const line of readFileSync(out, "utf8").split("\n")) {
  const fn = /^c?fn=\((\d+)\)(?: (.*))?/.exec(line);
  if (fn) {
    if (fn[2]) names.set(fn[1], fn[2]);
    if (line.startsWith("cfn=")) callee = names.get(fn[1]) ?? "";
    continue;
  }
  if (line.startsWith("calls=")) {
    inCall = true;
    continue;
  }
  const first = line[0];
  if (!(first === "0" || first === "+" || first === "-" || first === "*")) continue;
  const [position, , countText] = line.split(" ");
  if (position === "*") {
    // the same address
  } else if (first === "+") last += Number(position.slice(1));
  else if (first === "-") last -= Number(position.slice(1));
  else last = Number.parseInt(position, 16);
  const count = Number(countText ?? 0);
  const owner = functionAt(last);
  if (inCall) {
    inCall = false;
    if (owner && callee.includes("memory_copy")) memoryCopy.set(owner, (memoryCopy.get(owner) ?? 0) + count);
    continue;
  }
  if (owner) self.set(owner, (self.get(owner) ?? 0) + count);
}
rmSync(out, { force: true });

const perRun = (n) => `${(n / runs / 1e6).toFixed(2).padStart(7)} M`;
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log(`workload ${which}: wasm code ${perRun(total)} instructions per run (${functions.length} functions compiled)`);
for (const [fname, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topText))) console.log(`${perRun(n)}  ${fname}`);
console.log("memory.copy calls out to C++, by caller (inclusive):");
for (const [fname, n] of [...memoryCopy].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`${perRun(n)}  ${fname}`);
