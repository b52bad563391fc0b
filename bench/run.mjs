// Benchmarks Statelab side by side with aws-local-stepfunctions (the peer): the same
// definitions, the median of several timed runs after warm-up, and the ratio peer /
// Statelab. Each measurement runs in a node child process of its own (see NODE_FLAGS),
// in rounds: Statelab then the peer, three times, the median round reported. Then peak
// memory of the 100,000-item Map (one child process per simulator) and the package's
// size against the peer's browser bundle.
//
//   npm run bench                         # everything (a few minutes)
//   node bench/run.mjs --only a,b,size    # some sections: a b c d e f mem size
//   node bench/run.mjs --runs 9           # timed runs per measurement (default 7)
//   node bench/run.mjs --rounds 5         # rounds per section (default 3; see runTimed)
//   node bench/run.mjs --json out.json    # also write the raw numbers
//   node bench/run.mjs --budget 25        # seconds per measurement before it stops early
//   node bench/run.mjs --child-timeout 240  # seconds for one 100,000-item Map run
//
// The 100,000-item Map runs once per simulator in a child process (for its peak RSS);
// when 10x the 10,000-item median would not fit the budget, that single run is also its
// time (marked n=1), and a run over --child-timeout is reported as "> N s".
//
// Installs bench/node_modules (npm ci --prefix bench) when missing and builds dist/wasm
// (node scripts/build.mjs) when it is missing or older than src/.
// Never part of `npm test`: the numbers depend on the machine and its load.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as cases from "./cases.mjs";
import { moduleSizes, printBreakdown, TARGET_BYTES } from "./size.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

// ---------------------------------------------------------------------------- setup

async function setup() {
  const { wasmIsFresh } = await import("../scripts/build.mjs");
  if (!existsSync(join(here, "node_modules", "aws-local-stepfunctions"))) {
    console.log("bench: installing bench/node_modules (npm ci --prefix bench)");
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const result = spawnSync(npm, ["ci", "--prefix", here, "--no-audit", "--no-fund"], { stdio: "inherit" });
    if (result.status !== 0) throw new Error("bench: npm ci --prefix bench failed");
  }
  if (!wasmIsFresh()) {
    console.log("bench: building the wasm (node scripts/build.mjs)");
    const result = spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], { stdio: "inherit" });
    if (result.status !== 0) throw new Error("bench: node scripts/build.mjs failed");
  }
}

async function simulators() {
  // aws-local-stepfunctions 3 declares node >= 22 and its Task states call
  // Promise.withResolvers (ES2024); on node 20 give it the standard definition.
  Promise.withResolvers ??= function withResolvers() {
    let resolve, reject;
    const promise = new this((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };
  const statelab = await import("../js/node.js");
  const peer = await import("aws-local-stepfunctions");
  return { statelab, peer };
}

// ---------------------------------------------------------------------------- options

function parseArgs(argv) {
  const args = { only: null, runs: 7, rounds: 3, warmup: 2, warmupMs: 1_000, json: null, child: null, budgetMs: 25_000, childTimeoutMs: 240_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--only") args.only = new Set(argv[++i].split(","));
    else if (a === "--runs") args.runs = Math.max(1, Number(argv[++i]));
    else if (a === "--rounds") args.rounds = Math.max(1, Number(argv[++i]));
    else if (a === "--warmup") args.warmup = Math.max(0, Number(argv[++i]));
    else if (a === "--warmup-ms") args.warmupMs = Math.max(0, Number(argv[++i]));
    else if (a === "--json") args.json = argv[++i];
    else if (a === "--budget") args.budgetMs = Number(argv[++i]) * 1000;
    else if (a === "--child-timeout") args.childTimeoutMs = Number(argv[++i]) * 1000;
    else if (a === "--child") args.child = argv.slice(i + 1);
    else throw new Error(`bench: unknown argument ${a}`);
    if (args.child) break;
  }
  return args;
}

// ---------------------------------------------------------------------------- timing

// A full GC before each timed run, for both simulators, so that a run does not pay for
// the garbage of the one before. (Statelab's executions hold their history in the wasm
// heap until a JS GC finalizes them; without GCs the heap grows ~27 MB per run of (a).)
setFlagsFromString("--expose-gc");
const gc = globalThis.gc ?? runInNewContext("gc");

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Warm-up runs, then timed runs; stops early (after 3 runs) once a measurement has used
 * its time budget, so a slow simulator does not hold the whole bench hostage. The
 * warm-up lasts `warmup` runs and at least `warmupMs`: V8 optimises hot JS and wasm
 * functions in the background some time after they get hot, so two runs of a fast
 * workload (25 ms) end before its code is optimised, while two of a slow one do not.
 * Both simulators get the same rule.
 */
async function measure(fn, { runs, warmup, warmupMs, budgetMs }) {
  const started = performance.now();
  for (let i = 0; i < warmup || performance.now() - started < warmupMs; i++) {
    await fn();
    if (performance.now() - started > budgetMs / 2) break;
  }
  const times = [];
  const cpuTimes = [];
  const timedStart = performance.now();
  while (times.length < runs) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0)); // let finalizers run
    gc();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await fn();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
    if (times.length >= 3 && performance.now() - timedStart > budgetMs) break;
  }
  return { median: median(times), min: Math.min(...times), max: Math.max(...times), runs: times.length, cpu: median(cpuTimes) };
}

// ---------------------------------------------------------------------------- runners

/** A function that runs `workload` once on Statelab and checks its output. */
function statelabRunner(statelab, workload, { handlers } = {}) {
  const machine = new statelab.StateMachine(workload.definition, { type: "EXPRESS" });
  return async () => {
    const result = await machine.run(workload.input, handlers ? { handlers } : undefined);
    if (result.status !== "SUCCEEDED" || !workload.expect(result.output)) {
      throw new Error(`statelab: unexpected result ${JSON.stringify(result).slice(0, 300)}`);
    }
  };
}

/** The same on aws-local-stepfunctions (constructed once: its validation is not timed). */
function peerRunner(peer, workload, { handlers } = {}) {
  const machine = new peer.StateMachine(workload.definition);
  const options = handlers ? { overrides: { taskResourceLocalHandlers: handlers } } : undefined;
  return async () => {
    const output = await machine.run(workload.input, options).result;
    if (!workload.expect(output)) throw new Error(`peer: unexpected output ${JSON.stringify(output).slice(0, 300)}`);
  };
}

/** The workloads of the timed sections, by section letter. */
function timedSections() {
  const task = cases.taskLoop(10_000);
  const handlers = { [task.handlerState]: task.handler };
  const jtask = cases.jsonataTaskLoop(10_000);
  return [
    { id: "a", label: "(a) Choice+Pass loop, 10,000 iterations", workload: cases.counterLoop(10_000) },
    { id: "b", label: "(b) inline Map, 10,000 items", workload: cases.inlineMap(10_000) },
    { id: "b", label: "(b) inline Map, 100,000 items", workload: cases.inlineMap(100_000), scaleOf: "(b) inline Map, 10,000 items", scale: 10 },
    { id: "c", label: "(c) Task->Choice loop, 10,000 async handler calls", workload: task, handlers },
    { id: "d", label: "(d) 200 KiB payload through 100 Pass states", workload: cases.payloadChain(100) },
    { id: "f", label: "(f) JSONata Choice+Pass loop (Output/Assign/Condition), 10,000 iterations", workload: cases.jsonataLoop(10_000), jsonata: true, compare: "a" },
    { id: "f", label: "(f) JSONata Task->Choice loop (Arguments/Output), 10,000 calls", workload: jtask, handlers: { [jtask.handlerState]: jtask.handler }, jsonata: true, compare: "c" },
  ];
}

/**
 * Each section is measured in `rounds` rounds, each round Statelab then the peer, and
 * the row is the round with the median ratio. The machine is shared and its speed comes
 * and goes for minutes at a time (the same run 25 ms for a while, then 45 ms): a ratio of
 * two measurements taken minutes apart can pair a fast phase with a slow one, and
 * rounds give each ratio measurements taken side by side. The rows keep every round's
 * ratio (`roundRatios`).
 */
async function runTimed(sims, args, rows, memory) {
  for (const [index, section] of timedSections().entries()) {
    if (args.only && !args.only.has(section.id)) continue;
    process.stdout.write(`${section.label} ... `);
    const small = section.scaleOf && rows.find((r) => r.label === section.scaleOf);
    const rounds = [];
    for (let round = 0; round < (section.jsonata ? 1 : args.rounds); round++) {
      const row = { id: section.id, label: section.label };
      let once = false;
      for (const key of section.jsonata ? ["statelab"] : ["statelab", "peer"]) {
        const predicted = small?.[key] ? small[key].median * section.scale : 0;
        if (predicted > args.budgetMs / 3) {
          // Too slow to repeat: the memory child's single run is the measurement.
          once = true;
          const m = memoryOf(args, memory, key);
          if (m.error) row[`${key}Error`] = m.timedOut ? `> ${args.childTimeoutMs / 1000} s (timed out)` : m.error;
          else row[key] = { median: m.ms, min: m.ms, max: m.ms, runs: 1, cpu: m.cpu };
          continue;
        }
        const m = measureChild(args, index, key);
        if (m.error) row[`${key}Error`] = m.error;
        else row[key] = m;
      }
      rounds.push(row);
      if (once) break; // a single run's measurement is the same in every round
    }
    const measured = rounds.filter((r) => ratio(r) !== null).sort((a, b) => ratio(a) - ratio(b));
    const row = measured.length > 0 ? measured[(measured.length - 1) >> 1] : rounds[0];
    if (measured.length > 1) row.roundRatios = rounds.map((r) => ratio(r));
    if (section.jsonata) {
      row.jsonata = true;
      if (row.statelabError) row.statelabError = `not available yet (${row.statelabError.slice(0, 120)})`;
      const plain = rows.find((r) => r.id === section.compare && r.statelab);
      if (plain && row.statelab) row.vsJsonPath = row.statelab.cpu / plain.statelab.cpu; // CPU: less noisy
    }
    rows.push(row);
    console.log(describe(row));
  }
}

/**
 * One simulator on one section, in a child process: a V8 crash (see NODE_FLAGS) or a
 * heap left behind by one measurement cannot spoil the others.
 */
function measureChild(args, index, simulator) {
  const flags = ["--runs", String(args.runs), "--warmup", String(args.warmup), "--warmup-ms", String(args.warmupMs), "--budget", String(args.budgetMs / 1000)];
  const result = spawnSync(process.execPath, [...NODE_FLAGS, fileURLToPath(import.meta.url), ...flags, "--child", "measure", String(index), simulator], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
    timeout: args.childTimeoutMs * 3,
    killSignal: "SIGKILL",
  });
  const line = result.stdout.trim().split("\n").pop();
  if (result.status === 0 && line?.startsWith("{")) return JSON.parse(line);
  if (result.signal === "SIGKILL") return { error: `timed out after ${(args.childTimeoutMs * 3) / 1000} s` };
  const fatal = /Fatal error|unreachable code/.test(result.stderr) ? "node crashed (V8 fatal error in the deoptimizer)" : null;
  return { error: fatal ?? (result.stderr || result.stdout).trim().split("\n").slice(-2).join(" ").slice(0, 200) };
}

async function measureInChild(args, [, index, simulator]) {
  const sims = await simulators();
  const section = timedSections()[Number(index)];
  const runner = simulator === "statelab" ? statelabRunner : peerRunner;
  try {
    console.log(JSON.stringify(await measure(runner(sims[simulator], section.workload, { handlers: section.handlers }), args)));
  } catch (error) {
    console.log(JSON.stringify({ error: error.message.slice(0, 300) }));
  }
}

/** (e) validation of a 500-state definition. */
async function runValidate(sims, args, rows) {
  if (args.only && !args.only.has("e")) return;
  const definition = cases.bigDefinition(500);
  const text = JSON.stringify(definition);
  const check = sims.statelab.validate(definition);
  if (!check.valid) throw new Error(`bench: the 500-state definition is invalid for Statelab: ${JSON.stringify(check.diagnostics.slice(0, 3))}`);
  new sims.peer.StateMachine(definition); // throws if asl-validator rejects it
  const peerTime = await measure(() => new sims.peer.StateMachine(definition), args);
  const variants = [
    ["(e) validate 500 states: validate(object) vs peer new StateMachine()", () => sims.statelab.validate(definition)],
    ["(e) validate 500 states: validate(text) vs peer new StateMachine()", () => sims.statelab.validate(text)],
    ["(e) 500 states: new StateMachine(object) vs peer new StateMachine()", () => new sims.statelab.StateMachine(definition)],
  ];
  for (const [label, fn] of variants) {
    const row = { id: "e", label, statelab: await measure(fn, args), peer: peerTime };
    rows.push(row);
    console.log(`${label} ... ${describe(row)}`);
  }
}

// ---------------------------------------------------------------------------- memory

/**
 * In a child process: run (b) at 100,000 items once on one simulator and report its
 * peak RSS (process.resourceUsage().maxRSS, KiB) next to the RSS before the run.
 */
async function memoryChild([simulator, size]) {
  const sims = await simulators();
  const workload = cases.inlineMap(Number(size));
  const run = simulator === "statelab" ? statelabRunner(sims.statelab, workload) : peerRunner(sims.peer, workload);
  const before = process.resourceUsage().maxRSS;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await run();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1000;
  const after = process.resourceUsage().maxRSS;
  // V8 counts the wasm linear memory as external memory; the JS heap is heapUsed.
  const { external, heapUsed } = process.memoryUsage();
  console.log(JSON.stringify({ simulator, before, after, ms, cpu, external, heapUsed }));
}

/** The child-process run of (b) at 100,000 items for one simulator (run once, cached). */
function memoryOf(args, memory, simulator, size = 100_000) {
  const key = `${simulator}@${size}`;
  if (memory[key]) return memory[key];
  const result = spawnSync(process.execPath, [...NODE_FLAGS, fileURLToPath(import.meta.url), "--child", simulator, String(size)], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
    timeout: args.childTimeoutMs,
    killSignal: "SIGKILL",
  });
  const line = result.stdout.trim().split("\n").pop();
  if (result.error?.code === "ETIMEDOUT" || result.signal === "SIGKILL") {
    memory[key] = { error: `timed out after ${args.childTimeoutMs / 1000} s`, timedOut: true };
  } else if (result.status !== 0 || !line?.startsWith("{")) {
    memory[key] = { error: (result.stderr || result.stdout).trim().split("\n").slice(-3).join(" ") };
  } else {
    memory[key] = JSON.parse(line);
  }
  return memory[key];
}

function runMemory(args, memory) {
  if (args.only && !args.only.has("mem")) return;
  for (const [simulator, size] of [["statelab", 100_000], ["peer", 100_000], ["statelab", 10_000], ["peer", 10_000]]) {
    const m = memoryOf(args, memory, simulator, size);
    console.log(
      m.error
        ? `peak RSS, (b) ${size.toLocaleString("en")} items, ${simulator}: failed: ${m.error}`
        : `peak RSS, (b) ${size.toLocaleString("en")} items, ${simulator}: ${mib(m.after * 1024)} (before the run ${mib(m.before * 1024)}; after it: external ${mib(m.external)}, JS heap ${mib(m.heapUsed)}; run ${fmtMs(m.ms)})`,
    );
  }
}

// ---------------------------------------------------------------------------- size

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** What a browser loads: the JS it imports, and the core module; the full one on demand. */
const BROWSER_JS = ["browser.js", "api.js", "guard.js", "module.js"];

function packageSize() {
  const modules = moduleSizes();
  const js = BROWSER_JS.map((f) => {
    const bytes = readFileSync(join(root, "js", f));
    return { file: join("js", f), raw: bytes.length, gzip: gz(bytes) };
  });
  const core = modules.find((m) => m.key === "core");
  const full = modules.find((m) => m.key === "full");
  const peerFile = join(here, "node_modules", "aws-local-stepfunctions", "build", "main.browser.esm.js");
  const peerBytes = readFileSync(peerFile);
  const peer = { file: "aws-local-stepfunctions/build/main.browser.esm.js", raw: peerBytes.length, gzip: gz(peerBytes) };
  return {
    modules,
    js,
    browser: { first: core.gzip + sum(js, "gzip"), withJsonata: core.gzip + full.gzip + sum(js, "gzip") },
    peer,
  };
}

const sum = (xs, key) => xs.reduce((n, x) => n + x[key], 0);

function runSize(args, report) {
  if (args.only && !args.only.has("size")) return;
  const size = packageSize();
  report.size = size;
  console.log("\nSize (gzip -9):");
  for (const m of size.modules) {
    for (const p of [m.wasm, m.glue]) console.log(`  ${p.file.padEnd(32)} ${kb(p.raw).padStart(10)} raw ${kb(p.gzip).padStart(10)} gzip`);
    console.log(`  ${`= ${m.key} module, wasm + glue`.padEnd(32)} ${"".padStart(14)} ${kb(m.gzip).padStart(10)} gzip${m.key === "core" ? ` (target <= ${kb(TARGET_BYTES)})` : ""}`);
  }
  for (const p of size.js) console.log(`  ${p.file.padEnd(32)} ${kb(p.raw).padStart(10)} raw ${kb(p.gzip).padStart(10)} gzip`);
  console.log(`  ${"a browser loads first".padEnd(32)} ${"".padStart(14)} ${kb(size.browser.first).padStart(10)} gzip (core + js/)`);
  console.log(`  ${"... and for JSONata".padEnd(32)} ${"".padStart(14)} ${kb(size.browser.withJsonata).padStart(10)} gzip (+ the full module)`);
  console.log(`  ${"peer browser bundle".padEnd(32)} ${kb(size.peer.raw).padStart(10)} raw ${kb(size.peer.gzip).padStart(10)} gzip (${size.peer.file})`);
  console.log("\nThe wasm by crate/module (bench/size.mjs; a copy of the build with function names):");
  try {
    printBreakdown();
  } catch (error) {
    console.log(`  breakdown unavailable: ${error.message}`);
  }
}

// ---------------------------------------------------------------------------- output

const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`);
const mib = (bytes) => `${(bytes / 1048576).toFixed(0)} MiB`;
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
const spread = (m) => `${fmtMs(m.median)} [${fmtMs(m.min)}..${fmtMs(m.max)}, n=${m.runs}, cpu ${fmtMs(m.cpu)}]`;

function ratio(row, key = "median") {
  if (!row.statelab || !row.peer) return null;
  return row.peer[key] / row.statelab[key];
}

/** Every round's wall ratio, as `12.1x, 16.5x, 11.6x` ("-" for a round that failed). */
function roundRatiosText(row) {
  return row.roundRatios.map((x) => (x === null ? "-" : `${x.toFixed(1)}x`)).join(", ");
}

function describe(row) {
  const s = row.statelab ? spread(row.statelab) : row.statelabError;
  if (row.jsonata) return `statelab ${s}${row.vsJsonPath ? ` (${row.vsJsonPath.toFixed(2)}x the JSONPath version's CPU time)` : ""}`;
  const p = row.peer ? spread(row.peer) : row.peerError;
  const r = ratio(row);
  const rounds = row.roundRatios ? ` (median round; rounds ${roundRatiosText(row)})` : "";
  return `statelab ${s} | peer ${p}${r ? ` | ${r.toFixed(1)}x wall, ${ratio(row, "cpu").toFixed(1)}x cpu${rounds}` : ""}`;
}

function table(rows) {
  const lines = [
    "| Benchmark | Statelab wall (cpu) | aws-local-stepfunctions wall (cpu) | peer / Statelab, wall (cpu) |",
    "|---|---:|---:|---:|",
  ];
  const cell = (m) => `${fmtMs(m.median)} (${fmtMs(m.cpu)})${m.runs === 1 ? " n=1" : ""}`;
  for (const row of rows) {
    const s = row.statelab ? cell(row.statelab) : row.statelabError;
    const p = row.jsonata ? "n/a (no JSONata)" : row.peer ? cell(row.peer) : row.peerError;
    const r = ratio(row);
    const rounds = row.roundRatios ? `; rounds ${roundRatiosText(row)}` : "";
    lines.push(`| ${row.label} | ${s} | ${p} | ${r ? `**${r.toFixed(1)}x** (${ratio(row, "cpu").toFixed(1)}x${rounds})` : row.vsJsonPath ? `(${row.vsJsonPath.toFixed(2)}x Statelab's JSONPath CPU time)` : "-"} |`);
  }
  return lines.join("\n");
}

function growth(rows) {
  const small = rows.find((r) => r.label.includes("Map, 10,000"));
  const big = rows.find((r) => r.label.includes("Map, 100,000"));
  if (!small || !big) return null;
  const g = (k) => (small[k] && big[k] ? big[k].median / small[k].median : null);
  return { statelab: g("statelab"), peer: g("peer") };
}

// ---------------------------------------------------------------------------- main

// Node 20's V8 can abort ("Fatal error ... unreachable code" in
// Deoptimizer::DoComputeBuiltinContinuation) when a Statelab execution with JS Task
// handlers runs a second time in a process; its generic JS-to-wasm wrapper is the
// trigger, so on node < 22 the bench runs with V8's specific wrappers instead.
const NODE_FLAGS = Number(process.versions.node.split(".")[0]) < 22 ? ["--no-wasm-generic-wrapper"] : [];

async function main() {
  if (NODE_FLAGS.some((f) => !process.execArgv.includes(f))) {
    const result = spawnSync(process.execPath, [...NODE_FLAGS, ...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" });
    process.exit(result.status ?? 1);
  }
  const args = parseArgs(process.argv.slice(2));
  if (args.child?.[0] === "measure") return measureInChild(args, args.child);
  if (args.child) return memoryChild(args.child);
  await setup();
  const sims = await simulators();
  console.log(`node ${process.version} ${process.execArgv.join(" ")}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), ${new Date().toISOString()}`);
  console.log(`median of up to ${args.runs} runs after ${args.warmup} warm-up runs and at least ${args.warmupMs} ms of them; each measurement stops after ~${args.budgetMs / 1000} s (min 3 runs); ${args.rounds} rounds (Statelab, then the peer) per section, the median round reported\n`);
  const rows = [];
  const report = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, rows, memory: {} };
  await runTimed(sims, args, rows, report.memory);
  await runValidate(sims, args, rows);
  console.log("");
  runMemory(args, report.memory);
  runSize(args, report);
  console.log(`\n${table(rows)}`);
  const g = growth(rows);
  if (g) {
    report.growth = g;
    const f = (x) => (x ? `${x.toFixed(1)}x` : "n/a");
    console.log(`\nMap 100,000 / 10,000 items time: statelab ${f(g.statelab)}, peer ${f(g.peer)} (linear = 10x)`);
  }
  if (args.json) writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
}

main().catch((error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
