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

const PAGE = 500; // rows rendered at a time: a 25,000-event run must not flood the page

export class HistoryPanel {
  constructor(table, { onSelect } = {}) {
    this.onSelect = onSelect;
    this.body = table.querySelector("tbody");
    this.foot = document.createElement("tfoot");
    table.append(this.foot);
    this.clear();
  }

  clear() {
    this.body.replaceChildren();
    this.foot.replaceChildren();
    this.startedAt = null;
    this.rows = []; // { event, step } for every event, rendered or not
    this.limit = PAGE;
    this.stepOf = new Map(); // event id -> state name, to name the state of task events
  }

  /** How many events the table holds (rendered or waiting behind "Show more"). */
  get length() {
    return this.rows.length;
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
    this.rows.push({ event, step, time });
    if (this.body.children.length < this.limit) this.body.append(this.row(this.rows.at(-1)));
    this.updateFoot();
  }

  row({ event, step, time }) {
    const row = document.createElement("tr");
    const type = String(event.type ?? "");
    row.dataset.type = type;
    if (/Failed|TimedOut|Aborted/.test(type)) row.className = "failed";
    else if (/Succeeded$/.test(type)) row.className = "succeeded";
    const elapsed = time !== null && this.startedAt !== null ? `${time - this.startedAt}` : "";
    let stepCell;
    if (step && this.onSelect) {
      // The state's name selects it: graph, data flow (this visit) and handler follow. A
      // button, so that the keyboard reaches it too.
      stepCell = cell("", "step");
      const link = document.createElement("button");
      link.type = "button";
      link.className = "link";
      link.textContent = step;
      link.title = "Show this visit's data flow";
      link.addEventListener("click", () => this.onSelect(step, event.id));
      stepCell.append(link);
    } else {
      stepCell = cell(step, "step");
    }
    row.append(cell(String(event.id ?? ""), "id"), cell(type, "type"), stepCell, cell(elapsed, "elapsed"));

    const detailsCell = document.createElement("td");
    const details = detailsOf(event);
    if (details) {
      // The JSON is rendered when the row is first opened.
      const disclosure = document.createElement("details");
      const summary = document.createElement("summary");
      summary.textContent = "details";
      disclosure.append(summary);
      disclosure.addEventListener("toggle", () => {
        if (!disclosure.open || disclosure.querySelector("pre")) return;
        const pre = document.createElement("pre");
        pre.textContent = JSON.stringify(readable(details), null, 2);
        disclosure.append(pre);
      });
      detailsCell.append(disclosure);
    }
    row.append(detailsCell);
    return row;
  }

  updateFoot() {
    const hidden = this.rows.length - this.body.children.length;
    if (hidden <= 0) {
      if (this.foot.firstChild) this.foot.replaceChildren();
      return;
    }
    if (!this.more) {
      this.more = document.createElement("button");
      this.more.type = "button";
      this.more.dataset.testid = "history-more";
      this.more.addEventListener("click", () => {
        this.limit += PAGE;
        const from = this.body.children.length;
        const fragment = document.createDocumentFragment();
        for (const entry of this.rows.slice(from, this.limit)) fragment.append(this.row(entry));
        this.body.append(fragment);
        this.updateFoot();
      });
    }
    this.more.textContent = `Show ${Math.min(PAGE, hidden)} more of ${hidden} further events`;
    if (!this.foot.firstChild) {
      const td = document.createElement("td");
      td.colSpan = 5;
      td.append(this.more);
      const tr = document.createElement("tr");
      tr.append(td);
      this.foot.append(tr);
    }
  }

  /** Replaces the table with a whole history (the authoritative one, at the end of a run). */
  render(events) {
    this.clear();
    for (const event of events) this.append(event);
  }
}
