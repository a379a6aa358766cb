// Same settings as langgraphjs's libs/langgraph-api vitest config.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/api.test.mts"],
    testTimeout: 30_000,
    fileParallelism: false,
  },
});
