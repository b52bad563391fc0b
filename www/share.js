// Share links: definition, input and handlers in the URL hash, as JSON compressed with
// deflate-raw and encoded base64url: #share=<data>. Reading a link only fills the
// editors; nothing runs until the user presses Run.

const PREFIX = "#share=";

function toBase64Url(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

async function pipe(bytes, stream) {
  const response = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await response.arrayBuffer());
}

/** The hash for a session: { definition, input, handlers }. */
export async function encodeShare(session) {
  const json = JSON.stringify({ v: 1, definition: session.definition, input: session.input, handlers: session.handlers });
  const compressed = await pipe(new TextEncoder().encode(json), new CompressionStream("deflate-raw"));
  return `${PREFIX}${toBase64Url(compressed)}`;
}

/** The session in a hash, or null when the hash is not a share link; throws when it is damaged. */
export async function decodeShare(hash) {
  if (!hash.startsWith(PREFIX)) return null;
  const bytes = await pipe(fromBase64Url(hash.slice(PREFIX.length)), new DecompressionStream("deflate-raw"));
  const value = JSON.parse(new TextDecoder().decode(bytes));
  const handlers = {};
  for (const [state, source] of Object.entries(value?.handlers ?? {})) {
    if (typeof source === "string") handlers[state] = source;
  }
  return {
    definition: typeof value?.definition === "string" ? value.definition : "",
    input: typeof value?.input === "string" ? value.input : "",
    handlers,
  };
}
