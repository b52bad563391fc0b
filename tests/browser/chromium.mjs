// Launches the system Chromium for Playwright (playwright-core never downloads browsers).
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_SWITCHES } from "../../scripts/chromium.mjs";

/** A headless Chromium with a fresh profile (Playwright makes a new user-data-dir per launch). */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_SWITCHES.map((name) => `--${name}`),
  });
}
