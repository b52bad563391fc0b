// The statelab package on the page, loaded once however many playgrounds the page holds
// (one wasm load). The page uses it only for validate(): runs happen in workers.
let loading = null;

export function loadStatelab() {
  loading ??= import("../js/browser.js");
  return loading;
}
