// The event history table, like the AWS console's: ID, type, state, elapsed time since the
// start, and the event's details (JSON) on demand. Everything is rendered as text.

function millis(timestamp) {
  const time = new Date(timestamp).getTime();
  return Number.isFinite(time) ? time : null;
}

function detailsOf(event) {
  const key = Object.keys(event).find((name) => name.endsWith("EventDetails"));
  return key ? event[key] : null;
}

/** Event details with their JSON-text fields (input, output, parameters…) parsed for reading. */
function readable(details) {
  const copy = {};
  for (const [key, value] of Object.entries(details)) {
    if (typeof value === "string" && /^[[{]/.test(value.trim())) {
      try {
        copy[key] = JSON.parse(value);
        continue;
      } catch {
        // not JSON: shown as it is
      }
    }
    copy[key] = value;
  }
  return copy;
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

export class HistoryPanel {
  constructor(table) {
    this.body = table.querySelector("tbody");
    this.clear();
  }

  clear() {
    this.body.replaceChildren();
    this.startedAt = null;
    this.stepOf = new Map(); // event id -> state name, to name the state of task events
  }

  get length() {
    return this.body.children.length;
  }

  /** Appends one event (AWS GetExecutionHistory shape). */
  append(event) {
    const time = millis(event.timestamp);
    if (this.startedAt === null) this.startedAt = time;
    const step =
      event.stateEnteredEventDetails?.name ??
      event.stateExitedEventDetails?.name ??
      this.stepOf.get(event.previousEventId) ??
      "";
    this.stepOf.set(event.id, step);

    const row = document.createElement("tr");
    const type = String(event.type ?? "");
    row.dataset.type = type;
    if (/Failed|TimedOut|Aborted/.test(type)) row.className = "failed";
    else if (/Succeeded$/.test(type)) row.className = "succeeded";
    const elapsed = time !== null && this.startedAt !== null ? `${time - this.startedAt}` : "";
    row.append(cell(String(event.id ?? ""), "id"), cell(type, "type"), cell(step, "step"), cell(elapsed, "elapsed"));

    const detailsCell = document.createElement("td");
    const details = detailsOf(event);
    if (details) {
      const disclosure = document.createElement("details");
      const summary = document.createElement("summary");
      summary.textContent = "details";
      const pre = document.createElement("pre");
      pre.textContent = JSON.stringify(readable(details), null, 2);
      disclosure.append(summary, pre);
      detailsCell.append(disclosure);
    }
    row.append(detailsCell);
    this.body.append(row);
  }

  /** Replaces the table with a whole history (the authoritative one, at the end of a run). */
  render(events) {
    this.clear();
    for (const event of events) this.append(event);
  }
}
