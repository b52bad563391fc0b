// Every data-driven case that does not use JSONata, run on the browser's core module
// (built without the JSONata engine): it must behave exactly as the full module.
process.env.STATELAB_CORE = "1";
await import("./cases.test.mjs");
