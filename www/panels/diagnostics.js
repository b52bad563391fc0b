// The diagnostics list under the definition editor: validate()'s findings, as text.

const element = () => document.getElementById("diagnostics");

function where(diagnostic) {
  const start = diagnostic.range?.start;
  return start ? `${start.line}:${start.column}` : diagnostic.path || "/";
}

/** Shows diagnostics ({severity, code, message, path, range}); an empty list clears. */
export function renderDiagnostics(diagnostics) {
  const list = element();
  list.replaceChildren(
    ...diagnostics.map((diagnostic) => {
      const item = document.createElement("li");
      item.className = diagnostic.severity === "warning" ? "warning" : "error";
      item.dataset.code = diagnostic.code;
      item.dataset.path = diagnostic.path ?? "";
      const code = document.createElement("code");
      code.textContent = `${where(diagnostic)} ${diagnostic.severity}[${diagnostic.code}]`;
      item.append(code, ` ${diagnostic.message}`);
      return item;
    }),
  );
}
