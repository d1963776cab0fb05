// vLLM production-stack Helm values: `servingEngineSpec.modelSpec[]`, one deployment per model. The chart renders
// `vllmConfig.*` into vLLM flags and appends `extraArgs`; settings it does not read are warned about
// ('setting-ignored').
import type { Node } from 'yaml';
import { get, keyString, mapPairs } from '../yaml/yamlDoc';
import type { FormatAdapter } from './adapter';
import type { Arg } from './args';
import { applyEngineCommand, parseEngineArgs } from './args';
import { ctxOf } from './k8s';
import type { Ctx } from './k8sCommon';
import { unreadableTemplate } from './k8sCommon';
import { applyGpuCandidates, argOf, defaultPod, finishGpu, isTemplated, newDeployment, num, quantityBytes, range, seqItems, str } from './k8sCommon';
import { setReplicas } from './nodes';
import type { Deployment } from './types';
import { CHART_SIZING_KEYS, VLLM_SIZING_OPTIONS, servingValue } from './servingKeys';

/**
 * vllmConfig keys the chart renders: the sizing ones (servingKeys.ts, with the vLLM option each becomes) and the rest
 * (null: rendered, but they do not change the sizing).
 */
export const CHART_VLLM_CONFIG: Readonly<Record<string, string | null>> = {
  ...CHART_SIZING_KEYS,
  enableChunkedPrefill: null,
  maxLoras: null,
  // Read by helm/templates/deployment-vllm-multi.yaml too (checked against the chart at vllm-project/production-stack
  // a6c01db): --runner, --convert, and the PROMETHEUS_MULTIPROC_DIR env.
  runner: null,
  convert: null,
  prometheusMultiprocDir: null,
  extraArgs: null,
  v1: null,
  v0: null,
  port: null,
  host: null,
};

export const productionStackAdapter: FormatAdapter = {
  format: 'production-stack',
  detect(doc) {
    if (unreadableTemplate(doc)) return false;
    const ms = get(get(doc.contents, 'servingEngineSpec'), 'modelSpec');
    return seqItems(ms).some((m) => get(m, 'modelURL') !== undefined || get(m, 'vllmConfig') !== undefined);
  },
  adapt(input) {
    const ctx = ctxOf(input);
    const spec = get(input.doc.contents, 'servingEngineSpec');
    const out: Deployment[] = [];
    seqItems(get(spec, 'modelSpec')).forEach((m, i) => out.push(modelSpec(ctx, spec, m, i)));
    return { deployments: out, diagnostics: ctx.diagnostics };
  },
};

function modelSpec(ctx: Ctx, spec: unknown, m: unknown, i: number): Deployment {
  const nameNode = get(m, 'name');
  const d = newDeployment(ctx, 'production-stack', str(nameNode) ?? `modelSpec[${i}]`);
  const nr = range(ctx, nameNode);
  if (nr) d.ranges.name = nr;
  d.serving.engine = 'vllm';
  d.serving.apiServer = true;
  const url = get(m, 'modelURL');
  const u = str(url);
  if (u && !isTemplated(u)) d.model = /^[./~]/.test(u) ? { kind: 'path', path: u } : { kind: 'id', id: u };
  const ur = range(ctx, url);
  if (ur) d.ranges.model = ur;
  const tag = str(get(m, 'tag'));
  const tv = tag ? /^v?(\d+\.\d+(?:\.\d+)?)$/.exec(tag) : null;
  if (tv) {
    d.serving.engineVersion = tv[1];
    const r = range(ctx, get(m, 'tag'));
    if (r) d.ranges['serving.engine_version'] = r;
  }
  const vc = get(m, 'vllmConfig');
  const serving = d.serving as Record<string, unknown>;
  // raySpec.enabled: helm/templates/ray-cluster.yaml renders a RayCluster (head + replicaCount workers) instead.
  const ray = /^true$/i.test(str(get(get(m, 'raySpec'), 'enabled')) ?? '');
  for (const p of mapPairs(vc)) {
    const k = keyString(p);
    const kr = range(ctx, p.key);
    if (k === 'pipelineParallelSize' && !ray) {
      // Only ray-cluster.yaml renders --pipeline-parallel-size; deployment-vllm-multi.yaml never reads it.
      ctx.diagnostics.push({
        code: 'setting-ignored',
        severity: 'warning',
        message:
          'The production-stack chart reads vllmConfig.pipelineParallelSize only with raySpec.enabled (templates/ray-cluster.yaml); this modelSpec renders a plain Deployment, so vLLM never sees it. Enable raySpec or pass "--pipeline-parallel-size" in vllmConfig.extraArgs.',
        range: kr ?? ctx.docRange,
        data: { key: k, flag: '--pipeline-parallel-size' },
      });
      continue;
    }
    if (!(k in CHART_VLLM_CONFIG)) {
      const snakeK = k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      ctx.diagnostics.push({
        code: 'setting-ignored',
        severity: 'warning',
        message: `The production-stack chart does not read vllmConfig.${k}; vLLM never sees it. Pass it in vllmConfig.extraArgs as "--${snakeK.replace(/_/g, '-')}".`,
        range: kr ?? ctx.docRange,
        data: { key: k, flag: `--${snakeK.replace(/_/g, '-')}` },
      });
      continue;
    }
    const opt = CHART_VLLM_CONFIG[k];
    if (!opt) continue;
    const key = VLLM_SIZING_OPTIONS[opt];
    const path = `serving.${opt}`;
    const vr = range(ctx, p.value);
    if (vr) d.ranges[path] = vr;
    if (kr) d.keyRanges[path] = kr;
    const raw = get(vc, k);
    let v: unknown =
      str(raw) !== null && typeof (raw as { value?: unknown }).value === 'string' && /^\d+(\.\d+)?$/.test(str(raw)!)
        ? Number(str(raw))
        : (raw as { value?: unknown })?.value;
    v = servingValue(key, v);
    if (v === undefined)
      ctx.diagnostics.push({
        code: 'invalid-value',
        severity: 'error',
        message: `vllmConfig.${k} has a value vLLM will not accept.`,
        range: vr ?? ctx.docRange,
      });
    else serving[key] = v;
  }
  // extraArgs: a list of argv words appended to the command line.
  const extra = get(vc, 'extraArgs') ?? get(m, 'extraArgs');
  const words: Arg[] = [];
  for (const it of seqItems(extra)) {
    const a = argOf(ctx, it);
    if (!a) continue;
    if (/^--?[\w-]+ +\S/.test(a.text)) {
      ctx.diagnostics.push({
        code: 'setting-ignored',
        severity: 'warning',
        message: `"${a.text}" is one argument: the chart passes each extraArgs item as a single word, so vLLM sees an option named "${a.text}" and refuses it. Split it into two items.`,
        range: range(ctx, it) ?? ctx.docRange,
      });
      continue;
    }
    words.push(a);
  }
  if (words.length) {
    const cmd = parseEngineArgs('vllm', 'production-stack extraArgs', words[0].span(0, 0), words, () => undefined, false);
    // extraArgs come after the chart's own flags, so vLLM (argparse: last one wins) honours them. The one thing the
    // chart derives from a vllmConfig key is the /dev/shm volume (tensorParallelSize); shm-too-small covers it.
    const mr = d.ranges.model;
    const model = d.model;
    applyEngineCommand(cmd, d, ctx.lc, ctx.diagnostics);
    d.model = model ?? d.model;
    if (mr) d.ranges.model = mr;
  }
  // GPUs per pod and replicas.
  const rg = get(m, 'requestGPU');
  const g = num(rg);
  d.gpuCount = g !== null && g >= 1 ? Math.floor(g) : null;
  const rgr = range(ctx, rg);
  if (rgr) d.ranges['hardware.count'] = rgr;
  const gpuType = str(get(m, 'requestGPUType'));
  if (gpuType && /mig-/.test(gpuType)) d.notes.push(`requestGPUType ${gpuType}: a MIG slice; sized as the whole GPU.`);
  // The chart mounts an emptyDir Memory /dev/shm (sizeLimit shmSize, default 20Gi) only when vllmConfig has
  // tensorParallelSize (deployment-vllm-multi.yaml, ray-cluster.yaml).
  const shmQ = str(get(m, 'shmSize'));
  const hasTpKey = get(vc, 'tensorParallelSize') !== undefined;
  const shmB = quantityBytes(shmQ ?? '20Gi');
  d.pod = {
    ...defaultPod(),
    countLabel: 'requestGPU',
    shm: hasTpKey ? (shmB ?? 'unlimited') : 'none',
    shmRange: range(ctx, get(m, 'shmSize')) ?? range(ctx, nameNode),
  };
  // No requestGPU (or 0): _helpers.tpl chart.resources renders no GPU request.
  if (g === null || g < 1) d.pod = { ...d.pod, requestsAccelerator: !!str(rg) && !/^\d+(\.\d+)?$/.test(str(rg) ?? ''), engineRange: range(ctx, nameNode) };
  if (ray) {
    // RayCluster: a head (raySpec.headNode.requestGPU) plus replicaCount workers of requestGPU each serve one model.
    const head = num(get(get(get(m, 'raySpec'), 'headNode'), 'requestGPU')) ?? 0;
    const workers = Math.max(0, Math.floor(num(get(m, 'replicaCount')) ?? 1));
    if (d.gpuCount !== null) {
      d.gpusPerNode = d.gpuCount;
      d.gpuCount = head + workers * d.gpuCount;
      d.pod = { ...d.pod, podsPerGroup: 1 + workers, countLabel: `GPUs of the Ray cluster (head ${head} + ${workers} workers x ${d.gpusPerNode})` };
    }
  }
  // replicaCount: engine pods (the chart's default 1); with a Ray cluster it counts the workers of one engine instead.
  if (ray) d.replicas = 1;
  else setReplicas(ctx, d, get(m, 'replicaCount'), 'replicaCount');
  // GPU type: nodeSelectorTerms (chart) or nodeSelector.
  const cands: { key: string; value: string; node: Node }[] = [];
  for (const t of seqItems(get(m, 'nodeSelectorTerms'))) {
    for (const e of seqItems(get(t, 'matchExpressions'))) {
      const key = str(get(e, 'key'));
      const v0 = seqItems(get(e, 'values'))[0];
      const v = str(v0);
      if (key && v && str(get(e, 'operator')) === 'In') cands.push({ key, value: v, node: v0 });
    }
  }
  for (const p of mapPairs(get(m, 'nodeSelector') ?? get(spec, 'nodeSelector'))) {
    const v = str(p.value);
    if (v) cands.push({ key: keyString(p), value: v, node: p.value as Node });
  }
  applyGpuCandidates(ctx, cands, d);
  finishGpu(ctx, d);
  return d;
}
