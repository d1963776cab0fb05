// llm-d modelservice Helm values (llm-d-incubation/llm-d-modelservice): `modelArtifacts.uri`, `prefill` / `decode`
// roles each with `replicas`, `parallelism` and vLLM containers; GPU type from `acceleratorTypes` labels. What the
// chart renders from these values (templates/_helpers.tpl) is what is read here:
// - uri `hf://<id>` serves <id>; `pvc+hf://<claim>/.../<org>/<name>` serves <org>/<name>; `pvc://<claim>/<path>`
//   serves the directory `<modelArtifacts.mountPath>/<path>` (mountPath default /model-cache); a `{{ .Values.x }}` in
//   the uri is the value at x in this same file (the chart renders it with common.tplvalues.render).
// - GPUs per pod = parallelism.dataLocal x parallelism.tensor ("numGpuPerWorker"), unless the container's limits
//   name the accelerator resource itself (the user's value wins); none for accelerator.type cpu or DRA.
// - replicas: the chart defaults are decode 1, prefill 0 (values.yaml), so a role without replicas deploys that many.
import type { Node } from 'yaml';
import { get } from '../yaml/yamlDoc';
import type { FormatAdapter } from './adapter';
import { ctxOf } from './k8s';
import type { Ctx } from './k8sCommon';
import { applyGpuCandidates, defaultPod, finishGpu, num, range, seqItems, str } from './k8sCommon';
import { unreadableTemplate } from './k8sCommon';
import { roleDeployment } from './kserve';
import type { Deployment, ModelRef, Range } from './types';

/** Chart default replicas per role (llm-d-modelservice values.yaml). */
const DEFAULT_REPLICAS: Record<string, number> = { decode: 1, prefill: 0 };
/** Chart default model mount path (values.yaml modelArtifacts.mountPath). */
const DEFAULT_MOUNT = '/model-cache';

/** `{{ .Values.a.b }}` placeholders resolved from the same values file; null when one is not a literal there. */
function renderValues(root: unknown, s: string): string | null {
  let ok = true;
  const out = s.replace(/\{\{-?\s*\.Values\.([A-Za-z0-9_.]+)\s*-?\}\}/g, (_m, path: string) => {
    let n: unknown = root;
    for (const k of path.split('.')) n = get(n, k);
    const v = str(n);
    if (v === null) ok = false;
    return v ?? '';
  });
  return ok && !/\{\{/.test(out) ? out : null;
}

interface UriModel {
  model: ModelRef | null;
  range: Range | null;
  /** Why no model, when none. */
  why?: string;
}

function modelFromUri(ctx: Ctx, root: unknown): UriModel {
  const ma = get(root, 'modelArtifacts');
  const uriNode = get(ma, 'uri');
  const raw = str(uriNode) ?? '';
  const templated = /\{\{/.test(raw);
  const rendered = renderValues(root, raw);
  // A templated uri points at the value it takes; a literal one at itself.
  const r = templated ? (range(ctx, get(ma, 'name')) ?? range(ctx, uriNode)) : range(ctx, uriNode);
  if (rendered === null) return { model: null, range: r, why: `modelArtifacts.uri "${raw}" uses a value this file does not set` };
  const m = /^([a-z+]+):\/\/(.*)$/.exec(rendered.replace(/"/g, ''));
  if (!m) return { model: null, range: r, why: `modelArtifacts.uri "${rendered}" has no scheme the chart reads (hf://, pvc://, pvc+hf://)` };
  const [, scheme, rest] = m;
  if (scheme === 'hf') return { model: { kind: 'id', id: rest }, range: r };
  if (scheme === 'pvc+hf') {
    const parts = rest.split('/').filter(Boolean);
    return parts.length >= 3
      ? { model: { kind: 'id', id: parts.slice(-2).join('/') }, range: r }
      : { model: null, range: r, why: `modelArtifacts.uri "${rendered}" names no <org>/<name> after the claim` };
  }
  if (scheme === 'pvc') {
    const path = rest.split('/').slice(1).join('/');
    const mount = str(get(ma, 'mountPath')) ?? DEFAULT_MOUNT;
    return { model: { kind: 'path', path: `${mount}/${path}` }, range: r };
  }
  return { model: null, range: r, why: `modelArtifacts.uri scheme ${scheme}:// is not one the chart serves from (it fails on oci://)` };
}

export const llmdAdapter: FormatAdapter = {
  format: 'llm-d',
  detect(doc) {
    if (unreadableTemplate(doc)) return false;
    const root = doc.contents;
    const uri = str(get(get(root, 'modelArtifacts'), 'uri'));
    return uri !== null && (get(root, 'decode') !== undefined || get(root, 'prefill') !== undefined);
  },
  adapt(input) {
    const ctx = ctxOf(input);
    const root = input.doc.contents;
    const ma = get(root, 'modelArtifacts');
    const base = str(get(root, 'fullnameOverride')) || str(get(ma, 'name')) || 'modelservice';
    const um = modelFromUri(ctx, root);
    const served = str(get(ma, 'name'));
    const accType = str(get(get(root, 'accelerator'), 'type')) ?? 'nvidia';
    const out: Deployment[] = [];
    for (const role of ['prefill', 'decode'] as const) {
      const node = get(root, role);
      if (!node || str(get(node, 'create')) === 'false') continue;
      const repNode = get(node, 'replicas');
      // A role left at the chart's default of 0 replicas deploys nothing.
      if (repNode === undefined && DEFAULT_REPLICAS[role] === 0) continue;
      // Roles list containers directly (the chart builds the pod around them); GPU labels come from acceleratorTypes.
      const at = get(node, 'acceleratorTypes') ?? get(root, 'acceleratorTypes');
      const key = str(get(at, 'labelKey'));
      const v0 = seqItems(get(at, 'labelValues'))[0];
      const v = str(v0);
      const d = roleDeployment({ ...ctx, defaultGpu: key && v ? null : ctx.defaultGpu }, 'llm-d', `${base}/${role}`, undefined, node, node);
      d.role = role;
      // The chart puts the model first on the command line (vllmServe / imageDefault); container args add flags.
      if (!d.model || d.ranges.model === undefined) {
        d.model = um.model;
        if (um.range) d.ranges.model = um.range;
      }
      if (!d.model) d.unsized = um.why ?? 'modelArtifacts.uri names no model';
      // The chart's default image is a simulator: it loads no model and the chart requests no GPU for it.
      const sim = seqItems(get(node, 'containers')).some((c) => /llm-d-inference-sim/.test(str(get(c, 'image')) ?? ''));
      if (sim) d.unsized = 'the container is llm-d-inference-sim, a simulator that loads no model and uses no GPU';
      if (d.model?.kind === 'path' && served)
        d.notes.push(`The model is the directory ${d.model.path} on the claim, served as "${served}" (--served-model-name).`);
      if (repNode === undefined) d.replicas = DEFAULT_REPLICAS[role];
      const par = get(node, 'parallelism');
      const tensor = num(get(par, 'tensor')) ?? 1;
      const dataLocal = num(get(par, 'dataLocal')) ?? 1;
      const roleAcc = str(get(get(node, 'accelerator'), 'type')) ?? accType;
      const dra = (str(get(get(node, 'accelerator'), 'dra')) ?? str(get(get(root, 'accelerator'), 'dra'))) === 'true';
      if (d.gpuCount === null && roleAcc !== 'cpu' && !dra && !sim) {
        d.gpuCount = tensor * dataLocal;
        d.notes.push(`GPUs per pod ${d.gpuCount}: the chart requests parallelism.dataLocal x parallelism.tensor when the container's limits name none.`);
        // The chart and the controller supply /dev/shm; the values file does not show it.
        d.pod = { ...(d.pod ?? defaultPod()), countLabel: 'GPUs per pod (parallelism.dataLocal x tensor)', shm: 'unlimited' };
      }
      if (key && v) {
        d.gpu = null;
        d.notes = d.notes.filter((n) => !/names the GPU/.test(n));
        applyGpuCandidates(ctx, [{ key, value: v, node: v0 as Node }], d);
        finishGpu(ctx, d);
      } else if (roleAcc !== 'nvidia' && d.gpuOrigin === 'default') {
        // accelerator.type names a vendor (amd, intel-gaudi, google, ...): the workspace's default GPU is not it.
        d.gpu = null;
        d.notes = d.notes.filter((n) => !/names the GPU/.test(n));
        if (!d.unsized)
          d.unsized =
            roleAcc === 'cpu'
              ? 'accelerator.type is cpu; llm-sizer sizes accelerator serving only'
              : `accelerator.type ${roleAcc} names the vendor, not the accelerator model; name it with acceleratorTypes.labelKey / labelValues`;
      }
      if (dra && d.gpuCount === null) d.notes.push('DRA mode: the accelerators come from resource claims, so the count per pod is not in this file.');
      out.push(d);
    }
    return { deployments: out, diagnostics: ctx.diagnostics };
  },
};
