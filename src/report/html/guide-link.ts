import type {GuideReference} from '../../findings/types.js'
import type {GuideLink} from './types.js'

/**
 * The guide section a finding cites, as the page shows it: title, section and the public page.
 * The one place that reads the guide reference's shape, so a change to it is made here.
 */
export function guideLink(guide: GuideReference): GuideLink {
  const url = (guide as GuideReference & {url?: unknown}).url
  return {title: guide.title, section: guide.section, ...(typeof url === 'string' && /^https:\/\//.test(url) ? {url} : {})}
}
