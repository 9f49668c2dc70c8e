export {anyGlobMatches, globMatches, matchingKeys} from '../../policy/glob.js'
