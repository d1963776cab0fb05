// KubeAI Model: `spec.url: hf://org/model`, `engine: VLLM`, `args`, `resourceProfile: nvidia-gpu-l4:1`, replicas.
import { get } from '../yaml/yamlDoc';
import type { FormatAdapter } from './adapter';
import type { Arg } from './args';
import { applyEngineCommand, parseEngineArgs } from './args';
import { ctxOf } from './k8s';
import { argOf, defaultPod, finishGpu, metaName, newDeployment, num, range, resolveGpuLabel, seqItems, str } from './k8sCommon';
import { unreadableTemplate } from './k8sCommon';
import { setReplicaBounds, setReplicas } from './nodes';
import { mapScalar, spanOf } from './scalarMap';
import { offsetRange } from '../yaml/yamlDoc';

export const kubeaiAdapter: FormatAdapter = {
  format: 'kubeai',
  detect(doc) {
    if (unreadableTemplate(doc)) return false;
    return /^kubeai\.org\//.test(str(get(doc.contents, 'apiVersion')) ?? '') && str(get(doc.contents, 'kind')) === 'Model';
  },
  adapt(input) {
    const ctx = ctxOf(input);
    const root = input.doc.contents;
    const spec = get(root, 'spec');
    const { name, node } = metaName(root);
    const d = newDeployment(ctx, 'kubeai', name ?? `model-${input.docIndex + 1}`);
    const nr = range(ctx, node);
    if (nr) d.ranges.name = nr;
    const engine = str(get(spec, 'engine')) ?? 'VLLM';
    if (engine !== 'VLLM') {
      d.notes.push(`engine ${engine}: llm-sizer sizes vLLM only.`);
      return { deployments: [], diagnostics: [] };
    }
    const args = seqItems(get(spec, 'args'))
      .map((n) => argOf(ctx, n))
      .filter((a): a is Arg => !!a);
    const cmd = parseEngineArgs('vllm', 'KubeAI vLLM', [0, 0], args, () => undefined, false);
    applyEngineCommand(cmd, d, ctx.lc, ctx.diagnostics);
    const urlNode = get(spec, 'url');
    const url = str(urlNode);
    if (url) {
      const m = /^(hf|ollama|s3|gs|oss|pvc):\/\/(.+)$/.exec(url);
      if (m && m[1] === 'hf') {
        d.model = { kind: 'id', id: m[2] };
        const ms = mapScalar(ctx.src, urlNode);
        if (ms) {
          const [a, b] = spanOf(ms, 5, url.length);
          d.ranges.model = offsetRange(ctx.lc, a, b);
        }
      } else {
        d.notes.push(`Model from ${url}: not a Hugging Face id, so it cannot be sized from the catalog.`);
        const r = range(ctx, urlNode);
        if (r) d.ranges.model = r;
      }
    }
    // resourceProfile: <profile>:<count>, e.g. nvidia-gpu-l4:1, nvidia-gpu-h100:8, amd-gpu-mi300x:1.
    const rpNode = get(spec, 'resourceProfile');
    const rp = str(rpNode);
    const pm = rp ? /^(.+):(\d+)$/.exec(rp) : null;
    if (pm && rpNode) {
      const ms = mapScalar(ctx.src, rpNode)!;
      const prof = pm[1];
      const gpuName = prof.replace(/^(nvidia|amd)-gpu-/, '');
      const id = /^cpu/.test(prof) ? null : (resolveGpuLabel(gpuName) ?? resolveGpuLabel(`${prof.split('-')[0]}-${gpuName}`));
      if (id) {
        d.gpu = id;
        d.gpuOrigin = 'stated';
        const [a, b] = spanOf(ms, 0, prof.length);
        d.ranges['hardware.gpu'] = offsetRange(ctx.lc, a, b);
      } else d.notes.push(`resourceProfile ${prof} names no GPU llm-sizer knows; KubeAI maps profiles in its Helm values.`);
      d.gpuCount = Number(pm[2]);
      const [a, b] = spanOf(ms, prof.length + 1, rp!.length);
      d.ranges['hardware.count'] = offsetRange(ctx.lc, a, b);
      d.pod = { ...defaultPod(), countLabel: 'resourceProfile GPU count', shm: 'unlimited' };
    }
    // KubeAI's autoscaler moves replicas between minReplicas and maxReplicas; a stated `replicas` alone is a fixed count.
    const rep = get(spec, 'replicas') ?? get(spec, 'minReplicas');
    const rv = num(rep);
    if (get(spec, 'maxReplicas') !== undefined || get(spec, 'replicas') === undefined)
      setReplicaBounds(ctx, d, rep, get(spec, 'maxReplicas'), 1, [get(spec, 'replicas') !== undefined ? 'replicas' : 'minReplicas', 'maxReplicas']);
    else setReplicas(ctx, d, rep, get(spec, 'replicas') !== undefined ? 'replicas' : 'minReplicas');
    if (rv === 0) d.notes.push('minReplicas 0: scales to zero when idle; sized per replica.');
    finishGpu(ctx, d);
    return { deployments: [d], diagnostics: ctx.diagnostics };
  },
};
