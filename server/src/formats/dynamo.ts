// NVIDIA Dynamo DynamoGraphDeployment: `spec.services.<Name>` workers (componentType worker, subComponentType
// prefill/decode) running `python -m dynamo.vllm` / `dynamo.sglang` with engine args; `resources.limits.gpu`.
import { setReplicas } from './nodes';
import { get, keyString, mapPairs } from '../yaml/yamlDoc';
import type { FormatAdapter } from './adapter';
import { applyEngineCommand } from './args';
import { ctxOf } from './k8s';
import { defaultPod, engineOfContainer, finishGpu, gpuFromPod, metaName, newDeployment, num, range, shmOf, str } from './k8sCommon';
import { unreadableTemplate } from './k8sCommon';
import type { Deployment } from './types';

export const dynamoAdapter: FormatAdapter = {
  format: 'dynamo',
  detect(doc) {
    if (unreadableTemplate(doc)) return false;
    const k = str(get(doc.contents, 'kind'));
    return (k === 'DynamoGraphDeployment' || k === 'DynamoComponentDeployment') && /nvidia\.com\//.test(str(get(doc.contents, 'apiVersion')) ?? '');
  },
  adapt(input) {
    const ctx = ctxOf(input);
    const root = input.doc.contents;
    const { name } = metaName(root);
    const base = name ?? `dynamo-${input.docIndex + 1}`;
    const out: Deployment[] = [];
    for (const p of mapPairs(get(get(root, 'spec'), 'services'))) {
      const svcName = keyString(p);
      const svc = p.value;
      const eps = get(svc, 'extraPodSpec');
      const main = get(eps, 'mainContainer');
      const cmd = main ? engineOfContainer(ctx, main) : null;
      if (!cmd) continue;
      const sub = str(get(svc, 'subComponentType'));
      const isPrefill = sub === 'prefill' || cmd.options.has('dynamo_is_prefill_worker') || /prefill/i.test(svcName);
      const role = sub ?? (isPrefill ? 'prefill' : /decode/i.test(svcName) ? 'decode' : svcName);
      const d = newDeployment(ctx, 'dynamo', `${base}/${role}`);
      if (role === 'prefill' || role === 'decode') d.role = role;
      const kr = range(ctx, p.key);
      if (kr) d.ranges.name = kr;
      applyEngineCommand(cmd, d, ctx.lc, ctx.diagnostics);
      const gpuNode = get(get(get(svc, 'resources'), 'limits'), 'gpu') ?? get(get(get(svc, 'resources'), 'requests'), 'gpu');
      const g = num(gpuNode);
      d.gpuCount = g !== null && g >= 1 ? Math.floor(g) : null;
      const gr = range(ctx, gpuNode);
      if (gr) d.ranges['hardware.count'] = gr;
      const shm = shmOf(ctx, eps, main);
      d.pod = { ...defaultPod(), countLabel: `resources.limits.gpu of ${svcName}`, shm: shm.shm === 'none' ? 'unlimited' : shm.shm, shmRange: shm.range };
      // multinode.nodeCount: the worker spans that many nodes, each with resources.limits.gpu GPUs.
      const ncNode = get(get(svc, 'multinode'), 'nodeCount');
      const nodes = num(ncNode);
      if (nodes !== null && Number.isSafeInteger(nodes) && nodes > 1 && d.gpuCount !== null) {
        d.gpusPerNode = d.gpuCount;
        d.gpuCount *= nodes;
        d.pod = { ...d.pod, podsPerGroup: nodes, countLabel: `GPUs of ${svcName} (multinode.nodeCount ${nodes} x ${d.gpusPerNode})` };
      }
      if (role === 'prefill' || role === 'decode') d.role = role;
      setReplicas(ctx, d, get(svc, 'replicas'));
      gpuFromPod(ctx, eps, d);
      finishGpu(ctx, d);
      out.push(d);
    }
    return { deployments: out, diagnostics: ctx.diagnostics };
  },
};
