// Where the system Chromium is, and the flags that keep it off the network: with the
// network closed, Chromium otherwise stalls at start-up on updates, sync and QUIC probes.
// No dependencies: scripts/test.mjs imports this before npm ci may have run.

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const CHROMEDRIVER = process.env.CHROMEDRIVER || "/usr/bin/chromedriver";

/** Command-line switches (without the leading "--"); headless and profile are per launcher. */
export const CHROMIUM_SWITCHES = [
  "no-sandbox",
  "disable-gpu",
  "disable-quic",
  "disable-background-networking",
  "disable-component-update",
  "disable-sync",
  "no-first-run",
];
