// Ray Serve LLM configs: `applications[].args.llm_configs[]`, standalone or embedded as a YAML string in a KubeRay
// RayService `spec.serveConfigV2` (parsed on its own; ranges map back through the string into the outer file).
import { LineCounter, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { builtinCatalog } from '../catalog/index';
import { get, keyString, mapPairs, offsetRange } from '../yaml/yamlDoc';
import type { FormatAdapter } from './adapter';
import { ctxOf } from './k8s';
import type { Ctx } from './k8sCommon';
import { unreadableTemplate } from './k8sCommon';
import { newDeployment, num, seqItems, str } from './k8sCommon';
import { servingValue } from './servingKeys';
import { mapScalar, spanOf } from './scalarMap';
import type { MappedString } from './scalarMap';
import type { Deployment, Range } from './types';
import { VLLM_SIZING_OPTIONS, snake } from './vllmOptions';

type Ranger = (n: unknown) => Range | null;

/** The LLM builder args Ray Serve LLM reads: `llm_configs` (build_openai_app), `llm_config` (build_dp_openai_app and
 * friends), `prefill_config` / `decode_config` (build_pd_openai_app and the older prefill_decode_disagg builder). */
const LLM_ARGS = ['llm_configs', 'llm_config', 'prefill_config', 'decode_config'];

function hasLlmConfigs(root: unknown): boolean {
  return seqItems(get(root, 'applications')).some(
    (a) => LLM_ARGS.some((k) => get(get(a, 'args'), k) !== undefined) || /ray\.(serve\.)?llm/.test(str(get(a, 'import_path')) ?? ''),
  );
}

/** A bare LLMConfig file (what `llm_configs` entries point to): `model_loading_config` at the top with engine or
 * deployment settings, and nothing Kubernetes-shaped. */
function isBareLlmConfig(root: unknown): boolean {
  if (get(root, 'apiVersion') !== undefined || get(root, 'applications') !== undefined) return false;
  const mlc = get(root, 'model_loading_config');
  return (
    get(mlc, 'model_id') !== undefined &&
    ['engine_kwargs', 'accelerator_type', 'deployment_config', 'placement_group_config'].some((k) => get(root, k) !== undefined)
  );
}

export const rayServeAdapter: FormatAdapter = {
  format: 'ray-serve',
  detect(doc) {
    if (unreadableTemplate(doc)) return false;
    return hasLlmConfigs(doc.contents) || isBareLlmConfig(doc.contents);
  },
  adapt(input) {
    const ctx = ctxOf(input);
    const R: Ranger = (n) => {
      const r = (n as Node | undefined)?.range;
      return r ? offsetRange(ctx.lc, r[0], r[1]) : null;
    };
    const root = input.doc.contents;
    if (isBareLlmConfig(root)) return { deployments: [llmConfig(ctx, root, R, 'ray-serve', '', 0)], diagnostics: ctx.diagnostics };
    return { deployments: fromApplications(ctx, root, R, 'ray-serve', null), diagnostics: ctx.diagnostics };
  },
};

function embedded(doc: { contents: unknown }): { node: Node; inner: ReturnType<typeof parseDocument> } | null {
  const api = str(get(doc.contents, 'apiVersion')) ?? '';
  if (!/^ray\.io\//.test(api) || str(get(doc.contents, 'kind')) !== 'RayService') return null;
  const node = get(get(doc.contents, 'spec'), 'serveConfigV2');
  const text = str(node);
  if (!node || !text || /\{\{/.test(text)) return null;
  const inner = parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: false });
  if (inner.errors.length || !hasLlmConfigs(inner.contents)) return null;
  return { node, inner };
}

export const rayServiceAdapter: FormatAdapter = {
  format: 'rayservice',
  detect(doc) {
    if (unreadableTemplate(doc)) return false;
    return embedded(doc) !== null;
  },
  adapt(input) {
    const ctx = ctxOf(input);
    const e = embedded(input.doc)!;
    const ms = mapScalar(ctx.src, e.node) as MappedString;
    // Inner offsets index the string's value; map them through the scalar into the outer file.
    const R: Ranger = (n) => {
      const r = (n as Node | undefined)?.range;
      if (!r) return null;
      const [a, b] = spanOf(ms, r[0], Math.max(r[0] + 1, r[1]));
      return offsetRange(ctx.lc, a, b);
    };
    const name = str(get(get(input.doc.contents, 'metadata'), 'name'));
    return { deployments: fromApplications(ctx, e.inner.contents, R, 'rayservice', name), diagnostics: ctx.diagnostics };
  },
};

function fromApplications(ctx: Ctx, root: unknown, R: Ranger, format: string, outerName: string | null): Deployment[] {
  const out: Deployment[] = [];
  for (const app of seqItems(get(root, 'applications'))) {
    const appName = str(get(app, 'name')) ?? 'app';
    const prefix = `${outerName ? outerName + '/' : ''}${appName}`;
    const args = get(app, 'args');
    const cfgs = get(args, 'llm_configs');
    seqItems(cfgs).forEach((c, i) => {
      if (str(c) !== null) {
        // The LLMConfig lives in another file: found, and said why it is not sized here (never dropped silently).
        const d = newDeployment(ctx, format, `${prefix}/${str(c)}`);
        const r = R(c);
        if (r) d.ranges.name = r;
        d.unsized = `llm_configs entry "${str(c)}" is a file path; open that file to size it`;
        out.push(d);
        return;
      }
      out.push(llmConfig(ctx, c, R, format, prefix, i));
    });
    // build_dp_openai_app and the other single-model builders: one LLMConfig under `llm_config`.
    const one = get(args, 'llm_config');
    if (one !== undefined && str(one) === null) out.push(llmConfig(ctx, one, R, format, prefix, 0));
    // Prefill/decode disaggregation: each role is its own LLMConfig with its own replicas and parallelism.
    for (const role of ['prefill', 'decode'] as const) {
      const c = get(args, `${role}_config`);
      if (c === undefined || str(c) !== null) continue;
      const d = llmConfig(ctx, c, R, format, prefix, 0);
      d.name = `${prefix}/${role}`;
      d.role = role;
      out.push(d);
    }
  }
  return out;
}

function llmConfig(ctx: Ctx, c: unknown, R: Ranger, format: string, prefix: string, i: number): Deployment {
  const mlc = get(c, 'model_loading_config');
  const idNode = get(mlc, 'model_id');
  const srcNode = get(mlc, 'model_source');
  const modelNode = str(srcNode) !== null ? srcNode : idNode;
  const d = newDeployment(ctx, format, prefix ? `${prefix}/${str(idNode) ?? i}` : (str(idNode) ?? 'llm_config'));
  const m = str(modelNode);
  if (m) {
    // Remote storage (s3://bucket/models/<name>) is a path like a container's: its last segment, or the served
    // model_id, may name a catalog model; it is never read.
    const remote = /^(s3|gs|gcs):\/\//.test(m);
    d.model = remote || /^[./~]/.test(m) ? { kind: 'path', path: m } : { kind: 'id', id: m };
    if (remote) {
      d.notes.push(`model_source ${m} is remote storage: the model is known only if its name or model_id names a catalog model.`);
      const id = str(idNode);
      if (id) d.servedModelName = id;
    }
  } else if (get(srcNode, 'bucket_uri') !== undefined) {
    // model_source: {bucket_uri: s3://...} (CloudMirrorConfig): the weights come from a bucket, the id is a served name.
    const b = str(get(srcNode, 'bucket_uri')) ?? 'a bucket';
    d.notes.push(`model_source.bucket_uri ${b} is remote storage: add the model to the catalog to size it.`);
    d.unsized = `the model is read from remote storage (${b}); name it with a catalog id or add it to .llm-sizer/models/`;
  }
  const set = (path: string, n: unknown) => {
    const r = R(n);
    if (r) d.ranges[path] = r;
  };
  set('model', modelNode);
  set('name', idNode);
  d.serving.engine = 'vllm';
  d.serving.apiServer = true;
  const ek = get(c, 'engine_kwargs');
  const serving = d.serving as Record<string, unknown>;
  for (const p of mapPairs(ek)) {
    const k = snake(keyString(p));
    const key = VLLM_SIZING_OPTIONS[k];
    if (!key) continue;
    set(`serving.${k}`, p.value);
    const kr = R(p.key);
    if (kr) d.keyRanges[`serving.${k}`] = kr;
    const raw = (p.value as { value?: unknown } | null)?.value;
    const v = servingValue(key, typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw);
    if (v === undefined)
      ctx.diagnostics.push({
        code: 'invalid-value',
        severity: 'error',
        message: `engine_kwargs.${k} has a value vLLM will not accept.`,
        range: R(p.value) ?? ctx.docRange,
      });
    else serving[key] = v;
  }
  const accNode = get(c, 'accelerator_type');
  const acc = str(accNode);
  if (acc) {
    const e = builtinCatalog().findGpuEntry(acc) ?? builtinCatalog().findGpuEntry(acc.replace(/-(\d+)G$/i, '-$1GB'));
    d.gpu = e?.id ?? acc;
    d.gpuOrigin = 'stated';
    set('hardware.gpu', accNode);
  } else {
    d.gpu = ctx.defaultGpu;
    d.notes.push(
      ctx.defaultGpu
        ? `No accelerator_type: sized on the default GPU "${ctx.defaultGpu}" (setting llmSizer.defaultGpu).`
        : 'No accelerator_type and no default GPU is set (setting llmSizer.defaultGpu).',
    );
  }
  const dc = get(c, 'deployment_config');
  const asc = get(dc, 'autoscaling_config');
  // num_replicas: auto turns on autoscaling with Ray's defaults; the floor then comes from autoscaling_config.
  const nr = get(dc, 'num_replicas');
  const auto = str(nr) === 'auto' || (nr === undefined && asc !== undefined);
  const repNode = (str(nr) === 'auto' ? undefined : nr) ?? get(asc, 'min_replicas') ?? get(asc, 'initial_replicas');
  const rep = num(repNode);
  if (rep !== null) {
    d.replicas = Math.max(0, Math.floor(rep));
    set('replicas', repNode);
  } else if (repNode !== undefined && repNode !== null) d.replicasUnknown = `num_replicas is ${JSON.stringify(str(repNode) ?? 'not a number')}`;
  // Autoscaling (num_replicas: auto, or an autoscaling_config): the ceiling is max_replicas when the file states it.
  const maxNode = get(asc, 'max_replicas');
  const max = num(maxNode);
  if (auto) {
    d.replicasMax = max !== null ? Math.max(d.replicas, Math.floor(max)) : null;
    if (d.replicasMax === d.replicas) delete d.replicasMax;
  }
  if (max !== null) d.notes.push(`Autoscaling from ${d.replicas} to ${max} replicas; each replica uses tp x pp GPUs placed by Ray.`);
  return d;
}
