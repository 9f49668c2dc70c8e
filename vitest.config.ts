import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // CLI tests spawn the built CLI; give them room on a 2-core CI machine.
    testTimeout: 30_000,
    pool: 'forks',
    // Most time is spent waiting on spawned CLI processes and fake servers, not in the workers: more
    // workers than cores keeps both cores busy.
    maxWorkers: 4,
  },
})
