/**
 * Progress while collecting: one updating status line on a terminal (stderr), nothing otherwise,
 * so logs and CI output stay clean and `--format json` on stdout is never touched.
 */
import {ux} from '@oclif/core/ux'

export interface Progress {
  update(message: string): void
  done(): void
}

export function createProgress(title: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || process.env.CI) return {update() {}, done() {}}
  ux.action.start(title)
  return {
    update(message) {
      ux.action.status = message
    },
    done() {
      ux.action.stop('done')
    },
  }
}
