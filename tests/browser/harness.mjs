// What every browser test file shares: the static server and one headless Chromium for
// the file's tests, the end statuses, test-id selectors, the screenshot folder and the
// CSP-violation reporter.
import { mkdirSync } from "node:fs";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { serve } from "../../scripts/serve.mjs";
import { launchChromium } from "./chromium.mjs";

export const FINAL = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];
export const TIMEOUT = { timeout: 20_000 };
export const byTestId = (id) => `[data-testid="${id}"]`;
export const SCREENSHOTS = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));

// Live bindings: set by the `before` hook below, read by the tests.
export let url;
export let browser;

/** Serves the repository and launches Chromium before the calling file's tests; stops both after. */
export function serveAndLaunchChromium() {
  let server;
  before(async () => {
    ({ server, url } = await serve({ port: 0 }));
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });
}

// Runs in the page before its scripts: a CSP violation becomes a console error (which
// every test fails on), with what was blocked.
function reportCspViolations() {
  document.addEventListener("securitypolicyviolation", (event) => {
    console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`);
  });
}

/**
 * Starts recording, for the page, what every test fails on: page errors, HTTP errors and
 * console errors (CSP violations included, see reportCspViolations), and the URLs of the
 * wasm fetches (tests count them). Returns `{ problems, wasm }`, filled as the page runs.
 */
export async function watchPage(page) {
  const problems = [];
  const wasm = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    if (response.url().endsWith(".wasm")) wasm.push(response.url());
  });
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  await page.addInitScript(reportCspViolations);
  return { problems, wasm };
}
