// Shell variables a `sh -c` / `bash -c` container script sets literally before launching the engine (issue 11 item
// 1: resolve what the file states): `export MODEL=Qwen3-8B` then `vllm serve /models/$MODEL`. Only literal values set
// once in the same script count; anything else stays unknown and the rules that depend on it stay silent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText } from '../../server/src/analysis/analysis';
import { builtinCatalog } from '../../server/src/catalog/index';

/** A Deployment running `script` with /bin/sh -c on one H100 node with 2 GPUs. */
function pod(script: string, env = ''): string {
  const body = script
    .split('\n')
    .map((l) => `              ${l}`)
    .join('\n');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: s
spec:
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.11.0
          command: ["/bin/sh", "-c"]
          args:
            - |
${body}
          resources:
            limits:
              nvidia.com/gpu: 2${env}
      nodeSelector:
        nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3
`;
}

const run = (text: string) => {
  const f = analyzeText(text, { catalog: builtinCatalog(), readLocalConfig: () => ({ error: 'not read' }), memoryOnly: true });
  const a = f.deployments[0];
  return { model: a.model?.id ?? null, ref: a.deployment.model, tp: a.deployment.serving.tp, unresolved: (a.deployment.unresolved ?? []).map((u) => u.path) };
};

test('exported and plain assignments reach the engine command: $VAR and ${VAR}, inside a word too', () => {
  const r = run(pod('export MODEL=Qwen3-8B\nTP=2\nvllm serve /models/$MODEL --tensor-parallel-size ${TP}'));
  assert.equal(r.model, 'Qwen/Qwen3-8B');
  assert.deepEqual(r.ref, { kind: 'path', path: '/models/Qwen3-8B' });
  assert.equal(r.tp, 2);
  // export of several names, the braces form inside a word, and a value built from another literal variable.
  const b = run(pod('export ORG=Qwen NAME=Qwen3-8B\nexport MODEL_ID=${ORG}/$NAME\nvllm serve "$MODEL_ID" --tensor-parallel-size 2'));
  assert.equal(b.model, 'Qwen/Qwen3-8B');
  assert.deepEqual(b.ref, { kind: 'id', id: 'Qwen/Qwen3-8B' });
});

test('a variable not set literally in the script stays unknown', () => {
  // Command substitution: only the running shell knows the value.
  const sub = run(pod('export MODEL=$(cat /etc/model)\nvllm serve /models/$MODEL --tensor-parallel-size 2'));
  assert.equal(sub.model, null);
  assert.deepEqual(sub.unresolved, ['model']);
  // Set in two branches: which one runs is not in the text.
  const branches = run(pod('if [ -d /models/a ]; then\n  MODEL=Qwen3-8B\nelse\n  MODEL=Qwen3-32B\nfi\nvllm serve /models/$MODEL --tensor-parallel-size 2'));
  assert.equal(branches.model, null);
  // Set in one branch only: it may not run, and the container env must not stand in for it.
  const env = '\n          env:\n            - name: MODEL\n              value: Qwen3-32B';
  assert.equal(run(pod('if [ -d /models/Qwen3-8B ]; then\n  export MODEL=Qwen3-8B\nfi\nvllm serve /models/$MODEL --tensor-parallel-size 2', env)).model, null);
  // Assigned twice on straight lines: the same rule, unknown rather than guessed.
  assert.equal(run(pod('MODEL=Qwen3-8B\nMODEL=Qwen3-32B\nvllm serve /models/$MODEL --tensor-parallel-size 2')).model, null);
  // Never set: unknown, and its tensor parallel size is not taken as 1.
  const unset = run(pod('vllm serve /models/$MODEL --tensor-parallel-size $TP'));
  assert.equal(unset.model, null);
  assert.deepEqual(unset.unresolved.sort(), ['model', 'serving.tensor_parallel_size']);
  // A default-value expansion is not evaluated either.
  assert.equal(run(pod('export MODEL=Qwen3-8B\nvllm serve /models/${MODEL:-x} --tensor-parallel-size 2')).model, null);
});

test("the container's own env still resolves a $VAR the script does not set; the script's assignment wins", () => {
  const env = '\n          env:\n            - name: MODEL\n              value: Qwen3-32B';
  assert.equal(run(pod('vllm serve /models/$MODEL --tensor-parallel-size 2', env)).model, 'Qwen/Qwen3-32B');
  assert.equal(run(pod('export MODEL=Qwen3-8B\nvllm serve /models/$MODEL --tensor-parallel-size 2', env)).model, 'Qwen/Qwen3-8B');
});
