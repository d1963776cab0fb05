// Format adapters on realistic files: every fixture's normalized deployments and diagnostics (codes and exact
// ranges, checked against the source text under the range), the negative fixtures, the argument parser, the shell
// tokenizer, the scalar-to-source mapping, and a 5,000-line multi-document manifest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { analyzeText } from '../../server/src/analysis/analysis';
import type { Range } from '../../server/src/formats/types';
import { tokenizeShell } from '../../server/src/formats/shell';
import { mapScalar } from '../../server/src/formats/scalarMap';
import { argFromScalar, parseEngineArgs } from '../../server/src/formats/args';
import { instanceGpu } from '../../server/src/formats/instanceTypes';
import { resolveGpuLabel } from '../../server/src/formats/k8sCommon';
import { builtinCatalog } from '../../server/src/catalog/index';

const DIR = join(__dirname, '..', 'fixtures', 'formats');
/** Diagnostics whose presence depends on engine numbers (other tests own them); format tests ignore them. */
// `assumption` (one info per sized deployment listing what it assumed) is checked in test/unit/verdict.test.ts, not per adapter.
const ENGINE_NUMERIC = new Set(['kv-limits-concurrency', 'assumption']);

function textAt(src: string, r: Range): string {
  const l = src.split('\n');
  return r.start.line === r.end.line ? l[r.start.line].slice(r.start.character, r.end.character) : '<multi>';
}

interface Expect {
  formats: string[];
  deployments: {
    name: string;
    format: string;
    model: string | null;
    gpu: string | null;
    origin: string;
    count: number | null;
    replicas: number;
    serving: Record<string, unknown>;
  }[];
  diagnostics: string[];
}

const EXPECTED: Record<string, Expect> = {
  'aibrix-deployment.yaml': {
    formats: ['kubernetes'],
    deployments: [
      {
        name: 'deepseek-r1-distill-llama-8b',
        format: 'aibrix',
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        gpu: 'L20',
        origin: 'stated',
        count: 1,
        replicas: 1,
        serving: { engine: 'vllm', maxModelLen: 12288 },
      },
    ],
    diagnostics: [],
  },
  'aibrix-stormservice.yaml': {
    formats: ['aibrix'],
    deployments: [
      {
        name: 'pd-llama/prefill',
        format: 'aibrix',
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        gpu: 'H100-SXM',
        origin: 'stated',
        count: 1,
        replicas: 2,
        serving: { engine: 'vllm' },
      },
      {
        name: 'pd-llama/decode',
        format: 'aibrix',
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        gpu: 'H100-SXM',
        origin: 'stated',
        count: 1,
        replicas: 1,
        serving: { engine: 'vllm', maxNumSeqs: 512 },
      },
    ],
    diagnostics: [],
  },
  'dynamo-disagg.yaml': {
    formats: ['dynamo'],
    deployments: [
      {
        name: 'vllm-disagg/decode',
        format: 'dynamo',
        model: 'Qwen/Qwen3-8B',
        gpu: 'H100-SXM',
        origin: 'stated',
        count: 1,
        replicas: 2,
        serving: { engine: 'vllm', maxModelLen: 16384 },
      },
      {
        name: 'vllm-disagg/prefill',
        format: 'dynamo',
        model: 'Qwen/Qwen3-8B',
        gpu: 'H100-SXM',
        origin: 'stated',
        count: 1,
        replicas: 1,
        serving: { engine: 'vllm', tp: 2 },
      },
    ],
    diagnostics: ['gpu-count-mismatch@37:16-37:17=1'],
  },
  'helm-rendered-placeholders.yaml': {
    formats: ['kubernetes'],
    deployments: [
      {
        name: '{{ .Release.Name }}-vllm',
        format: 'kubernetes',
        model: null,
        gpu: 'L4',
        origin: 'default',
        count: null,
        replicas: 1,
        serving: { engine: 'vllm', tp: undefined, maxModelLen: 8192 },
      },
    ],
    // The placeholders are unknown, not defaulted: said once, on the first of them (issue 11 item 1).
    diagnostics: ['value-unresolved@12:38-12:57={{ .Values.model }}'],
  },
  'k8s-ambiguous-flag.yaml': {
    formats: ['kubernetes'],
    deployments: [
      { name: 'typo', format: 'kubernetes', model: 'Qwen/Qwen3-8B', gpu: 'H100-SXM', origin: 'stated', count: 1, replicas: 1, serving: { engine: 'vllm' } },
    ],
    diagnostics: ['ambiguous-flag@17:55-17:64=--max-num', 'invalid-value@17:99-17:102=1.5'],
  },
  'k8s-amd-mi300x.yaml': {
    formats: ['kubernetes'],
    deployments: [
      {
        name: 'llama-405b-fp8',
        format: 'kubernetes',
        model: 'meta-llama/Llama-3.1-405B-Instruct-FP8',
        gpu: 'MI300X',
        origin: 'stated',
        count: 8,
        replicas: 1,
        serving: { engine: 'vllm', tp: 8, maxModelLen: 32768, kvCacheDtype: 'fp8' },
      },
    ],
    diagnostics: [],
  },
  'k8s-cronjob-unresolved.yaml': {
    formats: ['kubernetes'],
    deployments: [
      {
        name: 'nightly-batch',
        format: 'kubernetes',
        model: null,
        gpu: 'L4',
        origin: 'default',
        count: 1,
        replicas: 1,
        serving: { engine: 'vllm', maxModelLen: 8192 },
      },
    ],
    // tp ($((NUM_GPUS / 2))) is unknown, so no gpu-count-mismatch against the 1 GPU; said once (issue 11 item 1).
    diagnostics: ['value-unresolved@18:29-18:37=${MODEL}'],
  },
  'k8s-default-gpu.yaml': {
    formats: ['kubernetes'],
    deployments: [
      { name: 'phi-4', format: 'kubernetes', model: 'microsoft/phi-4', gpu: 'L4', origin: 'default', count: 1, replicas: 1, serving: { engine: 'vllm' } },
    ],
    diagnostics: ['weights-exceed-memory@15:38-15:53=microsoft/phi-4'],
  },
  'k8s-deployment-args.yaml': {
    formats: ['kubernetes'],
    deployments: [
      {
        name: 'llama-8b',
        format: 'kubernetes',
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        gpu: 'L4',
        origin: 'stated',
        count: 1,
        replicas: 2,
        serving: { engine: 'vllm', tp: 2, maxModelLen: 16384, gpuMemoryUtilization: 0.92, maxNumSeqs: 128 },
      },
    ],
    diagnostics: ['gpu-count-mismatch@32:30-32:31=1'],
  },
  'k8s-instance-too-small.yaml': {
    formats: ['kubernetes'],
    deployments: [
      {
        name: 'gemma-27b-g6',
        format: 'kubernetes',
        model: 'google/gemma-3-27b-it',
        gpu: 'L4',
        origin: 'inferred',
        count: 8,
        replicas: 1,
        serving: { engine: 'vllm', tp: 8, maxModelLen: 32768 },
      },
    ],
    diagnostics: [
      'gpus-exceed-node@20:30-20:31=8',
      // 256 warm-up requests x 262,208 vocab x 20 B = 1.25 GiB > 2.20 GiB headroom - 0.5 context - 0.72 CUDA graphs.
      'shm-too-small@25:48-25:53=256Mi',
    ],
  },
  'k8s-job-bash-c.yaml': {
    formats: ['kubernetes'],
    deployments: [
      {
        name: 'eval-run',
        format: 'kubernetes',
        model: 'google/gemma-3-27b-it',
        gpu: 'L40S',
        origin: 'stated',
        count: 2,
        replicas: 1,
        serving: { engine: 'vllm', tp: 2, maxModelLen: 131072 },
      },
    ],
    diagnostics: ['shm-too-small@11:16-11:20=eval'],
  },
  'k8s-mig.yaml': {
    formats: ['kubernetes'],
    deployments: [
      {
        name: 'small-model-mig',
        format: 'kubernetes',
        model: 'Qwen/Qwen3-0.6B',
        gpu: 'A100-SXM4-80GB',
        origin: 'stated',
        count: 1,
        replicas: 4,
        serving: { engine: 'vllm', maxModelLen: 4096 },
      },
    ],
    diagnostics: [],
  },
  'k8s-multidoc.yaml': {
    formats: ['kubernetes'],
    deployments: [
      {
        name: 'llama-70b',
        format: 'kubernetes',
        model: 'meta-llama/Llama-3.3-70B-Instruct',
        gpu: 'A100-SXM4-80GB',
        origin: 'stated',
        count: 4,
        replicas: 1,
        serving: { engine: 'vllm', tp: 4, maxModelLen: 65536 },
      },
    ],
    diagnostics: ['shm-too-small@42:16-42:20=vllm'],
  },
  'k8s-no-shm-tp4.yaml': {
    formats: ['kubernetes'],
    deployments: [
      {
        name: 'qwen-72b',
        format: 'kubernetes',
        model: 'Qwen/Qwen2.5-72B-Instruct',
        gpu: 'A100-SXM4-80GB',
        origin: 'inferred',
        count: 4,
        replicas: 1,
        serving: { engine: 'vllm', tp: 4, maxModelLen: 32768 },
      },
    ],
    diagnostics: ['shm-too-small@15:16-15:20=vllm'],
  },
  'k8s-pod-sglang.yaml': {
    formats: ['kubernetes'],
    deployments: [
      {
        name: 'sglang-qwen',
        format: 'kubernetes',
        model: 'Qwen/Qwen3-30B-A3B',
        gpu: 'H100-SXM',
        origin: 'stated',
        count: 2,
        replicas: 1,
        serving: { engine: 'sglang', tp: 2, maxModelLen: 32768, memFractionStatic: 0.85 },
      },
    ],
    diagnostics: [],
  },
  'k8s-python-api-server.yaml': {
    formats: ['kubernetes'],
    deployments: [
      {
        name: 'mistral-7b',
        format: 'kubernetes',
        model: 'mistralai/Mistral-7B-Instruct-v0.3',
        gpu: 'A10G',
        origin: 'inferred',
        count: 1,
        replicas: 3,
        serving: { engine: 'vllm', maxModelLen: 32768, gpuMemoryUtilization: 0.95 },
      },
    ],
    diagnostics: [],
  },
  'k8s-sh-c-script.yaml': {
    formats: ['kubernetes'],
    deployments: [
      {
        name: 'qwen-32b',
        format: 'kubernetes',
        model: 'Qwen/Qwen3-32B',
        gpu: 'H100-SXM',
        origin: 'stated',
        count: 4,
        replicas: 1,
        serving: { engine: 'vllm', tp: 4, maxModelLen: 32768, maxNumSeqs: 64, kvCacheDtype: 'fp8' },
      },
    ],
    diagnostics: ['shm-too-small@16:16-16:22=server'],
  },
  'k8s-tgi-env.yaml': {
    formats: ['kubernetes'],
    deployments: [
      {
        name: 'tgi-llama',
        format: 'kubernetes',
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        gpu: 'A100-SXM4-40GB',
        origin: 'stated',
        count: 2,
        replicas: 1,
        serving: { engine: 'vllm', tp: 2, maxModelLen: 8192, gpuMemoryUtilization: 0.9 },
      },
    ],
    diagnostics: [],
  },
  'k8s-tgi-launcher-args.yaml': {
    formats: ['kubernetes'],
    deployments: [
      {
        name: 'tgi-mixtral',
        format: 'kubernetes',
        model: 'mistralai/Mixtral-8x7B-v0.1',
        gpu: 'H100-SXM',
        origin: 'stated',
        count: 4,
        replicas: 2,
        serving: { engine: 'vllm', tp: 4, maxModelLen: 16384, gpuMemoryUtilization: 1, quantization: 'fp8' },
      },
    ],
    diagnostics: ['shm-too-small@15:16-15:19=tgi'],
  },
  'kserve-hf-runtime.yaml': {
    formats: ['kserve'],
    deployments: [
      {
        name: 'huggingface-llama3',
        format: 'kserve',
        model: 'meta-llama/Meta-Llama-3-8B-Instruct',
        gpu: 'A10G',
        origin: 'stated',
        count: 1,
        replicas: 1,
        serving: { engine: 'vllm', maxModelLen: 8192, gpuMemoryUtilization: 0.95 },
      },
    ],
    // 256 warm-up requests x 128,256 vocab x 20 B = 0.61 GiB > 22.03 GiB x 0.05 - 0.5 context - 0.42 CUDA graphs.
    diagnostics: [],
  },
  'kserve-llminferenceservice.yaml': {
    formats: ['kserve-llm'],
    deployments: [
      {
        name: 'llama-pd/prefill',
        format: 'kserve-llm',
        model: 'meta-llama/Llama-3.1-70B-Instruct',
        gpu: 'H100-SXM',
        origin: 'stated',
        count: 4,
        replicas: 1,
        serving: { tp: 8 },
      },
      {
        name: 'llama-pd/decode',
        format: 'kserve-llm',
        model: 'meta-llama/Llama-3.1-70B-Instruct',
        gpu: 'H100-SXM',
        origin: 'stated',
        count: 4,
        replicas: 2,
        serving: { engine: 'vllm', tp: 4, maxModelLen: 32768 },
      },
    ],
    diagnostics: ['gpu-count-mismatch@31:31-31:32=4'],
  },
  'kserve-multinode.yaml': {
    formats: ['kserve'],
    deployments: [
      {
        name: 'llama-405b-multinode',
        format: 'kserve',
        model: 'meta-llama/Llama-3.1-405B-Instruct',
        gpu: 'H100-SXM',
        origin: 'stated',
        count: 16,
        replicas: 1,
        serving: { engine: 'vllm', tp: 8, pp: 2 },
      },
    ],
    diagnostics: [],
  },
  'kserve-storage-uri.yaml': {
    formats: ['kserve'],
    deployments: [
      {
        name: 'qwen-14b',
        format: 'kserve',
        model: 'Qwen/Qwen3-14B',
        gpu: 'L4',
        origin: 'stated',
        count: 2,
        replicas: 1,
        serving: { engine: 'vllm', tp: 2, maxModelLen: 40960 },
      },
    ],
    diagnostics: [],
  },
  'kubeai-model-tp.yaml': {
    formats: ['kubeai'],
    deployments: [
      {
        name: 'qwen-72b-h100',
        format: 'kubeai',
        model: 'Qwen/Qwen2.5-72B-Instruct',
        gpu: 'H100-SXM',
        origin: 'stated',
        count: 2,
        replicas: 1,
        serving: { engine: 'vllm', tp: 4, maxModelLen: 32768 },
      },
    ],
    diagnostics: ['gpu-count-mismatch@11:35-11:36=2'],
  },
  'kubeai-model.yaml': {
    formats: ['kubeai'],
    deployments: [
      {
        name: 'llama-3.1-8b-instruct-l4',
        format: 'kubeai',
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        gpu: 'L4',
        origin: 'stated',
        count: 1,
        replicas: 0,
        serving: { engine: 'vllm', maxModelLen: 16384, gpuMemoryUtilization: 0.9 },
      },
    ],
    diagnostics: [],
  },
  'llmd-modelservice-values.yaml': {
    formats: ['llm-d'],
    deployments: [
      {
        name: 'Qwen/Qwen3-32B/prefill',
        format: 'llm-d',
        model: 'Qwen/Qwen3-32B',
        gpu: 'H100-SXM',
        origin: 'stated',
        count: 2,
        replicas: 4,
        serving: { engine: 'vllm', tp: 1, maxModelLen: 32768 },
      },
      {
        name: 'Qwen/Qwen3-32B/decode',
        format: 'llm-d',
        model: 'Qwen/Qwen3-32B',
        gpu: 'H100-SXM',
        origin: 'stated',
        count: 2,
        replicas: 2,
        serving: { engine: 'vllm', tp: 2, dp: 1, maxModelLen: 32768 },
      },
    ],
    diagnostics: ['gpu-count-mismatch@47:27-47:28=2', 'max-model-len-too-long@44:33-44:38=32768'],
  },
  'lws-multinode.yaml': {
    formats: ['leaderworkerset'],
    deployments: [
      {
        name: 'vllm-405b',
        format: 'leaderworkerset',
        model: 'meta-llama/Llama-3.1-405B-Instruct',
        gpu: 'H100-SXM',
        origin: 'stated',
        count: 16,
        replicas: 1,
        serving: { engine: 'vllm', tp: 8, pp: 2 },
      },
    ],
    diagnostics: [],
  },
  'lws-tp-across-nodes.yaml': {
    formats: ['leaderworkerset'],
    deployments: [
      {
        name: 'deepseek-r1',
        format: 'leaderworkerset',
        model: 'deepseek-ai/DeepSeek-R1',
        gpu: 'H200-SXM',
        origin: 'inferred',
        count: 16,
        replicas: 2,
        serving: { engine: 'vllm', tp: 16, maxModelLen: 65536 },
      },
    ],
    diagnostics: ['shm-too-small@13:18-13:24=leader', 'tp-across-nodes@20:41-20:43=16'],
  },
  'production-stack-multi.yaml': {
    formats: ['production-stack'],
    deployments: [
      {
        name: 'llama3',
        format: 'production-stack',
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        gpu: 'L4',
        origin: 'stated',
        count: 1,
        replicas: 2,
        serving: { engine: 'vllm', maxModelLen: 32768, gpuMemoryUtilization: 0.9, maxNumSeqs: 128 },
      },
      {
        name: 'qwen-32b',
        format: 'production-stack',
        model: 'Qwen/Qwen3-32B',
        gpu: 'H100-SXM',
        origin: 'stated',
        count: 2,
        replicas: 1,
        serving: { engine: 'vllm', tp: 2, maxModelLen: 40960 },
      },
      {
        name: 'mistral',
        format: 'production-stack',
        model: 'mistralai/Mistral-7B-Instruct-v0.3',
        gpu: 'L4',
        origin: 'default',
        count: 2,
        replicas: 1,
        serving: { engine: 'vllm', tp: 1, maxModelLen: 16384 },
      },
    ],
    diagnostics: [
      'gpu-count-mismatch@45:18-45:19=2',
      'setting-ignored@33:8-33:20=kvCacheDtype',
      // The chart appends extraArgs after its own flags, so vLLM honours --tensor-parallel-size 2; what it does not
      // do is mount /dev/shm, which it renders only for vllmConfig.tensorParallelSize (deployment-vllm-multi.yaml).
      'setting-ignored@34:52-34:69=--max-num-seqs 64',
      'shm-too-small@25:13-25:21=qwen-32b',
    ],
  },
  'production-stack-single.yaml': {
    formats: ['production-stack'],
    deployments: [
      {
        name: 'opt125m',
        format: 'production-stack',
        model: 'facebook/opt-125m',
        gpu: 'L4',
        origin: 'default',
        count: 1,
        replicas: 1,
        serving: { engine: 'vllm' },
      },
    ],
    diagnostics: [],
  },
  'ray-serve-llm.yaml': {
    formats: ['ray-serve'],
    deployments: [
      {
        name: 'llm_app/qwen-8b',
        format: 'ray-serve',
        model: 'Qwen/Qwen3-8B',
        gpu: 'L4',
        origin: 'stated',
        count: null,
        replicas: 1,
        serving: { engine: 'vllm', tp: 2, maxModelLen: 32768, gpuMemoryUtilization: 0.9 },
      },
      {
        name: 'llm_app/llama-70b',
        format: 'ray-serve',
        model: 'meta-llama/Llama-3.3-70B-Instruct',
        gpu: 'A100-SXM4-80GB',
        origin: 'stated',
        count: null,
        replicas: 1,
        serving: { engine: 'vllm', tp: 4, maxModelLen: 131072 },
      },
    ],
    diagnostics: [],
  },
  'rayservice-embedded.yaml': {
    formats: ['rayservice'],
    deployments: [
      {
        name: 'ray-serve-llm/llms/gemma',
        format: 'rayservice',
        model: 'google/gemma-3-27b-it',
        gpu: 'L4',
        origin: 'stated',
        count: null,
        replicas: 1,
        serving: { engine: 'vllm', tp: 2, maxModelLen: 32768 },
      },
    ],
    diagnostics: ['weights-exceed-memory@14:26-14:47=google/gemma-3-27b-it'],
  },
};

function analyze(file: string) {
  const src = readFileSync(join(DIR, file), 'utf8');
  return { src, a: analyzeText(src, { defaultGpu: 'L4', memoryOnly: true }) };
}

test('the corpus has at least 30 positive fixtures, each with expectations', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 30, `${files.length} fixtures`);
  assert.deepEqual(files.sort(), Object.keys(EXPECTED).sort());
});

for (const [file, exp] of Object.entries(EXPECTED)) {
  test(`fixture ${file}`, () => {
    const { src, a } = analyze(file);
    assert.deepEqual(a.formats, exp.formats);
    const got = a.deployments.map(({ deployment: d }) => {
      const serving: Record<string, unknown> = {};
      for (const k of Object.keys(exp.deployments.find((e) => e.name === d.name)?.serving ?? {})) serving[k] = (d.serving as Record<string, unknown>)[k];
      return {
        name: d.name,
        format: d.format,
        model: d.model ? (d.model.kind === 'id' ? d.model.id : d.model.kind === 'path' ? d.model.path : d.model.entry.id) : null,
        gpu: d.gpu,
        origin: d.gpuOrigin,
        count: d.gpuCount,
        replicas: d.replicas,
        serving,
      };
    });
    assert.deepEqual(got, exp.deployments);
    const diags = a.diagnostics
      .filter((d) => !ENGINE_NUMERIC.has(d.code))
      .map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}=${textAt(src, d.range)}`)
      .sort();
    assert.deepEqual(diags, exp.diagnostics);
    // Every range any deployment carries points inside the file and at non-empty text.
    const lines = src.split('\n');
    for (const { deployment: d } of a.deployments) {
      assert.ok(d.ranges.document, 'document range');
      for (const [k, r] of Object.entries(d.ranges)) {
        assert.ok(r.start.line < lines.length && r.end.line < lines.length, `${k} inside the file`);
        if (k !== 'document' && r.start.line === r.end.line) assert.ok(r.end.character > r.start.character, `${k} non-empty`);
      }
    }
  });
}

test('negative fixtures produce no llm-sizer diagnostics and claim nothing', () => {
  const neg = join(DIR, 'negative');
  const files = readdirSync(neg);
  assert.ok(files.length >= 5);
  for (const f of files) {
    const a = analyzeText(readFileSync(join(neg, f), 'utf8'), { defaultGpu: 'L4', memoryOnly: true });
    assert.deepEqual(a.diagnostics, [], f);
    assert.deepEqual(a.deployments, [], f);
  }
});

test('sub-ranges: the exact token inside a sh -c block scalar and inside "--flag=value"', () => {
  const { src, a } = analyze('k8s-sh-c-script.yaml');
  const d = a.deployments[0].deployment;
  assert.equal(textAt(src, d.ranges['serving.tensor_parallel_size']), '4');
  assert.equal(d.ranges['serving.tensor_parallel_size'].start.line, 24);
  assert.equal(textAt(src, d.keyRanges['serving.tensor_parallel_size']), '--tp');
  // ${MAX_LEN} resolves to the env literal; the range points at the env value.
  assert.equal(textAt(src, d.ranges['serving.max_model_len']), '32768');
  assert.equal(d.ranges['serving.max_model_len'].start.line, 32);
  assert.equal(textAt(src, d.ranges['serving.max_num_seqs']), '64');
  assert.equal(d.serving.enablePrefixCaching, true);
  assert.ok(d.notes.some((n) => /shell arithmetic/.test(n)));
  const k = analyze('k8s-deployment-args.yaml');
  const kd = k.a.deployments[0].deployment;
  assert.equal(textAt(k.src, kd.ranges['serving.tensor_parallel_size']), '2');
  assert.equal(textAt(k.src, kd.keyRanges['serving.tensor_parallel_size']), '--tensor-parallel-size');
  assert.equal(textAt(k.src, kd.ranges['serving.max_num_seqs']), '128');
  assert.equal(textAt(k.src, kd.keyRanges['serving.max_num_seqs']), '--max-num-seq');
});

test('unresolved $(VAR), ${VAR} and shell arithmetic are noted, never guessed', () => {
  const { a } = analyze('k8s-cronjob-unresolved.yaml');
  const d = a.deployments[0].deployment;
  assert.equal(d.model, null);
  assert.equal(d.serving.tp, undefined);
  assert.ok(d.notes.some((n) => n.includes('${MODEL}') && /not set to a literal/.test(n)));
  assert.ok(d.notes.some((n) => n.includes('$((NUM_GPUS / 2))') && /arithmetic/.test(n)));
  assert.deepEqual(
    d.unresolved?.map((u) => [u.path, u.text]),
    [
      ['model', '${MODEL}'],
      ['serving.tensor_parallel_size', '$((NUM_GPUS / 2))'],
    ],
  );
  const info = a.diagnostics.filter((x) => x.code === 'value-unresolved');
  assert.equal(info.length, 1, 'said once per deployment');
  assert.equal(info[0].severity, 'info');
  assert.equal(
    info[0].message,
    'Not sized: the model ("${MODEL}" refers to MODEL, which the manifest does not set to a literal value); tensor_parallel_size ("$((NUM_GPUS / 2))" is shell arithmetic, not evaluated). The checks that depend on these values are off. State them literally in this file (a number in the args, or a literal env value referenced as $(VAR)) to check them.',
  );
});

test('RayService: ranges inside serveConfigV2 map into the outer file', () => {
  const { src, a } = analyze('rayservice-embedded.yaml');
  const d = a.deployments[0].deployment;
  assert.equal(textAt(src, d.ranges.model), 'google/gemma-3-27b-it');
  assert.equal(d.ranges.model.start.line, 14);
  assert.equal(textAt(src, d.ranges['serving.tensor_parallel_size']), '2');
  assert.equal(textAt(src, d.ranges['hardware.gpu']), 'L4');
});

test('TGI is sized with the vLLM budget and says so; flags win over env', () => {
  const env = analyze('k8s-tgi-env.yaml').a.deployments[0].deployment;
  assert.equal(env.serving.gpuMemoryUtilization, 0.9);
  assert.equal(env.serving.maxModelLen, 8192);
  assert.ok(env.notes.some((n) => /TGI's own memory accounting differs/.test(n)));
  const args = analyze('k8s-tgi-launcher-args.yaml').a.deployments[0].deployment;
  assert.equal(args.serving.tp, 4); // --num-shard 4 beats NUM_SHARD=8
  assert.equal(args.serving.gpuMemoryUtilization, 1); // TGI's default CUDA_MEMORY_FRACTION
  // TGI's own request cap, never vLLM's max_num_seqs: --max-concurrent-requests defaults to 128 (TGI launcher.md).
  assert.equal(env.serving.maxNumSeqs, 128);
});

test('TGI: MAX_CONCURRENT_REQUESTS caps the requests in flight, and the KV finding names it and CUDA_MEMORY_FRACTION', () => {
  const text = (cap: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: tgi}
spec:
  template:
    spec:
      nodeSelector: {cloud.google.com/gke-accelerator: nvidia-l4}
      containers:
        - name: tgi
          image: ghcr.io/huggingface/text-generation-inference:2.0.4
          env:
            - {name: MODEL_ID, value: meta-llama/Llama-3.1-8B-Instruct}
${cap}          resources:
            limits: {nvidia.com/gpu: 1}
`;
  const stated = analyzeText(text('            - {name: MAX_CONCURRENT_REQUESTS, value: "512"}\n'), {});
  const d = stated.deployments[0];
  assert.equal(d.deployment.serving.maxNumSeqs, 512);
  // One L4 (22.04 GiB usable at CUDA_MEMORY_FRACTION 1) holds fewer than 512 requests of the assumed 1,200 tokens.
  const f = stated.diagnostics.find((x) => x.code === 'kv-limits-concurrency');
  assert.ok(f, stated.diagnostics.map((x) => x.code).join(', '));
  assert.match(
    f.message,
    /fewer than MAX_CONCURRENT_REQUESTS 512\. The rest wait or get preempted\. KV_CACHE_DTYPE=fp8_e4m3fn doubles the tokens; more GPUs or a higher CUDA_MEMORY_FRACTION add room\.$/,
  );
  assert.equal(f.data?.suggestedKvCacheDtype, undefined);
  // Unstated: TGI's 128, and the finding speaks only when the KV cache holds fewer than 128.
  const plain = analyzeText(text(''), {});
  const dflt = plain.deployments[0];
  assert.equal(dflt.deployment.serving.maxNumSeqs, 128);
  // MAX_TOTAL_TOKENS unset: TGI takes min(what the KV cache holds, max_position_embeddings), so Llama-3.1-8B's 131,072
  // positions on one L4 are no refusal (vLLM would refuse them: 16 GiB of KV for one request).
  assert.deepEqual(
    plain.diagnostics.filter((x) => x.severity === 'error').map((x) => x.code),
    [],
  );
  assert.equal(dflt.sizing?.startup.ok, true);
  assert.ok(dflt.deployment.notes.some((n) => /unset, TGI lowers it to what the KV cache holds/.test(n)));
});

test('the default GPU is used only when nothing names one, and a note says so', () => {
  const d = analyze('k8s-default-gpu.yaml').a.deployments[0].deployment;
  assert.equal(d.gpuOrigin, 'default');
  assert.ok(d.notes.some((n) => /default GPU "L4"/.test(n)));
  assert.equal(d.serving.enablePrefixCaching, false);
  assert.equal(d.serving.enforceEager, true);
});

test('report JSON names the format per deployment', () => {
  const { a } = analyze('llmd-modelservice-values.yaml');
  assert.deepEqual(
    a.deployments.map((d) => d.deployment.format),
    ['llm-d', 'llm-d'],
  );
});

// ---- argument parser, shell tokenizer, scalar mapping ----

function args(list: string[]) {
  const doc = parseDocument(JSON.stringify(list));
  const src = JSON.stringify(list);
  // JSON is YAML: every item is a double-quoted scalar with a source range.
  const items = (doc.contents as unknown as { items: unknown[] }).items;
  return { src, args: items.map((n) => argFromScalar(mapScalar(src, n)!)) };
}

test('argparse: = and space forms, - and _ spellings, prefixes, aliases, booleans and --no-*', () => {
  const { src, args: a } = args([
    '--tensor_parallel_size=4',
    '--max-model-len',
    '8192',
    '--max-num-seq',
    '32',
    '-tp',
    '2',
    '--no-enable-prefix-caching',
    '--enforce-eager',
    '--gpu-memory-util',
    '0.8',
  ]);
  const c = parseEngineArgs('vllm', 'vllm serve', [0, 0], a, () => undefined, false);
  assert.equal(c.options.get('tensor_parallel_size')!.value!.text, '2'); // the later -tp wins, like argparse
  assert.equal(c.options.get('max_model_len')!.value!.text, '8192');
  assert.equal(c.options.get('max_num_seqs')!.value!.text, '32');
  assert.equal(c.options.get('enable_prefix_caching')!.bool, false);
  assert.equal(c.options.get('enforce_eager')!.bool, true);
  assert.equal(c.options.get('gpu_memory_utilization')!.value!.text, '0.8');
  const v = c.options.get('max_model_len')!.value!;
  assert.equal(src.slice(v.span[0], v.span[1]), '8192');
});

test('argparse: positional model for vllm serve; ambiguous prefix is an error; missing value', () => {
  const { args: a } = args(['Qwen/Qwen3-8B', '--max-num', '4', '--dtype']);
  const c = parseEngineArgs('vllm', 'vllm serve', [0, 0], a, () => undefined, true);
  assert.equal(c.model!.text, 'Qwen/Qwen3-8B');
  assert.deepEqual(
    c.diagnostics.map((d) => d.code),
    ['ambiguous-flag', 'flag-missing-value'],
  );
});

test('argparse: SGLang and TGI spellings', () => {
  const s = parseEngineArgs(
    'sglang',
    'x',
    [0, 0],
    args(['--model-path', 'm', '--tp-size', '4', '--dp', '2', '--mem-fraction-static', '0.8', '--context-length', '4096']).args,
    () => undefined,
    false,
  );
  assert.equal(s.model!.text, 'm');
  assert.deepEqual([...s.options.keys()], ['tp_size', 'dp_size', 'mem_fraction_static', 'context_length']);
  const t = parseEngineArgs('tgi', 'x', [0, 0], args(['--model-id', 'm', '--num-shard=2', '--quantize', 'awq', '--sharded']).args, () => undefined, false);
  assert.equal(t.model!.text, 'm');
  assert.equal(t.options.get('num_shard')!.value!.text, '2');
  assert.equal(t.options.get('sharded')!.bool, true);
});

test('shell tokenizer: quotes, continuations, operators, env assignments, expansions', () => {
  const s = `A=1 B="x y" vllm serve 'my model' --tp 2 \\\n  --x="a b" && echo "$HOME" ; sleep $((1+2))`;
  const cmds = tokenizeShell(s);
  assert.equal(cmds.length, 3);
  assert.deepEqual(
    cmds[0].env.map((e) => [e.name, e.value.text]),
    [
      ['A', '1'],
      ['B', 'x y'],
    ],
  );
  assert.deepEqual(
    cmds[0].words.map((w) => w.text),
    ['vllm', 'serve', 'my model', '--tp', '2', '--x=a b'],
  );
  const w = cmds[0].words[2];
  assert.equal(s.slice(w.start[0], w.end[w.text.length - 1]), 'my model');
  assert.equal(cmds[1].words[1].dynamic, true);
  assert.equal(cmds[2].words[1].text, '$((1+2))');
});

test('scalar mapping: every flow and block style maps each value character to its source', () => {
  const src = "a: |\n  vllm serve x \\\n    --tp 2\nb: \"q\\\"x \\\n   y\"\nc: >-\n  foo\n  bar\nd: plain\n  folded\ne: 'it''s'\n";
  const doc = parseDocument(src);
  for (const p of (doc.contents as unknown as { items: { value: unknown }[] }).items) {
    const ms = mapScalar(src, p.value)!;
    assert.ok(ms.map, ms.text);
    for (let i = 0; i < ms.text.length; i++) {
      const piece = src.slice(ms.map!.start[i], ms.map!.end[i]);
      if (piece.length === 1 && piece !== '\n') assert.equal(piece, ms.text[i]);
    }
  }
});

test('GPU names: node labels, GKE accelerators, Karpenter names and instance types resolve through the catalog', () => {
  assert.equal(resolveGpuLabel('NVIDIA-H100-80GB-HBM3'), 'H100-SXM');
  assert.equal(resolveGpuLabel('nvidia-l4'), 'L4');
  assert.equal(resolveGpuLabel('nvidia-tesla-t4'), 'T4');
  assert.equal(resolveGpuLabel('a10g'), 'A10G');
  assert.equal(resolveGpuLabel('NVIDIA-A100-SXM4-80GB'), 'A100-SXM4-80GB');
  assert.deepEqual(instanceGpu('g5.12xlarge'), { gpu: 'A10G', count: 4 });
  assert.deepEqual(instanceGpu('a3-highgpu-8g'), { gpu: 'H100-SXM', count: 8 });
  assert.deepEqual(instanceGpu('Standard_ND96isr_H100_v5'), { gpu: 'H100-SXM', count: 8 });
  const cat = builtinCatalog();
  for (const [k, v] of Object.entries(instanceTable())) assert.ok(cat.findGpuEntry(v.gpu), `${k} -> ${v.gpu} is a catalog GPU`);
});

import { INSTANCE_TYPES } from '../../server/src/formats/instanceTypes';
function instanceTable() {
  return INSTANCE_TYPES;
}

test('a 5,000-line multi-document manifest is analyzed', () => {
  const doc = readFileSync(join(DIR, 'k8s-deployment-args.yaml'), 'utf8');
  const parts: string[] = [];
  let lines = 0;
  while (lines < 5000) {
    parts.push(doc.replace('name: llama-8b', `name: llama-8b-${parts.length}`));
    lines += doc.split('\n').length;
  }
  const a = analyzeText(parts.join('---\n'), { defaultGpu: 'L4', memoryOnly: true });
  assert.equal(a.deployments.length, parts.length);
  assert.ok(a.diagnostics.every((d) => d.code !== 'yaml-syntax'));
});

test('mutated fixtures never make an adapter throw (seeded fuzz)', () => {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => readFileSync(join(DIR, f), 'utf8'));
  let seed = 7;
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
    '-',
    '--',
    '=',
    ':',
    '[',
    ']',
    '|',
    '>',
    '&&',
    '0',
    '-1',
    '1e9',
    'null',
    '~',
    '*a',
    '&a',
    '\t',
    '#',
  ];
  for (let i = 0; i < 600; i++) {
    let s = files[rnd(files.length)];
    for (let k = 0; k < 1 + rnd(4); k++) {
      const p = rnd(s.length);
      s = s.slice(0, p) + junk[rnd(junk.length)] + s.slice(p + rnd(6));
    }
    assert.doesNotThrow(() => analyzeText(s, { defaultGpu: 'L4', memoryOnly: true }), s.slice(0, 80));
  }
});
