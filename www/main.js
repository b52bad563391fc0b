// The playground page: one full Playground, loaded with the first example or with the
// session of a share link (#share=...). A share link only fills the editors: its handler
// code runs when the user presses Run, never on load.
import { examples } from "./examples.js";
import { ALL_PANELS, Playground } from "./playground.js";
import { decodeShare } from "./share.js";

const root = document.getElementById("app");
let session = examples[0];
let note = "";
try {
  const shared = await decodeShare(location.hash);
  if (shared) {
    session = shared;
    note = "Loaded from a share link. Nothing has run: read the handlers, then press Run.";
  }
} catch (error) {
  note = `This share link is damaged (${error.message}); showing the first example instead.`;
}

const playground = new Playground(root, {
  ...session,
  panels: ALL_PANELS,
  examples: true,
  share: true,
});
if (note) playground.info(note);
if (session !== examples[0] && playground.examples) playground.examples.value = "";
