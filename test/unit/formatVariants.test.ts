// Real variants of each serving format, on public files copied verbatim (each fixture's header names its source URL
// and commit): the deployments each yields (model as the file states it, GPU, count, tp/pp/dp as stated, replicas,
// role) and the diagnostics the adapters and the not-sized rule give. Diagnostics owned by other parts (the model
// catalog's coverage, workload-based findings) are left out so these tests check the format reading only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../../server/src/analysis/analysis';
import { reportJson, reportText } from '../../server/src/presenters/report';
import { nimImageName, nimModelId } from '../../server/src/formats/nim';
import type { Range } from '../../server/src/formats/types';

const DIR = join(__dirname, '..', 'fixtures', 'formats', 'public');
/** Codes another part owns (catalog coverage, workload findings, the cross-node tp advice): not asserted here. */
const NOT_OURS = new Set(['unknown-model', 'kv-limits-concurrency', 'tp-across-nodes']);

function textAt(src: string, r: Range): string {
  const l = src.split('\n');
  return r.start.line === r.end.line ? l[r.start.line].slice(r.start.character, r.end.character) : '<multi>';
}

interface Dep {
  name: string;
  format: string;
  model: string | null;
  gpu: string | null;
  count: number | null;
  tp: number | null;
  pp: number | null;
  dp: number | null;
  replicas: number;
  role: string | null;
  engine?: string | null;
}
interface Expect {
  formats: string[];
  deployments: Dep[];
  diagnostics: string[];
}

const EXPECTED: Record<string, Expect> = {
  // Bare LLMConfig (what an llm_configs path points to): model_loading_config and engine_kwargs at the top.
  'ray-bare-llmconfig-tp2.yaml': {
    formats: ['ray-serve'],
    deployments: [
      {
        name: 'meta-llama/Llama-3.1-8B-Instruct',
        format: 'ray-serve',
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        gpu: 'A10G',
        count: null,
        tp: 2,
        pp: null,
        dp: null,
        replicas: 1,
        role: null,
      },
    ],
    diagnostics: [],
  },
  // build_dp_openai_app with singular llm_config: 2 replicas, each a gang of data_parallel_size 4 ranks of tp 1.
  'ray-dp-gang.yaml': {
    formats: ['ray-serve'],
    deployments: [
      {
        name: 'llm-endpoint/microsoft/Phi-tiny-MoE-instruct',
        format: 'ray-serve',
        model: 'microsoft/Phi-tiny-MoE-instruct',
        gpu: 'L4',
        count: null,
        tp: 1,
        pp: 1,
        dp: 4,
        replicas: 2,
        role: null,
      },
    ],
    diagnostics: [],
  },
  // prefill_config / decode_config under the older internal builder: 2 prefill and 6 decode replicas (2p6d), not 1:1.
  'ray-pd-2p6d.yaml': {
    formats: ['ray-serve'],
    deployments: [
      {
        name: 'llm-endpoint/prefill',
        format: 'ray-serve',
        model: 'neuralmagic/Meta-Llama-3.1-8B-Instruct-quantized.w4a16',
        gpu: 'A10G',
        count: null,
        tp: 1,
        pp: null,
        dp: null,
        replicas: 2,
        role: 'prefill',
      },
      {
        name: 'llm-endpoint/decode',
        format: 'ray-serve',
        model: 'neuralmagic/Meta-Llama-3.1-8B-Instruct-quantized.w4a16',
        gpu: 'A10G',
        count: null,
        tp: 1,
        pp: null,
        dp: null,
        replicas: 6,
        role: 'decode',
      },
    ],
    diagnostics: [],
  },
  // build_pd_openai_app (Ray docs): autoscaling floors 2 prefill, 6 decode; no accelerator_type, so the default GPU.
  'ray-pd-nixl.yaml': {
    formats: ['ray-serve'],
    deployments: [
      {
        name: 'pd-disaggregation-nixl/prefill',
        format: 'ray-serve',
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        gpu: 'L4',
        count: null,
        tp: null,
        pp: null,
        dp: null,
        replicas: 2,
        role: 'prefill',
      },
      {
        name: 'pd-disaggregation-nixl/decode',
        format: 'ray-serve',
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        gpu: 'L4',
        count: null,
        tp: null,
        pp: null,
        dp: null,
        replicas: 6,
        role: 'decode',
      },
    ],
    // The model's 131,072-token default context does not fit one L4 (the default GPU here) at tp 1: both roles.
    diagnostics: [
      'assumption@22:20-22:52=meta-llama/Llama-3.1-8B-Instruct',
      'assumption@9:20-9:52=meta-llama/Llama-3.1-8B-Instruct',
      'max-model-len-too-long@22:20-22:52=meta-llama/Llama-3.1-8B-Instruct',
      'max-model-len-too-long@9:20-9:52=meta-llama/Llama-3.1-8B-Instruct',
    ],
  },
  // llm-d modelservice: uri hf://"{{ .Values.modelArtifacts.name }}" rendered from this file; no parallelism, so the
  // chart's tensor 1 x dataLocal 1 = 1 GPU per pod; 1 prefill and 1 decode replica.
  'llmd-values-pd.yaml': {
    formats: ['llm-d'],
    deployments: [
      {
        name: 'facebook/opt-125m/prefill',
        format: 'llm-d',
        model: 'facebook/opt-125m',
        gpu: 'L4',
        count: 1,
        tp: null,
        pp: null,
        dp: null,
        replicas: 1,
        role: 'prefill',
      },
      {
        name: 'facebook/opt-125m/decode',
        format: 'llm-d',
        model: 'facebook/opt-125m',
        gpu: 'L4',
        count: 1,
        tp: null,
        pp: null,
        dp: null,
        replicas: 1,
        role: 'decode',
      },
    ],
    diagnostics: ['assumption@11:8-11:25=facebook/opt-125m', 'assumption@11:8-11:25=facebook/opt-125m'],
  },
  // Decode tensor 2 with accelerator.dra true (its GPUs come from resource claims: count unknown, not 1), prefill
  // tensor 1 (1 GPU per pod from the chart): each role read with its own parallelism.
  'llmd-values-heterogeneous-pd.yaml': {
    formats: ['llm-d'],
    deployments: [
      {
        name: 'facebook/opt-125m/prefill',
        format: 'llm-d',
        model: 'facebook/opt-125m',
        gpu: 'L4',
        count: 1,
        tp: 1,
        pp: null,
        dp: 1,
        replicas: 1,
        role: 'prefill',
      },
      {
        name: 'facebook/opt-125m/decode',
        format: 'llm-d',
        model: 'facebook/opt-125m',
        gpu: 'L4',
        count: null,
        tp: 2,
        pp: null,
        dp: 1,
        replicas: 1,
        role: 'decode',
      },
    ],
    diagnostics: ['assumption@16:8-16:25=facebook/opt-125m', 'assumption@16:8-16:25=facebook/opt-125m'],
  },
  // pvc+hf://model-pvc/meta-llama/Llama-3.1-8B-Instruct serves meta-llama/Llama-3.1-8B-Instruct; accelerator.type
  // intel-gaudi names no accelerator model, so the (NVIDIA) default GPU is not used and the deployment says why.
  'llmd-values-gaudi.yaml': {
    formats: ['llm-d'],
    deployments: [
      {
        name: 'meta-llama/Llama-3.1-8B-Instruct/decode',
        format: 'llm-d',
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        gpu: null,
        count: 1,
        tp: null,
        pp: null,
        dp: null,
        replicas: 1,
        role: 'decode',
      },
    ],
    diagnostics: ['flag-removed@41:6-41:30=--max-seq-len-to-capture', 'not-sized@10:8-10:59=pvc+hf://model-pvc/meta-llama/Llama-3.1-8B-Instruct'],
  },
  // NIMService (k8s-nim-operator): model from the image nvcr.io/nim/meta/llama-3.2-1b-instruct; the engine is the
  // profile's choice at start-up and no profile is stated, so it is found, identified, counted, and not sized.
  'nim-operator-basic.yaml': {
    formats: ['nim'],
    deployments: [
      {
        name: 'meta-llama-3-2-1b-instruct',
        format: 'nim',
        model: 'meta-llama/llama-3.2-1b-instruct',
        gpu: 'L4',
        count: 1,
        tp: null,
        pp: null,
        dp: null,
        replicas: 1,
        role: null,
        engine: null,
      },
    ],
    diagnostics: ['not-sized@30:8-30:34=meta-llama-3-2-1b-instruct'],
  },
  // NIMService multiNode: NIM_USE_SGLANG=1 states the engine; parallelism tensor 8 x pipeline 2 over pods of 8 GPUs
  // = 16 GPUs in 2 pods.
  'nim-operator-multinode-sglang.yaml': {
    formats: ['nim'],
    deployments: [
      {
        name: 'deepseek-r1',
        format: 'nim',
        model: 'deepseek-ai/deepseek-r1',
        gpu: 'L4',
        count: 16,
        tp: 8,
        pp: 2,
        dp: null,
        replicas: 1,
        role: null,
        engine: 'sglang',
      },
    ],
    // DeepSeek-R1's ~671 GB of FP8 weights over 16 GPUs is ~42 GB each: more than an L4 (the default GPU here) has.
    diagnostics: ['assumption@28:8-28:19=deepseek-r1', 'weights-exceed-memory@71:16-71:51=nvcr.io/nim/deepseek-ai/deepseek-r1'],
  },
  // The multi-LLM NIM image serves what NIM_MODEL_NAME names: hf://meta-llama/Llama-3.2-1B-Instruct.
  'nim-operator-multi-llm-hf.yaml': {
    formats: ['nim'],
    deployments: [
      {
        name: 'meta-llama-3-2-1b-instruct',
        format: 'nim',
        model: 'meta-llama/Llama-3.2-1B-Instruct',
        gpu: 'L4',
        count: 1,
        tp: null,
        pp: null,
        dp: null,
        replicas: 1,
        role: null,
      },
    ],
    diagnostics: ['not-sized@7:8-7:34=meta-llama-3-2-1b-instruct'],
  },
  // NIM in KServe: the InferenceService names the NIM by modelFormat nvidia-nim-llama-3.1-8b-instruct (its runtime,
  // another file, holds the image); 1 GPU per pod.
  'nim-kserve-isvc.yaml': {
    formats: ['kserve-nim'],
    deployments: [
      {
        name: 'llama-3-1-8b-instruct-1xgpu',
        format: 'kserve-nim',
        model: 'meta-llama/llama-3.1-8b-instruct',
        gpu: 'L4',
        count: 1,
        tp: null,
        pp: null,
        dp: null,
        replicas: 1,
        role: null,
      },
    ],
    diagnostics: ['not-sized@7:8-7:35=llama-3-1-8b-instruct-1xgpu'],
  },
  // nim-llm Helm values: image nvcr.io/nim/meta/llama3-8b-instruct is Meta-Llama-3-8B-Instruct (renamed table).
  'nim-helm-oke-values.yaml': {
    formats: ['nim-helm'],
    deployments: [
      {
        name: 'meta/llama3-8b-instruct',
        format: 'nim-helm',
        model: 'meta-llama/Meta-Llama-3-8B-Instruct',
        gpu: 'L4',
        count: 1,
        tp: null,
        pp: null,
        dp: null,
        replicas: 1,
        role: null,
      },
    ],
    diagnostics: ['not-sized@31:8-31:31=meta/llama3-8b-instruct'],
  },
  // nim-llm values under a parent chart's `nim-llm:` key; 2 GPUs requested and tp unknown (the profile picks it), so
  // no gpu-count-mismatch against an assumed tp of 1.
  'nim-helm-subchart-values.yaml': {
    formats: ['nim-helm'],
    deployments: [
      {
        name: 'nvidia/llama-3.3-nemotron-super-49b-v1.5',
        format: 'nim-helm',
        model: 'nvidia/Llama-3_3-Nemotron-Super-49B-v1_5',
        gpu: 'L4',
        count: 2,
        tp: null,
        pp: null,
        dp: null,
        replicas: 1,
        role: null,
      },
    ],
    diagnostics: ['not-sized@5:16-5:68=nvcr.io/nim/nvidia/llama-3.3-nemotron-super-49b-v1.5'],
  },
  // LLMInferenceService P/D (KServe sample): decode replicas 1, prefill replicas 2, 1 GPU each; vLLM flags come
  // through VLLM_ADDITIONAL_ARGS (only --kv_transfer_config here, which does not change sizing).
  'kserve-llmisvc-pd-additional-args.yaml': {
    formats: ['kserve-llm'],
    deployments: [
      {
        name: 'qwen2-7b-instruct-pd/prefill',
        format: 'kserve-llm',
        model: 'Qwen/Qwen2.5-7B-Instruct',
        gpu: 'L4',
        count: 1,
        tp: null,
        pp: null,
        dp: null,
        replicas: 2,
        role: 'prefill',
      },
      {
        name: 'qwen2-7b-instruct-pd/decode',
        format: 'kserve-llm',
        model: 'Qwen/Qwen2.5-7B-Instruct',
        gpu: 'L4',
        count: 1,
        tp: null,
        pp: null,
        dp: null,
        replicas: 1,
        role: 'decode',
      },
    ],
    diagnostics: ['assumption@13:14-13:38=Qwen/Qwen2.5-7B-Instruct', 'assumption@13:14-13:38=Qwen/Qwen2.5-7B-Instruct'],
  },
  // Huggingface runtime: --model_name is the served name; storageUri hf://meta-llama/Llama-2-7b-chat-hf the model.
  'kserve-hf-storage-uri.yaml': {
    formats: ['kserve'],
    deployments: [
      {
        name: 'huggingface-llama2',
        format: 'kserve',
        model: 'meta-llama/Llama-2-7b-chat-hf',
        gpu: 'L4',
        count: 1,
        tp: null,
        pp: null,
        dp: null,
        replicas: 1,
        role: null,
      },
    ],
    diagnostics: ['assumption@5:8-5:26=huggingface-llama2'],
  },
  // AIBrix RayClusterFleet: vllm serve in the head container behind `bash -lc --`; head 8 GPUs + 1 worker pod x 8
  // = 16 GPUs per Ray cluster for tp 16; 1 cluster.
  'aibrix-rayclusterfleet.yaml': {
    formats: ['aibrix'],
    deployments: [
      {
        name: 'deepseek-r1-671b',
        format: 'aibrix',
        model: 'deepseek-ai/DeepSeek-R1',
        gpu: 'L4',
        count: 16,
        tp: 16,
        pp: null,
        dp: null,
        replicas: 1,
        role: null,
      },
    ],
    // No GPU is named, so the default L4: ~671 GB of FP8 weights over 16 GPUs is ~42 GB each, more than an L4 has.
    diagnostics: ['assumption@9:8-9:24=deepseek-r1-671b', 'weights-exceed-memory@97:89-97:112=deepseek-ai/DeepSeek-R1'],
  },
  // KServe huggingface runtime with vLLM flags and storageUri s3://.../meta-llama--Meta-Llama-3.1-8B-Instruct: no
  // model on the command line, so the storage URI is the model the file states (resolved by name elsewhere).
  'kserve-s3-storage-uri.yaml': {
    formats: ['kserve'],
    deployments: [
      {
        name: 'llama-31-8b-instruct',
        format: 'kserve',
        model: 's3://${bucket}/models/meta-llama--Meta-Llama-3.1-8B-Instruct',
        gpu: 'A10G',
        count: 1,
        tp: 1,
        pp: null,
        dp: null,
        replicas: 1,
        role: null,
      },
    ],
    diagnostics: ['assumption@5:8-5:28=llama-31-8b-instruct'],
  },
  // A plain Deployment running the multi-LLM NIM image: the model from NIM_MODEL_NAME, tp 2 from
  // NIM_TENSOR_PARALLEL_SIZE, 8 GPUs requested; the engine is not stated, so not sized. NIM's profile may use the GPUs
  // the pod requests, so 8 for tp 2 is not known to leave any idle: no gpu-count-mismatch warning.
  'nim-gke-deployment.yaml': {
    formats: ['nim'],
    deployments: [
      {
        name: 'nim-gemma-3-27b-deployment',
        format: 'nim',
        model: 'google/gemma-3-27b-it',
        gpu: 'H100-SXM',
        count: 8,
        tp: 2,
        pp: null,
        dp: null,
        replicas: 1,
        role: null,
      },
    ],
    diagnostics: ['not-sized@19:8-19:34=nim-gemma-3-27b-deployment'],
  },
  // Dynamo multinode: each worker spans multinode.nodeCount 2 pods x 8 GPUs = 16 GPUs for data parallel 16 (no
  // false count mismatch against 8); 1 prefill and 1 decode worker.
  'dynamo-multinode-disagg.yaml': {
    formats: ['dynamo'],
    deployments: [
      {
        name: 'vllm-dsr1/decode',
        format: 'dynamo',
        model: '/model-cache/deepseek-r1',
        gpu: 'L4',
        count: 16,
        tp: 1,
        pp: null,
        dp: 16,
        replicas: 1,
        role: 'decode',
      },
      {
        name: 'vllm-dsr1/prefill',
        format: 'dynamo',
        model: '/model-cache/deepseek-r1',
        gpu: 'L4',
        count: 16,
        tp: 1,
        pp: null,
        dp: 16,
        replicas: 1,
        role: 'prefill',
      },
    ],
    diagnostics: [
      'assumption@101:4-101:11=prefill',
      'assumption@31:4-31:10=decode',
      'weights-exceed-memory@145:14-145:38=/model-cache/deepseek-r1',
      'weights-exceed-memory@77:14-77:38=/model-cache/deepseek-r1',
    ],
  },
  // Dynamo 4 prefill : 8 decode workers of 4 GPUs each (the real split, not 1:1). Source: AIBrix's brixbench.
  'dynamo-4p8d.yaml': {
    formats: ['dynamo'],
    deployments: [
      { name: 'vllm-dynamo/decode', format: 'dynamo', model: '/models/Qwen3-32B', gpu: 'L4', count: 4, tp: 4, pp: null, dp: null, replicas: 8, role: 'decode' },
      {
        name: 'vllm-dynamo/prefill',
        format: 'dynamo',
        model: '/models/Qwen3-32B',
        gpu: 'L4',
        count: 4,
        tp: 4,
        pp: null,
        dp: null,
        replicas: 4,
        role: 'prefill',
      },
    ],
    // The model (/models/$MODEL) and tp ($TP) come from `export MODEL=Qwen3-32B` / `export TP=4` earlier in the same
    // shell script: read, so 4 GPUs for tp 4 (no count mismatch); the GPU is the assumed default (an assumption line).
    diagnostics: ['assumption@137:4-137:20=VllmDecodeWorker', 'assumption@238:4-238:21=VllmPrefillWorker'],
  },
  // AIBrix StormService with SGLang P/D: each role replica is a podGroupSize 2 group of 1-GPU pods, so 2 GPUs for
  // --tp-size 2 (no false count error); the router role runs no engine.
  'aibrix-stormservice-sglang-podgroup.yaml': {
    formats: ['aibrix'],
    deployments: [
      { name: 'tp-1p1d/prefill', format: 'aibrix', model: '/models/Qwen3-8B', gpu: 'L4', count: 2, tp: 2, pp: null, dp: null, replicas: 1, role: 'prefill' },
      { name: 'tp-1p1d/decode', format: 'aibrix', model: '/models/Qwen3-8B', gpu: 'L4', count: 2, tp: 2, pp: null, dp: null, replicas: 1, role: 'decode' },
    ],
    diagnostics: ['assumption@144:37-144:53=/models/Qwen3-8B', 'assumption@68:37-68:53=/models/Qwen3-8B'],
  },
};

function analyze(file: string) {
  const src = readFileSync(join(DIR, file), 'utf8');
  return { src, a: analyzeText(src, { defaultGpu: 'L4', memoryOnly: true }) };
}

test('every public variant fixture has expectations, and each names its source and commit', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
  assert.deepEqual(files.sort(), Object.keys(EXPECTED).sort());
  for (const f of files) assert.match(readFileSync(join(DIR, f), 'utf8'), /^# Source: https:\/\/github\.com\/[^/]+\/[^/]+\/blob\/[0-9a-f]{40}\//, f);
});

for (const [file, exp] of Object.entries(EXPECTED)) {
  test(`public variant ${file}`, () => {
    const { src, a } = analyze(file);
    assert.deepEqual(a.formats, exp.formats);
    const got = a.deployments.map(({ deployment: d }) => {
      const e = exp.deployments.find((x) => x.name === d.name);
      const dep: Dep = {
        name: d.name,
        format: d.format,
        model: d.model ? (d.model.kind === 'id' ? d.model.id : d.model.kind === 'path' ? d.model.path : d.model.entry.id) : null,
        gpu: d.gpu,
        count: d.gpuCount,
        tp: d.serving.tp ?? null,
        pp: d.serving.pp ?? null,
        dp: d.serving.dp ?? null,
        replicas: d.replicas,
        role: d.role ?? null,
      };
      if (e && 'engine' in e) dep.engine = d.serving.engine ?? null;
      return dep;
    });
    assert.deepEqual(got, exp.deployments);
    const diags = a.diagnostics
      .filter((d) => !NOT_OURS.has(d.code))
      .map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}=${textAt(src, d.range)}`)
      .sort();
    assert.deepEqual(diags, exp.diagnostics);
  });
}

test('NIM image names: <org>/<model> from the image, Hugging Face id by the renamed table or the mapped org', () => {
  assert.equal(nimImageName('nvcr.io/nim/meta/llama-3.1-8b-instruct:1.1.0'), 'meta/llama-3.1-8b-instruct');
  assert.equal(nimImageName('nvcr.io/nim/nvidia/llm-nim'), 'nvidia/llm-nim');
  assert.equal(nimImageName('vllm/vllm-openai:v0.10.0'), null);
  assert.equal(nimModelId('meta/llama-3.1-8b-instruct'), 'meta-llama/llama-3.1-8b-instruct');
  assert.equal(nimModelId('meta/llama3-70b-instruct'), 'meta-llama/Meta-Llama-3-70B-Instruct');
  assert.equal(nimModelId('mistralai/mixtral-8x7b-instruct-v01'), 'mistralai/Mixtral-8x7B-Instruct-v0.1');
  assert.equal(nimModelId('qwen/qwen3-32b'), 'Qwen/qwen3-32b');
});

test('not-sized: the JSON report gives not_sized_reason (null when sized), the text report the same line', () => {
  const { a } = analyze('nim-operator-basic.yaml');
  const j = reportJson('f.yaml', a) as { deployments: { not_sized_reason: string | null }[] };
  assert.match(j.deployments[0].not_sized_reason ?? '', /^NIM picks its engine .* set NIM_MODEL_PROFILE/);
  const sized = reportJson('f.yaml', analyze('ray-bare-llmconfig-tp2.yaml').a) as { deployments: { not_sized_reason: string | null }[] };
  assert.equal(sized.deployments[0].not_sized_reason, null);
  assert.match(reportText('f.yaml', a), /\n {3}not sized: NIM picks its engine/);
});

test('NIM_MODEL_PROFILE states the engine and parallelism; NIM_MAX_MODEL_LEN the context', () => {
  const src = `apiVersion: apps.nvidia.com/v1alpha1
kind: NIMService
metadata:
  name: llama
spec:
  image:
    repository: nvcr.io/nim/meta/llama-3.1-8b-instruct
    tag: "1.8.4"
  env:
    - name: NIM_MODEL_PROFILE
      value: vllm-bf16-tp2-pp1
    - name: NIM_MAX_MODEL_LEN
      value: "16384"
  replicas: 3
  resources:
    limits:
      nvidia.com/gpu: 2
`;
  const a = analyzeText(src, { defaultGpu: 'H100-SXM', memoryOnly: true });
  const d = a.deployments[0];
  assert.equal(d.deployment.serving.engine, 'vllm');
  assert.equal(d.deployment.serving.tp, 2);
  assert.equal(d.deployment.serving.pp, 1);
  assert.equal(d.deployment.serving.maxModelLen, 16384);
  assert.equal(d.deployment.replicas, 3);
  assert.equal(d.model?.id, 'meta-llama/Llama-3.1-8B-Instruct');
  assert.ok(d.sizing, 'sized once the engine is stated');
  assert.equal(d.notSizedReason, undefined);
});

test('VLLM_ADDITIONAL_ARGS: its flags size the deployment, with ranges on the tokens inside the env value', () => {
  const src = `apiVersion: serving.kserve.io/v1alpha1
kind: LLMInferenceService
metadata:
  name: q
spec:
  model:
    uri: hf://Qwen/Qwen3-8B
  template:
    containers:
      - name: main
        env:
          - name: VLLM_ADDITIONAL_ARGS
            value: "--max-model-len 8192 --gpu-memory-utilization=0.8"
        resources:
          limits:
            nvidia.com/gpu: "1"
`;
  const a = analyzeText(src, { defaultGpu: 'H100-SXM', memoryOnly: true });
  const d = a.deployments[0].deployment;
  assert.equal(d.model?.kind === 'id' && d.model.id, 'Qwen/Qwen3-8B');
  assert.equal(d.serving.maxModelLen, 8192);
  assert.equal(d.serving.gpuMemoryUtilization, 0.8);
  assert.equal(textAt(src, d.ranges['serving.max_model_len']), '8192');
  assert.equal(textAt(src, d.ranges['serving.gpu_memory_utilization']), '0.8');
});

test('mutated public variants never make an adapter throw, nor print Infinity/NaN (seeded fuzz)', () => {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => readFileSync(join(DIR, f), 'utf8'));
  let seed = 11;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const junk = [
    '',
    ' ',
    '\n',
    '"',
    "'",
    '\\',
    '$(',
    '${',
    '{{',
    '}}',
    '-',
    '--',
    '=',
    ':',
    '[',
    ']',
    '|',
    '>',
    '0',
    '-1',
    '1e309',
    'null',
    '~',
    '*a',
    '&a',
    '\t',
    '#',
    'hf://',
    'pvc+hf://',
    'nvcr.io/nim/',
  ];
  for (let i = 0; i < 400; i++) {
    let s = files[rnd(files.length)];
    for (let k = 0; k < 1 + rnd(4); k++) {
      const p = rnd(s.length);
      s = s.slice(0, p) + junk[rnd(junk.length)] + s.slice(p + rnd(6));
    }
    let a: ReturnType<typeof analyzeText> | undefined;
    assert.doesNotThrow(() => (a = analyzeText(s, { defaultGpu: 'L4', memoryOnly: true })), s.slice(0, 80));
    const text = reportText('f.yaml', a!);
    assert.doesNotMatch(text, /Infinity|NaN/, s.slice(0, 80));
  }
});

test('Ray Serve llm_configs entries that are file paths are found and say why they are not sized here', () => {
  const src = `applications:
- args:
    llm_configs:
      - models/qwen.yaml
  import_path: ray.serve.llm:build_openai_app
  name: llm_app
`;
  const a = analyzeText(src, { defaultGpu: 'L4', memoryOnly: true });
  assert.deepEqual(
    a.deployments.map((x) => [x.deployment.name, x.notSizedReason]),
    [['llm_app/models/qwen.yaml', 'llm_configs entry "models/qwen.yaml" is a file path; open that file to size it']],
  );
  assert.deepEqual(
    a.diagnostics.map((d) => `${d.code}:${d.severity}@${textAt(src, d.range)}`),
    ['not-sized:info@models/qwen.yaml'],
  );
});
