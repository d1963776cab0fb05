// Issue 11 items 1-4, 6, 7: no conclusion from unresolved values, models named by container paths, each engine by
// its own rules, vLLM's real grammar, and the rules experts catch. Snippets are trimmed copies of public files (the
// source URL is beside each); expected diagnostics are exact (code, severity, range).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText } from '../../server/src/analysis/analysis';
import type { Diagnostic } from '../../server/src/formats/types';
import { humanReadableInt } from '../../server/src/formats/args';
import { builtinCatalog } from '../../server/src/catalog/index';
import { nearIdenticalModels, namesFromPath, nameFromNimImage } from '../../server/src/analysis/modelResolve';

/** `code severity line:col-line:col text` for each diagnostic (0-based positions), in file order. */
function found(text: string, diags: Diagnostic[], codes?: string[]): string[] {
  const lines = text.split('\n');
  const at = (d: Diagnostic) => {
    const { start: s, end: e } = d.range;
    return s.line === e.line ? lines[s.line].slice(s.character, e.character) : `${lines[s.line].slice(s.character)}...`;
  };
  return diags
    .filter((d) => !codes || codes.includes(d.code))
    .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character)
    .map((d) => `${d.code} ${d.severity} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${at(d)}`);
}

const run = (text: string) => analyzeText(text, { defaultGpu: 'H100', memoryOnly: true });

// https://github.com/kubernetes-sigs/lws/blob/060ab4da17eea1f0865fcbd3236bb1075e2cea32/docs/examples/vllm/GPU/lws.yaml
const LWS = `apiVersion: leaderworkerset.x-k8s.io/v1
kind: LeaderWorkerSet
metadata:
  name: vllm
spec:
  replicas: 1
  leaderWorkerTemplate:
    size: 2
    leaderTemplate:
      spec:
        containers:
          - name: vllm-leader
            image: vllm/vllm-openai:v0.8.5
            env:
              - name: HF_TOKEN
                value: $HF_TOKEN
            command:
              - sh
              - -c
              - "bash /vllm-workspace/examples/online_serving/multi-node-serving.sh leader --ray_cluster_size=$(LWS_GROUP_SIZE);
                 python3 -m vllm.entrypoints.openai.api_server --port 8080 --model meta-llama/Llama-3.1-405B-Instruct --tensor-parallel-size 8 --pipeline_parallel_size 2"
            resources:
              limits:
                nvidia.com/gpu: "8"
    workerTemplate:
      spec:
        containers:
          - name: vllm-worker
            image: vllm/vllm-openai:v0.8.5
            command:
              - sh
              - -c
              - "bash /vllm-workspace/examples/online_serving/multi-node-serving.sh worker --ray_address=$(LWS_LEADER_ADDRESS)"
            resources:
              limits:
                nvidia.com/gpu: "8"
            env:
              - name: HF_TOKEN
                value: $HF_TOKEN
`;

test('LWS example: $HF_TOKEN in an env value is not expanded (leader and worker); 2 pods x 8 GPUs = tp 8 x pp 2', () => {
  const f = run(LWS);
  assert.deepEqual(found(LWS, f.diagnostics, ['env-var-not-expanded', 'gpu-count-mismatch', 'secret-in-plain-text']), [
    'env-var-not-expanded warning 15:23-15:32 $HF_TOKEN',
    'env-var-not-expanded warning 38:23-38:32 $HF_TOKEN',
  ]);
  const d = f.deployments[0].deployment;
  assert.equal(d.gpuCount, 16);
  assert.deepEqual([d.serving.tp, d.serving.pp], [8, 2]);
  assert.match(f.diagnostics[0].message, /never the image's own HF_TOKEN/);
});

const pod = (args: string, env = '', extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: vllm
      image: vllm/vllm-openai:v0.11.0
      command: ["vllm", "serve"]
      args: [${args}]
      env:
        - {name: UNUSED, value: "x"}${env}
      resources:
        limits:
          nvidia.com/gpu: 2
      volumeMounts: [{name: shm, mountPath: /dev/shm}]
  volumes: [{name: shm, emptyDir: {medium: Memory}}]${extra}
`;

test('Kubernetes expansion: $(VAR) of a literal env value resolves (also inside a word), $$(VAR) is the text $(VAR)', () => {
  const ok = pod(
    '"Qwen/Qwen3-8B", "--tensor-parallel-size", "$(TP)", "--max-model-len=$(K)000"',
    '\n        - {name: TP, value: "2"}\n        - {name: K, value: "$(TP)"}',
  );
  const d = run(ok).deployments[0].deployment;
  assert.equal(d.serving.tp, 2);
  // K = "$(TP)" expands to "2" (a variable defined before it), so --max-model-len=2000.
  assert.equal(d.serving.maxModelLen, 2000);
  assert.deepEqual(d.unresolved, []);
  const escaped = pod('"Qwen/Qwen3-8B", "--tensor-parallel-size", "$$(TP)"', '\n        - {name: TP, value: "2"}');
  const f = run(escaped);
  // vLLM receives the text "$(TP)": argparse refuses it.
  assert.deepEqual(found(escaped, f.diagnostics, ['invalid-value', 'value-unresolved']), ['invalid-value error 9:57-9:63 $$(TP)']);
});

test('value-unresolved: a tp from a ConfigMap is unknown, not 1: no gpu-count-mismatch against 2 GPUs, said once', () => {
  const text = pod(
    '"Qwen/Qwen3-8B", "--tensor-parallel-size", "$(TP)", "--pipeline-parallel-size", "$(PP)"',
    '\n        - name: TP\n          valueFrom: {configMapKeyRef: {name: c, key: tp}}\n        - name: PP\n          valueFrom: {configMapKeyRef: {name: c, key: pp}}',
  );
  const f = run(text);
  assert.deepEqual(found(text, f.diagnostics), ['value-unresolved info 9:57-9:62 $(TP)']);
  assert.equal(f.deployments[0].sizing, null);
  assert.equal(
    f.diagnostics[0].message,
    'Not sized: tensor_parallel_size ("$(TP)" refers to TP, which the manifest does not set to a literal value); pipeline_parallel_size ("$(PP)" refers to PP, which the manifest does not set to a literal value). The checks that depend on these values are off. State them literally in this file (a number in the args, or a literal env value referenced as $(VAR)) to check them.',
  );
});

test('env-var-not-expanded in args; empty-flag-value; secret-in-plain-text never echoes the secret', () => {
  const key = 'sk-abcdefghijklmnopqrstuvwxyz123456';
  const token = 'hf_abcdefghijklmnopqrstuvwxyzABCDEFGH';
  const text = pod(
    `"Qwen/Qwen3-8B", "--tensor-parallel-size", "2", "--served-model-name", "\${NAME}", "--kv-cache-memory-bytes=", "--max-model-len", "$(EMPTY)", "--api-key", "${key}"`,
    `\n        - {name: EMPTY, value: ""}\n        - {name: HF_TOKEN, value: ${token}}`,
  );
  const f = run(text);
  assert.deepEqual(found(text, f.diagnostics, ['env-var-not-expanded', 'empty-flag-value', 'secret-in-plain-text']), [
    'env-var-not-expanded warning 9:85-9:92 ${NAME}',
    'empty-flag-value error 9:96-9:119 --kv-cache-memory-bytes',
    'empty-flag-value error 9:124-9:139 --max-model-len',
    'secret-in-plain-text warning 9:168-9:203 ' + key,
    'secret-in-plain-text warning 13:34-13:71 ' + token,
  ]);
  for (const d of f.diagnostics) assert.ok(!d.message.includes(key) && !d.message.includes(token), d.message);
});

test('a shell expands ${VAR} in an sh -c script: no env-var-not-expanded there', () => {
  const text = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: vllm
      image: vllm/vllm-openai:v0.11.0
      command: ["sh", "-c", "vllm serve \${MODEL} --tensor-parallel-size 1"]
      env: [{name: MODEL, value: Qwen/Qwen3-8B}]
      resources: {limits: {nvidia.com/gpu: 1}}
`;
  const f = run(text);
  assert.deepEqual(found(text, f.diagnostics, ['env-var-not-expanded', 'value-unresolved']), []);
  assert.equal(f.deployments[0].model?.id, 'Qwen/Qwen3-8B');
});

test('cuda-visible-devices-too-few: CUDA_VISIBLE_DEVICES="0" for tensor_parallel_size 2', () => {
  const text = pod('"Qwen/Qwen3-8B", "--tensor-parallel-size", "2"', '\n        - {name: CUDA_VISIBLE_DEVICES, value: "0"}');
  const f = run(text);
  assert.deepEqual(found(text, f.diagnostics, ['cuda-visible-devices-too-few']), ['cuda-visible-devices-too-few error 12:47-12:48 0']);
  const two = pod('"Qwen/Qwen3-8B", "--tensor-parallel-size", "2"', '\n        - {name: CUDA_VISIBLE_DEVICES, value: "0,1"}');
  assert.deepEqual(found(two, run(two).diagnostics, ['cuda-visible-devices-too-few']), []);
});

test('flag-removed: an error with the image tag version, information when the version is assumed', () => {
  const text = pod('"Qwen/Qwen3-8B", "--tensor-parallel-size", "2", "--num-scheduler-steps", "8", "--max-seq-len-to-capture", "8192"');
  assert.deepEqual(found(text, run(text).diagnostics, ['flag-removed']), [
    'flag-removed error 9:62-9:83 --num-scheduler-steps',
    'flag-removed error 9:92-9:116 --max-seq-len-to-capture',
  ]);
  // vLLM 0.10.1 still had --max-seq-len-to-capture (removed in 0.11.0) but not --num-scheduler-steps (gone by 0.10.2).
  const old = text.replace('v0.11.0', 'v0.10.1');
  assert.deepEqual(found(old, run(old).diagnostics, ['flag-removed']), []);
  const untagged = text.replace('vllm/vllm-openai:v0.11.0', 'vllm/vllm-openai:latest');
  assert.deepEqual(
    found(untagged, run(untagged).diagnostics, ['flag-removed']).map((s) => s.split(' ').slice(0, 2).join(' ')),
    ['flag-removed info', 'flag-removed info'],
  );
});

test("vLLM's human_readable_int: 32k = 32,000, 32K = 32,768, 1.5k = 1,500; a binary suffix takes no decimals", () => {
  assert.deepEqual(['32k', '32K', '1.5k', '2M', '1m', '1.5K', '12', 'k'].map(humanReadableInt), [32000, 32768, 1500, 2097152, 1000000, null, 12, null]);
  const text = pod('"Qwen/Qwen3-8B", "--tensor-parallel-size", "2", "--max-model-len", "32K"');
  assert.equal(run(text).deployments[0].deployment.serving.maxModelLen, 32768);
  const auto = pod('"Qwen/Qwen3-8B", "--tensor-parallel-size", "2", "--max-model-len", "auto"');
  const f = run(auto);
  assert.deepEqual(found(auto, f.diagnostics), ['value-unresolved info 9:81-9:85 auto']);
});

test('no-gpu-requested: an SGLang pod without a GPU request; not for a CPU image, nor with a GPU node selector', () => {
  const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: sg}
spec:
  template:
    spec:
      containers:
        - name: sglang
          image: lmsysorg/sglang:v0.4.9
          command: ["python3", "-m", "sglang.launch_server", "--model-path", "Qwen/Qwen3-8B"]
`;
  assert.deepEqual(found(text, run(text).diagnostics, ['no-gpu-requested']), ['no-gpu-requested warning 7:16-7:22 sglang']);
  const cpu = text
    .replace('lmsysorg/sglang:v0.4.9', 'public.ecr.aws/q9t5s3a7/vllm-cpu-release-repo:v0.9.1')
    .replace('["python3", "-m", "sglang.launch_server", "--model-path", "Qwen/Qwen3-8B"]', '["vllm", "serve", "Qwen/Qwen3-8B"]');
  assert.deepEqual(found(cpu, run(cpu).diagnostics, ['no-gpu-requested']), []);
  const selected = text.replace('      containers:', '      nodeSelector: {cloud.google.com/gke-accelerator: nvidia-l4}\n      containers:');
  assert.deepEqual(found(selected, run(selected).diagnostics, ['no-gpu-requested']), []);
});

test('gpu-selector-unknown: a GPU product label no GPU carries is a warning on the value, not an unknown-gpu error', () => {
  const text = pod('"Qwen/Qwen3-8B", "--tensor-parallel-size", "2"', '', '\n  nodeSelector:\n    nvidia.com/gpu.product: NVIDIA-H100-80GB-HMB3');
  const f = run(text);
  assert.deepEqual(found(text, f.diagnostics, ['gpu-selector-unknown', 'unknown-gpu', 'no-gpu']), [
    'gpu-selector-unknown warning 18:28-18:49 NVIDIA-H100-80GB-HMB3',
  ]);
  const known = text.replace('HMB3', 'HBM3');
  assert.equal(run(known).deployments[0].gpu?.id, 'H100-SXM');
});

test('models named by container paths, served names and storage URIs; unknown is information', () => {
  assert.deepEqual(namesFromPath('/models/Qwen3-8B'), ['models/Qwen3-8B', 'Qwen3-8B']);
  assert.deepEqual(namesFromPath('s3://bucket/llama/meta-llama--Llama-3.1-8B-Instruct'), [
    'meta-llama/Llama-3.1-8B-Instruct',
    'llama/meta-llama--Llama-3.1-8B-Instruct',
    'meta-llama--Llama-3.1-8B-Instruct',
  ]);
  assert.deepEqual(namesFromPath('/root/.cache/huggingface/hub/models--Qwen--Qwen3-8B/snapshots/abc123'), ['Qwen/Qwen3-8B', 'snapshots/abc123', 'abc123']);
  assert.equal(nameFromNimImage('nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3'), 'meta/llama-3.1-8b-instruct');
  // https://github.com/vllm-project/aibrix/blob/e3e10f9e4aebe9aac5e7d992fb87d2648e01628b/samples/disaggregation/sglang/tp-1p1d.yaml
  const path = pod('"/models/Qwen3-8B", "--tensor-parallel-size", "2"');
  const a = run(path);
  assert.equal(a.deployments[0].model?.id, 'Qwen/Qwen3-8B');
  const served = pod('"/mnt/weights/v3", "--served-model-name", "meta-llama/Llama-3.1-8B-Instruct", "--tensor-parallel-size", "2"');
  assert.equal(run(served).deployments[0].model?.id, 'meta-llama/Llama-3.1-8B-Instruct');
  const unknown = pod('"/mnt/weights/v3", "--tensor-parallel-size", "2"');
  const u = run(unknown);
  assert.deepEqual(found(unknown, u.diagnostics, ['unknown-model']), ['unknown-model info 9:14-9:29 /mnt/weights/v3']);
  assert.match(
    u.diagnostics.find((d) => d.code === 'unknown-model')!.message,
    /^Not sized: model unknown\. "\/mnt\/weights\/v3" is a path inside the container/,
  );
});

test('"did you mean" only for the same numbers and quantization: never Llama-2 for Llama-3, never FP8 for bf16', () => {
  const cat = builtinCatalog();
  assert.deepEqual(nearIdenticalModels(cat, 'meta-llama/Llama-3.1-8B-Instuct'), ['meta-llama/Llama-3.1-8B-Instruct']);
  assert.deepEqual(nearIdenticalModels(cat, 'meta-llama/Llama-2-8B-Instruct'), []);
  // A vision-language model is not its text model's twin (same numbers, another family).
  assert.ok(!nearIdenticalModels(cat, 'Qwen/Qwen2.5-VL-3B-Instrct').includes('Qwen/Qwen2.5-3B-Instruct'));
  assert.deepEqual(nearIdenticalModels(cat, 'Qwen/Qwen2.5-Coder-7B-Instrct'), ['Qwen/Qwen2.5-Coder-7B-Instruct']);
  assert.ok(!nearIdenticalModels(cat, 'meta-llama/Llama-3.1-70B-Instruct-AWQ').some((id) => /FP8/i.test(id)));
  const text = pod('"meta-llama/Llama-3.1-8B-Instuct", "--tensor-parallel-size", "2"');
  const d = run(text).diagnostics.find((x) => x.code === 'unknown-model')!;
  assert.equal(d.severity, 'info');
  assert.equal(
    d.message,
    'Not sized: model "meta-llama/Llama-3.1-8B-Instuct" is not in llm-sizer\'s catalog. Did you mean "meta-llama/Llama-3.1-8B-Instruct"? Name a catalog model or describe it in .llm-sizer/models/ to size this deployment.',
  );
});

test('SGLang --enable-dp-attention: dp runs inside the tp group, so 8 GPUs serve tp 8 x dp 8', () => {
  const text = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: sglang
      image: lmsysorg/sglang:v0.4.9
      command: ["python3", "-m", "sglang.launch_server", "--model-path", "deepseek-ai/DeepSeek-V3", "--tp", "8", "--dp", "8", "--enable-dp-attention"]
      resources: {limits: {nvidia.com/gpu: 8}}
`;
  assert.deepEqual(found(text, run(text).diagnostics, ['gpu-count-mismatch']), []);
  const noAttn = text.replace(', "--enable-dp-attention"', '');
  assert.deepEqual(found(noAttn, run(noAttn).diagnostics, ['gpu-count-mismatch']), ['gpu-count-mismatch error 8:43-8:44 8']);
});

test('vLLM --data-parallel-size-local: a pod holds tp x pp x its local ranks', () => {
  const text = pod('"Qwen/Qwen3-8B", "--data-parallel-size", "4", "--data-parallel-size-local", "2"');
  assert.deepEqual(found(text, run(text).diagnostics, ['gpu-count-mismatch']), []);
  const wrong = pod('"Qwen/Qwen3-8B", "--data-parallel-size", "4"');
  assert.deepEqual(found(wrong, run(wrong).diagnostics, ['gpu-count-mismatch']), ['gpu-count-mismatch error 14:26-14:27 2']);
});

// https://github.com/vllm-project/aibrix/blob/e3e10f9e4aebe9aac5e7d992fb87d2648e01628b/samples/disaggregation/sglang/tp-1p1d.yaml
const STORM = `apiVersion: orchestration.aibrix.ai/v1alpha1
kind: StormService
metadata:
  name: sglang-tp-1p1d
spec:
  replicas: 1
  template:
    spec:
      roles:
        - name: prefill
          replicas: 1
          podGroupSize: 2
          template:
            spec:
              containers:
                - name: prefill
                  image: aibrix/sglang:v0.4.9.post3-cu126-nixl-v0.4.1
                  command: ["sh", "-c"]
                  args:
                    - |
                      python3 -m sglang.launch_server \\
                        --model-path /models/Qwen3-8B \\
                        --served-model-name qwen3-8B \\
                        --disaggregation-mode prefill \\
                        --nnodes 2 \\
                        --node-rank $POD_GROUP_INDEX \\
                        --tp-size 2 \\
                        --mem-fraction-static 0.8
                  resources:
                    limits:
                      nvidia.com/gpu: 1
`;

test('tp-across-nodes: SGLang tp 2 over a pod group of 2 single-GPU pods for an 8B model that fits one GPU', () => {
  const f = analyzeText(STORM, { defaultGpu: 'H100' });
  assert.deepEqual(found(STORM, f.diagnostics, ['tp-across-nodes', 'gpu-count-mismatch']), ['tp-across-nodes warning 26:34-26:35 2']);
  assert.equal(f.deployments[0].deployment.role, 'prefill');
});

// https://github.com/vllm-project/production-stack/blob/a6c01db05f65f556235413ba8dbcfb0c01132fff/tutorials/assets/values-15-a-minimal-pipeline-parallel-example-raycluster.yaml
const RAY = `servingEngineSpec:
  runtimeClassName: ""
  modelSpec:
  - name: "distilgpt2-raycluster"
    repository: "lmcache/vllm-openai"
    tag: "latest"
    modelURL: "distilbert/distilgpt2"
    replicaCount: 1
    requestGPU: 1
    vllmConfig:
      tensorParallelSize: 1
      pipelineParallelSize: 2
    shmSize: "20Gi"
    raySpec:
      enabled: true
      headNode:
        requestGPU: 1
`;

test('production-stack Ray cluster: head + workers hold pp 2; pipelineParallelSize without raySpec is ignored by the chart', () => {
  const f = run(RAY);
  assert.deepEqual(found(RAY, f.diagnostics, ['gpu-count-mismatch', 'setting-ignored']), []);
  assert.equal(f.deployments[0].deployment.gpuCount, 2);
  const plain = RAY.replace('      enabled: true', '      enabled: false');
  assert.deepEqual(found(plain, run(plain).diagnostics, ['setting-ignored']), ['setting-ignored warning 11:6-11:26 pipelineParallelSize']);
});

test('a vllm --config file without a model, with no-<flag> keys and suffixed lengths', () => {
  // Shape of vLLM's recipes (vllm-project/recipes, e.g. OpenAI/GPT-OSS): the model is on the command line.
  const text = 'max-model-len: 32k\nmax-num-batched-tokens: 8K\nno-enable-prefix-caching: true\ngpu-memory-utilization: 0.9\n';
  const f = run(text);
  assert.deepEqual(found(text, f.diagnostics), ['schema-missing-key info 0:0-4:0 max-model-len: 32k...']);
  assert.equal(
    f.diagnostics[0].message,
    'Not sized: the model is given on the command line (vllm serve MODEL --config this-file). Add "model:" here to size this configuration.',
  );
  const s = f.deployments[0].deployment.serving;
  assert.deepEqual([s.maxModelLen, s.maxNumBatchedTokens, s.enablePrefixCaching], [32000, 8192, false]);
});

test('kv-limits-concurrency is information for the assumed workload, a warning for a stated one', () => {
  const plan = (workload: string) => `apiVersion: llm-sizer/v1
kind: ServingPlan
model: Qwen/Qwen3-8B
hardware: {gpu: L4, count: 1}
serving: {max_model_len: 8192, max_num_seqs: 256}
${workload}`;
  const none = analyzeText(plan(''), {}).diagnostics.filter((d) => d.code === 'kv-limits-concurrency');
  assert.deepEqual(
    none.map((d) => d.severity),
    ['info'],
  );
  const stated = analyzeText(plan('workload: {input_tokens: 4000, output_tokens: 1000}'), {}).diagnostics.filter((d) => d.code === 'kv-limits-concurrency');
  assert.deepEqual(
    stated.map((d) => d.severity),
    ['warning'],
  );
});
