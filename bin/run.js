#!/usr/bin/env node
// The execute entry alone: @oclif/core's index loads all of oclif (help, ux, the Node version check)
// before any command runs.
import {execute} from '@oclif/core/execute'

await execute({dir: import.meta.url})
