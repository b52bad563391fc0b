// Profiles one benchmark workload on Statelab with V8's CPU profiler, on a copy of the
// package whose wasm keeps its function names (so Rust functions show by name), and
// prints self time by function and by crate/module.
//
//   node bench/profile.mjs a            # a | b10k | b1k | c | d | e | f
//   node bench/profile.mjs b1k --runs 3 --top 40 --save bench/profiles/b1k.cpuprofile
//   node bench/profile.mjs --analyze some.cpuprofile   # e.g. from node --cpu-prof
//
// (The in-process profiler can crash node 20 on the Task workloads — a V8 deoptimizer
// bug; profile those with `node --cpu-prof` on a small script and --analyze the file.)
//
// The copy lives in target/bench-prof/ (js/ + dist/wasm/ with the named wasm from
// bench/size.mjs's build). Numbers are sampled (1 ms by default; --interval us).

import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as cases from "./cases.mjs";
import { namedBuild, owner } from "./size.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const copy = join(root, "target", "bench-prof");

function args() {
  const argv = process.argv.slice(2);
  const a = { which: argv[0] ?? "a", runs: 3, top: 30, save: null, interval: 200, rebuild: false };
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === "--runs") a.runs = Number(argv[++i]);
    else if (argv[i] === "--top") a.top = Number(argv[++i]);
    else if (argv[i] === "--save") a.save = argv[++i];
    else if (argv[i] === "--interval") a.interval = Number(argv[++i]);
    else if (argv[i] === "--rebuild") a.rebuild = true;
  }
  return a;
}

/** target/bench-prof: the package's js/ and a dist/wasm/ holding the named wasm. */
function prepareCopy(rebuild) {
  // Node loads the speed build (js/node.js); profile that one, built as scripts/build.mjs does.
  const wasm = join(copy, "dist", "wasm", "statelab_node_bg.wasm");
  if (rebuild || !existsSync(wasm)) {
    const { named, glue } = namedBuild("statelab_node", undefined, ["-O3"]);
    mkdirSync(join(copy, "dist", "wasm"), { recursive: true });
    cpSync(named, wasm);
    cpSync(glue, join(copy, "dist", "wasm", "statelab_node.js"));
  }
  mkdirSync(join(copy, "js"), { recursive: true });
  for (const f of readdirSync(join(root, "js"))) cpSync(join(root, "js", f), join(copy, "js", f));
}

function workload(which) {
  const task = cases.taskLoop(10_000);
  const jt = cases.jsonataTaskLoop(10_000);
  switch (which) {
    case "a": return { w: cases.counterLoop(10_000) };
    case "b1k": return { w: cases.inlineMap(1_000) };
    case "b10k": return { w: cases.inlineMap(10_000) };
    case "b100k": return { w: cases.inlineMap(100_000) };
    case "c": return { w: task, handlers: { [task.handlerState]: task.handler } };
    case "d": return { w: cases.payloadChain(100) };
    case "e": return { validate: cases.bigDefinition(500) };
    case "f": return { w: cases.jsonataLoop(10_000) };
    case "f2": return { w: jt, handlers: { [jt.handlerState]: jt.handler } };
    default: throw new Error(`profile: unknown workload ${which}`);
  }
}

/** Self time (µs) per function name, from a V8 .cpuprofile. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map();
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    counts.set(id, (counts.get(id) ?? 0) + dt);
  });
  const byName = new Map();
  for (const [id, us] of counts) {
    const f = byId.get(id).callFrame;
    const name = f.functionName || `(anonymous ${f.url.split("/").pop()}:${f.lineNumber})`;
    const key = f.url.endsWith(".js") || f.url.endsWith(".mjs") ? `${name} [${f.url.split("/").pop()}]` : name;
    byName.set(key, (byName.get(key) ?? 0) + us);
  }
  return byName;
}

/** Inclusive time (µs) per function name: samples with the function anywhere on the stack. */
function totalTimes(profile) {
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map();
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at).callFrame.functionName;
      if (!name || seen.has(name)) continue;
      seen.add(name);
      totals.set(name, (totals.get(name) ?? 0) + dt);
    }
  });
  return totals;
}

function group(name) {
  if (/\[[^\]]+\.m?js\]$/.test(name)) return `JS: ${name.match(/\[([^\]]+)\]$/)[1]}`;
  if (name.startsWith("(")) return name.replace(/ .*/, "");
  return `wasm: ${owner(name)}`;
}

function report(profile, a, header) {
  const times = selfTimes(profile);
  const total = [...times.values()].reduce((x, y) => x + y, 0);
  console.log(`${header}; sampled ${(total / 1000).toFixed(0)} ms\n`);
  const groups = new Map();
  for (const [name, us] of times) groups.set(group(name), (groups.get(group(name)) ?? 0) + us);
  console.log("Self time by owner:");
  for (const [g, us] of [...groups].sort((x, y) => y[1] - x[1]).slice(0, 20)) {
    console.log(`  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${g}`);
  }
  console.log(`\nInclusive time, statelab:: and JS functions (top ${a.top}):`);
  const totals = [...totalTimes(profile)].filter(([n]) => n.includes("statelab::") || !n.includes("::")).sort((x, y) => y[1] - x[1]);
  for (const [name, us] of totals.slice(0, a.top)) console.log(`  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${name.slice(0, 160)}`);
  console.log(`\nSelf time, top ${a.top} functions:`);
  for (const [name, us] of [...times].sort((x, y) => y[1] - x[1]).slice(0, a.top)) {
    console.log(`  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${name.slice(0, 160)}`);
  }
}

async function main() {
  if (process.argv[2] === "--analyze") {
    const top = process.argv.includes("--top") ? Number(process.argv[process.argv.indexOf("--top") + 1]) : 30;
    return report(JSON.parse(readFileSync(process.argv[3], "utf8")), { top }, process.argv[3]);
  }
  const a = args();
  prepareCopy(a.rebuild);
  const statelab = await import(pathToFileURL(join(copy, "js", "node.js")).href);
  const { w, handlers, validate } = workload(a.which);
  let once;
  if (validate) {
    once = async () => statelab.validate(validate);
  } else {
    const machine = new statelab.StateMachine(w.definition, { type: "EXPRESS" });
    once = async () => {
      const r = await machine.run(w.input, handlers ? { handlers } : undefined);
      if (r.status !== "SUCCEEDED" || !w.expect(r.output)) throw new Error(`profile: unexpected result ${JSON.stringify(r).slice(0, 200)}`);
    };
  }
  await once(); // warm-up
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: a.interval });
  await session.post("Profiler.start");
  const t0 = performance.now();
  for (let i = 0; i < a.runs; i++) await once();
  const ms = performance.now() - t0;
  const { profile } = await session.post("Profiler.stop");
  session.disconnect();
  if (a.save) writeFileSync(a.save, JSON.stringify(profile));
  report(profile, a, `${a.which}: ${a.runs} runs in ${ms.toFixed(0)} ms (${(ms / a.runs).toFixed(1)} ms/run)`);
}

main().catch((e) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
