// Runs one workload N times on Statelab or the peer, for counting instructions with
// valgrind (the count does not move with the machine's load, unlike time). bench/count.mjs
// does the whole count: both simulators, two processes each (`from` and `to` runs), the
// difference per run, and the ratio. By hand:
//
//   one() { GC=1 valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.$1 \
//     node --expose-gc --no-wasm-generic-wrapper --no-liftoff --single-threaded \
//     bench/instructions.mjs statelab c $1; }
//   one 6; one 10       # (count of 10 runs - count of 6 runs) / 4 = one warm run
//
// GC=1 (node --expose-gc): a full GC before each run, as bench/run.mjs does before each
// timed run. Those gc() calls are not timed there, so take their cost out: subtract the
// inclusive count of v8::internal::Heap::PreciseCollectAllGarbage
// (`callgrind_annotate --inclusive=yes /tmp/cg.N`) from each total.
//
// Simulator: statelab | peer. Workload: a | c | d (bench/cases.mjs).
import * as cases from "./cases.mjs";

const [simulator = "statelab", which = "c", runsText = "1"] = process.argv.slice(2);
const task = cases.taskLoop(10_000);
const workload = { a: cases.counterLoop(10_000), c: task, d: cases.payloadChain(100) }[which];
if (!workload) throw new Error(`instructions: unknown workload ${which}`);
const handlers = which === "c" ? { [task.handlerState]: task.handler } : undefined;

let run;
if (simulator === "peer") {
  // As bench/run.mjs: the peer needs Promise.withResolvers (node >= 22).
  Promise.withResolvers ??= function withResolvers() {
    let resolve, reject;
    const promise = new this((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };
  const peer = await import("aws-local-stepfunctions");
  const machine = new peer.StateMachine(workload.definition);
  const options = handlers ? { overrides: { taskResourceLocalHandlers: handlers } } : undefined;
  run = async () => workload.expect(await machine.run(workload.input, options).result);
} else {
  const { StateMachine } = await import("../js/node.js");
  const machine = new StateMachine(workload.definition, { type: "EXPRESS" });
  run = async () => workload.expect((await machine.run(workload.input, handlers ? { handlers } : undefined)).output);
}
// GC=1 (with node --expose-gc): a full GC before each run, as bench/run.mjs does.
const gc = process.env.GC === "1" ? globalThis.gc : null;
for (let i = 0; i < Number(runsText); i++) {
  if (gc) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
  }
  if (!(await run())) throw new Error(`instructions: ${simulator} gave an unexpected result`);
}
