// Checks the npm package as a user gets it: `npm pack` ships the loaders and the built
// wasm, every entry package.json names exists, and the README's example runs against
// `import "statelab"` (the package resolving itself, through its `exports`).
//
//   node scripts/check-package.mjs      (after a build; npm test runs it)

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

// Entries that other work items add later; until then they are reported, not failed.
const PENDING = new Set(["js/index.d.ts", "js/cli.js"]);

function packedFiles() {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: root,
    encoding: "utf8",
  });
  assert.equal(result.status, 0, `npm pack failed: ${result.stderr}`);
  return new Set(JSON.parse(result.stdout)[0].files.map((file) => file.path));
}

test("npm pack ships the loaders, the API and the built wasm", () => {
  const files = packedFiles();
  for (const file of ["js/node.js", "js/browser.js", "js/api.js", "js/module.js", "dist/wasm/statelab.js", "dist/wasm/statelab_bg.wasm", "dist/wasm/statelab_core.js", "dist/wasm/statelab_core_bg.wasm", "dist/wasm/statelab_node.js", "dist/wasm/statelab_node_bg.wasm", "README.md"]) {
    assert.ok(files.has(file), `${file} is not in the package`);
  }
  for (const file of files) {
    assert.ok(!/^(src|target|tests|www|node_modules)\//.test(file), `${file} should not be in the package`);
  }
});

test("every entry package.json names is in the package", (t) => {
  const files = packedFiles();
  const entries = [
    ...Object.values(manifest.exports["."]),
    manifest.types,
    ...Object.values(manifest.bin ?? {}),
  ].map((entry) => entry.replace(/^\.\//, ""));
  for (const entry of new Set(entries)) {
    if (files.has(entry)) continue;
    if (PENDING.has(entry) && !existsSync(join(root, entry))) {
      t.diagnostic(`not yet written: ${entry}`);
      continue;
    }
    assert.fail(`package.json names ${entry}, which the package does not ship`);
  }
});

test("the README's example runs against import \"statelab\"", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Using the package"));
  const example = section.match(/```js\n([\s\S]*?)```/)?.[1];
  assert.ok(example, "README.md has no js example under 'Using the package'");
  assert.match(example, /from "statelab"/);
  // Inside the package directory, so that "statelab" resolves to this package itself.
  const dir = join(root, "dist", "check-package");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "readme-example.mjs");
  writeFileSync(file, example);
  try {
    const result = spawnSync(process.execPath, [file], { cwd: root, encoding: "utf8", timeout: 30_000 });
    assert.equal(result.status, 0, `the example failed:\n${result.stderr}`);
    const expected = example.match(/\/\/ (SUCCEEDED .*)$/m)?.[1];
    assert.equal(result.stdout.trim().replace(/\s+/g, " "), expected?.replace(/\s+/g, " "));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
