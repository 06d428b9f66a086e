// Builds the browser bundles served by Django's static files (no CDN): src/editor.js into a
// minified frontend/static/frontend/build/editor.js (that folder is not committed; `make install`
// and the Docker image run this build). Run with `npm run build` after `npm ci`.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, "..", "static", "frontend", "build");

await build({
  entryPoints: { editor: join(here, "src", "editor.js") },
  outdir,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "linked",
  logLevel: "info",
});
