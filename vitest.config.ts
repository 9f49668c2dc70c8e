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
    // Some CLI tests start the built CLI as a process; give them room on a 2-core CI machine.
    testTimeout: 30_000,
    pool: 'forks',
    // Part of the time is spent waiting (CLI processes, fake servers, Chromium, kubectl): more workers
    // than cores keeps both cores busy. 2, 3 and 4 workers took 112, 107 and 108 s on 2 cores.
    maxWorkers: 4,
    projects: [
      {extends: true, test: {name: 'shared-modules', include: ['test/**/*.test.ts'], exclude: NOCK_FILES, isolate: false}},
      {extends: true, test: {name: 'nock', include: NOCK_FILES}},
    ],
  },
})
