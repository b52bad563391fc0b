// The graph panel: the state machine laid out by dagre and drawn as SVG. Parallel
// branches and Map item processors are clusters; each state is coloured from the run's
// history events (running, succeeded, failed, caught, retried), with visit and Map
// iteration counts. All text is set with textContent.
import { dagre } from "../dist/vendor.js";

const SVG = "http://www.w3.org/2000/svg";
const NODE_HEIGHT = 40;
let panels = 0; // for ids that are unique on a page with several playgrounds

function svg(name, attributes = {}) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

function textWidth(text, size) {
  return [...text].length * size * 0.6;
}

function truncate(text, max) {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : text;
}

/** Adds one States scope (top level, a branch, an item processor) to the graph. */
function addScope(graph, scope, prefix, parent) {
  const states = scope && typeof scope.States === "object" && scope.States ? scope.States : {};
  const ids = {};
  const terminals = [];
  for (const name of Object.keys(states)) ids[name] = `${prefix}/States/${name}`;

  for (const [name, state] of Object.entries(states)) {
    const id = ids[name];
    const type = typeof state?.Type === "string" ? state.Type : "?";
    const label = truncate(name, 28);
    const width = Math.max(90, textWidth(label, 13), textWidth(type, 11)) + 28;
    graph.setNode(id, { kind: "state", name, type, label, width, height: NODE_HEIGHT });
    if (parent) graph.setParent(id, parent);

    let exit = id; // where this state's outgoing edges start
    const inner = type === "Parallel" ? state.Branches : type === "Map" ? [state.ItemProcessor ?? state.Iterator] : null;
    if (Array.isArray(inner)) {
      const cluster = `${id}#cluster`;
      graph.setNode(cluster, { kind: "cluster", label: type === "Map" ? `Map: ${label}` : `Parallel: ${label}` });
      if (parent) graph.setParent(cluster, parent);
      graph.setParent(id, cluster);
      const join = `${id}#join`;
      graph.setNode(join, { kind: "join", width: 14, height: 14 });
      graph.setParent(join, cluster);
      // dagre's ordering places the last-added branch leftmost; add them last to first so
      // that branch 1 is drawn on the left.
      const branches = inner.map((branch, index) => [branch, index]).reverse();
      branches.forEach(([branch, index]) => {
        const branchPrefix = type === "Map" ? `${id}/ItemProcessor` : `${id}/Branches/${index}`;
        const branchCluster = `${branchPrefix}#cluster`;
        graph.setNode(branchCluster, { kind: "branch", label: type === "Map" ? "each item" : `branch ${index + 1}` });
        graph.setParent(branchCluster, cluster);
        const { start, ends } = addScope(graph, branch, branchPrefix, branchCluster);
        if (start) graph.setEdge(id, start, {});
        for (const end of ends) graph.setEdge(end, join, {});
      });
      exit = join;
    }

    const targets = [];
    if (typeof state?.Next === "string") targets.push([state.Next, ""]);
    if (typeof state?.Default === "string") targets.push([state.Default, "default"]);
    if (Array.isArray(state?.Choices)) {
      for (const rule of state.Choices) if (typeof rule?.Next === "string") targets.push([rule.Next, ""]);
    }
    if (Array.isArray(state?.Catch)) {
      for (const catcher of state.Catch) if (typeof catcher?.Next === "string") targets.push([catcher.Next, "catch"]);
    }
    for (const [target, kind] of targets) {
      if (ids[target] && !graph.hasEdge(exit, ids[target])) graph.setEdge(exit, ids[target], { kind });
    }
    if (state?.End === true || type === "Succeed" || type === "Fail") terminals.push(exit);
  }
  const start = typeof scope?.StartAt === "string" ? ids[scope.StartAt] : undefined;
  return { start, ends: terminals };
}

function edgePath(points) {
  const [first, ...rest] = points;
  let d = `M${first.x},${first.y}`;
  for (let i = 0; i < rest.length; i++) {
    const point = rest[i];
    const next = rest[i + 1];
    if (next) {
      // A rounded corner: a quadratic curve through each bend point.
      const mid = { x: (point.x + next.x) / 2, y: (point.y + next.y) / 2 };
      d += ` Q${point.x},${point.y} ${mid.x},${mid.y}`;
    } else {
      d += ` L${point.x},${point.y}`;
    }
  }
  return d;
}

/**
 * The graph of one playground: render(definitionText) lays it out again (the run's
 * colouring is kept by state name); applyEvent(event) colours from history events.
 */
export class GraphPanel {
  constructor(container, { onSelect }) {
    this.container = container;
    this.onSelect = onSelect;
    this.selected = null;
    this.arrowId = `statelab-arrow-${++panels}`;
    this.reset();
  }

  /** Forgets the run: every state back to uncoloured. */
  reset() {
    this.states = new Map(); // state name -> { status, visits, retries, failedLast, iterations }
    this.stepOf = new Map(); // event id -> state name
    this.paint();
  }

  render(definitionText) {
    let definition;
    try {
      definition = JSON.parse(definitionText);
    } catch {
      return false; // keep the last good graph while the text is not JSON
    }
    if (!definition || typeof definition !== "object") return false;
    const graph = new dagre.graphlib.Graph({ compound: true, multigraph: false });
    graph.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 34, marginx: 12, marginy: 22 });
    graph.setDefaultEdgeLabel(() => ({}));
    const { start, ends } = addScope(graph, definition, "", null);
    // Start and End, as the AWS console draws them.
    if (start) {
      graph.setNode("#start", { kind: "terminal", label: "Start", width: 64, height: 26 });
      graph.setEdge("#start", start, {});
    }
    if (ends.length > 0) {
      graph.setNode("#end", { kind: "terminal", label: "End", width: 64, height: 26 });
      for (const end of ends) graph.setEdge(end, "#end", {});
    }
    dagre.layout(graph);
    this.draw(graph);
    this.paint();
    return true;
  }

  draw(graph) {
    const { width = 0, height = 0 } = graph.graph();
    const root = svg("svg", { viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`, role: "img", "aria-label": "State machine graph" });
    root.style.width = `${Math.ceil(width)}px`;
    root.style.maxWidth = "100%";
    const defs = svg("defs");
    const marker = svg("marker", { id: this.arrowId, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" }));
    defs.append(marker);
    root.append(defs);

    // Clusters first (outermost first), then edges, then states on top.
    const clusters = graph.nodes().filter((id) => graph.children(id).length > 0);
    const depth = (id) => {
      let d = 0;
      for (let p = graph.parent(id); p; p = graph.parent(p)) d++;
      return d;
    };
    clusters.sort((a, b) => depth(a) - depth(b));
    for (const id of clusters) {
      const node = graph.node(id);
      const group = svg("g", { class: `cluster ${node.kind}` });
      group.append(svg("rect", { x: node.x - node.width / 2, y: node.y - node.height / 2, width: node.width, height: node.height, rx: 8 }));
      const label = svg("text", { x: node.x - node.width / 2 + 8, y: node.y - node.height / 2 - 5 });
      label.textContent = node.label ?? "";
      group.append(label);
      root.append(group);
    }
    for (const edge of graph.edges()) {
      const data = graph.edge(edge);
      if (!data.points) continue;
      const path = svg("path", { d: edgePath(data.points), class: `edge ${data.kind ?? ""}`, "marker-end": `url(#${this.arrowId})` });
      root.append(path);
    }
    this.nodes = new Map();
    for (const id of graph.nodes()) {
      const node = graph.node(id);
      if (!node || node.kind === "cluster" || node.kind === "branch" || graph.children(id).length > 0) continue;
      if (node.kind === "terminal") {
        const group = svg("g", { class: "terminal" });
        group.append(svg("rect", { x: node.x - node.width / 2, y: node.y - node.height / 2, width: node.width, height: node.height, rx: node.height / 2 }));
        const label = svg("text", { x: node.x, y: node.y + 4 });
        label.textContent = node.label;
        group.append(label);
        root.append(group);
        continue;
      }
      if (node.kind === "join") {
        root.append(svg("circle", { cx: node.x, cy: node.y, r: 6, class: "join" }));
        continue;
      }
      const group = svg("g", { class: "state", tabindex: 0, role: "button", "aria-label": `${node.name} (${node.type}): select to show its data flow` });
      group.dataset.state = node.name;
      group.dataset.type = node.type;
      const left = node.x - node.width / 2;
      const top = node.y - node.height / 2;
      const radius = node.type === "Choice" ? 14 : 6;
      group.append(svg("rect", { x: left, y: top, width: node.width, height: node.height, rx: radius }));
      // Shown only on keyboard focus (style.css), outside the node so that it never hides its colour.
      group.append(svg("rect", { class: "focus-ring", x: left - 4, y: top - 4, width: node.width + 8, height: node.height + 8, rx: radius + 4 }));
      const name = svg("text", { x: node.x, y: top + 17, class: "name" });
      name.textContent = node.label;
      const title = svg("title");
      title.textContent = `${node.name} (${node.type})`;
      const type = svg("text", { x: node.x, y: top + 32, class: "type" });
      type.textContent = node.type;
      const badge = svg("text", { x: left + node.width - 4, y: top - 4, class: "badge" });
      group.append(title, name, type, badge);
      group.addEventListener("click", () => this.select(node.name, node.type));
      group.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          this.select(node.name, node.type);
        }
      });
      root.append(group);
      if (!this.nodes.has(node.name)) this.nodes.set(node.name, []);
      this.nodes.get(node.name).push(group);
    }
    this.container.replaceChildren(root);
  }

  /** The Type of a state drawn in the graph (undefined when it is not). */
  typeOf(name) {
    return this.nodes?.get(name)?.[0]?.dataset.type;
  }

  select(name, type) {
    this.selected = name;
    this.paint();
    this.onSelect?.(name, type);
  }

  record(name) {
    if (!this.states.has(name)) this.states.set(name, { status: "", visits: 0, retries: 0, failedLast: false, iterations: null });
    return this.states.get(name);
  }

  /** Colours states from one history event (AWS GetExecutionHistory shape). */
  applyEvent(event, paint = true) {
    const type = String(event.type ?? "");
    const name =
      event.stateEnteredEventDetails?.name ??
      event.stateExitedEventDetails?.name ??
      event.mapIterationStartedEventDetails?.name ??
      event.mapIterationSucceededEventDetails?.name ??
      event.mapIterationFailedEventDetails?.name ??
      event.mapIterationAbortedEventDetails?.name ??
      this.stepOf.get(event.previousEventId);
    if (name !== undefined) this.stepOf.set(event.id, name);

    if (/^Execution(Failed|TimedOut|Aborted)$/.test(type)) {
      for (const state of this.states.values()) {
        if (state.status === "running" || state.status === "retried") state.status = "failed";
      }
    } else if (name !== undefined) {
      const state = this.record(name);
      if (type.endsWith("StateEntered")) {
        // Entered straight after another state's failure: that failure was caught.
        const before = this.states.get(this.stepOf.get(event.previousEventId));
        if (before && before !== state && before.failedLast) {
          before.status = "caught";
          before.failedLast = false;
        }
        state.status = "running";
        state.visits++;
        state.failedLast = false;
      } else if (type.endsWith("StateExited")) {
        state.status = state.failedLast ? "caught" : "succeeded";
        state.failedLast = false;
      } else if (type.startsWith("MapIteration")) {
        state.iterations ??= { started: 0, succeeded: 0, failed: 0 };
        if (type === "MapIterationStarted") state.iterations.started++;
        if (type === "MapIterationSucceeded") state.iterations.succeeded++;
        if (type === "MapIterationFailed" || type === "MapIterationAborted") state.iterations.failed++;
      } else if (/(Failed|TimedOut)$/.test(type)) {
        // A state already retried stays "retried" through its next backoff: a learner sees
        // the retries happen. ExecutionFailed, or the next state's entry (caught), ends it.
        state.status = state.retries > 0 ? "retried" : "failed";
        state.failedLast = true;
      } else if (/(Scheduled|Started)$/.test(type) && state.failedLast) {
        state.status = "retried";
        state.retries++;
        state.failedLast = false;
      }
    }
    if (paint) this.paint();
  }

  /** At the end of a run, states still running take the run's outcome. */
  finish(status) {
    for (const state of this.states.values()) {
      if (state.status === "running" || state.status === "retried") state.status = status === "SUCCEEDED" ? "succeeded" : "failed";
    }
    this.paint();
  }

  paint() {
    for (const [name, groups] of this.nodes ?? []) {
      const state = this.states.get(name);
      for (const group of groups) {
        if (state?.status) group.dataset.status = state.status;
        else delete group.dataset.status;
        group.classList.toggle("selected", name === this.selected);
        const notes = [];
        if (state?.iterations) notes.push(`${state.iterations.succeeded}/${state.iterations.started} items`);
        else if (state?.visits > 1) notes.push(`×${state.visits}`);
        if (state?.retries) notes.push(`↻${state.retries}`);
        group.querySelector(".badge").textContent = notes.join(" ");
      }
    }
  }
}
