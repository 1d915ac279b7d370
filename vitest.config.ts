import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: the fault tests fan out to 2,000 recipients through restarts on two busy cores.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // Two cores: one file per core keeps Redis, PGlite and SMTP servers from starving each other.
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
