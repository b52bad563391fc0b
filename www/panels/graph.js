// The states panel: for now a list of the top-level states in definition order, each
// coloured by what the execution's events say about it. (The real graph comes later.)

const element = () => document.getElementById("graph");

/** Lists the states of a definition (text); leaves the list as it is when it is not JSON. */
export function renderStates(definitionText) {
  let definition;
  try {
    definition = JSON.parse(definitionText);
  } catch {
    return;
  }
  const states = definition && typeof definition.States === "object" ? definition.States : {};
  element().replaceChildren(
    ...Object.entries(states ?? {}).map(([name, state]) => {
      const item = document.createElement("li");
      item.dataset.state = name;
      const label = document.createElement("span");
      label.className = "state-name";
      label.textContent = name;
      const type = document.createElement("span");
      type.className = "state-type";
      type.textContent = typeof state?.Type === "string" ? state.Type : "?";
      item.append(label, " ", type);
      return item;
    }),
  );
}

function item(name) {
  return [...element().children].find((li) => li.dataset.state === name);
}

/** Clears the colouring before a run. */
export function resetStates() {
  for (const li of element().children) delete li.dataset.status;
}

/** Colours states from one history event. */
export function applyEvent(event) {
  const entered = event.stateEnteredEventDetails?.name;
  const exited = event.stateExitedEventDetails?.name;
  if (entered && item(entered)) item(entered).dataset.status = "running";
  if (exited && item(exited)) item(exited).dataset.status = "succeeded";
}

/** At the end of a run, states still running take the run's final status. */
export function finishStates(status) {
  for (const li of element().children) {
    if (li.dataset.status === "running") li.dataset.status = status === "SUCCEEDED" ? "succeeded" : "failed";
  }
}
