// The playground page: one full Playground, loaded with the first example or with the
// session of a share link (#share=...). A share link only fills the editors: its handler
// code runs when the user presses Run, never on load.
import { examples } from "./examples.js";
import { ALL_PANELS, Playground } from "./playground.js";
import { decodeShare } from "./share.js";

/** The session a share link holds, with the note to show; null when the hash holds none. */
async function shared(hash) {
  try {
    const session = await decodeShare(hash);
    if (!session) return null;
    return { session, note: "Loaded from a share link. Nothing has run: read the handlers, then press Run." };
  } catch (error) {
    return { session: null, note: `This share link is damaged (${error.message}).` };
  }
}

const root = document.getElementById("app");
const link = await shared(location.hash);
const session = link?.session ?? examples[0];
const note = link?.note ?? "";

const playground = new Playground(root, {
  ...session,
  panels: ALL_PANELS,
  examples: true,
  share: true,
});
if (note) playground.info(note);
if (session !== examples[0] && playground.examples) playground.examples.value = "";

// A share link pasted into this tab's address bar: load it (and still run nothing).
window.addEventListener("hashchange", async () => {
  const link = await shared(location.hash);
  if (!link) return;
  if (link.session) playground.load(link.session);
  playground.info(link.note);
});

// Offline after the first visit: sw.js precaches the page and the package. Only the page
// registers it; the embeddable widget leaves the host page's origin alone.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(new URL("./sw.js", import.meta.url)).catch((error) => {
    console.warn(`The playground will not work offline: ${error.message}`);
  });
}
