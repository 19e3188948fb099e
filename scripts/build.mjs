// Builds the front end (esbuild): the Player's and the controls' ES modules into
// src/cleo_player/static/. Any warning fails the build: an import three.js does not export
// "builds" with a warning and fails at run time.
//   node scripts/build.mjs          minified, for the package
//   node scripts/build.mjs --watch  with inline source maps, rebuilding on change (npm run dev)
import * as esbuild from "esbuild";

const watch = process.argv.includes("--watch");
const options = {
  entryPoints: { widget: "js/index.ts", controls: "js/controls_widget.ts" },
  bundle: true,
  format: "esm",
  target: "es2020",
  outdir: "src/cleo_player/static",
  minify: !watch,
  sourcemap: watch ? "inline" : false,
  logLevel: "info",
};

if (watch) {
  const failOnWarnings = {
    name: "warnings-are-errors",
    setup(build) {
      build.onEnd((result) => {
        if (result.warnings.length) console.error(`cleo-player: ${result.warnings.length} warning(s): fix them.`);
      });
    },
  };
  const ctx = await esbuild.context({ ...options, plugins: [failOnWarnings] });
  await ctx.watch();
} else {
  const result = await esbuild.build(options);
  if (result.warnings.length) {
    console.error(`cleo-player: the build printed ${result.warnings.length} warning(s); they are errors.`);
    process.exit(1);
  }
}
