// Real variants of each serving format, on public files copied verbatim (each fixture's header names its source URL
// and commit): the deployments each yields (model as the file states it, GPU, count, tp/pp/dp as stated, replicas,
// role) and the diagnostics the adapters and the not-sized rule give. Diagnostics owned by other parts (the model
// catalog's coverage, workload-based findings) are left out so these tests check the format reading only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../../server/src/analysis';
import { reportJson } from '../../server/src/report';
import type { Range } from '../../server/src/formats/types';

const DIR = join(__dirname, '..', 'fixtures', 'formats', 'public');
/** Codes another part owns (catalog coverage, workload findings, engine numbers): not asserted here. */
const NOT_OURS = new Set(['unknown-model', 'kv-limits-concurrency']);

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
    deployments: [{ name: 'meta-llama/Llama-3.1-8B-Instruct', format: 'ray-serve', model: 'meta-llama/Llama-3.1-8B-Instruct', gpu: 'A10G', count: null, tp: 2, pp: null, dp: null, replicas: 1, role: null }],
    diagnostics: [],
  },
  // build_dp_openai_app with singular llm_config: 2 replicas, each a gang of data_parallel_size 4 ranks of tp 1.
  'ray-dp-gang.yaml': {
    formats: ['ray-serve'],
    deployments: [{ name: 'llm-endpoint/microsoft/Phi-tiny-MoE-instruct', format: 'ray-serve', model: 'microsoft/Phi-tiny-MoE-instruct', gpu: 'L4', count: null, tp: 1, pp: 1, dp: 4, replicas: 2, role: null }],
    diagnostics: [],
  },
  // prefill_config / decode_config under the older internal builder: 2 prefill and 6 decode replicas (2p6d), not 1:1.
  'ray-pd-2p6d.yaml': {
    formats: ['ray-serve'],
    deployments: [
      { name: 'llm-endpoint/prefill', format: 'ray-serve', model: 'neuralmagic/Meta-Llama-3.1-8B-Instruct-quantized.w4a16', gpu: 'A10G', count: null, tp: 1, pp: null, dp: null, replicas: 2, role: 'prefill' },
      { name: 'llm-endpoint/decode', format: 'ray-serve', model: 'neuralmagic/Meta-Llama-3.1-8B-Instruct-quantized.w4a16', gpu: 'A10G', count: null, tp: 1, pp: null, dp: null, replicas: 6, role: 'decode' },
    ],
    diagnostics: [],
  },
  // build_pd_openai_app (Ray docs): autoscaling floors 2 prefill, 6 decode; no accelerator_type, so the default GPU.
  'ray-pd-nixl.yaml': {
    formats: ['ray-serve'],
    deployments: [
      { name: 'pd-disaggregation-nixl/prefill', format: 'ray-serve', model: 'meta-llama/Llama-3.1-8B-Instruct', gpu: 'L4', count: null, tp: null, pp: null, dp: null, replicas: 2, role: 'prefill' },
      { name: 'pd-disaggregation-nixl/decode', format: 'ray-serve', model: 'meta-llama/Llama-3.1-8B-Instruct', gpu: 'L4', count: null, tp: null, pp: null, dp: null, replicas: 6, role: 'decode' },
    ],
    // The model's 131,072-token default context does not fit one L4 (the default GPU here) at tp 1: both roles.
    diagnostics: ['max-model-len-too-long@22:20-22:52=meta-llama/Llama-3.1-8B-Instruct', 'max-model-len-too-long@9:20-9:52=meta-llama/Llama-3.1-8B-Instruct'],
  },
  // llm-d modelservice: uri hf://"{{ .Values.modelArtifacts.name }}" rendered from this file; no parallelism, so the
  // chart's tensor 1 x dataLocal 1 = 1 GPU per pod; 1 prefill and 1 decode replica.
  'llmd-values-pd.yaml': {
    formats: ['llm-d'],
    deployments: [
      { name: 'facebook/opt-125m/prefill', format: 'llm-d', model: 'facebook/opt-125m', gpu: 'L4', count: 1, tp: null, pp: null, dp: null, replicas: 1, role: 'prefill' },
      { name: 'facebook/opt-125m/decode', format: 'llm-d', model: 'facebook/opt-125m', gpu: 'L4', count: 1, tp: null, pp: null, dp: null, replicas: 1, role: 'decode' },
    ],
    diagnostics: [],
  },
  // Decode tensor 2 with accelerator.dra true (its GPUs come from resource claims: count unknown, not 1), prefill
  // tensor 1 (1 GPU per pod from the chart): each role read with its own parallelism.
  'llmd-values-heterogeneous-pd.yaml': {
    formats: ['llm-d'],
    deployments: [
      { name: 'facebook/opt-125m/prefill', format: 'llm-d', model: 'facebook/opt-125m', gpu: 'L4', count: 1, tp: 1, pp: null, dp: 1, replicas: 1, role: 'prefill' },
      { name: 'facebook/opt-125m/decode', format: 'llm-d', model: 'facebook/opt-125m', gpu: 'L4', count: null, tp: 2, pp: null, dp: 1, replicas: 1, role: 'decode' },
    ],
    diagnostics: [],
  },
  // pvc+hf://model-pvc/meta-llama/Llama-3.1-8B-Instruct serves meta-llama/Llama-3.1-8B-Instruct; accelerator.type
  // intel-gaudi names no accelerator model, so the (NVIDIA) default GPU is not used and the deployment says why.
  'llmd-values-gaudi.yaml': {
    formats: ['llm-d'],
    deployments: [{ name: 'meta-llama/Llama-3.1-8B-Instruct/decode', format: 'llm-d', model: 'meta-llama/Llama-3.1-8B-Instruct', gpu: null, count: 1, tp: null, pp: null, dp: null, replicas: 1, role: 'decode' }],
    diagnostics: ['not-sized@10:8-10:59=pvc+hf://model-pvc/meta-llama/Llama-3.1-8B-Instruct'],
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
    const diags = a.diagnostics.filter((d) => !NOT_OURS.has(d.code)).map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}=${textAt(src, d.range)}`).sort();
    assert.deepEqual(diags, exp.diagnostics);
  });
}
