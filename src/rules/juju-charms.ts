/**
 * Charm rules from "Harden the applications" (002): containers running as root, charm-user, and
 * credentials passed as plain config instead of Juju secrets.
 */
import {isCredentialOption, valueIsCredential} from '../inventory/charm-options.js'
import type {CharmMetadata} from '../inventory/charm.js'
import type {Application, Inventory} from '../inventory/types.js'
import type {Policy} from '../policy/schema.js'
import type {SourceRef} from '../sources/document.js'
import {cite} from './guides.js'
import {appPodSubjects} from './helpers/app-pods.js'
import {charmSubjects, describeCharmSubject, isKubernetesCharm, type CharmSubject} from './helpers/charm-subjects.js'
import {clearGenerated, generatedCredentials} from './helpers/generated-credentials.js'
import {fixLine} from './helpers/fix-line.js'
import {moveToSecret} from './helpers/juju-secrets.js'
import {sensitiveOptions} from './helpers/sensitive-options.js'
import {CHARM_CONTAINER, CHARM_USER_UIDS, effectiveUser, isJujuAgentContainer, runsAsRoot} from './helpers/security-context.js'
import {containersOf, type PodSubject} from './helpers/pod-specs.js'
import {list} from './helpers/targets.js'
import type {Rule} from './rule.js'

const APPLICATIONS = cite('juju', 'Harden the applications')

interface ContainerVerdict {
  container: string
  root: boolean
  source: 'charm metadata' | 'pods'
  evidence: Record<string, unknown>
  pods: string[]
  ref?: SourceRef
}

/**
 * The workload containers of a subject and whether each runs as root. When the application's pods
 * (or its workload template) were read, they decide: a container the charm declares but no pod
 * runs is not running. Only without them does the charm metadata say what Juju will run. Juju's
 * own containers are not the charm's workload: `charm` is JUJU-CHARM-USER's, and `charm-init` only
 * installs the agent before the charm starts.
 */
function containerVerdicts(inventory: Inventory, policy: Policy, subject: CharmSubject): ContainerVerdict[] | undefined {
  const pods = subject.app ? appPodSubjects(inventory, policy, subject.app) : []
  if (pods.length > 0) return verdictsFromPods(pods)
  if (!subject.metadata) return undefined
  return subject.metadata.containers.map((c) => ({
    container: c.name,
    root: c.uid === undefined || c.uid === 0 || c.gid === undefined || c.gid === 0,
    source: 'charm metadata',
    evidence: {uid: c.uid ?? null, gid: c.gid ?? null},
    pods: [],
    ref: c.ref,
  }))
}

function verdictsFromPods(pods: PodSubject[]): ContainerVerdict[] {
  const verdicts = new Map<string, ContainerVerdict>()
  for (const pod of pods) {
    for (const {container, init} of containersOf(pod.spec)) {
      if (isJujuAgentContainer(container.name, init)) continue
      const user = effectiveUser(pod.spec, container)
      const root = runsAsRoot(user)
      const existing = verdicts.get(container.name)
      if (existing) {
        existing.pods.push(...pod.pods)
        if (root && !existing.root) Object.assign(existing, {root, evidence: {...user}, ref: pod.ref})
        continue
      }
      verdicts.set(container.name, {container: container.name, root, source: 'pods', evidence: {...user}, pods: [...pod.pods], ref: pod.ref})
    }
  }
  return [...verdicts.values()]
}

export const jujuRootContainer: Rule = {
  id: 'JUJU-ROOT-CONTAINER',
  title: 'Workload container runs as root',
  severity: 'high',
  profile: 'juju',
  guide: APPLICATIONS,
  rationale:
    "A container running as uid or gid 0 turns any compromise of the workload into root inside the pod, one step from the node. The guide says to choose charms whose `charmcraft.yaml > containers > uid` and `gid` are not 0, and to audit those that are. Only the charm's workload containers are judged: Juju's own `charm` container is JUJU-CHARM-USER's, and when the application's pods were read, they say which containers run.",
  remediation:
    'Prefer a charm revision that sets `containers.<name>.uid` and `gid` to a non-zero id in charmcraft.yaml (Juju runs the container with that runAsUser/runAsGroup); otherwise audit the charm and its image.',
  autoFixable: false,
  needs: [['charm-metadata', 'k8s-pods', 'k8s-workloads']],
  evaluate({inventory, policy, report, notEvaluated}) {
    for (const subject of charmSubjects(inventory)) {
      if (isKubernetesCharm(subject) === false && !subject.app?.kubernetes) continue
      const verdicts = containerVerdicts(inventory, policy, subject)
      if (verdicts === undefined) {
        if (isKubernetesCharm(subject)) notEvaluated(subject.target, ['charm-metadata', 'k8s-pods'], 'needs charm metadata or Kubernetes pods')
        continue
      }
      for (const v of verdicts) {
        if (!v.root) continue
        report({
          target: subject.target,
          message: `container ${v.container} of ${describeCharmSubject(subject)} ${rootVerdictText(v)}.`,
          evidence: {container: v.container, source: v.source, ...v.evidence, ...(v.pods.length > 0 ? {pods: v.pods} : {})},
          ...(v.ref ? {ref: v.ref} : {}),
        })
      }
    }
  },
}

/**
 * What is known of the container's user. A uid or gid of 0 is root for certain; with none set,
 * Juju sets none either and the image's USER decides (root for most images): nothing keeps it
 * from root, which is what the guide asks charms to do, but it is not known to be root.
 */
function rootVerdictText(v: ContainerVerdict): string {
  const imageDecides = "so its image's USER decides (root for most images) and nothing keeps it from root"
  if (v.source === 'pods') {
    if (v.evidence.runAsUser === 0) return 'runs as root: runAsUser is 0'
    if (v.evidence.runAsGroup === 0) return 'runs with group root: runAsGroup is 0'
    return `may run as root: no runAsUser and no runAsNonRoot, ${imageDecides}`
  }
  const {uid, gid} = v.evidence
  if (uid === 0) return `runs as root: the charm sets uid 0${gid === null ? '' : `, gid ${String(gid)}`}`
  if (gid === 0) return `runs with group root: the charm sets ${uid === null ? 'no uid' : `uid ${String(uid)}`}, gid 0`
  if (uid === null) return `may run as root: the charm sets ${gid === null ? 'no uid/gid' : `no uid (gid ${String(gid)})`}, so Juju sets none and its image's USER decides (root for most images)`
  return `may run with group root: the charm sets uid ${String(uid)} but no gid, so its image's group decides`
}

type CharmUserVerdict = {user: string; source: 'charm metadata' | 'pods'; ref?: SourceRef; pods?: string[]; runAsUser?: number}

function charmUserVerdict(inventory: Inventory, policy: Policy, subject: CharmSubject): CharmUserVerdict | undefined {
  if (subject.app) {
    for (const pod of appPodSubjects(inventory, policy, subject.app)) {
      const charm = (pod.spec.containers ?? []).find((c) => c.name === CHARM_CONTAINER)
      if (!charm) continue
      const user = effectiveUser(pod.spec, charm)
      const name = Object.entries(CHARM_USER_UIDS).find(([, uid]) => uid === user.runAsUser)?.[0]
      const resolved = name ?? (runsAsRoot(user) ? 'root' : 'non-root')
      const out: CharmUserVerdict = {user: resolved, source: 'pods', ref: pod.ref, pods: pod.pods}
      if (user.runAsUser !== undefined) out.runAsUser = user.runAsUser
      return out
    }
  }
  const metadata: CharmMetadata | undefined = subject.metadata
  if (!metadata) return undefined
  return {user: metadata.charmUser ?? 'root', source: 'charm metadata', ref: metadata.refs.charmUser ?? metadata.refs.definition}
}

export const jujuCharmUser: Rule = {
  id: 'JUJU-CHARM-USER',
  title: 'Charm code runs as root (charm-user)',
  severity: 'medium',
  profile: 'juju',
  guide: APPLICATIONS,
  rationale:
    'Since Juju 3.6 a Kubernetes charm can declare `charm-user`: `root` (uid 0, the default when unset), `sudoer` (uid 171) or `non-root` (uid 170). The guide says to choose charms whose charm-user is `non-root`, and to audit the others.',
  remediation: 'Prefer a charm revision with `charm-user: non-root` in charmcraft.yaml (Juju 3.6+); otherwise audit the charm.',
  autoFixable: false,
  needs: [['charm-metadata', 'k8s-pods', 'k8s-workloads']],
  evaluate({inventory, policy, report, notEvaluated}) {
    for (const subject of charmSubjects(inventory)) {
      if (!isKubernetesCharm(subject)) continue
      const verdict = charmUserVerdict(inventory, policy, subject)
      if (!verdict) {
        notEvaluated(subject.target, ['charm-metadata', 'k8s-pods'], 'needs charm metadata or Kubernetes pods')
        continue
      }
      if (verdict.user === 'non-root') continue
      const sudoer = verdict.user === 'sudoer'
      const how =
        verdict.source === 'pods'
          ? `its charm container runs as ${verdict.runAsUser === undefined ? 'the image user (root)' : `uid ${verdict.runAsUser}`}`
          : subject.metadata?.charmUser === undefined
            ? 'the charm sets no charm-user, so Juju runs it as root'
            : `the charm sets charm-user: ${verdict.user}`
      report({
        target: subject.target,
        severity: sudoer ? 'low' : 'medium',
        message: `the charm code of ${describeCharmSubject(subject)} runs as ${sudoer ? 'a sudoer' : 'root'}: ${how}.`,
        evidence: {charmUser: subject.metadata?.charmUser ?? null, resolved: verdict.user, source: verdict.source, ...(verdict.pods ? {pods: verdict.pods} : {}), ...(verdict.runAsUser === undefined ? {} : {runAsUser: verdict.runAsUser})},
        ...(verdict.ref ? {ref: verdict.ref} : {}),
      })
    }
  },
}

export const jujuNoSecrets: Rule = {
  id: 'JUJU-NO-SECRETS',
  title: 'Credentials passed as plain charm config',
  severity: 'medium',
  profile: 'juju',
  guide: APPLICATIONS,
  rationale:
    'Plain config values are readable by anyone with read access to the model (`juju config`), land in bundles and exports, and cannot be rotated or scoped. The guide says to choose charms that support Juju secrets; an option of type `secret` takes a secret URI instead. TLS private keys in config (`ssl_key`, `ssl_key_content`, …) are TLS-CONFIG-KEY\'s, whose fix (a certificates relation) removes them: one finding per option, not two.',
  remediation:
    'Move the credential into a Juju secret and pass its URI to the charm\'s option of type `secret` (`juju add-secret NAME password#file=password.txt`, `juju grant-secret NAME APP`, `juju config APP OPTION=URI`), or use a charm revision that supports secrets; only then unset the plain option (`juju config APP --reset OPTION`).',
  autoFixable: false,
  needs: [['charm-metadata', 'juju-bundle', 'juju-config']],
  evaluate({inventory, report}) {
    for (const subject of charmSubjects(inventory)) {
      const found = sensitiveOptions(subject, {byName: isCredentialOption, byValue: valueIsCredential})
      if (found.set.length === 0 && found.placeholders.length === 0 && found.declared.length === 0) continue
      const set = found.set.length > 0
      const byValue = found.byValue.length > 0 ? ` (${list(found.byValue)} ${found.byValue.length === 1 ? 'holds' : 'hold'} a user:password pair or a URL with a password)` : ''
      const placeholders =
        found.placeholders.length > 0
          ? `${list(found.placeholders)} ${found.placeholders.length === 1 ? 'is' : 'are'} set to a placeholder, not a real secret yet, but will be plain config once filled in`
          : ''
      const declared = found.declared.length > 0 ? `the charm takes ${list(found.declared)} as plain strings` : ''
      const message = set
        ? `${subject.name} has credentials in plain config: ${list(found.set)}${byValue}${placeholders || declared ? ` (${[placeholders, declared].filter(Boolean).join('; ')})` : ''}.`
        : placeholders
          ? `${subject.name}: ${placeholders}${declared ? `; ${declared}` : ''}, rather than Juju secrets.`
          : `${subject.charm} takes credentials as plain string options (${list(found.declared)}) rather than Juju secrets.`
      const fixFor = set ? found.set : found.placeholders
      report({
        target: subject.target,
        severity: set ? 'medium' : 'low',
        message,
        evidence: {setOptions: found.set, placeholderOptions: found.placeholders, declaredStringOptions: found.declared},
        ...(subject.app && fixFor.length > 0 ? {remediation: noSecretsFix(subject.app, subject.metadata, fixFor, set)} : {}),
        ...(found.ref ? {ref: found.ref} : {}),
      })
    }
  },
}

/**
 * Options the charm generates itself when unset (keystone's admin-password) are cleared; the rest
 * move into a Juju secret. A finding whose options are of both kinds gets both fixes, on one line.
 */
function noSecretsFix(app: Application, metadata: CharmMetadata | undefined, options: string[], set: boolean): string {
  const generated = set ? generatedCredentials(app, options) : []
  const rest = options.filter((option) => !generated.some((g) => g.option === option))
  return fixLine([...(generated.length > 0 ? [clearGenerated(app, generated)] : []), ...(rest.length > 0 ? [moveToSecret(app, metadata, rest, set)] : [])])
}

export const JUJU_CHARM_RULES: Rule[] = [jujuRootContainer, jujuCharmUser, jujuNoSecrets]
