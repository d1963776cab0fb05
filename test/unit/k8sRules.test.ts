// Pod-level rule messages name the pod's own numbers (not its node's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../server/src/analysis/analysis';

test('shm-too-small counts the GPUs the pod requests, not the GPUs of its instance type', () => {
  const text = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'formats', 'k8s-no-shm-tp4.yaml'), 'utf8');
  const f = analyzeText(text, { defaultGpu: 'H100', memoryOnly: true });
  const shm = f.diagnostics.find((d) => d.code === 'shm-too-small');
  assert.ok(shm);
  // nvidia.com/gpu: 4 on a p4de.24xlarge (8 GPUs per node)
  assert.match(shm.message, /^This pod runs 4 GPUs but mounts no memory-backed \/dev\/shm/);
  assert.equal(f.deployments[0].deployment.gpuCount, 4);
  assert.equal(f.deployments[0].deployment.gpusPerNode, 8);
});

test('a fractional GPU limit is not a GPU count: no tp-across-nodes with a division by it, a note says why', () => {
  const text = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'formats', 'lws-tp-across-nodes.yaml'), 'utf8');
  const whole = analyzeText(text, { memoryOnly: true });
  assert.ok(
    whole.diagnostics.some((d) => d.code === 'tp-across-nodes'),
    'the fixture triggers the rule with whole counts',
  );
  // 5e-324 GPUs per worker pod once printed "(5e-324 GPUs per pod) ... pipeline_parallel_size Infinity" (npm run fuzz).
  for (const bad of ['5e-324', '0.5']) {
    const f = analyzeText(text.replace(/nvidia\.com\/gpu: (\d+)/g, `nvidia.com/gpu: ${bad}`), { memoryOnly: true });
    assert.equal(
      f.diagnostics.some((d) => d.code === 'tp-across-nodes'),
      false,
      bad,
    );
    assert.doesNotMatch(JSON.stringify(f.diagnostics), /Infinity|NaN/);
    const d = f.deployments[0].deployment;
    assert.equal(d.gpuCount, null);
    assert.ok(
      d.notes.includes(
        `\`nvidia.com/gpu: ${bad}\` is not a whole number of GPUs: Kubernetes rejects fractional extended resources, so the pod is not created. The GPU count is treated as unknown.`,
      ),
      d.notes.join('\n'),
    );
  }
});
