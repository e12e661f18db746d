// Bundles the explorer into ../static: explorer.js (with cytoscape), the page and
// its stylesheet. Run with `npm run build` after `npm ci`.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "static");

mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, "src", "main.js")],
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  sourcemap: false,
  legalComments: "linked",
  outfile: join(out, "explorer.js"),
  logLevel: "warning",
});
for (const name of ["index.html", "explorer.css"]) {
  copyFileSync(join(here, "src", name), join(out, name));
}
console.log(`explorer built into ${out}`);
