// KAITO Workspace (kaito.sh/v1beta1): `inference.preset.name` names a model KAITO serves with vLLM on
// `resource.count` nodes of `resource.instanceType`. KAITO chooses the parallel layout and gpu_memory_utilization at
// start-up (pkg/model/interface.go configureParallelism: data, tensor or pipeline parallelism from the model's file
// size and the nodes' GPUs; presets/workspace/inference/vllm/inference_api.py: utilization from the GPU's free memory,
// at most 0.95), and an `inference.config` ConfigMap may override them: the deployment is recognised, its model and
// GPUs named, and it is not sized.
import { get } from '../yaml/yamlDoc';
import type { FormatAdapter } from './adapter';
import { ctxOf } from './k8s';
import { defaultPod, metaName, newDeployment, num, range, str, unreadableTemplate } from './k8sCommon';
import { instanceGpu } from './instanceTypes';

/**
 * Preset name -> Hugging Face id, from KAITO's presets/workspace/models/supported_models.yaml @
 * 056b8280b1a8debf644bc6f4399e913a1f9c7e70 (each preset's `version` is the Hugging Face commit it serves).
 */
export const KAITO_PRESETS: Readonly<Record<string, string>> = {
  'llama-3.1-8b-instruct': 'meta-llama/Llama-3.1-8B-Instruct',
  'llama-3.3-70b-instruct': 'meta-llama/Llama-3.3-70B-Instruct',
  'deepseek-r1-0528': 'deepseek-ai/DeepSeek-R1-0528',
  'deepseek-v3-0324': 'deepseek-ai/DeepSeek-V3-0324',
  'falcon-7b': 'tiiuae/falcon-7b',
  'falcon-7b-instruct': 'tiiuae/falcon-7b-instruct',
  'falcon-40b': 'tiiuae/falcon-40b',
  'falcon-40b-instruct': 'tiiuae/falcon-40b-instruct',
  'mistral-7b': 'mistralai/Mistral-7B-v0.3',
  'mistral-7b-instruct': 'mistralai/Mistral-7B-Instruct-v0.3',
  'ministral-3-3b-instruct': 'mistralai/Ministral-3-3B-Instruct-2512',
  'ministral-3-8b-instruct': 'mistralai/Ministral-3-8B-Instruct-2512',
  'ministral-3-14b-instruct': 'mistralai/Ministral-3-14B-Instruct-2512',
  'mistral-large-3-675b-instruct': 'mistralai/Mistral-Large-3-675B-Instruct-2512',
  'phi-2': 'microsoft/phi-2',
  'phi-3-mini-4k-instruct': 'microsoft/Phi-3-mini-4k-instruct',
  'phi-3-mini-128k-instruct': 'microsoft/Phi-3-mini-128k-instruct',
  'phi-3-medium-4k-instruct': 'microsoft/Phi-3-medium-4k-instruct',
  'phi-3-medium-128k-instruct': 'microsoft/Phi-3-medium-128k-instruct',
  'phi-3.5-mini-instruct': 'microsoft/Phi-3.5-mini-instruct',
  'phi-4-mini-instruct': 'microsoft/Phi-4-mini-instruct',
  'phi-4': 'microsoft/phi-4',
  'qwen2.5-coder-7b-instruct': 'Qwen/Qwen2.5-Coder-7B-Instruct',
  'qwen2.5-coder-32b-instruct': 'Qwen/Qwen2.5-Coder-32B-Instruct',
  'deepseek-r1-distill-qwen-14b': 'deepseek-ai/DeepSeek-R1-Distill-Qwen-14B',
  'deepseek-r1-distill-llama-8b': 'deepseek-ai/DeepSeek-R1-Distill-Llama-8B',
  'gemma-3-4b-instruct': 'google/gemma-3-4b-it',
  'gemma-3-27b-instruct': 'google/gemma-3-27b-it',
  'gpt-oss-20b': 'openai/gpt-oss-20b',
  'gpt-oss-120b': 'openai/gpt-oss-120b',
};

export const kaitoAdapter: FormatAdapter = {
  format: 'kaito',
  detect(doc) {
    if (unreadableTemplate(doc)) return false;
    const root = doc.contents;
    return (
      /^kaito\.sh\//.test(str(get(root, 'apiVersion')) ?? '') &&
      str(get(root, 'kind')) === 'Workspace' &&
      str(get(get(get(root, 'inference'), 'preset'), 'name')) !== null
    );
  },
  adapt(input) {
    const ctx = ctxOf(input);
    const root = input.doc.contents;
    const { name, node } = metaName(root);
    const d = newDeployment(ctx, 'kaito', name ?? `workspace-${input.docIndex + 1}`);
    const nr = range(ctx, node);
    if (nr) d.ranges.name = nr;
    const presetNode = get(get(get(root, 'inference'), 'preset'), 'name');
    const preset = str(presetNode)!;
    const id = KAITO_PRESETS[preset.toLowerCase()];
    d.model = { kind: 'id', id: id ?? preset };
    const pr = range(ctx, presetNode);
    if (pr) d.ranges.model = pr;
    if (!id) d.notes.push(`KAITO preset ${preset} is not in the preset table of this version.`);
    d.serving.engine = 'vllm';
    const res = get(root, 'resource');
    const itNode = get(res, 'instanceType');
    const it = str(itNode);
    const nodes = Math.max(1, Math.floor(num(get(res, 'count')) ?? 1));
    const sku = it ? instanceGpu(it) : undefined;
    if (sku) {
      d.gpu = sku.gpu;
      d.gpuOrigin = 'stated';
      d.gpusPerNode = sku.count;
      d.gpuCount = sku.count * nodes;
      const r = range(ctx, itNode);
      if (r) d.ranges['hardware.gpu'] = r;
      // One KAITO inference instance spans `count` nodes (one pod each) when the model needs them.
      d.pod = { ...defaultPod(), podsPerGroup: nodes, countLabel: `GPUs over ${nodes} x ${it}`, shm: 'unlimited' };
    } else if (it) d.notes.push(`instance type ${it} is not in llm-sizer's instance table.`);
    d.replicas = 1;
    d.unsized =
      "KAITO sets the parallel layout (from the model size and the nodes' GPUs) and gpu_memory_utilization (from free GPU memory) at start-up, and its inference.config ConfigMap may override them";
    return { deployments: [d], diagnostics: ctx.diagnostics };
  },
};
