/** "Did you mean" for names typed into a policy: the known name closest to what was written. */
import {editDistance} from '../cli/closest.js'

/** The closest known name by edits alone, or undefined when none is close enough to be a likely typo. */
export function closestName(text: string, known: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const name of known) {
    const distance = editDistance(text.toLowerCase(), name.toLowerCase())
    if (distance < bestDistance) {
      best = name
      bestDistance = distance
    }
  }
  // A third of the name may be wrong (JUJU-TRUSTT, exposre); beyond that a suggestion is a guess.
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(text.length / 3)) ? best : undefined
}
