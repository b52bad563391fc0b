// The event history table, like the AWS console's: ID, type, step, time since start, and
// the event's details (JSON) on demand. Everything is rendered as text.

const body = () => document.querySelector("#history tbody");

let startedAt = null;
const stepOf = new Map(); // event id -> state name, to name the step of task events

export function clearHistory() {
  body().replaceChildren();
  startedAt = null;
  stepOf.clear();
}

function millis(timestamp) {
  const time = new Date(timestamp).getTime();
  return Number.isFinite(time) ? time : null;
}

function detailsOf(event) {
  const key = Object.keys(event).find((name) => name.endsWith("EventDetails"));
  return key ? event[key] : null;
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

/** Appends one event (AWS GetExecutionHistory shape). */
export function appendEvent(event) {
  const time = millis(event.timestamp);
  if (startedAt === null) startedAt = time;
  const step =
    event.stateEnteredEventDetails?.name ??
    event.stateExitedEventDetails?.name ??
    stepOf.get(event.previousEventId) ??
    "";
  stepOf.set(event.id, step);

  const row = document.createElement("tr");
  row.dataset.type = String(event.type ?? "");
  if (/Failed|TimedOut|Aborted/.test(row.dataset.type)) row.className = "failed";
  const after = time !== null && startedAt !== null ? `${time - startedAt} ms` : "";
  row.append(cell(String(event.id ?? "")), cell(row.dataset.type), cell(step), cell(after));

  const detailsCell = document.createElement("td");
  const details = detailsOf(event);
  if (details) {
    const disclosure = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = "details";
    const pre = document.createElement("pre");
    pre.textContent = JSON.stringify(details, null, 2);
    disclosure.append(summary, pre);
    detailsCell.append(disclosure);
  }
  row.append(detailsCell);
  body().append(row);
}

/** Replaces the table with a whole history (the authoritative one, at the end of a run). */
export function renderHistory(events) {
  clearHistory();
  for (const event of events) appendEvent(event);
}

export function historyLength() {
  return body().children.length;
}
