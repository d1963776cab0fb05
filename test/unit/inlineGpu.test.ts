// A native plan may describe its GPU inline, with the fields of a .llm-sizer/gpus entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText } from '../../server/src/analysis/analysis';
import { DRIVER_RESERVED_BYTES } from '../../server/src/catalog/index';

const GiB = 1024 ** 3;
const plan = (gpu: string) => `apiVersion: llm-sizer/v1
kind: ServingPlan
model: meta-llama/Llama-3.1-8B-Instruct
hardware:
  gpu:
${gpu}
  count: 1
serving: {tensor_parallel_size: 1, max_model_len: 8192}
`;
const LAB = `    id: lab-gpu-48
    name: Lab accelerator 48GB
    memory_bytes: 51539607552
    memory_bandwidth_bytes_per_s: 1.0e12
    flops_dense: {bf16: 3.0e14, fp16: 3.0e14}`;

test('an inline GPU is sized with its own memory, bandwidth and FLOP/s', () => {
  const f = analyzeText(plan(LAB));
  assert.deepEqual(
    f.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const a = f.deployments[0];
  const g = a.gpu!;
  assert.equal(g.id, 'lab-gpu-48');
  // vendor unset: treated as NVIDIA, whose driver keeps 470 MiB (catalog/index.ts DRIVER_RESERVED_BYTES)
  assert.equal(g.memoryBytes, 48 * GiB - DRIVER_RESERVED_BYTES);
  assert.equal(g.memoryBandwidth, 1e12);
  assert.equal(g.flopsDense.bf16, 3e14);
  assert.equal(g.flopsDense.fp8, null);
  // Llama-3.1-8B bf16 weights: 8,030,261,248 params x 2 bytes (vocab 128256 is already a multiple of 64), plus vLLM's
  // rotary cos/sin cache of max_position_embeddings 131072 x head_dim 128 bf16 elements.
  assert.equal(Math.round(a.sizing!.memory.weightsBytes), 8030261248 * 2 + 131072 * 128 * 2);
});

test('an incomplete inline GPU gets the missing-key error and an info that nothing is sized, never a crash', () => {
  const f = analyzeText(plan(LAB.replace('    memory_bytes: 51539607552\n', '')));
  const codes = f.diagnostics.map((d) => `${d.severity}:${d.code}`);
  assert.ok(codes.includes('error:schema-missing-key'), codes.join(' '));
  assert.ok(codes.includes('info:no-gpu'), codes.join(' '));
  assert.ok(!codes.includes('error:schema-type'), 'no "must be text" error for an object where an object is allowed');
  assert.equal(f.deployments[0].gpu, null);
  const info = f.diagnostics.find((d) => d.code === 'no-gpu')!;
  assert.match(info.message, /described in "hardware.gpu" is incomplete/);
});

test('a GPU name keeps working as before', () => {
  const f = analyzeText(plan('    H100').replace('  gpu:\n    H100', '  gpu: H100'));
  assert.equal(f.deployments[0].gpu?.id, 'H100-SXM');
});
