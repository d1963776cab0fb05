// Which model a file names (issue 11 item 2): an alias is reported as the checkpoint the file wrote, and a quantized
// checkpoint named by suffix (-AWQ, -FP8-dynamic, -bnb-4bit, ...) sizes as its catalog base with the quantization the
// suffix denotes. Expected ids and bytes are exact, derived from the catalog configs and the quantization layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText } from '../../server/src/analysis/analysis';
import { builtinCatalog } from '../../server/src/catalog/index';
import { catalogMatchFor, currentHfName, derivedQuantFor, firstModelMatch, modelMatchFor } from '../../server/src/analysis/modelResolve';

const cat = builtinCatalog();

/** A Deployment serving `model` with extra vLLM args on one L4 (the model is never read from this machine). */
function pod(model: string, extra = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: m
spec:
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.11.0
          args: ["--model", "${model}"${extra}]
          resources:
            limits:
              nvidia.com/gpu: 1
      nodeSelector:
        cloud.google.com/gke-accelerator: nvidia-l4
`;
}

const analyze = (text: string) => analyzeText(text, { catalog: cat, readLocalConfig: () => ({ error: 'container paths are not read' }), memoryOnly: true });

test('an alias is reported as written: a base checkpoint is not its -Instruct entry, a chat checkpoint not its base', () => {
  const base = catalogMatchFor(cat, 'meta-llama/Llama-3.1-70B')!;
  assert.equal(base.entry.id, 'meta-llama/Llama-3.1-70B-Instruct');
  assert.equal(base.id, 'meta-llama/Llama-3.1-70B');
  assert.equal(catalogMatchFor(cat, 'mistralai/mixtral-8x7b-instruct-v0.1')!.id, 'mistralai/Mixtral-8x7B-Instruct-v0.1');
  // A main id stays the main id.
  assert.equal(catalogMatchFor(cat, 'Qwen/Qwen3-8B')!.id, 'Qwen/Qwen3-8B');
  // A path segment without organisation takes the catalog spelling of the alias it names.
  const a = analyze(pod('/models/Llama-2-7b-chat-hf')).deployments[0];
  assert.equal(a.model?.id, 'meta-llama/Llama-2-7b-chat-hf');
  assert.equal(a.model?.entry?.id, 'meta-llama/Llama-2-7b-hf');
});

test("a renamed repository is reported under today's name; another organisation's copy keeps its organisation", () => {
  assert.equal(currentHfName('meta-llama/Meta-Llama-3.1-8B-Instruct'), 'meta-llama/Llama-3.1-8B-Instruct');
  assert.equal(currentHfName('meta-llama/Meta-Llama-3-8B-Instruct'), 'meta-llama/Meta-Llama-3-8B-Instruct'); // Llama 3 kept its name
  assert.equal(catalogMatchFor(cat, 'meta-llama/Meta-Llama-3.1-405B-Instruct')!.id, 'meta-llama/Llama-3.1-405B-Instruct');
  const nm = catalogMatchFor(cat, 'neuralmagic/Meta-Llama-3.1-405B-Instruct-FP8')!;
  assert.equal(nm.entry.id, 'meta-llama/Llama-3.1-405B-Instruct-FP8');
  assert.equal(nm.id, 'neuralmagic/Meta-Llama-3.1-405B-Instruct-FP8');
  // exactOnly: the organisation must match.
  assert.equal(catalogMatchFor(cat, 'neuralmagic/Meta-Llama-3.1-405B-Instruct-FP8', true), undefined);
});

test('quantized checkpoints named by suffix: the catalog base with the quantization the suffix denotes', () => {
  const awq = derivedQuantFor(cat, 'Qwen3-8B-AWQ')!;
  assert.equal(awq.base.id, 'Qwen/Qwen3-8B');
  assert.equal(awq.suffix, '-AWQ');
  assert.deepEqual(awq.quantizationConfig, { quant_method: 'awq', bits: 4, group_size: 128, zero_point: true, version: 'gemm' });
  const cases: [string, string, Record<string, unknown>][] = [
    ['Qwen/Qwen3-8B-GPTQ-Int4', 'Qwen/Qwen3-8B', { quant_method: 'gptq', bits: 4, group_size: 128 }],
    ['Qwen/Qwen3-8B-GPTQ-Int8', 'Qwen/Qwen3-8B', { quant_method: 'gptq', bits: 8, group_size: 128 }],
    ['RedHatAI/Qwen3-8B-FP8-dynamic', 'Qwen/Qwen3-8B', { quant_method: 'fp8' }],
    ['RedHatAI/Qwen3-8B-FP8-block', 'Qwen/Qwen3-8B', { quant_method: 'fp8', weight_block_size: [128, 128] }],
    ['unsloth/phi-4-bnb-4bit', 'microsoft/phi-4', { quant_method: 'bitsandbytes', load_in_4bit: true, bnb_4bit_quant_type: 'nf4' }],
    ['nvidia/Qwen3-8B-NVFP4', 'Qwen/Qwen3-8B', { quant_method: 'modelopt', quant_algo: 'NVFP4' }],
    [
      'RedHatAI/Qwen3-8B-quantized.w4a16',
      'Qwen/Qwen3-8B',
      { quant_method: 'compressed-tensors', config_groups: { group_0: { weights: { num_bits: 4, type: 'int', group_size: 128 } } } },
    ],
    // Nemotron's unquantized checkpoint carries -BF16 in its name.
    [
      'RedHatAI/NVIDIA-Nemotron-3-Ultra-550B-A55B-FP8-block',
      'nvidia/NVIDIA-Nemotron-3-Ultra-550B-A55B-BF16',
      { quant_method: 'fp8', weight_block_size: [128, 128] },
    ],
  ];
  for (const [name, base, qc] of cases) {
    const d = derivedQuantFor(cat, name);
    assert.equal(d?.base.id, base, name);
    assert.deepEqual(d?.quantizationConfig, qc, name);
  }
  // No base in the catalog, no suffix, or a base that is itself quantized: nothing is derived.
  assert.equal(derivedQuantFor(cat, 'acme/NotAModel-7B-AWQ'), undefined);
  assert.equal(derivedQuantFor(cat, 'Qwen/Qwen3-8B'), undefined);
  assert.equal(derivedQuantFor(cat, 'meta-llama/Llama-3.1-405B-Instruct-FP8-AWQ'), undefined);
  // A checkpoint the catalog holds with its own config wins over a derivation from its name.
  const exact = firstModelMatch(cat, ['Qwen/Qwen2.5-7B-Instruct-AWQ'])!;
  assert.equal(exact.derived, undefined);
  assert.equal(exact.entry.id, 'Qwen/Qwen2.5-7B-Instruct-AWQ');
  assert.equal(modelMatchFor(cat, 'neuralmagic/gemma-2-9b-it-FP8')?.id, 'neuralmagic/gemma-2-9b-it-FP8');
});

test('/models/Qwen3-8B-AWQ sizes as Qwen/Qwen3-8B with AWQ int4 g128: weights counted from the config', () => {
  const a = analyze(pod('/models/Qwen3-8B-AWQ')).deployments[0];
  assert.equal(a.model?.id, 'Qwen/Qwen3-8B-AWQ');
  const q = a.model!.arch.quant!;
  assert.equal(q.method, 'awq');
  assert.equal(q.bits, 4);
  assert.equal(q.groupSize, 128);
  assert.equal(q.bytesPerGroup, 2.5); // fp16 scale + packed 4-bit zero point per group
  // Qwen3-8B (catalog config): 36 layers, hidden 4096, 32 query and 8 KV heads of 128, intermediate 12288, vocab
  // 151,936, untied embeddings. Linear weights at 4 bits plus 2.5 bytes per 128; embeddings, head and norms in bf16;
  // the rope cos/sin cache (40,960 positions x 128) in bf16.
  const linear = 36 * (4096 * (4096 + 1024 + 1024) + 4096 * 4096 + 3 * 4096 * 12288);
  const other = (2 * 151936 * 4096 + 36 * (2 * 4096 + 2 * 128) + 4096) * 2;
  assert.equal(a.sizing!.memory.weightsBytes, linear / 2 + (linear / 128) * 2.5 + other + 40960 * 128 * 2);
});

test("a name's quantization is not the checkpoint's own method: no quantization-mismatch either way", () => {
  // vLLM compares --quantization with the checkpoint's quant_method; a name does not say which one an FP8 checkpoint
  // carries (fp8, compressed-tensors or modelopt), so the check stays silent.
  for (const flag of ['fp8', 'compressed-tensors', 'gptq']) {
    const f = analyze(pod('RedHatAI/Qwen3-8B-FP8-dynamic', `, "--quantization", "${flag}"`));
    assert.equal(f.deployments[0].model?.id, 'RedHatAI/Qwen3-8B-FP8-dynamic');
    assert.deepEqual(
      f.diagnostics.filter((d) => d.code === 'quantization-mismatch'),
      [],
      flag,
    );
  }
  // -FP8-block: one byte per linear weight plus one float32 scale per 128 x 128 block.
  const fp8 = analyze(pod('RedHatAI/Qwen3-8B-FP8-block')).deployments[0];
  assert.equal(fp8.model!.arch.quant!.label, 'fp8 (block 128x128) (from the name "-FP8-block")');
  const linear = 36 * (4096 * (4096 + 1024 + 1024) + 4096 * 4096 + 3 * 4096 * 12288);
  const other = (2 * 151936 * 4096 + 36 * (2 * 4096 + 2 * 128) + 4096) * 2;
  assert.equal(fp8.sizing!.memory.weightsBytes, linear + (linear / (128 * 128)) * 4 + other + 40960 * 128 * 2);
});

test("TGI's QUANTIZE=bitsandbytes-nf4 double-quantizes the block scales: 4 bits plus 1 + 4/256 bytes per 64 weights", () => {
  // TGI's Linear4bit passes compress_statistics=True (server/text_generation_server/layers/bnb.py); QLoRA section 3.
  const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: tgi
spec:
  template:
    spec:
      containers:
        - name: tgi
          image: ghcr.io/huggingface/text-generation-inference:2.4.0
          env:
            - name: MODEL_ID
              value: Qwen/Qwen3-8B
            - name: QUANTIZE
              value: bitsandbytes-nf4
          resources:
            limits:
              nvidia.com/gpu: 1
      nodeSelector:
        cloud.google.com/gke-accelerator: nvidia-l4
`;
  const a = analyze(text).deployments[0];
  assert.equal(a.model?.id, 'Qwen/Qwen3-8B');
  const linear = 36 * (4096 * (4096 + 1024 + 1024) + 4096 * 4096 + 3 * 4096 * 12288);
  const other = (2 * 151936 * 4096 + 36 * (2 * 4096 + 2 * 128) + 4096) * 2;
  assert.equal(a.sizing!.memory.weightsBytes, linear / 2 + (linear / 64) * (1 + 4 / 256) + other + 40960 * 128 * 2);
});

test('ids the real-world corpus serves resolve with the sizes of their sourced configs (catalog source in each entry)', () => {
  const dims = (id: string) => {
    const m = cat.resolveModel(id)!.arch;
    return [m.hidden, m.layers, m.kvHeads, m.headDim, m.vocab, m.maxPosition];
  };
  // [hidden, layers, KV heads, head dim, vocab, max positions]
  assert.deepEqual(dims('google/gemma-7b'), [3072, 28, 16, 256, 256000, 8192]);
  assert.deepEqual(dims('google/gemma-7b-it'), [3072, 28, 16, 256, 256000, 8192]);
  assert.deepEqual(dims('mistralai/Mistral-7B-Instruct-v0.2'), [4096, 32, 8, 128, 32000, 32768]);
  assert.deepEqual(dims('meta-llama/Meta-Llama-3-70B-Instruct'), [8192, 80, 8, 128, 128256, 8192]);
  assert.deepEqual(dims('deepseek-ai/DeepSeek-R1-Distill-Llama-8B'), [4096, 32, 8, 128, 128256, 131072]);
  assert.deepEqual(dims('Qwen/Qwen2.5-Coder-7B-Instruct'), [3584, 28, 4, 128, 152064, 32768]);
  assert.deepEqual(dims('Qwen/Qwen2.5-Coder-1.5B-Instruct'), [1536, 28, 2, 128, 151936, 32768]);
  assert.deepEqual(dims('distilgpt2'), [768, 6, 12, 64, 50257, 1024]);
  assert.deepEqual(dims('Qwen/Qwen3-Coder-30B-A3B-Instruct'), [2048, 48, 4, 128, 151936, 262144]);
  assert.deepEqual(dims('deepseek-ai/DeepSeek-R1-Distill-Qwen-14B'), [5120, 48, 8, 128, 152064, 131072]);
});

test('models named beside a path: LLMInferenceService spec.model.name, the ai.gke.io/model label, a Ray model_source bucket', () => {
  // https://github.com/kserve/kserve docs/samples/llmisvc/dp-ep (trimmed): the weights on a volume, the id in model.name.
  const llmisvc = `apiVersion: serving.kserve.io/v1alpha1
kind: LLMInferenceService
metadata:
  name: r1
spec:
  model:
    uri: pvc://llm-test-pvc-deepseek
    name: deepseek-ai/DeepSeek-R1-0528
  replicas: 1
  template:
    containers:
      - name: main
        resources:
          limits:
            nvidia.com/gpu: "8"
`;
  const a = analyze(llmisvc).deployments[0];
  assert.deepEqual(a.deployment.model, { kind: 'path', path: 'pvc://llm-test-pvc-deepseek' });
  assert.equal(a.model?.id, 'deepseek-ai/DeepSeek-R1-0528');
  assert.equal(a.model?.entry?.id, 'deepseek-ai/DeepSeek-R1');
  // GKE's NeMo RL sample: a post-trained checkpoint on a local path, its architecture named by the label.
  const labelled = pod('/data/nemo_rl_gemma3_27b_3_11/hf3-11').replace(
    '    spec:\n',
    '    metadata:\n      labels:\n        ai.gke.io/model: gemma-3-27b-it\n    spec:\n',
  );
  assert.equal(analyze(labelled).deployments[0].model?.id, 'google/gemma-3-27b-it');
  assert.equal(analyze(pod('/data/nemo_rl_gemma3_27b_3_11/hf3-11')).deployments[0].model, null);
  // Ray Serve LLM reading weights from S3: the bucket path's last segment names the model.
  const ray = `applications:
  - name: llm
    import_path: ray.serve.llm:build_openai_app
    args:
      llm_configs:
        - model_loading_config:
            model_id: deepseek-r1-distill-llama-8b
            model_source: s3://bucket/models/deepseek-r1-distill-llama-8b
          accelerator_type: L4
`;
  const r = analyze(ray).deployments[0];
  assert.deepEqual(r.deployment.model, { kind: 'path', path: 's3://bucket/models/deepseek-r1-distill-llama-8b' });
  assert.equal(r.model?.id, 'deepseek-ai/DeepSeek-R1-Distill-Llama-8B');
  // A bucket path that names no catalog model stays unknown (information, not an error).
  const unknown = analyze(ray.replace(/deepseek-r1-distill-llama-8b/g, 'my-finetune')).deployments[0];
  assert.equal(unknown.model, null);
  assert.deepEqual(
    unknown.diagnostics.filter((d) => d.code === 'unknown-model').map((d) => d.severity),
    ['info'],
  );
});
