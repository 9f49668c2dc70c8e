import {defineConfig} from 'vitest/config'

/**
 * Test files that intercept Kubernetes API traffic with nock run each in a fresh module graph:
 * nock patches Node's http module for the whole process, and shared with other files it lets
 * requests through to the network. Every other file shares its worker's modules with the files
 * run before it (isolate: false): most test files import much of src/, and importing it again
 * for each of 140 files was a third of the suite's CPU time.
 */
const NOCK_FILES = ['test/apply/**/*.test.ts', 'test/sources/kubernetes-api/**/*.test.ts']

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    // CLI tests spawn the built CLI; give them room on a 2-core CI machine.
    testTimeout: 30_000,
    pool: 'forks',
    // Most time is spent waiting on spawned CLI processes and fake servers, not in the workers: more
    // workers than cores keeps both cores busy.
    maxWorkers: 4,
    projects: [
      {extends: true, test: {name: 'shared-modules', include: ['test/**/*.test.ts'], exclude: NOCK_FILES, isolate: false}},
      {extends: true, test: {name: 'nock', include: NOCK_FILES}},
    ],
  },
})
