// `npm start`: install what is missing, build what is stale, serve the playground.

import { bootstrap } from "./bootstrap.mjs";
import { build } from "./build.mjs";
import { serve } from "./serve.mjs";

try {
  bootstrap();
  build();
  const { url } = await serve();
  console.log(`serving the playground on ${url} (Ctrl-C to stop)`);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
