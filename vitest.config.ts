import { defineConfig } from "vitest/config";

// Packages resolve each other through the "@tsrtc/source" export condition, which points at
// their TypeScript sources, so tests run without a build step.
export default defineConfig({
  resolve: { conditions: ["@tsrtc/source"] },
  ssr: { resolve: { conditions: ["@tsrtc/source"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
