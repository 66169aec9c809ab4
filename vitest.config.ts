import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'plugin/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Two cores: real sockets and child processes are involved, so keep parallelism modest.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
