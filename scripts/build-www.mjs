// Bundles the playground's third-party libraries (CodeMirror 6, dagre) into
// www/dist/vendor.js with esbuild. Run by scripts/build.mjs when the bundle is missing or
// stale; the page's own modules (www/*.js) stay plain ES modules that import it.
//
// One patch: style-mod (CodeMirror's CSS-in-JS) writes a <style> element into a document,
// which the playground's Content-Security-Policy (style-src 'self') blocks. A constructed
// stylesheet (adoptedStyleSheets) is not inline style, so we make it take that path,
// which it already uses for shadow roots.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
export const outfile = fileURLToPath(new URL("../www/dist/vendor.js", import.meta.url));

// Every third-party export the page's modules use.
const entry = `
export { EditorState, Compartment, StateEffect, StateField } from "@codemirror/state";
export { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, Decoration, placeholder } from "@codemirror/view";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export { foldGutter, foldKeymap, bracketMatching, indentOnInput, syntaxHighlighting,
  HighlightStyle, syntaxTree } from "@codemirror/language";
export { tags } from "@lezer/highlight";
export { json } from "@codemirror/lang-json";
export { linter, lintGutter, setDiagnostics, forceLinting } from "@codemirror/lint";
export { autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
export { default as dagre } from "@dagrejs/dagre";
`;

const adoptedStyleSheets = {
  name: "style-mod-adopted-stylesheets",
  setup(build) {
    build.onLoad({ filter: /style-mod[\\/]src[\\/]style-mod\.js$/ }, async ({ path }) => {
      const source = await readFile(path, "utf8");
      const condition = "if (!root.head && root.adoptedStyleSheets && win.CSSStyleSheet) {";
      if (!source.includes(condition)) throw new Error(`build-www: style-mod changed; cannot patch ${path}`);
      return { contents: source.replace(condition, "if (root.adoptedStyleSheets && win.CSSStyleSheet) {"), loader: "js" };
    });
  },
};

await esbuild.build({
  stdin: { contents: entry, resolveDir: root, sourcefile: "vendor-entry.js" },
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2022",
  legalComments: "none",
  outfile,
  plugins: [adoptedStyleSheets],
  logLevel: "warning",
});
