// Instructions per warm run of a workload, Statelab and the peer, and their ratio: the
// load-independent check of the speed targets (timing on a shared machine moves with
// other processes' load; an instruction count does not). Needs valgrind.
//
//   node bench/count.mjs [workloads, default a,c,d] [--from 6] [--to 10] [--only statelab|peer]
//
// Each simulator runs the workload `from` times in one process and `to` times in
// another, both under callgrind; (count(to) - count(from)) / (to - from) is one run after
// `from` warm runs. That is the steady state the timed bench measures (it warms up for at
// least a second: some 40 runs of Statelab's Task loop, 4 of the peer's), with the JIT's
// compilation of the hot code done: over runs 3..6 Statelab's Task loop cost some 18 M
// instructions per run more than over runs 7..14, 12 M of them TurboFan compiling it.
// As bench/run.mjs does, each run follows a full GC (node --expose-gc; GC=1 in
// instructions.mjs), and those gc() calls are not counted: the inclusive count of
// v8::internal::Heap::PreciseCollectAllGarbage comes off each total.
import { execFile, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const [, value] = args.splice(at, 2);
  return value;
};
const from = Number(option("--from", "6"));
const to = Number(option("--to", "10"));
const only = option("--only", null);
const workloads = (args[0] ?? "a,c,d").split(",");
if (!(to > from && from >= 1)) throw new Error("count: need 1 <= --from < --to");
const simulators = only ? [only] : ["statelab", "peer"];
const script = fileURLToPath(new URL("./instructions.mjs", import.meta.url));

/** Instructions of `runs` runs of `workload` in one process, less the gc() calls. */
async function count(simulator, workload, runs) {
  const out = `/tmp/statelab-count.${process.pid}.${simulator}.${workload}.${runs}`;
  try {
    await promisify(execFile)(
      "valgrind",
      ["--tool=callgrind", `--callgrind-out-file=${out}`, process.execPath, "--expose-gc", "--no-liftoff",
        "--no-wasm-generic-wrapper", "--single-threaded", script, simulator, workload, String(runs)],
      { encoding: "utf8", env: { ...process.env, GC: "1" }, maxBuffer: 1 << 26 },
    );
  } catch (error) {
    throw new Error(`count: valgrind failed: ${String(error.stderr ?? error).slice(-2000)}`);
  }
  const annotate = (inclusive) =>
    spawnSync("callgrind_annotate", [`--inclusive=${inclusive}`, out], { encoding: "utf8", maxBuffer: 1 << 28 }).stdout;
  const number = (line) => Number(line.trim().split(" ")[0].replaceAll(",", ""));
  const total = number(annotate("no").split("\n").find((l) => l.includes("PROGRAM TOTALS")));
  const gcLine = annotate("yes").split("\n").find((l) => l.includes("Heap::PreciseCollectAllGarbage"));
  rmSync(out, { force: true });
  return total - (gcLine ? number(gcLine) : 0);
}

const results = {};
for (const workload of workloads) {
  for (const simulator of simulators) {
    // The two processes side by side (the counts do not depend on the machine's load).
    const [many, few] = await Promise.all([count(simulator, workload, to), count(simulator, workload, from)]);
    const perRun = (many - few) / (to - from);
    results[`${simulator} ${workload}`] = perRun;
    console.log(`(${workload}) ${simulator}: ${(perRun / 1e6).toFixed(1)} M instructions per run (runs ${from + 1}..${to})`);
  }
  const s = results[`statelab ${workload}`];
  const p = results[`peer ${workload}`];
  if (s && p) console.log(`(${workload}) peer / Statelab: ${(p / s).toFixed(1)}x`);
}
