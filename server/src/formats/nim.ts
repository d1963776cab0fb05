// NVIDIA NIM for LLMs: the NIMService custom resource (NVIDIA/k8s-nim-operator), the nim-llm Helm chart's values
// (NVIDIA/nim-deploy helm/nim-llm: image, resources, env, model.name) and a NIM served by KServe (an
// InferenceService whose modelFormat is `nvidia-nim-<model>`, the name its ClusterServingRuntime supports).
// The model comes from the image name (nvcr.io/nim/<org>/<model>), or from NIM_MODEL_NAME for the multi-LLM image
// (nvcr.io/nim/nvidia/llm-nim). NIM picks its engine (TensorRT-LLM, vLLM or SGLang) and parallelism from the model
// profile at start-up, so the engine is known only when the file states it: NIM_MODEL_PROFILE (or the NIMCache /
// nimCache profile) named like `vllm-bf16-tp2-pp1`, NIM_USE_SGLANG=1, or a NIMCache in the same document set; it is
// never assumed.
import { setReplicaBounds, setReplicas } from './nodes';
import type { Node } from 'yaml';
import { get, offsetRange } from '../yaml/yamlDoc';
import type { FormatAdapter } from './adapter';
import { ctxOf } from './k8s';
import type { Ctx } from './k8sCommon';
import {
  defaultPod,
  envOf,
  finishGpu,
  gpuFromPod,
  gpuResources,
  metaName,
  newDeployment,
  num,
  podSpecOf,
  range,
  seqItems,
  shmOf,
  str,
  unreadableTemplate,
} from './k8sCommon';
import type { Deployment } from './types';

/** NGC org -> Hugging Face org where they differ (NIM images are named nvcr.io/nim/<ngc org>/<model>). */
const ORG: Record<string, string> = { meta: 'meta-llama', qwen: 'Qwen' };

/**
 * NIM image names whose Hugging Face id is not the same name under the mapped org (case aside). Source: the model
 * card each NIM names in NVIDIA's NIM for LLMs supported-models list (docs.nvidia.com/nim/large-language-models).
 */
const RENAMED: Record<string, string> = {
  'meta/llama3-8b-instruct': 'meta-llama/Meta-Llama-3-8B-Instruct',
  'meta/llama3-70b-instruct': 'meta-llama/Meta-Llama-3-70B-Instruct',
  'mistralai/mistral-7b-instruct-v03': 'mistralai/Mistral-7B-Instruct-v0.3',
  'mistralai/mistral-7b-instruct-v0.3': 'mistralai/Mistral-7B-Instruct-v0.3',
  'mistralai/mixtral-8x7b-instruct-v01': 'mistralai/Mixtral-8x7B-Instruct-v0.1',
  'mistralai/mixtral-8x22b-instruct-v01': 'mistralai/Mixtral-8x22B-Instruct-v0.1',
  'nvidia/llama-3.3-nemotron-super-49b-v1': 'nvidia/Llama-3_3-Nemotron-Super-49B-v1',
  'nvidia/llama-3.3-nemotron-super-49b-v1.5': 'nvidia/Llama-3_3-Nemotron-Super-49B-v1_5',
};

const NO_ENGINE =
  'NIM picks its engine (TensorRT-LLM, vLLM or SGLang) and parallelism from the model profile at start-up; set NIM_MODEL_PROFILE (e.g. vllm-bf16-tp1-pp1) to size it';

/** Images that serve a model named at run time (NIM_MODEL_NAME), not one built in. */
const MULTI_LLM = /^(nvidia\/)?llm-nim$/;

/** `<org>/<model>` of a NIM image (`nvcr.io/nim/meta/llama-3.1-8b-instruct:1.1.0`), or null. */
export function nimImageName(image: string): string | null {
  const m = /^(?:nvcr\.io\/)?nim\/([a-z0-9._-]+)\/([a-z0-9._-]+?)(?::[^/]*)?(?:@sha256:[0-9a-f]+)?$/i.exec(image.trim());
  return m ? `${m[1].toLowerCase()}/${m[2].toLowerCase()}` : null;
}

/** The Hugging Face id a NIM name serves: the renamed table, else the same name under the mapped org. */
export function nimModelId(name: string): string {
  const r = RENAMED[name.toLowerCase()];
  if (r) return r;
  const [org, model] = name.split('/');
  return `${ORG[org] ?? org}/${model}`;
}

interface Engine {
  engine: 'vllm' | 'sglang' | 'trtllm' | null;
  tp: number | null;
  pp: number | null;
  source: string | null;
}

/** Engine and parallelism from a profile name (`vllm-bf16-tp2-pp1`, `tensorrt_llm-h100-fp8-tp1-pp1-throughput`). */
function fromProfile(p: string): Engine {
  const e = /^(vllm|sglang|tensorrt_llm|trtllm)\b/i.exec(p);
  const tp = /(?:^|-)tp(\d+)(?:-|$)/i.exec(p);
  const pp = /(?:^|-)pp(\d+)(?:-|$)/i.exec(p);
  const engine = e ? (/^(tensorrt_llm|trtllm)$/i.test(e[1]) ? 'trtllm' : (e[1].toLowerCase() as 'vllm' | 'sglang')) : null;
  return { engine, tp: tp ? Number(tp[1]) : null, pp: pp ? Number(pp[1]) : null, source: e ? `profile ${p}` : null };
}

/** What the env and profile settings state about the engine. */
function engineOf(vars: Map<string, { text: string } | null>, profile: string | null): Engine {
  const prof = vars.get('NIM_MODEL_PROFILE')?.text ?? profile;
  if (prof) {
    const e = fromProfile(prof);
    if (e.engine) return e;
  }
  if (/^(1|true)$/i.test(vars.get('NIM_USE_SGLANG')?.text ?? '')) return { engine: 'sglang', tp: null, pp: null, source: 'NIM_USE_SGLANG=1' };
  return { engine: null, tp: null, pp: null, source: null };
}

/** Fills model, engine, context length and GPUs of a NIM deployment from its image, env and resources node. */
function fillNim(ctx: Ctx, d: Deployment, imageNode: unknown, envHolder: unknown, resHolder: unknown, profile: string | null, modelNameNode?: unknown): void {
  const image = str(imageNode) ?? '';
  const env = envOf(ctx, envHolder);
  const name = nimImageName(image);
  const ir = range(ctx, imageNode);
  if (name && MULTI_LLM.test(name.split('/')[1])) {
    const v = env.vars.get('NIM_MODEL_NAME');
    if (v && /^hf:\/\//.test(v.text)) d.model = { kind: 'id', id: v.text.slice(5) };
    else if (v && !/^[a-z]+:\/\//.test(v.text) && !v.text.startsWith('/')) d.model = { kind: 'id', id: v.text };
    else if (v?.text.startsWith('/')) d.model = { kind: 'path', path: v.text };
    if (v) d.ranges.model = offsetRange(ctx.lc, v.span[0], v.span[1]);
    if (!d.model)
      d.unsized = `the multi-LLM NIM image ${image} serves the model NIM_MODEL_NAME names, ${v ? `"${v.text}", which is not a Hugging Face id` : 'which this file does not set'}`;
  } else if (name) {
    d.model = { kind: 'id', id: nimModelId(name) };
    if (ir) d.ranges.model = ir;
  } else {
    const mn = str(modelNameNode);
    if (mn && /^[a-z0-9._-]+\/[a-z0-9._-]+$/i.test(mn)) {
      d.model = { kind: 'id', id: nimModelId(mn) };
      const r = range(ctx, modelNameNode);
      if (r) d.ranges.model = r;
    } else d.unsized = `the image "${image}" is not a NIM image name (nvcr.io/nim/<org>/<model>), so the model is unknown`;
  }
  const e = engineOf(env.vars, profile);
  if (e.engine) {
    (d.serving as Record<string, unknown>).engine = e.engine;
    if (e.tp !== null) d.serving.tp = e.tp;
    if (e.pp !== null) d.serving.pp = e.pp;
    d.notes.push(`Engine ${e.engine} from ${e.source}.`);
  } else if (!d.unsized) d.unsized = NO_ENGINE;
  // NIM's own overrides of the profile's parallelism (NIM for LLMs configuration env vars).
  for (const [k, key] of [
    ['NIM_TENSOR_PARALLEL_SIZE', 'tp'],
    ['NIM_PIPELINE_PARALLEL_SIZE', 'pp'],
  ] as const) {
    const v = env.vars.get(k);
    if (v && /^\d+$/.test(v.text) && Number(v.text) >= 1) {
      d.serving[key] = Number(v.text);
      d.ranges[key === 'tp' ? 'serving.tensor_parallel_size' : 'serving.pipeline_parallel_size'] = offsetRange(ctx.lc, v.span[0], v.span[1]);
    }
  }
  const ml = env.vars.get('NIM_MAX_MODEL_LEN');
  if (ml && /^\d+$/.test(ml.text)) d.serving.maxModelLen = Number(ml.text);
  d.serving.apiServer = true;
  const g = gpuResources(ctx, resHolder, d, 'per pod');
  d.gpuCount = g !== null && g >= 1 ? Math.floor(g) : null;
  d.pod = { ...(d.pod ?? defaultPod()), shm: 'unlimited' };
}

export const nimServiceAdapter: FormatAdapter = {
  format: 'nim',
  detect(doc) {
    if (unreadableTemplate(doc)) return false;
    return /^apps\.nvidia\.com\//.test(str(get(doc.contents, 'apiVersion')) ?? '') && str(get(doc.contents, 'kind')) === 'NIMService';
  },
  adapt(input) {
    const ctx = ctxOf(input);
    const root = input.doc.contents;
    const spec = get(root, 'spec');
    const { name, node } = metaName(root);
    const d = newDeployment(ctx, 'nim', name ?? `nimservice-${input.docIndex + 1}`);
    const nr = range(ctx, node);
    if (nr) d.ranges.name = nr;
    const profile = str(get(get(get(spec, 'storage'), 'nimCache'), 'profile')) || null;
    fillNim(ctx, d, get(get(spec, 'image'), 'repository'), spec, spec, profile);
    setReplicas(ctx, d, get(spec, 'replicas'));
    // multiNode: tensor x pipeline GPUs over pods of resources.limits GPUs each.
    const par = get(get(spec, 'multiNode'), 'parallelism');
    const tp = num(get(par, 'tensor'));
    const pp = num(get(par, 'pipeline'));
    if (tp !== null) d.serving.tp = tp;
    if (pp !== null) d.serving.pp = pp;
    if ((tp !== null || pp !== null) && d.gpuCount) {
      const total = (tp ?? 1) * (pp ?? 1);
      const pods = Math.max(1, Math.ceil(total / d.gpuCount));
      d.gpusPerNode = d.gpuCount;
      d.gpuCount = d.gpuCount * pods;
      d.pod = { ...d.pod!, podsPerGroup: pods, countLabel: `GPUs across ${pods} pods (multiNode) x resources.limits per pod` };
    }
    gpuFromPod(ctx, spec, d);
    finishGpu(ctx, d);
    return { deployments: [d], diagnostics: ctx.diagnostics };
  },
};

/** nim-llm chart values: at the top, or under a parent chart's `nim-llm:` key. */
function nimValuesRoot(root: unknown): Node | null {
  for (const r of [root, get(root, 'nim-llm')]) {
    if (!r || get(r, 'apiVersion') !== undefined) continue;
    const repo = str(get(get(r, 'image'), 'repository'));
    if (repo && nimImageName(repo) && (get(r, 'resources') !== undefined || get(r, 'model') !== undefined || get(r, 'env') !== undefined)) return r as Node;
  }
  return null;
}

export const nimHelmAdapter: FormatAdapter = {
  format: 'nim-helm',
  detect(doc) {
    if (unreadableTemplate(doc)) return false;
    return nimValuesRoot(doc.contents) !== null;
  },
  adapt(input) {
    const ctx = ctxOf(input);
    const r = nimValuesRoot(input.doc.contents)!;
    const repoNode = get(get(r, 'image'), 'repository');
    const mn = get(get(r, 'model'), 'name');
    const d = newDeployment(ctx, 'nim-helm', str(mn) ?? nimImageName(str(repoNode) ?? '') ?? 'nim-llm');
    const nr = range(ctx, mn ?? repoNode);
    if (nr) d.ranges.name = nr;
    fillNim(ctx, d, repoNode, r, r, str(get(get(r, 'model'), 'profile')), mn);
    setReplicas(ctx, d, get(r, 'replicaCount'));
    gpuFromPod(ctx, r, d);
    finishGpu(ctx, d);
    return { deployments: [d], diagnostics: ctx.diagnostics };
  },
};

/** KServe InferenceService running a NIM: `modelFormat.name: nvidia-nim-<model>` or a NIM image in the predictor. */
function nimPredictor(root: unknown): { model: Node | undefined; format: string | null; image: Node | undefined } | null {
  if (!/^serving\.kserve\.io\//.test(str(get(root, 'apiVersion')) ?? '') || str(get(root, 'kind')) !== 'InferenceService') return null;
  const pred = get(get(root, 'spec'), 'predictor');
  const model = get(pred, 'model');
  const fmt = str(get(get(model, 'modelFormat'), 'name'));
  if (fmt && /^nvidia-nim-/.test(fmt)) return { model, format: fmt, image: undefined };
  const c = seqItems(get(pred, 'containers')).find((x) => nimImageName(str(get(x, 'image')) ?? ''));
  return c ? { model: c as Node, format: null, image: get(c, 'image') } : null;
}

export const nimKserveAdapter: FormatAdapter = {
  format: 'kserve-nim',
  detect(doc) {
    if (unreadableTemplate(doc)) return false;
    return nimPredictor(doc.contents) !== null;
  },
  adapt(input) {
    const ctx = ctxOf(input);
    const root = input.doc.contents;
    const p = nimPredictor(root)!;
    const { name, node } = metaName(root);
    const d = newDeployment(ctx, 'kserve-nim', name ?? `inferenceservice-${input.docIndex + 1}`);
    const nr = range(ctx, node);
    if (nr) d.ranges.name = nr;
    if (p.image) fillNim(ctx, d, p.image, p.model, p.model, null);
    else {
      // The runtime (another file) holds the image; the format name carries the NIM's model name without its org.
      const short = p.format!.replace(/^nvidia-nim-/, '');
      const full = Object.keys(RENAMED).find((k) => k.split('/')[1] === short);
      // Meta's Llama NIMs (not NVIDIA's Llama-based Nemotron ones) are the only org a bare llama name implies.
      if (full) d.model = { kind: 'id', id: RENAMED[full] };
      else if (/^llama/.test(short) && !/nemotron/.test(short)) d.model = { kind: 'id', id: nimModelId(`meta/${short}`) };
      const fr = range(ctx, get(get(p.model, 'modelFormat'), 'name'));
      if (fr) d.ranges.model = fr;
      const e = engineOf(envOf(ctx, p.model).vars, null);
      if (e.engine) {
        (d.serving as Record<string, unknown>).engine = e.engine;
        if (e.tp !== null) d.serving.tp = e.tp;
        if (e.pp !== null) d.serving.pp = e.pp;
      } else d.unsized = NO_ENGINE;
      if (!d.model)
        d.unsized = `modelFormat ${p.format} names the NIM "${short}" without its organisation; the runtime's image (nvcr.io/nim/<org>/${short}) names it`;
      const g = gpuResources(ctx, p.model, d, 'per pod');
      d.gpuCount = g !== null && g >= 1 ? Math.floor(g) : null;
      d.pod = { ...(d.pod ?? defaultPod()), shm: 'unlimited' };
    }
    const pred = get(get(root, 'spec'), 'predictor');
    setReplicaBounds(ctx, d, get(pred, 'minReplicas'), get(pred, 'maxReplicas'), 1, ['minReplicas', 'maxReplicas'], 1);
    gpuFromPod(ctx, get(get(root, 'spec'), 'predictor'), d);
    finishGpu(ctx, d);
    return { deployments: [d], diagnostics: ctx.diagnostics };
  },
};

/**
 * A KServe ServingRuntime / ClusterServingRuntime running a NIM image (NVIDIA/nim-deploy kserve/runtimes): the image
 * names the model; the GPUs come from each InferenceService that uses the runtime, so this file states none (and
 * requesting none here is not a finding).
 */
export const nimRuntimeAdapter: FormatAdapter = {
  format: 'kserve-nim',
  detect(doc) {
    if (unreadableTemplate(doc)) return false;
    return nimRuntimeContainer(doc.contents) !== undefined;
  },
  adapt(input) {
    const ctx = ctxOf(input);
    const root = input.doc.contents;
    const c = nimRuntimeContainer(root)!;
    const { name, node } = metaName(root);
    const d = newDeployment(ctx, 'kserve-nim', name ?? `servingruntime-${input.docIndex + 1}`);
    const nr = range(ctx, node);
    if (nr) d.ranges.name = nr;
    fillNim(ctx, d, get(c, 'image'), c, c, null);
    // No pod facts: the pod's GPUs, node selectors and runtime class are the InferenceService's.
    delete d.pod;
    d.gpuCount = null;
    d.notes.push('A serving runtime: the GPUs come from the InferenceService that uses it.');
    finishGpu(ctx, d);
    return { deployments: [d], diagnostics: ctx.diagnostics };
  },
};

function nimRuntimeContainer(root: unknown): Node | undefined {
  if (!/^serving\.kserve\.io\//.test(str(get(root, 'apiVersion')) ?? '')) return undefined;
  if (!/^(Cluster)?ServingRuntime$/.test(str(get(root, 'kind')) ?? '')) return undefined;
  return seqItems(get(get(root, 'spec'), 'containers')).find((x) => nimImageName(str(get(x, 'image')) ?? '')) as Node | undefined;
}

const POD_KINDS = new Set(['Deployment', 'StatefulSet', 'Pod', 'DaemonSet', 'Job']);

/** A plain Kubernetes workload whose container runs a NIM image (e.g. GKE's NIM tutorials). */
function nimContainer(root: unknown): { pod: Node; container: Node } | null {
  const kind = str(get(root, 'kind'));
  if (!kind || !POD_KINDS.has(kind) || !str(get(root, 'apiVersion'))) return null;
  const pod = podSpecOf(root, kind);
  const c = seqItems(get(pod, 'containers')).find((x) => nimImageName(str(get(x, 'image')) ?? ''));
  return pod && c ? { pod, container: c as Node } : null;
}

export const nimPodAdapter: FormatAdapter = {
  format: 'nim',
  detect(doc) {
    if (unreadableTemplate(doc)) return false;
    return nimContainer(doc.contents) !== null;
  },
  adapt(input) {
    const ctx = ctxOf(input);
    const root = input.doc.contents;
    const { pod, container } = nimContainer(root)!;
    const { name, node } = metaName(root);
    const d = newDeployment(ctx, 'nim', name ?? `nim-${input.docIndex + 1}`);
    const nr = range(ctx, node);
    if (nr) d.ranges.name = nr;
    fillNim(ctx, d, get(container, 'image'), container, container, null);
    const shm = shmOf(ctx, pod, container);
    d.pod = { ...d.pod!, shm: shm.shm, shmRange: shm.range };
    setReplicas(ctx, d, get(get(root, 'spec'), 'replicas'), 'spec.replicas');
    gpuFromPod(ctx, pod, d);
    finishGpu(ctx, d);
    return { deployments: [d], diagnostics: ctx.diagnostics };
  },
};
