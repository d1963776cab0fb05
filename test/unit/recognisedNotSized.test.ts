// KAITO Workspace and KServe NIM serving runtimes (issue 11 item 5, every real format): the preset or the image names
// the model; the layout is chosen at start-up (KAITO) or by the InferenceService (runtime), so they are recognised
// and not sized, and no count rule fires on a layout the file does not state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText } from '../../server/src/analysis/analysis';
import { KAITO_PRESETS } from '../../server/src/formats/kaito';

// https://github.com/kaito-project/kaito/blob/056b8280b1a8debf644bc6f4399e913a1f9c7e70/examples/inference/kaito_workspace_llama-3.3_70b_instruct.yaml (trimmed)
const WS = `apiVersion: kaito.sh/v1beta1
kind: Workspace
metadata:
  name: workspace-llama-3-3-70b-instruct
resource:
  count: 2
  instanceType: "Standard_NC48ads_A100_v4"
  labelSelector:
    matchLabels:
      apps: llama-3-3-70b-instruct
inference:
  preset:
    name: llama-3.3-70b-instruct
  config: "llama-inference-params"
`;

test('a KAITO workspace: model from the preset, 2 nodes x 2 A100 80GB, not sized and no error', () => {
  assert.equal(KAITO_PRESETS['gpt-oss-120b'], 'openai/gpt-oss-120b');
  assert.equal(KAITO_PRESETS['deepseek-r1-distill-qwen-14b'], 'deepseek-ai/DeepSeek-R1-Distill-Qwen-14B');
  const f = analyzeText(WS, { memoryOnly: true });
  assert.equal(f.deployments.length, 1);
  const a = f.deployments[0];
  assert.equal(a.deployment.format, 'kaito');
  assert.equal(a.deployment.serving.engine, 'vllm');
  assert.equal(a.model?.id, 'meta-llama/Llama-3.3-70B-Instruct');
  assert.equal(a.gpu?.id, 'A100-PCIe-80GB');
  assert.equal(a.deployment.gpuCount, 4);
  assert.equal(a.deployment.gpusPerNode, 2);
  assert.equal(a.sizing, null);
  assert.deepEqual(
    f.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.code),
    [],
  );
  assert.deepEqual(
    f.diagnostics.map((d) => `${d.code} ${d.range.start.line}`),
    ['not-sized 3'],
  );
  // A preset KAITO's table does not hold stays the name written: unknown to the catalog, an information line.
  const other = analyzeText(WS.replace('llama-3.3-70b-instruct\n', 'my-preset\n'), { memoryOnly: true });
  assert.equal(other.deployments[0].model, null);
  assert.deepEqual(
    other.diagnostics.map((d) => `${d.code} ${d.severity}`),
    ['unknown-model info', 'not-sized info'],
  );
});

test('a KServe ClusterServingRuntime running a NIM image: model from the image, no GPU stated and no no-gpu-requested', () => {
  // https://github.com/NVIDIA/nim-deploy/blob/3c6bcbd05f0c70612d2ed96112248e623035ed05/kserve/runtimes/llama-3.1-8b-instruct-1.1.0.yaml (trimmed)
  const rt = `apiVersion: serving.kserve.io/v1alpha1
kind: ClusterServingRuntime
metadata:
  name: nvidia-nim-llama-3.1-8b-instruct-1.1.0
spec:
  containers:
  - image: nvcr.io/nim/meta/llama-3.1-8b-instruct:1.1.0
    name: kserve-container
    resources:
      limits:
        cpu: "12"
        memory: 32Gi
  supportedModelFormats:
  - autoSelect: true
    name: nvidia-nim-llama-3.1-8b-instruct
`;
  const f = analyzeText(rt, { memoryOnly: true });
  assert.equal(f.deployments.length, 1);
  const a = f.deployments[0];
  assert.equal(a.deployment.format, 'kserve-nim');
  assert.equal(a.model?.id, 'meta-llama/Llama-3.1-8B-Instruct');
  assert.equal(a.deployment.gpuCount, null);
  assert.deepEqual(
    f.diagnostics.map((d) => `${d.code} ${d.severity}`),
    ['not-sized info'],
  );
  // A ServingRuntime with another image is not a NIM runtime.
  assert.equal(
    analyzeText(rt.replace('nvcr.io/nim/meta/llama-3.1-8b-instruct:1.1.0', 'kserve/sklearnserver:v0.14'), { memoryOnly: true }).deployments.length,
    0,
  );
});
