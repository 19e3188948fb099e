// Copies what an nbconvert HTML export needs to play widgets offline into
// src/cleo_player/static/vendor/, from node_modules (npm registry at build time, never a CDN
// at run time). Part of `npm run build`; read by src/cleo_player/export.py.
//
//   require.js     requirejs (minified here), the AMD loader nbconvert's HTML expects
//   embed-amd.js   @jupyter-widgets/html-manager's renderer for saved widget state
//   anywidget.js   anywidget's AMD front end (an anonymous define: loadable by requirejs as
//                  "anywidget" from its base URL; export.py names it when inlining)
//   versions.json  the version of each, for export.py's messages
//   LICENSES.txt   package, version and licence of each copied file
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { transformSync } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const modules = path.join(root, "node_modules");
const out = path.join(root, "src", "cleo_player", "static", "vendor");

const FILES = [
  { pkg: "requirejs", file: "require.js", to: "require.js", minify: true },
  { pkg: "@jupyter-widgets/html-manager", file: "dist/embed-amd.js", to: "embed-amd.js" },
  { pkg: "anywidget", file: "dist/index.js", to: "anywidget.js" },
];

function fail(message) {
  console.error(`vendor: ${message}`);
  process.exit(1);
}

fs.mkdirSync(out, { recursive: true });
const versions = {};
const licences = [];
for (const { pkg, file, to, minify } of FILES) {
  const dir = path.join(modules, ...pkg.split("/"));
  const src = path.join(dir, ...file.split("/"));
  if (!fs.existsSync(src)) fail(`${src} is missing: run \`npm ci\` (or \`npm install\`) first.`);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  let code = fs.readFileSync(src, "utf8");
  // source maps are not shipped; a comment pointing at them would only 404 in devtools
  code = code.replace(/^\/\/# sourceMappingURL=.*$/gm, "");
  if (minify) code = transformSync(code, { minify: true, legalComments: "inline", target: "es2017" }).code;
  // export.py inlines these files in <script> elements, which either sequence would break
  for (const bad of ["</script", "<!--"]) {
    if (code.toLowerCase().includes(bad)) fail(`${pkg}/${file} contains "${bad}": it cannot be inlined as is.`);
  }
  fs.writeFileSync(path.join(out, to), code);
  versions[pkg] = meta.version;
  let text = `${to}: ${pkg} ${meta.version}, licence ${meta.license ?? "see the package"}\n`;
  for (const name of ["LICENSE", "LICENSE.txt", "LICENSE.md"]) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) {
      text += `\n${fs.readFileSync(p, "utf8").trim()}\n`;
      break;
    }
  }
  licences.push(text);
  const kib = Math.round(code.length / 1024);
  console.log(`vendor: ${path.relative(root, path.join(out, to))} (${pkg} ${meta.version}, ${kib} KiB)`);
}
fs.writeFileSync(path.join(out, "versions.json"), JSON.stringify(versions, null, 2) + "\n");
fs.writeFileSync(path.join(out, "LICENSES.txt"), licences.join("\n" + "-".repeat(72) + "\n\n"));
