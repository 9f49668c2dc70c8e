/**
 * The NetworkPolicy reachability engine: who can reach whom, at the granularity of pod classes
 * (applications), with explanations. Pure: no I/O outside load.ts.
 */
export {PER_POD_LABELS, podClasses, type PodClassOptions} from './classes.js'
export {diffMatrices, type MatrixChange, type MatrixDiff} from './diff.js'
export {EVERY_POD, EVERYONE, matrixEntries, type EntryOptions, type MatrixEntry} from './entries.js'
export {explain, type PortQuery, type ResolvedPort, resolvePortQuery, type RuleMatch, type SideVerdict, type Verdict} from './explain.js'
export {ipBlockAdmitsOutside, ipBlockContains, isIpAddress} from './ip-block.js'
export {type Admission, isolation, type Matrix, matrixCell, reachabilityMatrix} from './matrix.js'
export {effectiveTypes, NAMESPACE_NAME_LABEL} from './policies.js'
export {
  ALL_PORTS,
  containsPort,
  formatPorts,
  isAllPorts,
  isEmptyPorts,
  NO_PORTS,
  type PortSet,
  portRange,
  type PortsJson,
  portsToJson,
  type Protocol,
} from './ports.js'
export {
  type Endpoint,
  endpointId,
  isOutside,
  type NamespaceLike,
  type NetworkPolicyLike,
  type Outside,
  OUTSIDE_ID,
  type PodClass,
  type PolicyInput,
} from './types.js'
export {policyProblems} from './validate.js'
