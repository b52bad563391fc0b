// The package as users get it: `npm pack`, installed from the tarball into a fresh
// project (offline: it has no runtime dependencies), imported from Node ESM by its name,
// its `statelab` bin run, and bundled for the browser with esbuild.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "statelab-package-"));
const app = join(scratch, "app");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
let packed;

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 180_000, ...options });
  assert.equal(result.error, undefined, `cannot run ${command}: ${result.error?.message}`);
  assert.equal(result.status, 0, `${command} ${args.join(" ")} exited with ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

// npm with a private cache, so that the test neither reads nor fills the user's.
const npm = (args, cwd) =>
  run(NPM, [...args, "--cache", join(scratch, "npm-cache"), "--no-audit", "--no-fund", "--ignore-scripts"], { cwd });

before(() => {
  assert.ok(existsSync(join(root, "dist/wasm/statelab_bg.wasm")), "build the package first: node scripts/build.mjs");
  [packed] = JSON.parse(npm(["pack", "--json", "--pack-destination", scratch], root));
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  npm(["install", "--offline", join(scratch, packed.filename)], app);
});

after(() => rmSync(scratch, { recursive: true, force: true }));

test("the tarball holds the package and nothing else", () => {
  const files = packed.files.map((f) => f.path).sort();
  for (const needed of ["package.json", "README.md", "js/api.js", "js/node.js", "js/browser.js", "js/cli.js", "js/index.d.ts", "js/module.js", "dist/wasm/statelab.js", "dist/wasm/statelab_bg.wasm", "dist/wasm/statelab_core.js", "dist/wasm/statelab_core_bg.wasm", "dist/wasm/statelab_node.js", "dist/wasm/statelab_node_bg.wasm"]) {
    assert.ok(files.includes(needed), `${needed} is missing from the tarball: ${files.join(", ")}`);
  }
  const strays = files.filter((f) => !/^(package\.json|README\.md|LICENSE.*|js\/.*|dist\/wasm\/.*)$/.test(f));
  assert.deepEqual(strays, [], "files outside js/ and dist/wasm/ are shipped");
});

test("node ESM imports `statelab` by name and runs a machine", () => {
  const script = `
    import { StateMachine, validate, ValidationError } from "statelab";
    const machine = new StateMachine({
      StartAt: "Greet",
      States: {
        Greet: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:greet", ResultPath: "$.greeting", Next: "Wait" },
        Wait: { Type: "Wait", Seconds: 60, End: true },
      },
    });
    const result = await machine.run({ name: "Ada" }, { handlers: { greet: (input) => "hello " + input.name } });
    let rejected = false;
    try { new StateMachine({ StartAt: "Nowhere", States: {} }); } catch (e) { rejected = e instanceof ValidationError; }
    console.log(JSON.stringify({ status: result.status, output: result.output, valid: validate("{").valid, rejected }));
  `;
  const stdout = run(process.execPath, ["--input-type=module", "-e", script], { cwd: app });
  assert.deepEqual(JSON.parse(stdout), { status: "SUCCEEDED", output: { name: "Ada", greeting: "hello Ada" }, valid: false, rejected: true });
});

test("the installed `statelab` bin runs", () => {
  const bin = join(app, "node_modules", ".bin", "statelab");
  assert.equal(run(bin, ["--version"], { cwd: app }).trim(), packed.version);
  writeFileSync(join(app, "pass.asl.json"), JSON.stringify({ StartAt: "P", States: { P: { Type: "Pass", Result: 42, End: true } } }));
  const result = JSON.parse(run(bin, ["run", "pass.asl.json", "--json"], { cwd: app }));
  assert.equal(result.status, "SUCCEEDED");
  assert.equal(result.output, 42);
});

test("esbuild bundles `statelab` for the browser with the wasm referenced", async () => {
  const { build } = await import("esbuild");
  writeFileSync(
    join(app, "entry.js"),
    `import { StateMachine } from "statelab";\n` +
      `const machine = new StateMachine({ StartAt: "P", States: { P: { Type: "Pass", End: true } } });\n` +
      `machine.run({ ok: true }).then((result) => { document.body.textContent = result.status; });\n`,
  );
  const outfile = join(app, "out", "bundle.js");
  const result = await build({
    absWorkingDir: app,
    entryPoints: ["entry.js"],
    bundle: true,
    format: "esm",
    platform: "browser",
    outfile,
    metafile: true,
    logLevel: "silent",
  });
  assert.deepEqual(result.errors, []);
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.includes("node_modules/statelab/js/browser.js"), `the browser entry was not chosen: ${inputs.join(", ")}`);
  assert.ok(!inputs.includes("node_modules/statelab/js/node.js"), "the node entry was bundled for the browser");
  const bundle = readFileSync(outfile, "utf8");
  assert.doesNotMatch(bundle, /node:fs/);
  // The wasm is loaded at run time by URL, relative to the entry module: bundlers such as
  // Vite and webpack copy such assets, esbuild keeps the reference as written. So the
  // browser entry's reference must reach the installed wasm, and survive bundling.
  const installed = join(app, "node_modules", "statelab", "js", "browser.js");
  // Two modules: the core one it starts with, the full one loadJsonata() fetches.
  const URL_OF = /new URL\(\s*["']([^"']*statelab(?:_core)?_bg\.wasm)["']\s*,\s*import\.meta\.url\s*\)/g;
  const references = [...readFileSync(installed, "utf8").matchAll(URL_OF)].map((m) => m[1]);
  assert.deepEqual(references.map((r) => r.split("/").at(-1)).sort(), ["statelab_bg.wasm", "statelab_core_bg.wasm"], "js/browser.js loads both wasm modules by new URL(..., import.meta.url)");
  const bundled = [...bundle.matchAll(URL_OF)].map((m) => m[1]);
  for (const reference of references) {
    const target = fileURLToPath(new URL(reference, pathToFileURL(installed)));
    assert.ok(existsSync(target), `the referenced wasm ${target} is not in the installed package`);
    assert.ok(bundled.includes(reference), `the bundle lost the wasm reference ${reference}: ${bundled.join(", ")}`);
  }
});
