// The editors: CodeMirror 6 (bundled in dist/vendor.js). The definition editor has JSON
// highlighting, folding, validate()'s diagnostics as squiggles, and completion of state
// types and field names; the input and handler editors are plain code editors.
import {
  EditorState, EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, defaultKeymap, history, historyKeymap, indentWithTab, foldGutter, foldKeymap,
  bracketMatching, indentOnInput, syntaxHighlighting, HighlightStyle, tags, syntaxTree, json,
  lintGutter, setDiagnostics, autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap,
} from "../dist/vendor.js";

const STATE_TYPES = ["Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"];
const FIELDS = [
  "Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage", "Type", "Next", "End",
  "Resource", "Parameters", "Arguments", "Output", "Assign", "InputPath", "OutputPath", "ResultPath",
  "ResultSelector", "Result", "Retry", "Catch", "ErrorEquals", "IntervalSeconds", "MaxAttempts",
  "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "HeartbeatSeconds", "TimeoutSecondsPath",
  "HeartbeatSecondsPath", "Credentials", "Choices", "Default", "Condition", "Variable", "And", "Or", "Not",
  "StringEquals", "StringEqualsPath", "StringMatches", "StringLessThan", "StringGreaterThan",
  "NumericEquals", "NumericEqualsPath", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan",
  "NumericGreaterThanEquals", "BooleanEquals", "BooleanEqualsPath", "TimestampEquals",
  "TimestampLessThan", "TimestampGreaterThan", "IsNull", "IsPresent", "IsNumeric", "IsString",
  "IsBoolean", "IsTimestamp", "Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Error",
  "ErrorPath", "Cause", "CausePath", "Branches", "ItemProcessor", "ItemsPath", "Items", "ItemSelector",
  "ItemReader", "ItemBatcher", "ResultWriter", "MaxConcurrency", "MaxConcurrencyPath",
  "ToleratedFailurePercentage", "ToleratedFailureCount", "ProcessorConfig", "Mode", "ExecutionType",
  "Label", "Iterator",
];
const QUERY_LANGUAGES = ["JSONPath", "JSONata"];

/** Completion of a key (field names) or of the value of "Type" / "QueryLanguage". */
function complete(context) {
  const line = context.state.doc.lineAt(context.pos);
  const before = line.text.slice(0, context.pos - line.from);
  const value = /"(Type|QueryLanguage)"\s*:\s*"([A-Za-z]*)$/.exec(before);
  if (value) {
    const options = value[1] === "Type" ? STATE_TYPES : QUERY_LANGUAGES;
    return {
      from: context.pos - value[2].length,
      options: options.map((label) => ({ label, type: "enum" })),
      validFor: /^[A-Za-z]*$/,
    };
  }
  const key = /(^|[{,])\s*"([A-Za-z]*)$/.exec(before);
  if (key) {
    return {
      from: context.pos - key[2].length,
      options: FIELDS.map((label) => ({ label, type: "property" })),
      validFor: /^[A-Za-z]*$/,
    };
  }
  return null;
}

// Colours are style.css's custom properties, so the editors follow the light/dark theme.
const theme = EditorView.theme({
  "&": { height: "100%", fontSize: "13px", backgroundColor: "var(--panel)", color: "var(--fg)" },
  ".cm-scroller": { fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace', overflow: "auto" },
  ".cm-gutters": { backgroundColor: "var(--subtle)", color: "var(--muted)", borderRight: "1px solid var(--border)" },
  ".cm-activeLine": { backgroundColor: "var(--active-line)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--active-line)", color: "var(--fg)" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--fg)" },
  "&.cm-focused": { outline: "2px solid var(--focus)", outlineOffset: "-2px" },
  "&.cm-focused .cm-matchingBracket": { backgroundColor: "var(--diff-added)", outline: "1px solid var(--ok)" },
  ".cm-tooltip": { backgroundColor: "var(--panel)", color: "var(--fg)", border: "1px solid var(--border)" },
  ".cm-tooltip-autocomplete ul li[aria-selected]": { backgroundColor: "var(--accent-solid)", color: "#fff" },
  ".cm-diagnostic": { color: "var(--fg)" },
  ".cm-foldPlaceholder": { backgroundColor: "var(--subtle)", color: "var(--muted)", border: "1px solid var(--border)" },
});

const highlight = HighlightStyle.define([
  { tag: tags.propertyName, color: "var(--syntax-property)" },
  { tag: tags.string, color: "var(--syntax-string)" },
  { tag: tags.number, color: "var(--syntax-number)" },
  { tag: [tags.bool, tags.null, tags.atom], color: "var(--syntax-literal)" },
  { tag: [tags.keyword, tags.operatorKeyword, tags.controlKeyword], color: "var(--syntax-keyword)" },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: "var(--syntax-comment)", fontStyle: "italic" },
  { tag: tags.invalid, color: "var(--bad)" },
]);

function baseExtensions({ readonly, onChange, label }) {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    closeBrackets(),
    highlightActiveLine(),
    syntaxHighlighting(highlight),
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...foldKeymap, ...completionKeymap, indentWithTab]),
    EditorState.tabSize.of(2),
    EditorState.readOnly.of(Boolean(readonly)),
    EditorView.editable.of(!readonly),
    // Tab indents; Escape, then Tab, moves the focus on (CodeMirror's tab focus mode).
    EditorView.contentAttributes.of({ "aria-label": `${label} (Escape, then Tab, leaves the editor)`, spellcheck: "false" }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged && onChange) onChange(update.state.doc.toString());
    }),
    theme,
  ];
}

/** A plain code editor (execution input, handlers); `json: true` adds JSON highlighting. */
export function createEditor(parent, { text = "", readonly = false, onChange, label, json: isJson = false }) {
  const extensions = baseExtensions({ readonly, onChange, label });
  if (isJson) extensions.push(json(), foldGutter());
  return new EditorView({ parent, state: EditorState.create({ doc: text, extensions }) });
}

/** The definition editor: JSON, folding, squiggles (showDiagnostics), completion. */
export function createDefinitionEditor(parent, { text = "", readonly = false, onChange, label }) {
  const extensions = [
    ...baseExtensions({ readonly, onChange, label }),
    json(),
    foldGutter(),
    lintGutter(),
    autocompletion({ override: [complete], activateOnTyping: true }),
  ];
  return new EditorView({ parent, state: EditorState.create({ doc: text, extensions }) });
}

/** Replaces an editor's whole text. */
export function setText(view, text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

/**
 * The document offset of a 1-based {line, column}, where the column counts Unicode
 * characters (code points), as validate() does; CodeMirror counts UTF-16 code units.
 */
export function offsetOf(doc, { line, column }) {
  const number = Math.min(Math.max(1, line), doc.lines);
  const { from, text } = doc.line(number);
  let index = 0;
  for (let count = 1; count < column && index < text.length; count++) {
    index += text.codePointAt(index) > 0xffff ? 2 : 1;
  }
  return from + index;
}

/** Shows validate()'s diagnostics as squiggles at their ranges (the document start when none). */
export function showDiagnostics(view, diagnostics) {
  const doc = view.state.doc;
  const marks = diagnostics.map((diagnostic) => {
    let from = 0;
    let to = 0;
    if (diagnostic.range) {
      from = offsetOf(doc, diagnostic.range.start);
      to = offsetOf(doc, diagnostic.range.end);
    }
    if (to <= from) to = Math.min(doc.length, from + 1);
    return {
      from,
      to,
      severity: diagnostic.severity === "warning" ? "warning" : "error",
      source: diagnostic.code,
      message: diagnostic.message,
    };
  });
  view.dispatch(setDiagnostics(view.state, marks));
}

/** Moves the cursor to a diagnostic's start and focuses the editor. */
export function reveal(view, range) {
  const pos = range ? offsetOf(view.state.doc, range.start) : 0;
  view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
  view.focus();
}

/**
 * Sets the top-level "QueryLanguage" with a minimal edit (the rest of the text is kept):
 * replaces its value when present, otherwise inserts it after the top-level "{".
 * Returns false when the text has no top-level object.
 */
export function setQueryLanguage(view, language) {
  const tree = syntaxTree(view.state);
  const doc = view.state.doc;
  const object = tree.topNode.getChild("Object");
  if (!object) return false;
  for (const property of object.getChildren("Property")) {
    const name = property.getChild("PropertyName");
    if (!name || doc.sliceString(name.from, name.to) !== '"QueryLanguage"') continue;
    const value = property.lastChild;
    if (!value || value === name) return false;
    view.dispatch({ changes: { from: value.from, to: value.to, insert: JSON.stringify(language) } });
    return true;
  }
  const at = object.from + 1;
  const next = doc.sliceString(at, Math.min(doc.length, at + 200));
  const indent = /^\s*\n(\s*)/.exec(next)?.[1] ?? " ";
  const empty = /^\s*}/.test(next);
  const insert = `\n${indent}"QueryLanguage": ${JSON.stringify(language)}${empty ? "\n" : ","}`;
  view.dispatch({ changes: { from: at, insert } });
  return true;
}
