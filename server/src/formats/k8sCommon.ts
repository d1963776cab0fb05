// Shared Kubernetes reading: pod specs, containers, env, GPU resources, /dev/shm, and the GPU named by node
// selectors, affinity or instance types. Used by every Kubernetes-shaped adapter.
import type { Node } from 'yaml';
import { builtinCatalog } from '../catalog/index';
import { get, getPair, isMap, isScalar, keyString, mapPairs, offsetRange, sourceOf } from '../yaml/yamlDoc';
import type { Arg, EngineCommand, EnvLookup, Val } from './args';
import { TGI_ENV, applyEngineCommand, argFromScalar, findEngineCommand, parseEngineArgs, shellArgs } from './args';
import { instanceGpu } from './instanceTypes';
import { GPU_PRODUCT_LABELS, containerRules } from './containerRules';
import { mapScalar, spanOf } from './scalarMap';
import type { Deployment, Range } from './types';
import { defaultWorkload } from './types';

// The node and context helpers every Kubernetes-style adapter uses live in nodes.ts (containerRules reads them too).
export type { Ctx } from './nodes';
export { num, range, seqItems, str, valueSpan } from './nodes';
import type { Ctx } from './nodes';
import { num, range, seqItems, str, valueSpan } from './nodes';

export function newDeployment(ctx: Ctx, format: string, name: string): Deployment {
  return {
    name,
    format,
    docIndex: ctx.docIndex,
    model: null,
    gpu: null,
    gpuOrigin: 'default',
    gpuCount: null,
    gpusPerNode: null,
    replicas: 1,
    serving: {},
    workload: defaultWorkload(),
    slo: { ttftMs: null, tpotMs: null },
    gpuHourUsd: null,
    calibration: null,
    ranges: { document: ctx.docRange },
    keyRanges: {},
    notes: [],
  };
}

/** Range of `hf://org/model` without the scheme. */
export function uriModelRange(ctx: Ctx, node: unknown): Range | null {
  const ms = mapScalar(ctx.src, node);
  const m = ms ? /^(hf|huggingface):\/\//.exec(ms.text) : null;
  if (!ms || !m) return range(ctx, node);
  const [a, b] = spanOf(ms, m[0].length, ms.text.length);
  return offsetRange(ctx.lc, a, b);
}

export function argOf(ctx: Ctx, node: unknown): Arg | null {
  const ms = mapScalar(ctx.src, node);
  return ms ? argFromScalar(ms) : null;
}

export function shellOf(_ctx: Ctx): (a: Arg) => ReturnType<typeof shellArgs> {
  // The script arg's span function already maps through its scalar; rebuild a MappedString view of it.
  return (a: Arg) =>
    shellArgs({
      text: a.text,
      map: { start: [...a.text].map((_, i) => a.span(i, i + 1)[0]), end: [...a.text].map((_, i) => a.span(i, i + 1)[1]) },
      nodeStart: a.span(0, a.text.length)[0],
      nodeEnd: a.span(0, a.text.length)[1],
    });
}

/**
 * Container env as a lookup of literal values with their spans (valueFrom entries are unknown). A value may refer to
 * variables defined before it as `$(VAR)`; Kubernetes expands those (and only those), as it does in command and args.
 */
export function envOf(ctx: Ctx, container: unknown, extra: Record<string, Val> = {}): { lookup: EnvLookup; vars: Map<string, Val | null> } {
  const vars = new Map<string, Val | null>();
  for (const [k, v] of Object.entries(extra)) vars.set(k, v);
  for (const e of seqItems(get(container, 'env'))) {
    const name = str(get(e, 'name'));
    if (!name) continue;
    const vn = get(e, 'value');
    const ms = vn !== undefined ? mapScalar(ctx.src, vn) : null;
    if (ms) {
      const x = expandK8s(argFromScalar(ms), vars);
      const span = valueSpan(vn) ?? [ms.nodeStart, ms.nodeEnd];
      // A value that still holds $(X) of a variable set from a Secret or the downward API is known only at run time.
      vars.set(name, x.unknownRefs.length ? null : { text: x.arg.text, span });
    } else vars.set(name, null);
  }
  return { lookup: (n) => vars.get(n), vars };
}

/**
 * Kubernetes' own expansion of a command/args/env string (k8s.io/kubernetes third_party/forked/golang/expansion):
 * `$(VAR)` becomes the value of a variable defined in the container env, `$$` becomes `$` (so `$$(VAR)` is the text
 * `$(VAR)`), and a reference to a variable that is not defined, or is set from a Secret/ConfigMap/field, stays as
 * written (`unknownRefs`). Nothing else is expanded: `${VAR}` and `$VAR` are left for a shell, if there is one.
 */
export function expandK8s(a: Arg, vars: Map<string, Val | null>): { arg: Arg; unknownRefs: string[] } {
  const t = a.text;
  if (!t.includes('$')) return { arg: { ...a, k8sExpanded: true }, unknownRefs: [] };
  let out = '';
  // For each output character, the source character range [s, e) of the input text it came from.
  const from: [number, number][] = [];
  const unknownRefs: string[] = [];
  const push = (text: string, s: number, e: number) => {
    for (let k = 0; k < text.length; k++) {
      out += text[k];
      from.push(text.length === e - s ? [s + k, s + k + 1] : [s, e]);
    }
  };
  let i = 0;
  while (i < t.length) {
    if (t[i] === '$' && t[i + 1] === '$') {
      push('$', i, i + 2);
      i += 2;
      continue;
    }
    const m = t[i] === '$' ? /^\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/.exec(t.slice(i)) : null;
    if (m) {
      const v = vars.get(m[1]);
      if (v) push(v.text, i, i + m[0].length);
      else {
        unknownRefs.push(m[1]);
        push(m[0], i, i + m[0].length);
      }
      i += m[0].length;
      continue;
    }
    push(t[i], i, i + 1);
    i++;
  }
  if (out === t && !unknownRefs.length) return { arg: { ...a, k8sExpanded: true }, unknownRefs };
  const arg: Arg = {
    text: out,
    dynamic: /\$\(|\$\{|\$[A-Za-z_]|`/.test(out),
    shell: a.shell,
    k8sExpanded: true,
    span: (x, y) => {
      if (y <= x || !from.length) {
        const p = x < from.length ? from[x][0] : t.length;
        return a.span(p, p);
      }
      return [a.span(from[x][0], from[x][1])[0], a.span(from[y - 1][0], from[y - 1][1])[1]];
    },
  };
  return { arg, unknownRefs };
}

export interface ContainerEngine {
  container: Node;
  name: string;
  cmd: EngineCommand;
}

/** Finds the serving-engine container(s) in a pod spec. */
export function engineContainers(ctx: Ctx, podSpec: unknown, injected: Record<string, Val> = {}): ContainerEngine[] {
  const out: ContainerEngine[] = [];
  for (const c of seqItems(get(podSpec, 'containers'))) {
    const cmd = engineOfContainer(ctx, c, injected);
    if (cmd) out.push({ container: c, name: str(get(c, 'name')) ?? 'container', cmd });
  }
  return out;
}

/**
 * The engine a container runs. `injected`: variables the platform sets in the pod (LeaderWorkerSet's LWS_GROUP_SIZE),
 * known from the same manifest.
 */
export function engineOfContainer(ctx: Ctx, c: unknown, injected: Record<string, Val> = {}): EngineCommand | null {
  const image = str(get(c, 'image'));
  const env = envOf(ctx, c, injected);
  const argv: Arg[] = [];
  for (const key of ['command', 'args']) {
    const n = get(c, key);
    for (const it of seqItems(n)) {
      const a = argOf(ctx, it);
      if (a) argv.push(expandK8s(a, env.vars).arg);
    }
    // A single string (not a list) is a mistake Kubernetes rejects, but read it as one word.
    if (isScalar(n)) {
      const a = argOf(ctx, n);
      if (a) argv.push(expandK8s(a, env.vars).arg);
    }
  }
  let cmd = argv.length ? findEngineCommand(argv, env.lookup, image, 0, shellOf(ctx)) : null;
  // TGI reads its options from env vars too.
  const tgiImage = image !== null && /text-generation-inference/i.test(image);
  if (!cmd && tgiImage) cmd = parseEngineArgs('tgi', `${image} entrypoint (text-generation-launcher)`, range0(ctx, c), [], env.lookup, false);
  if (cmd?.engine === 'tgi') addTgiEnv(ctx, c, cmd);
  return cmd;
}

function range0(_ctx: Ctx, n: unknown): [number, number] {
  const r = (n as Node)?.range;
  return r ? [r[0], r[0]] : [0, 0];
}

function addTgiEnv(ctx: Ctx, c: unknown, cmd: EngineCommand): void {
  for (const e of seqItems(get(c, 'env'))) {
    const name = str(get(e, 'name'));
    const opt = name ? TGI_ENV[name] : undefined;
    if (!opt) continue;
    const vn = get(e, 'value');
    const ms = vn !== undefined ? mapScalar(ctx.src, vn) : null;
    const nr = (get(e, 'name') as Node).range!;
    const val: Val | null = ms ? { text: ms.text, span: valueSpan(vn) ?? [ms.nodeStart, ms.nodeEnd] } : null;
    if (!val) {
      cmd.notes.push(`env ${name} comes from valueFrom/envFrom; its value is unknown.`);
      continue;
    }
    if (opt === 'model_id') {
      if (!cmd.model) cmd.model = val;
      continue;
    }
    // Command-line flags win over env (clap reads env only when the flag is absent).
    if (!cmd.options.has(opt))
      cmd.options.set(opt, { name: opt, flagSpan: [nr[0], nr[1]], value: val, bool: opt === 'sharded' ? /^(true|1)$/i.test(val.text) : undefined });
  }
}

const GPU_RESOURCE = /^(nvidia\.com\/gpu|amd\.com\/gpu|gpu\.intel\.com\/i915|habana\.ai\/gaudi)$/;

/** GPUs a container asks for (limits, else requests) and the range of the count. */
export function gpuResources(ctx: Ctx, container: unknown, dep: Deployment, label: string): number | null {
  const res = get(container, 'resources');
  for (const part of ['limits', 'requests']) {
    for (const p of mapPairs(get(res, part))) {
      const k = keyString(p);
      if (GPU_RESOURCE.test(k)) {
        const n = num(p.value);
        const r = range(ctx, p.value);
        if (r) dep.ranges['hardware.count'] = r;
        const kr = range(ctx, p.key);
        if (kr) dep.keyRanges['hardware.count'] = kr;
        dep.pod = { ...(dep.pod ?? defaultPod()), countLabel: `${k} ${label}` };
        // Kubernetes accepts only whole numbers for extended resources (a GPU is not divisible this way); a count
        // of 5e-324 or 0.5 never schedules, and dividing by it printed 'pipeline_parallel_size Infinity' (npm run fuzz).
        const written = str(p.value);
        if (n === null && written !== null && written.trim() !== '') {
          (dep.unresolved ??= []).push({
            path: 'hardware.count',
            text: written,
            reason: `${k}: "${written}" is not a number this file resolves${isTemplated(written) ? ' (a template placeholder)' : ''}`,
            range: r,
          });
          return null;
        }
        if (n !== null && !(Number.isSafeInteger(n) && n >= 0)) {
          dep.notes.push(
            `\`${k}: ${n}\` is not a whole number of GPUs: Kubernetes rejects fractional extended resources, so the pod is not created. The GPU count is treated as unknown.`,
          );
          return null;
        }
        return n;
      }
      if (/^nvidia\.com\/mig-/.test(k)) {
        const r = range(ctx, p.key);
        if (r) dep.ranges['hardware.count'] = r;
        dep.notes.push(`${k}: a MIG slice, not a whole GPU; llm-sizer sizes whole GPUs, so this deployment is sized as if it had the full GPU.`);
        return num(p.value);
      }
    }
  }
  return null;
}

export function defaultPod(): NonNullable<Deployment['pod']> {
  return { countLabel: 'GPUs per pod', podsPerGroup: 1, shm: 'none', shmRange: null };
}

/** Kubernetes quantity (`16Gi`, `1G`, `512Mi`) in bytes. */
export function quantityBytes(q: string): number | null {
  const m = /^(\d+(?:\.\d+)?)([KMGTPE]i?|k|m)?$/.exec(q.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const u = m[2] ?? '';
  const pow: Record<string, number> = {
    '': 1,
    k: 1e3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
    Pi: 1024 ** 5,
    Ei: 1024 ** 6,
    m: 1e-3,
  };
  return n * (pow[u] ?? 1);
}

/** /dev/shm for the container: a memory-backed emptyDir mounted there. */
export function shmOf(ctx: Ctx, podSpec: unknown, container: unknown): { shm: 'none' | 'unlimited' | number; range: Range | null } {
  const mount = seqItems(get(container, 'volumeMounts')).find((m) => str(get(m, 'mountPath')) === '/dev/shm');
  if (!mount) return { shm: 'none', range: range(ctx, get(container, 'name')) };
  const vname = str(get(mount, 'name'));
  const vol = seqItems(get(podSpec, 'volumes')).find((v) => str(get(v, 'name')) === vname);
  const ed = get(vol, 'emptyDir');
  if (!ed) return { shm: 'unlimited', range: range(ctx, mount) }; // hostPath /dev/shm and the like: the node's
  const medium = str(get(ed, 'medium'));
  const sl = get(ed, 'sizeLimit');
  const r = range(ctx, sl) ?? range(ctx, ed) ?? range(ctx, vol);
  if (medium !== 'Memory') return { shm: 'unlimited', range: r };
  const q = str(sl);
  if (!q) return { shm: 'unlimited', range: r };
  const b = quantityBytes(q);
  return { shm: b ?? 'unlimited', range: r };
}

const GPU_LABELS = [
  'nvidia.com/gpu.product',
  'cloud.google.com/gke-accelerator',
  'karpenter.k8s.aws/instance-gpu-name',
  'gpu.nvidia.com/class',
  'nvidia.com/gpu.family',
  'accelerator',
  'gpu-type',
  'nvidia.com/gpu',
  'amd.com/gpu.product-name',
  'cloud.google.com/gke-gpu',
];
const INSTANCE_LABELS = ['node.kubernetes.io/instance-type', 'beta.kubernetes.io/instance-type', 'karpenter.k8s.aws/instance-type'];

/** Catalog id for a GPU label value (`NVIDIA-H100-80GB-HBM3`, `nvidia-l4`, `a10g`), or null. */
export function resolveGpuLabel(v: string): string | null {
  const cat = builtinCatalog();
  const tries = [v, v.replace(/-/g, ' '), v.replace(/^(nvidia|amd)[-_ ]/i, ''), v.replace(/^(nvidia[-_ ])?(tesla[-_ ])?/i, ''), v.replace(/-SHARED$/i, '')];
  for (const t of tries) {
    const e = cat.findGpuEntry(t);
    if (e) return e.id;
  }
  return null;
}

/** GPU type and per-node count from nodeSelector, node affinity and tolerations-free labels. */
export function gpuFromPod(ctx: Ctx, podSpec: unknown, dep: Deployment): void {
  const cands: { key: string; value: string; node: Node }[] = [];
  for (const p of mapPairs(get(podSpec, 'nodeSelector'))) {
    const v = str(p.value);
    if (v) cands.push({ key: keyString(p), value: v, node: p.value as Node });
  }
  const na = get(get(podSpec, 'affinity'), 'nodeAffinity');
  const terms = [
    ...seqItems(get(get(na, 'requiredDuringSchedulingIgnoredDuringExecution'), 'nodeSelectorTerms')),
    ...seqItems(get(na, 'preferredDuringSchedulingIgnoredDuringExecution')).map((t) => get(t, 'preference')),
  ];
  for (const t of terms) {
    for (const e of seqItems(get(t, 'matchExpressions'))) {
      const key = str(get(e, 'key'));
      const op = str(get(e, 'operator'));
      const vals = seqItems(get(e, 'values'));
      if (!key || op !== 'In' || !vals.length) continue;
      const v = str(vals[0]);
      if (v) cands.push({ key, value: v, node: vals[0] });
      if (vals.length > 1) dep.notes.push(`Node affinity ${key} allows ${vals.length} values; sized on the first, "${v}".`);
    }
  }
  applyGpuCandidates(ctx, cands, dep);
}

export function applyGpuCandidates(ctx: Ctx, cands: { key: string; value: string; node: Node }[], dep: Deployment): void {
  if (dep.gpuOrigin === 'stated') return;
  for (const c of cands) {
    if (GPU_LABELS.includes(c.key) || /gpu|accelerator/i.test(c.key)) {
      if (/^(true|present|\d+)$/i.test(c.value)) continue;
      const id = resolveGpuLabel(c.value);
      if (!id && !GPU_LABELS.includes(c.key)) continue;
      if (!id && GPU_PRODUCT_LABELS.has(c.key) && !isTemplated(c.value)) {
        // A value no catalog GPU carries: a typo keeps the pod Pending; an unlisted GPU is only not sized.
        const near = builtinCatalog().closestGpus(c.value.replace(/^nvidia[-_ ]/i, ''), 2);
        ctx.diagnostics.push({
          code: 'gpu-selector-unknown',
          severity: 'warning',
          message: `${c.key}: "${c.value}" is not a GPU llm-sizer knows${near.length ? ` (did you mean ${near.map((n) => `"${n}"`).join(', ')}?)` : ''}. If no node carries this label value the pod stays Pending; if it is a GPU missing from the catalog, add it to .llm-sizer/gpus/ to size this deployment.`,
          range: range(ctx, c.node) ?? ctx.docRange,
          data: { candidates: near },
        });
        dep.gpu = c.value;
        dep.gpuOrigin = 'stated';
        dep.gpuSelectorUnknown = true;
        const r = range(ctx, c.node);
        if (r) dep.ranges['hardware.gpu'] = r;
        return;
      }
      dep.gpu = id ?? c.value;
      dep.gpuOrigin = 'stated';
      const r = range(ctx, c.node);
      if (r) dep.ranges['hardware.gpu'] = r;
      return;
    }
  }
  for (const c of cands) {
    if (!INSTANCE_LABELS.includes(c.key)) continue;
    const it = instanceGpu(c.value);
    if (!it) {
      dep.notes.push(`Instance type "${c.value}" is not in llm-sizer's table of GPU instances.`);
      continue;
    }
    dep.gpu = it.gpu;
    dep.gpuOrigin = 'inferred';
    dep.gpusPerNode = it.count;
    const r = range(ctx, c.node);
    if (r) dep.ranges['hardware.gpu'] = r;
    dep.notes.push(`GPU from instance type ${c.value}: ${it.count} x ${it.gpu}.`);
    return;
  }
}

/** When nothing names a GPU: the workspace default, said in a note. */
export function finishGpu(ctx: Ctx, dep: Deployment): void {
  if (dep.gpu) return;
  if (dep.pod?.countLabel.startsWith('amd.com'))
    dep.notes.push('AMD GPUs requested (amd.com/gpu) but no node label names the model; add amd.com/gpu.product-name to the node selector.');
  dep.gpu = ctx.defaultGpu;
  dep.gpuOrigin = 'default';
  dep.notes.push(
    ctx.defaultGpu
      ? `No node selector, affinity or instance type names the GPU: sized on the default GPU "${ctx.defaultGpu}" (setting llmSizer.defaultGpu).`
      : 'No node selector, affinity or instance type names the GPU and no default GPU is set (setting llmSizer.defaultGpu).',
  );
}

/** Pod spec under a workload's template (Deployment, StatefulSet, Job, CronJob, Pod, PodTemplate). */
export function podSpecOf(root: unknown, kind: string): Node | undefined {
  if (kind === 'Pod') return get(root, 'spec');
  if (kind === 'PodTemplate') return get(get(root, 'template'), 'spec');
  if (kind === 'CronJob') return get(get(get(get(get(root, 'spec'), 'jobTemplate'), 'spec'), 'template'), 'spec');
  return get(get(get(root, 'spec'), 'template'), 'spec');
}

export function metaName(root: unknown): { name: string | null; node: Node | undefined } {
  const n = get(get(root, 'metadata'), 'name');
  return { name: str(n), node: n };
}

/** Builds one deployment from an engine container in a pod: engine args, GPUs, shm, GPU type. */
export function deploymentFromContainer(ctx: Ctx, format: string, name: string, podSpec: unknown, ce: ContainerEngine, gpusLabel = 'per pod'): Deployment {
  const dep = newDeployment(ctx, format, name);
  applyEngineCommand(ce.cmd, dep, ctx.lc, ctx.diagnostics);
  const image = str(get(ce.container, 'image'));
  const tag = image && ce.cmd.engine === 'vllm' && /vllm/i.test(image) ? /:v?(\d+\.\d+(?:\.\d+)?)(?:$|[-+])/.exec(image) : null;
  if (tag) {
    dep.serving.engineVersion = tag[1];
    const r = range(ctx, get(ce.container, 'image'));
    if (r) dep.ranges['serving.engine_version'] = r;
  }
  const gpus = gpuResources(ctx, ce.container, dep, gpusLabel);
  dep.gpuCount = gpus !== null && gpus >= 1 ? Math.floor(gpus) : null;
  const shm = shmOf(ctx, podSpec, ce.container);
  dep.pod = { ...(dep.pod ?? defaultPod()), shm: shm.shm, shmRange: shm.range };
  containerRules(ctx, podSpec, ce.container, ce.cmd, dep);
  // Host RAM is checked against the container's memory limit (the cgroup that OOM-kills the pod).
  const memLimit = get(get(get(ce.container, 'resources'), 'limits'), 'memory');
  const memBytes = str(memLimit) ? quantityBytes(str(memLimit)!) : null;
  if (memBytes) dep.pod = { ...dep.pod, memoryLimit: memBytes, memoryLimitRange: range(ctx, memLimit) };
  gpuFromPod(ctx, podSpec, dep);
  if (!dep.model) dep.notes.push('The command line names no model.');
  return dep;
}

/** True when a value is a Helm/Go template placeholder. */
export function isTemplated(s: string | null | undefined): boolean {
  return !!s && /\{\{|\}\}/.test(s);
}

/** A Helm template that did not parse as YAML: never ours to read (its errors are Helm's business). */
export function unreadableTemplate(doc: { errors: unknown[] }): boolean {
  const src = sourceOf(doc);
  return doc.errors.length > 0 && (src === undefined || /\{\{[-\s]/.test(src) || /\{\{/.test(src));
}

export { isMap, getPair, sourceOf };
