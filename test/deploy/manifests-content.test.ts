/**
 * What the rendered manifests promise: the CronJob's schedule, concurrency and pod hardening, the
 * Juju credentials from the hardenctl-juju Secret, a policy that validates with safe defaults,
 * hardenctl's own NetworkPolicies, and an image whose user matches the pod's.
 */
import {execFile} from 'node:child_process'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {CronJob} from 'kubernetes-models/batch/v1/CronJob'
import {NetworkPolicy} from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'
import {ClusterRole} from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole'
import {ClusterRoleBinding} from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding'
import {ConfigMap} from 'kubernetes-models/v1/ConfigMap'
import {Namespace} from 'kubernetes-models/v1/Namespace'
import {ServiceAccount} from 'kubernetes-models/v1/ServiceAccount'
import {beforeAll, describe, expect, it} from 'vitest'

import {renderManifests} from '../../src/deploy/manifests.js'
import {loadPolicy} from '../../src/policy/load.js'
import {REPO_ROOT} from '../helpers/cli.js'
import {find, IMAGE, type Manifest, SCHEDULE} from './render.js'

type Json = Record<string, any>

let objects: Manifest[]
let cronJob: Json
let pod: Json
let container: Json

beforeAll(async () => {
  objects = (await renderManifests({root: REPO_ROOT, image: IMAGE, schedule: SCHEDULE})) as Manifest[]
  cronJob = find(objects, 'CronJob', 'hardenctl')
  pod = cronJob.spec.jobTemplate.spec.template.spec
  container = pod.containers[0]
})

describe('every object', () => {
  const MODELS: Record<string, new (data: never) => {validate(): void}> = {CronJob, NetworkPolicy, ClusterRole, ClusterRoleBinding, ConfigMap, Namespace, ServiceAccount}

  it.each([false, true])('validates against the Kubernetes OpenAPI schema (kubernetes-models), pod-security %s', async (podSecurity) => {
    const rendered = await renderManifests({root: REPO_ROOT, image: IMAGE, schedule: SCHEDULE, podSecurity})
    for (const object of rendered) {
      const Model = MODELS[object.kind]
      expect(Model, object.kind).toBeDefined()
      expect(() => new Model!(object as never).validate(), `${object.kind}/${object.metadata.name}`).not.toThrow()
    }
  })
})

describe('the hardenctl CronJob', () => {
  it('runs reconcile --report-to-cluster every 30 minutes, one run at a time, bounded, with a short history', () => {
    expect(cronJob.apiVersion).toBe('batch/v1')
    expect(cronJob.metadata.namespace).toBe('hardenctl-system')
    expect(cronJob.spec.schedule).toBe('*/30 * * * *')
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid')
    expect(cronJob.spec.successfulJobsHistoryLimit).toBeGreaterThanOrEqual(1)
    expect(cronJob.spec.successfulJobsHistoryLimit).toBeLessThanOrEqual(5)
    expect(cronJob.spec.failedJobsHistoryLimit).toBeGreaterThanOrEqual(1)
    expect(cronJob.spec.failedJobsHistoryLimit).toBeLessThanOrEqual(5)
    const deadline = cronJob.spec.jobTemplate.spec.activeDeadlineSeconds as number
    expect(deadline).toBeGreaterThan(0)
    expect(deadline).toBeLessThan(30 * 60) // shorter than the period: a stuck run never meets the next
    expect(pod.containers).toHaveLength(1)
    expect(container.image).toBe(IMAGE)
    expect(container.command).toBeUndefined() // the image's ENTRYPOINT is the CLI
    expect(container.args).toEqual(['reconcile', '--report-to-cluster'])
    expect(pod.restartPolicy).toBe('Never')
  })

  it('runs as the image user, non-root, RuntimeDefault seccomp, no escalation, read-only root, no capabilities', async () => {
    expect(pod.securityContext).toMatchObject({runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: {type: 'RuntimeDefault'}})
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: {drop: ['ALL']},
    })
    for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) expect(pod[field]).toBeUndefined()
    // The Dockerfile's user is the pod's.
    const dockerfile = await readFile(join(REPO_ROOT, 'Dockerfile'), 'utf8')
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)\s*$/gm)].map((match) => match[1])
    expect(users.at(-1)).toBe(`${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`)
  })

  it('has requests and limits, the API token, a writable /tmp and nothing else writable', () => {
    expect(container.resources.requests).toEqual({cpu: expect.any(String), memory: expect.any(String)})
    expect(container.resources.limits).toEqual({cpu: expect.any(String), memory: expect.any(String)})
    expect(pod.automountServiceAccountToken).toBe(true)
    expect(pod.serviceAccountName).toBe('hardenctl')
    const volumes: Record<string, Json> = Object.fromEntries((pod.volumes as Json[]).map((volume) => [volume.name, volume]))
    const mounts: Record<string, Json> = Object.fromEntries((container.volumeMounts as Json[]).map((mount) => [mount.mountPath, mount]))
    expect(volumes[mounts['/tmp']!.name]!.emptyDir).toBeDefined()
    for (const [path, mount] of Object.entries(mounts)) if (path !== '/tmp') expect(mount.readOnly, path).toBe(true)
    // Pod Security "restricted" allows only these volume types.
    for (const volume of Object.values(volumes)) {
      expect(Object.keys(volume).filter((key) => key !== 'name')).toEqual([expect.stringMatching(/^(configMap|secret|emptyDir|projected)$/)])
    }
  })

  it('reads the policy from the ConfigMap at HARDENCTL_POLICY, with CI set so no progress line is drawn', () => {
    const env = Object.fromEntries((container.env as Json[]).map((variable) => [variable.name, variable]))
    expect(env.HARDENCTL_POLICY.value).toBe('/etc/hardenctl/hardenctl.yaml')
    expect(env.CI.value).toBe('true')
    expect(env.HOME.value).toBe('/tmp')
    const mount = (container.volumeMounts as Json[]).find((m) => m.mountPath === '/etc/hardenctl')!
    const volume = (pod.volumes as Json[]).find((v) => v.name === mount.name)!
    expect(volume.configMap).toEqual({name: 'hardenctl-policy', items: [{key: 'hardenctl.yaml', path: 'hardenctl.yaml'}]})
  })

  it('takes the Juju login from the Secret hardenctl-juju: endpoints, user and controller as env, password and CA as files', () => {
    const env = Object.fromEntries((container.env as Json[]).map((variable) => [variable.name, variable]))
    expect(env.HARDENCTL_JUJU_ENDPOINTS.valueFrom.secretKeyRef).toEqual({name: 'hardenctl-juju', key: 'endpoints'})
    expect(env.HARDENCTL_JUJU_USER.valueFrom.secretKeyRef).toEqual({name: 'hardenctl-juju', key: 'user'})
    expect(env.HARDENCTL_JUJU_CONTROLLER.valueFrom.secretKeyRef).toMatchObject({name: 'hardenctl-juju', key: 'controller'})
    expect(env.HARDENCTL_JUJU_PASSWORD).toBeUndefined()
    expect(env.HARDENCTL_JUJU_CA_CERT).toBeUndefined()
    const volume = (pod.volumes as Json[]).find((v) => v.secret?.secretName === 'hardenctl-juju')!
    expect(volume.secret.items).toEqual([
      {key: 'password', path: 'password'},
      {key: 'ca-cert', path: 'ca-cert'},
    ])
    expect(volume.secret.defaultMode).toBe(0o440)
    const mount = (container.volumeMounts as Json[]).find((m) => m.name === volume.name)!
    expect(env.HARDENCTL_JUJU_PASSWORD_FILE.value).toBe(`${mount.mountPath}/password`)
    expect(env.HARDENCTL_JUJU_CA_CERT_FILE.value).toBe(`${mount.mountPath}/ca-cert`)
    // The Secret itself is the operator's to create, never shipped.
    expect(objects.filter((object) => object.kind === 'Secret')).toEqual([])
  })
})

describe('the policy ConfigMap', () => {
  it('holds a policy that validates, with the Juju side planned only and PSA off', async () => {
    const configMap = find(objects, 'ConfigMap', 'hardenctl-policy') as Json
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-policy-'))
    try {
      const file = join(dir, 'hardenctl.yaml')
      await writeFile(file, configMap.data['hardenctl.yaml'] as string)
      const {policy} = await loadPolicy(file)
      expect(policy.access.enforce).toBe(false)
      expect(policy.access.disableStaleUsers).toBe(false)
      expect(policy.exposure.enforce).toBe(false)
      expect(policy.psa.enabled).toBe(false)
      expect(policy.commands).toBeUndefined()
      // The Juju user hardenctl logs in as stays an allowed superuser, so enforcing access never flags it.
      expect(policy.access.controller.superusers).toEqual(['admin', 'hardenctl'])
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})

describe("hardenctl's own NetworkPolicies", () => {
  it('deny everything in the namespace by default', () => {
    const deny = find(objects, 'NetworkPolicy', 'default-deny') as Json
    expect(deny.spec).toEqual({podSelector: {}, policyTypes: ['Ingress', 'Egress']})
  })

  it("select hardenctl's pods: no ingress; egress to DNS, the API server and the Juju controller API only", () => {
    const policy = find(objects, 'NetworkPolicy', 'hardenctl') as Json
    expect(policy.spec.podSelector).toEqual({matchLabels: {'app.kubernetes.io/name': 'hardenctl'}})
    expect(cronJob.spec.jobTemplate.spec.template.metadata.labels).toMatchObject(policy.spec.podSelector.matchLabels)
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress'])
    expect(policy.spec.ingress).toBeUndefined()
    const egress = policy.spec.egress as Json[]
    const ports = egress.map((rule) => (rule.ports as Json[]).map((p) => `${p.protocol}/${p.port}`).sort())
    expect(ports).toEqual([['TCP/53', 'UDP/53'], ['TCP/16443', 'TCP/443', 'TCP/6443'], ['TCP/17070']])
    expect(egress[0]!.to).toEqual([
      {namespaceSelector: {matchLabels: {'kubernetes.io/metadata.name': 'kube-system'}}, podSelector: {matchLabels: {'k8s-app': 'kube-dns'}}},
    ])
    for (const rule of egress) for (const port of rule.ports as Json[]) expect(port.endPort).toBeUndefined()
  })
})

describe('packaging', () => {
  it('the Dockerfile builds in one stage and runs dist/ and manifests/ from another, as a numeric non-root user', async () => {
    const dockerfile = await readFile(join(REPO_ROOT, 'Dockerfile'), 'utf8')
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2)
    expect(dockerfile).toMatch(/^FROM node:20[\w.-]*-slim AS build$/m)
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m)
    expect(dockerfile).toMatch(/^COPY --from=build \/app\/dist .*dist\/?$/m)
    expect(dockerfile).toMatch(/^COPY .*manifests .*manifests\/?$/m)
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "\/app\/bin\/run\.js"\]$/m)
  })

  it('ships manifests/ in the npm package, where hardenctl manifests reads it', async () => {
    const packed = await new Promise<string>((resolve, reject) => {
      execFile('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {cwd: REPO_ROOT, maxBuffer: 64 << 20}, (error, stdout) => (error ? reject(error) : resolve(stdout)))
    })
    const files = (JSON.parse(packed) as {files: {path: string}[]}[])[0]!.files.map((file) => file.path)
    for (const file of ['manifests/kustomization.yaml', 'manifests/base/kustomization.yaml', 'manifests/base/cronjob.yaml', 'manifests/overlays/pod-security/kustomization.yaml']) {
      expect(files, `${file} in package.json "files"`).toContain(file)
    }
  }, 60_000)
})
