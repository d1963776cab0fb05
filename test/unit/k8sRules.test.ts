// Pod-level rule messages name the pod's own numbers (not its node's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../server/src/analysis';

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
