// A small static file server for development: serves the repository root so that the
// playground (www/) loads the package (js/, dist/wasm/) by relative URLs, exactly as a
// static host would, except that it rewrites www/dist/precache.js (the service worker's
// cache version) when asked for it, so that edits show without a rebuild. Node built-ins
// and scripts/build-www.mjs only; 127.0.0.1 only.
//
//   node scripts/serve.mjs            # http://127.0.0.1:8080/ (PORT, HOST to override)

import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { writePrecache } from "./build-www.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
};

// Generated and private trees that a browser has no business reading.
const HIDDEN = new Set(["target", "node_modules", ".git"]);

/** Maps a URL path to a file under the root, or null when it must not be served. */
function resolve(urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (path.includes("\0")) return null;
  const file = normalize(join(root, path));
  if (file !== root.replace(/[\\/]$/, "") && !file.startsWith(root)) return null;
  const first = file.slice(root.length).split(sep)[0];
  if (HIDDEN.has(first)) return null;
  return file;
}

function send(response, status, text, headers = {}) {
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  response.end(text);
}

function handle(request, response) {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return send(response, 405, "Method Not Allowed\n", { allow: "GET, HEAD" });
  }
  const url = new URL(request.url, "http://localhost");
  if (url.pathname === "/") return send(response, 302, "", { location: "/www/" });
  // The service worker's file list and cache version, written afresh whenever a browser
  // checks for an update: pages edited since the last build are then a new cache version
  // (a static host serves the file that `npm run build` wrote).
  if (url.pathname === "/www/dist/precache.js") {
    try {
      writePrecache();
    } catch (error) {
      return send(response, 500, `${error.message}\n`);
    }
  }
  let file = resolve(url.pathname);
  if (file === null) return send(response, 404, "Not Found\n");
  let stat;
  try {
    stat = statSync(file);
    if (stat.isDirectory()) {
      if (!url.pathname.endsWith("/")) {
        return send(response, 301, "", { location: `${url.pathname}/${url.search}` });
      }
      file = join(file, "index.html");
      stat = statSync(file);
    }
  } catch {
    return send(response, 404, "Not Found\n");
  }
  response.writeHead(200, {
    "content-type": MIME[extname(file).toLowerCase()] ?? "application/octet-stream",
    "content-length": stat.size,
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
  });
  if (request.method === "HEAD") return response.end();
  createReadStream(file).pipe(response);
}

/** Starts the server; resolves to { server, url } once it listens. Port 0 picks a free one. */
export function serve({ port = Number(process.env.PORT ?? 8080), host = process.env.HOST ?? "127.0.0.1" } = {}) {
  const server = createServer(handle);
  return new Promise((resolvePromise, reject) => {
    server.once("error", (error) => {
      if (error.code === "EADDRINUSE") {
        error.message = `port ${port} on ${host} is in use; set PORT to serve on another one`;
      }
      reject(error);
    });
    server.listen(port, host, () => {
      const address = server.address();
      resolvePromise({ server, url: `http://${host}:${address.port}/www/` });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  serve()
    .then(({ url }) => console.log(`serving the playground on ${url} (Ctrl-C to stop)`))
    .catch((error) => {
      console.error(`serve: ${error.message}`);
      process.exit(1);
    });
}
