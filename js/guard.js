// The safety net at the wasm boundary. On wasm32 a Rust panic is a trap (a
// WebAssembly.RuntimeError, or a RangeError when the native stack runs out) that leaves
// the instance in an unknown state. Every call into the wasm goes through `callWasm`: on
// a trap it takes the panic message the Rust hook recorded, instantiates the module
// afresh from the compiled WebAssembly.Module (cheap: no recompilation), and throws a
// StatelabInternalError. Objects of the old instance (machines, executions) are stale
// afterwards; `generation` lets their owners notice and rebuild or fail cleanly.

import { installedModules } from "./module.js";

/** A bug in Statelab (a panic inside the interpreter), not a problem with the input. */
export class StatelabInternalError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = "StatelabInternalError";
    this.code = "StatelabInternalError";
  }
}

let currentGeneration = 0;

/** Counts re-instantiations: a wasm object made in an older generation is stale. */
export function generation() {
  return currentGeneration;
}

function isTrap(error) {
  return error instanceof WebAssembly.RuntimeError || error instanceof RangeError;
}

/** Calls into the wasm; a trap becomes a StatelabInternalError and a fresh instance. */
export function callWasm(call) {
  try {
    return call();
  } catch (error) {
    rethrowTrap(error);
  }
}

/**
 * Rethrows what a call into the wasm threw; a trap becomes a StatelabInternalError after
 * the module is instantiated afresh. (Hot paths call the wasm object directly with a
 * try/catch around it that ends here, instead of a closure per call for `callWasm`.)
 */
export function rethrowTrap(error) {
  if (!isTrap(error)) throw error;
  // Browsers may have two modules (core and full, js/module.js): the one that trapped
  // recorded the message; both restart, since every object is stale from now on.
  let panic = null;
  for (const glue of installedModules()) {
    try {
      panic ??= glue.takePanicMessage() ?? null;
    } catch {
      // The broken instance cannot even say why; the trap's own message must do.
    }
  }
  for (const glue of installedModules()) glue.__wbg_reset_state();
  currentGeneration += 1;
  const what = panic ?? `${error.name}: ${error.message}`;
  throw new StatelabInternalError(
    `The interpreter failed internally (${what}). This is a bug in Statelab, ` +
      "not in your input; please report it with the definition and input. The module has been " +
      "restarted and can be used again.",
    { cause: error },
  );
}

/** The error for an object whose wasm instance was replaced after an internal error. */
export function staleError(what) {
  return new StatelabInternalError(
    `This ${what} was lost when the module restarted after an internal error ` +
      "in another call; start it again.",
  );
}

/**
 * A wasm object (machine, execution) whose every method and getter goes through
 * `callWasm`; once the module has restarted, using it throws `staleError(what)`.
 */
export function guarded(target, what) {
  const born = currentGeneration;
  const check = () => {
    if (born !== currentGeneration) throw staleError(what);
  };
  const proxy = new Proxy(target, {
    get(object, property) {
      check();
      // Getters (executionArn, name, ...) call into the wasm too.
      const value = callWasm(() => Reflect.get(object, property, object));
      if (typeof value !== "function") return value;
      return (...args) => {
        check();
        return callWasm(() => value.apply(object, args));
      };
    },
  });
  unwrapped.set(proxy, { target: unwrap(target)?.target ?? target, born, what });
  return proxy;
}

const unwrapped = new WeakMap(); // proxy -> { target, born, what }

/**
 * `{target, born, what}` behind a `guarded` proxy, for the per-call hot path (the JS
 * handler loop), which calls the wasm object itself: it must throw `staleError(what)` when
 * `generation() !== born` and pass what the call throws to `rethrowTrap`, as the proxy does.
 */
export function unwrap(proxy) {
  return unwrapped.get(proxy);
}
