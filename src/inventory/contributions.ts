/**
 * What a source says about the estate, one fact at a time. File readers (src/sources) and, later,
 * the live Juju and Kubernetes collectors emit these; `buildInventory` merges and joins them.
 * Contributions are plain data so a live source can produce exactly what a snapshot produces.
 */
import type {Locator, SourceRef} from '../sources/document.js'
import type {CharmMetadata} from './charm.js'
import type {KubeObject} from './kubernetes.js'
import type {
  Application,
  ConsumedOffer,
  ControllerUser,
  DisabledCommand,
  InputKind,
  InventoryGap,
  Machine,
  Model,
  ModelUser,
  Offer,
  Relation,
} from './types.js'

/**
 * Which controller and model a contribution is about. Either may be unknown: a bare bundle or
 * `juju config` output does not name its model. The builder attaches those to the only model it
 * knows, or fails with a clear error when there are several (see README "Input layout").
 */
export interface Scope {
  controller?: string
  model?: string
  /** The file the contribution came from, for error messages; undefined for live sources. */
  file?: string
  /**
   * The model's name when no input names one: a bundle's own `name:` key. Weaker than `model`:
   * it is used only when no other input names a model.
   */
  defaultModel?: string
}

export type ModelFacts = Partial<
  Pick<Model, 'uuid' | 'type' | 'cloud' | 'region' | 'version' | 'owner' | 'qualifier' | 'credential' | 'namespace'>
>

/** Application facts; everything but the name is optional and merged field by field. */
export type ApplicationFacts = Partial<Omit<Application, 'model' | 'controller' | 'modelUnnamed' | 'modelQualifier' | 'metadata' | 'kubernetes'>> & {
  name: string
}

export type Contribution =
  | {type: 'input'; scope: Scope; input: InputKind}
  | {type: 'model'; scope: Scope; facts: ModelFacts; ref?: SourceRef}
  | {type: 'application'; scope: Scope; facts: ApplicationFacts}
  | {type: 'relation'; scope: Scope; relation: Relation}
  | {type: 'offer'; scope: Scope; offer: Offer}
  | {type: 'consumed-offer'; scope: Scope; consumed: ConsumedOffer}
  | {type: 'machine'; scope: Scope; machine: Machine}
  | {type: 'model-users'; scope: Scope; users: ModelUser[]}
  | {type: 'disabled-commands'; scope: Scope; commands: DisabledCommand[]; ref?: SourceRef}
  | {type: 'controller-users'; scope: Scope; users: ControllerUser[]}
  | {type: 'controller-config'; scope: Scope; config: Record<string, unknown>; cloudType?: string}
  | {type: 'charm'; charm: CharmMetadata}
  | {type: 'kube-object'; object: KubeObject}
  | {type: 'gap'; scope: Scope; gap: InventoryGap}

/** A file reader: recognises one kind of document by content and turns it into contributions. */
export interface DocumentReader {
  /** Stable name of the input kind, shown in `--verbose` output and errors ("juju status"). */
  kind: string
  /** True when `data` is this kind of document. Must be cheap and must not throw. */
  recognises(data: unknown, hint: {file: string; document: number; later?: readonly unknown[]}): boolean
  /** Validates (zod) and converts. Throws InputError naming the path on bad input. */
  read(data: unknown, context: ReadContext): Contribution[]
  /**
   * Set for inputs recognised only so they can be named (`juju show-unit`): no rule reads them,
   * the reader yields nothing, and the file source says so on stderr with this reason.
   */
  unusedBecause?: string
}

export interface ReadContext {
  file: string
  document: number
  /** Controller and model from the file's place in the snapshot layout, if any. */
  scope: Scope
  /** Lets readers give line numbers in their errors (pass it to `validate`). */
  locator?: Locator
  /** Read only Kubernetes objects of these kinds (FileSourceOptions.kubernetesKindsOnly). */
  kubernetesKindsOnly?: ReadonlySet<string>
  /** Tells the user something about this document that does not stop the read (a warning naming the file). */
  warn?: (message: string) => void
}
