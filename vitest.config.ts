import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: one file per core keeps Redis, PGlite and SMTP servers from starving each other.
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
