// KServe InferenceService (huggingface / vLLM runtimes; `workerSpec` multi-node) and LLMInferenceService
// (`spec.parallelism`, `prefill` / decode pools).
import { setReplicaBounds, setReplicas } from './nodes';
import type { Node } from 'yaml';
import { get, keyString, mapPairs, toPlain } from '../yaml/yamlDoc';
import type { FormatAdapter } from './adapter';
import { applyEngineCommand, parseEngineArgs } from './args';
import type { Arg, EngineCommand } from './args';
import { ctxOf } from './k8s';
import type { Ctx } from './k8sCommon';
import { unreadableTemplate } from './k8sCommon';
import {
  uriModelRange,
  argOf,
  defaultPod,
  engineOfContainer,
  envOf,
  finishGpu,
  gpuFromPod,
  gpuResources,
  metaName,
  newDeployment,
  num,
  range,
  seqItems,
  shellOf,
  shmOf,
  str,
} from './k8sCommon';
import type { Deployment } from './types';
import { mapScalar, spanOf } from './scalarMap';
import { findEngineCommand, shellArgs } from './args';

/**
 * vLLM flags passed through the VLLM_ADDITIONAL_ARGS env var: KServe's LLMInferenceService config template runs
 * `vllm serve /mnt/models ... ${VLLM_ADDITIONAL_ARGS} $@` (config/llmisvcconfig/config-llm-template.yaml), so its
 * words are vLLM flags like any other; the model the resource names stays the model.
 */
function applyAdditionalArgs(ctx: Ctx, container: unknown, d: Deployment): void {
  for (const e of seqItems(get(container, 'env'))) {
    if (str(get(e, 'name')) !== 'VLLM_ADDITIONAL_ARGS') continue;
    const vn = get(e, 'value');
    const ms = vn !== undefined ? mapScalar(ctx.src, vn) : null;
    if (!ms) {
      d.notes.push('VLLM_ADDITIONAL_ARGS comes from valueFrom; the flags it adds are unknown.');
      continue;
    }
    const words = shellArgs(ms).flatMap((c) => c.words);
    if (!words.length) continue;
    const cmd = parseEngineArgs('vllm', 'VLLM_ADDITIONAL_ARGS', words[0].span(0, 0), words, envOf(ctx, container).lookup, false);
    const m = d.model;
    const mr = d.ranges.model;
    applyEngineCommand(cmd, d, ctx.lc, ctx.diagnostics);
    if (m) {
      d.model = m;
      if (mr) d.ranges.model = mr;
    }
  }
}

function argsOf(ctx: Ctx, node: unknown): Arg[] {
  return seqItems(get(node, 'args'))
    .map((n) => argOf(ctx, n))
    .filter((a): a is Arg => !!a);
}

/** The predictor's engine: `model` (runtime with args), or a custom container. */
function predictorEngine(ctx: Ctx, predictor: unknown): { cmd: EngineCommand; container: Node; modelFormat: string | null } | null {
  const model = get(predictor, 'model');
  if (model) {
    const fmt = str(get(get(model, 'modelFormat'), 'name'));
    const env = envOf(ctx, model);
    const argv = [...seqItems(get(model, 'command')), ...seqItems(get(model, 'args'))].map((n) => argOf(ctx, n)).filter((a): a is Arg => !!a);
    let cmd = argv.length ? findEngineCommand(argv, env.lookup, null, 0, shellOf(ctx)) : null;
    if (!cmd && (fmt === 'huggingface' || fmt === 'vllm' || /vllm|huggingface/i.test(str(get(model, 'runtime')) ?? ''))) {
      // The huggingface server takes `--model_id` / `--model_name` and passes vLLM engine flags through.
      const args = argsOf(ctx, model);
      const span = (model as Node).range ?? [0, 0, 0];
      cmd = parseEngineArgs('vllm', 'KServe huggingface runtime (vLLM backend)', [span[0], span[0]], args, env.lookup, false, {
        model_id: 'model',
        model_name: 'served_model_name',
      });
      // storageUri hf://org/model names the model when no --model_id does.
      const su = get(model, 'storageUri');
      const s = str(su);
      if (!cmd.model && s && /^hf:\/\//.test(s) && su) {
        const ms = mapScalar(ctx.src, su)!;
        cmd.model = { text: s.slice(5), span: spanOf(ms, 5, s.length) };
      }
      cmd.options.delete('model_name');
    }
    if (cmd) return { cmd, container: model, modelFormat: fmt };
  }
  for (const c of seqItems(get(predictor, 'containers'))) {
    const cmd = engineOfContainer(ctx, c);
    if (cmd) return { cmd, container: c, modelFormat: null };
  }
  return null;
}

export const kserveAdapter: FormatAdapter = {
  format: 'kserve',
  detect(doc) {
    if (unreadableTemplate(doc)) return false;
    const api = str(get(doc.contents, 'apiVersion')) ?? '';
    const kind = str(get(doc.contents, 'kind'));
    if (!/^serving\.kserve\.io\//.test(api) || kind !== 'InferenceService') return false;
    const pred = get(get(doc.contents, 'spec'), 'predictor');
    const fmt = str(get(get(get(pred, 'model'), 'modelFormat'), 'name'));
    return fmt === 'huggingface' || fmt === 'vllm' || /vllm|sglang|text-generation|huggingface/i.test(JSON.stringify(toPlain(pred) ?? ''));
  },
  adapt(input) {
    const ctx = ctxOf(input);
    const root = input.doc.contents;
    const pred = get(get(root, 'spec'), 'predictor');
    const { name, node } = metaName(root);
    const base = name ?? `inferenceservice-${input.docIndex + 1}`;
    const pe = predictorEngine(ctx, pred);
    if (!pe) return { deployments: [], diagnostics: [] };
    const d = newDeployment(ctx, 'kserve', base);
    applyEngineCommand(pe.cmd, d, ctx.lc, ctx.diagnostics);
    applyAdditionalArgs(ctx, pe.container, d);
    // The runtime serves the storage initializer's download (/mnt/models) of storageUri: with no model on the
    // command line, the URI is what the file states about the model (s3://bucket/org--name, pvc://claim/dir, ...).
    const su = get(pe.container, 'storageUri');
    const sus = str(su);
    if (!d.model && sus && !/^hf:\/\//.test(sus)) {
      d.model = { kind: 'path', path: sus };
      const r = range(ctx, su);
      if (r) d.ranges.model = r;
    }
    const perPod = gpuResources(ctx, pe.container, d, 'per pod');
    // A runtime-based predictor gets its volumes (and /dev/shm) from the ServingRuntime, which this file does not show.
    const shm = pe.container === get(pred, 'model') ? { shm: 'unlimited' as const, range: null } : shmOf(ctx, pred, pe.container);
    d.pod = { ...(d.pod ?? defaultPod()), shm: shm.shm, shmRange: shm.range };
    d.gpuCount = perPod;
    const ws = get(pred, 'workerSpec');
    if (ws) {
      // Multi-node: head + workers; tensorParallelSize / pipelineParallelSize may be stated here.
      for (const [k, key, path] of [
        ['tensorParallelSize', 'tp', 'serving.tensor_parallel_size'],
        ['pipelineParallelSize', 'pp', 'serving.pipeline_parallel_size'],
      ] as const) {
        const n = get(ws, k);
        const v = num(n);
        if (v !== null) {
          (d.serving as Record<string, unknown>)[key] = v;
          const r = range(ctx, n);
          if (r) d.ranges[path] = r;
        }
      }
      const workerC = seqItems(get(ws, 'containers'))[0];
      const probe: Deployment = { ...d, ranges: {}, keyRanges: {}, notes: [] };
      const wg = workerC ? gpuResources(ctx, workerC, probe, 'per pod') : null;
      const pp = d.serving.pp ?? 1;
      const pods = pp > 1 ? pp : 1 + (num(get(ws, 'size')) ?? 1);
      const per = perPod ?? wg;
      if (per !== null) {
        d.gpusPerNode = per;
        d.gpuCount = per * pods;
        d.pod = { ...d.pod!, podsPerGroup: pods, countLabel: `GPUs across head + workers (${pods} pods x ${per})` };
      }
      gpuFromPod(ctx, ws, d);
    }
    gpuFromPod(ctx, pred, d);
    const nr = range(ctx, node);
    if (nr) d.ranges.name = nr;
    // KServe autoscales the predictor from minReplicas (default 1) to maxReplicas (no ceiling the file states when unset).
    setReplicaBounds(ctx, d, get(pred, 'minReplicas'), get(pred, 'maxReplicas'), 1, ['minReplicas', 'maxReplicas'], 1);
    finishGpu(ctx, d);
    return { deployments: [d], diagnostics: ctx.diagnostics };
  },
};

/** LLMInferenceService (KServe / llm-d): `model.uri`, `replicas`, `parallelism`, optional `prefill` block. */
export const llmInferenceServiceAdapter: FormatAdapter = {
  format: 'kserve-llm',
  detect(doc) {
    if (unreadableTemplate(doc)) return false;
    return /^serving\.kserve\.io\//.test(str(get(doc.contents, 'apiVersion')) ?? '') && str(get(doc.contents, 'kind')) === 'LLMInferenceService';
  },
  adapt(input) {
    const ctx = ctxOf(input);
    const root = input.doc.contents;
    const spec = get(root, 'spec');
    const { name } = metaName(root);
    const base = name ?? `llminferenceservice-${input.docIndex + 1}`;
    const prefill = get(spec, 'prefill');
    const roles: [string, unknown][] = prefill
      ? [
          ['prefill', prefill],
          ['decode', spec],
        ]
      : [['', spec]];
    const uri = get(get(spec, 'model'), 'uri');
    // spec.model.name is the name the runtime serves the model under (its --served-model-name): a Hugging Face id when
    // the uri is a volume (pvc://...), so the model resolves by it as by a served model name.
    const modelName = str(get(get(spec, 'model'), 'name'));
    const out: Deployment[] = roles.map(([role, node]) => {
      const d = roleDeployment(ctx, 'kserve-llm', role ? `${base}/${role}` : base, uri, node, get(node, 'template'));
      if (role === 'prefill' || role === 'decode') d.role = role;
      if (modelName && !d.servedModelName) d.servedModelName = modelName;
      return d;
    });
    return { deployments: out, diagnostics: ctx.diagnostics };
  },
};

/** One serving pool from a block with `replicas`, `parallelism`, `template` (pod spec) and the shared model. */
export function roleDeployment(ctx: Ctx, format: string, name: string, uri: unknown, node: unknown, pod: unknown): Deployment {
  const d = newDeployment(ctx, format, name);
  const u = str(uri);
  if (u) {
    const id = u.replace(/^(hf|huggingface):\/\//, '');
    // Storage URIs are what the file states about the model: kept as a path for model resolution by name.
    d.model = /^(pvc|s3|gs|oci):\/\//.test(u) ? { kind: 'path', path: u } : { kind: 'id', id };
    const r = uriModelRange(ctx, uri);
    if (r) d.ranges.model = r;
  }
  let engineFound = false;
  for (const c of seqItems(get(pod, 'containers'))) {
    const cmd = engineOfContainer(ctx, c);
    const gpus = gpuResources(ctx, c, d, 'per pod');
    if (cmd) {
      const m = d.model;
      const mr = d.ranges.model;
      applyEngineCommand(cmd, d, ctx.lc, ctx.diagnostics);
      if (!d.model && m) {
        d.model = m;
        if (mr) d.ranges.model = mr;
      }
      engineFound = true;
    }
    if (gpus !== null) {
      d.gpuCount = gpus;
      const shm = shmOf(ctx, pod, c);
      d.pod = { ...(d.pod ?? defaultPod()), shm: shm.shm, shmRange: shm.range };
    }
  }
  // Container args that are just flags (the runtime supplies `vllm serve`).
  if (!engineFound) {
    for (const c of seqItems(get(pod, 'containers'))) {
      const args = argsOf(ctx, c);
      if (args.length && args[0].text.startsWith('-')) {
        const cmd = parseEngineArgs('vllm', 'vllm serve (runtime)', args[0].span(0, 0), args, envOf(ctx, c).lookup, false);
        const m = d.model;
        applyEngineCommand(cmd, d, ctx.lc, ctx.diagnostics);
        d.model = d.model ?? m;
      }
    }
  }
  for (const c of seqItems(get(pod, 'containers'))) applyAdditionalArgs(ctx, c, d);
  const par = get(node, 'parallelism');
  for (const [k, key, path] of [
    ['tensor', 'tp', 'serving.tensor_parallel_size'],
    ['pipeline', 'pp', 'serving.pipeline_parallel_size'],
    ['data', 'dp', 'serving.data_parallel_size'],
    ['dataLocal', null, null],
    ['expert', 'expertParallel', 'serving.enable_expert_parallel'],
  ] as const) {
    const n = get(par, k);
    if (n === undefined || !key || !path) continue;
    const v = key === 'expertParallel' ? get(par, k) && /^(true)$/i.test(str(n) ?? '') : num(n);
    if (v === null) continue;
    (d.serving as Record<string, unknown>)[key] = v;
    const r = range(ctx, n);
    if (r) d.ranges[path] = r;
    const kp = mapPairs(par).find((p) => keyString(p) === k);
    const kr = kp ? range(ctx, kp.key) : null;
    if (kr) d.keyRanges[path] = kr;
  }
  // With data parallelism across pods (dataLocal), one pod holds tp x dataLocal GPUs.
  const dl = num(get(par, 'dataLocal'));
  if (dl !== null && d.serving.dp && d.serving.dp > dl) {
    d.notes.push(`data parallel ${d.serving.dp} over pods of ${dl} local ranks: each pod holds tp x ${dl} GPUs.`);
    d.serving.dp = dl;
  }
  // Engine flags in VLLM_ADDITIONAL_ARGS (the LLMInferenceService runtime appends them) are not read here: the
  // parallel layout is unknown rather than vLLM's default of 1.
  const extra = seqItems(get(pod, 'containers'))
    .map((c) => seqItems(get(c, 'env')).find((e) => str(get(e, 'name')) === 'VLLM_ADDITIONAL_ARGS'))
    .find((e) => e);
  if (extra && d.serving.tp === undefined && /--(tensor|pipeline|data)-parallel-size|(^|\s)-(tp|pp|dp)\b/.test(str(get(extra, 'value')) ?? '')) {
    (d.unresolved ??= []).push({
      path: 'serving.tensor_parallel_size',
      text: 'VLLM_ADDITIONAL_ARGS',
      reason: 'the parallel sizes are passed in env VLLM_ADDITIONAL_ARGS, which this version does not read',
      range: range(ctx, get(extra, 'name')),
    });
  }
  setReplicas(ctx, d, get(node, 'replicas'));
  if (pod) gpuFromPod(ctx, pod, d);
  finishGpu(ctx, d);
  if (d.gpuCount !== null && !d.pod) d.pod = defaultPod();
  // The controller's base config (or the chart) supplies /dev/shm; the file does not show it.
  if (d.pod) d.pod = { ...d.pod, shm: 'unlimited' };
  return d;
}
