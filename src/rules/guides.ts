/**
 * The guides every rule cites: the title and public address a reader follows, and the file under
 * shared/seeds (copied to test/seeds) the rules were written from. Section strings are the headings
 * exactly as written in the guide; the catalog test checks that each occurs in its file.
 *
 * Where each address comes from:
 * - juju, livepatch: the project's verified addresses.
 * - landscape: canonical/landscape-documentation holds this guide at
 *   docs/how-to-guides/security/harden-your-deployment.md (commit b1dfd98d15d2757e0dd1c4047a3cca956b390720,
 *   heading "How to harden your Landscape deployment"), listed as "harden-your-deployment" by the
 *   published https://documentation.ubuntu.com/landscape/_sources/how-to-guides/security/index.md.txt;
 *   the site serves docs/<path>.md at /landscape/<path>/ (e.g. docs/how-to-guides/landscape-installation-and-set-up/disa-stig.md
 *   at https://documentation.ubuntu.com/landscape/how-to-guides/landscape-installation-and-set-up/disa-stig/).
 * - maas2: the seed's own version table links to /t/hardening-your-maas-installation/2658…2669 on
 *   discourse.maas.io; topic 2662 (snap/2.9/CLI) is published as
 *   https://discourse.maas.io/t/how-to-secure-maas-snap-2-9-cli/2662 with the seed's text ("Six
 *   questions you may have", "Use a firewall", "Implement PostgreSQL security", …).
 * - maas3: https://maas.io/docs/how-to-enhance-maas-security, titled "How to enhance MAAS
 *   security" (linked as such from the Juju documentation's MAAS cloud page); its earlier address
 *   maas.io/docs/snap/3.0/ui/hardening-your-maas-installation served the seed's opening line
 *   "Enhance MAAS security along many different vectors." under that title.
 */
import type {GuideReference} from '../findings/types.js'

export interface Guide {
  /** The seed file under shared/seeds (and test/seeds) the rules were written from. */
  file: string
  title: string
  url: string
}

export const GUIDES = {
  landscape: {
    file: '000_b2ba063d74880b59.txt',
    title: 'How to harden your Landscape deployment',
    url: 'https://documentation.ubuntu.com/landscape/how-to-guides/security/harden-your-deployment/',
  },
  livepatch: {
    file: '001_e8801ce479c9bd36.txt',
    // The page's heading is "Security hardening"; alone it names no product.
    title: 'Livepatch Server: Security hardening',
    url: 'https://ubuntu.com/security/livepatch/docs/livepatch_on_prem/how-to/security-hardening',
  },
  juju: {
    file: '002_57f06eaaa8445352.txt',
    title: 'Harden your Juju deployment',
    url: 'https://documentation.ubuntu.com/juju/3.6/howto/manage-your-juju-deployment/harden-your-juju-deployment/',
  },
  maas2: {
    file: '003_63b51e30d9ae0e63.txt',
    title: 'How to secure MAAS (snap/2.9/CLI)',
    url: 'https://discourse.maas.io/t/how-to-secure-maas-snap-2-9-cli/2662',
  },
  maas3: {
    file: '004_1d3f306e7b67b203.txt',
    title: 'How to enhance MAAS security',
    url: 'https://maas.io/docs/how-to-enhance-maas-security',
  },
} as const satisfies Record<string, Guide>

export type GuideName = keyof typeof GUIDES

export function cite(guide: GuideName, section: string): GuideReference {
  return {title: GUIDES[guide].title, url: GUIDES[guide].url, section}
}

/** The guide a reference cites, by its address (for the seed file behind it). */
export function guideOf(reference: GuideReference): Guide | undefined {
  return Object.values(GUIDES).find((guide) => guide.url === reference.url)
}
