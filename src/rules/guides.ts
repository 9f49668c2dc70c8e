/**
 * The guides every rule cites (files under shared/seeds, copied to test/seeds). Section strings
 * are the headings exactly as written in the guide; the catalog test checks that each occurs in
 * its file.
 */
import type {GuideReference} from '../findings/types.js'

export const GUIDES = {
  landscape: {file: '000_b2ba063d74880b59.txt', title: 'How to harden your Landscape deployment'},
  livepatch: {file: '001_e8801ce479c9bd36.txt', title: 'Security hardening'},
  juju: {file: '002_57f06eaaa8445352.txt', title: 'Harden your Juju deployment'},
  // The 2.x page has no heading of its own; its links name it "hardening-your-maas-installation".
  maas2: {file: '003_63b51e30d9ae0e63.txt', title: 'Hardening your MAAS installation'},
  // The 3.x page opens with "Enhance MAAS security along many different vectors."; published as
  // "How to enhance MAAS security".
  maas3: {file: '004_1d3f306e7b67b203.txt', title: 'How to enhance MAAS security'},
} as const

export type GuideName = keyof typeof GUIDES

export function cite(guide: GuideName, section: string): GuideReference {
  return {file: GUIDES[guide].file, section, title: GUIDES[guide].title}
}
