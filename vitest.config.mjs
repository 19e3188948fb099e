// JavaScript unit tests (vitest, node, no browser) for the front end's logic that does not touch
// the DOM: `npm test`. What needs a browser is tested in tests/browser (Playwright).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["js/tests/**/*.test.ts"],
    environment: "node",
  },
});
