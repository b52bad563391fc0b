// The data-flow view: for the selected state, every recorded stage of one visit
// (execution.inspections(), one entry per state visit) as JSON, with what changed from
// the stage it derives from highlighted: added, removed and changed keys.

const JSONPATH_STAGES = [
  ["input", "State input", null],
  ["afterInputPath", "After InputPath", "input"],
  ["afterParameters", "After Parameters", "afterInputPath"],
  ["result", "Result", null],
  ["afterResultSelector", "After ResultSelector", "result"],
  ["afterResultPath", "After ResultPath", "input"],
  ["output", "State output (after OutputPath)", "afterResultPath"],
];
const JSONATA_STAGES = [
  ["input", "State input ($states.input)", null],
  ["afterArguments", "After Arguments", "input"],
  ["result", "Result", null],
  ["output", "State output (after Output)", "input"],
  ["assigned", "Assigned variables (Assign)", null],
];

/** What "result" is for a state of this type. */
function resultLabel(type, language) {
  const suffix = language === "JSONata" ? " ($states.result)" : "";
  if (type === "Pass") return "Result (the Pass state's Result)";
  if (type === "Map") return `Map result (every item's output)${suffix}`;
  if (type === "Parallel") return `Parallel result (every branch's output)${suffix}`;
  return `Task result${suffix}`;
}

const isObject = (value) => value !== null && typeof value === "object";

function equal(a, b) {
  if (a === b) return true;
  if (!isObject(a) || !isObject(b) || Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && equal(a[key], b[key]));
}

/** Counts of what changed from `base` to `value` (top-level and nested keys). */
export function diffSummary(value, base) {
  const summary = { added: 0, removed: 0, changed: 0 };
  const walk = (now, before) => {
    if (equal(now, before)) return;
    if (!isObject(now) || !isObject(before) || Array.isArray(now) !== Array.isArray(before)) {
      summary.changed++;
      return;
    }
    for (const key of Object.keys(now)) {
      if (!Object.hasOwn(before, key)) summary.added++;
      else walk(now[key], before[key]);
    }
    for (const key of Object.keys(before)) if (!Object.hasOwn(now, key)) summary.removed++;
  };
  walk(value, base);
  return summary;
}

/**
 * Pretty JSON as lines of text; with a `base`, each line is marked "added", "removed"
 * (a key of the base that is gone, shown struck through) or "changed".
 */
function jsonLines(value, base, hasBase, indent = "", key = null, mark = "", lines = [], last = true) {
  const prefix = `${indent}${key === null ? "" : `${JSON.stringify(key)}: `}`;
  const comma = last ? "" : ",";
  const compare = hasBase && mark === "";
  if (isObject(value) && Object.keys(value).length > 0) {
    const array = Array.isArray(value);
    const sameShape = compare && isObject(base) && Array.isArray(base) === array;
    // A value whose type changed (array <-> object, or from a scalar) changed as a whole.
    const own = mark || (compare && !sameShape ? "changed" : "");
    lines.push({ text: `${prefix}${array ? "[" : "{"}`, mark: own });
    const keys = Object.keys(value);
    const removed = sameShape ? Object.keys(base).filter((k) => !Object.hasOwn(value, k)) : [];
    keys.forEach((k, i) => {
      const childMark = own || (sameShape && !Object.hasOwn(base, k) ? "added" : "");
      const lastChild = i === keys.length - 1 && removed.length === 0;
      const childHasBase = sameShape && Object.hasOwn(base, k);
      jsonLines(value[k], childHasBase ? base[k] : undefined, childHasBase, `${indent}  `, array ? null : k, childMark, lines, lastChild);
    });
    removed.forEach((k, i) => {
      jsonLines(base[k], undefined, false, `${indent}  `, array ? null : k, "removed", lines, i === removed.length - 1);
    });
    lines.push({ text: `${indent}${array ? "]" : "}"}${comma}`, mark: own });
    return lines;
  }
  const changed = compare && !equal(value, base);
  lines.push({ text: `${prefix}${JSON.stringify(value) ?? "null"}${comma}`, mark: mark || (changed ? "changed" : "") });
  return lines;
}

/** A <pre> of `value`'s JSON, highlighted against `base` when it is given. */
export function renderJson(value, base, hasBase) {
  const pre = document.createElement("pre");
  pre.className = "json";
  for (const line of jsonLines(value, base, hasBase)) {
    const span = document.createElement("span");
    span.textContent = `${line.text}\n`;
    if (line.mark) span.className = line.mark;
    pre.append(span);
  }
  return pre;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export class DataFlowPanel {
  constructor(container) {
    this.container = container;
    this.inspections = undefined; // undefined: no run yet; null: not available in this build
    this.state = null;
    this.visit = 0;
    this.render();
  }

  setInspections(inspections) {
    this.inspections = inspections;
    this.render();
  }

  select(state, type) {
    if (state !== this.state) this.visit = 0;
    this.state = state;
    this.type = type;
    this.render();
  }

  /** Shows the visit of the selected state that holds history event `eventId`. */
  showEvent(eventId) {
    const visits = (this.inspections ?? []).filter((visit) => visit.stateName === this.state);
    const index = visits.findIndex(
      (visit) => visit.enteredEventId <= eventId && (visit.exitedEventId === undefined || eventId <= visit.exitedEventId),
    );
    if (index < 0) return;
    this.visit = index;
    this.render();
  }

  note(text) {
    this.container.replaceChildren(element("p", "note", text));
  }

  render() {
    if (this.state === null) return this.note("Click a state in the graph to see how data flows through it.");
    if (this.inspections === null) {
      return this.note(
        "Not available: this build of the statelab package has no execution.inspections(), so the stages of each state cannot be shown yet.",
      );
    }
    if (this.inspections === undefined) return this.note(`Run the state machine to see the data flow of "${this.state}".`);
    const visits = this.inspections.filter((visit) => visit.stateName === this.state);
    if (visits.length === 0) return this.note(`"${this.state}" was not visited in this run.`);
    this.visit = Math.min(this.visit, visits.length - 1);

    const header = element("div", "dataflow-header");
    header.append(element("strong", "", this.state));
    if (visits.length > 1) {
      const picker = element("select");
      picker.setAttribute("aria-label", "Visit");
      picker.dataset.testid = "visit-picker";
      visits.forEach((visit, index) => {
        const option = element("option", "", `visit ${index + 1} of ${visits.length} (event ${visit.enteredEventId})`);
        option.value = String(index);
        picker.append(option);
      });
      picker.value = String(this.visit);
      picker.addEventListener("change", () => {
        this.visit = Number(picker.value);
        this.render();
      });
      header.append(picker);
    }
    const visit = visits[this.visit];
    header.append(element("span", "muted", visit.queryLanguage));

    const stages = element("ol", "stages");
    const table = visit.queryLanguage === "JSONata" ? JSONATA_STAGES : JSONPATH_STAGES;
    for (const [key, generic, baseKey] of table) {
      const label = key === "result" ? resultLabel(this.type, visit.queryLanguage) : generic;
      if (!Object.hasOwn(visit, key)) continue;
      const item = element("li", "stage");
      item.dataset.stage = key;
      // Each stage folds; one that changed nothing starts folded.
      const details = element("details");
      const title = element("summary", "stage-title", label);
      const hasBase = baseKey !== null && Object.hasOwn(visit, baseKey);
      let unchanged = false;
      if (hasBase) {
        const { added, removed, changed } = diffSummary(visit[key], visit[baseKey]);
        const parts = [added && `+${added} added`, removed && `−${removed} removed`, changed && `~${changed} changed`].filter(Boolean);
        unchanged = parts.length === 0;
        title.append(element("span", "diff-summary", unchanged ? "unchanged" : parts.join(", ")));
      }
      details.open = !unchanged;
      details.append(title, renderJson(visit[key], visit[baseKey], hasBase));
      item.append(details);
      stages.append(item);
    }
    if (visit.error !== undefined && visit.error !== null) {
      const item = element("li", "stage error");
      item.dataset.stage = "error";
      const title = Object.hasOwn(visit, "output") ? "Error (of an attempt that was retried or caught)" : "Error";
      const details = element("details");
      details.open = true;
      details.append(element("summary", "stage-title", title), renderJson(visit.error, undefined, false));
      item.append(details);
      stages.append(item);
    }
    this.container.replaceChildren(header, stages);
  }
}
