// Wrong uses of the API: each line marked `// error` must be a compile error under
// `tsc --noEmit --strict` (tests/node/types.test.mjs checks every marked line), which
// proves the types are not `any`.
import { StateMachine, validate, evaluateJsonata, testState, type HistoryEvent } from "statelab";

const machine = new StateMachine({ StartAt: "A", States: {} }, { type: "BATCH" }); // error
new StateMachine(42); // error
new StateMachine("{}", { region: "us-east-1" }); // error
validate("{}", { type: "express" }); // error
machine.start({}, { clock: "fast" }); // error
machine.start({}, { clock: { speed: "2x" } }); // error
machine.start({}, { handlers: { A: 42 } }); // error
machine.start({}, { maxTransitions: "10" }); // error
machine.start({}, { startDate: 1700000000000 }); // error
machine.start({}, { onEvent: (event: string) => event }); // error
machine.start({}, { handler: {} }); // error
const status: "DONE" = (await machine.run()).status; // error
const wrongType: HistoryEvent["type"] = "StateEntered"; // error
const id: string = machine.start().history()[0].id; // error
machine.start().stop("now"); // error
const objects: string[] = machine.start().services().s3; // error
testState({ input: {} }); // error
testState({ definition: {}, inspectionLevel: "ALL" }); // error
evaluateJsonata(42); // error
console.log(status, wrongType, id, objects);
