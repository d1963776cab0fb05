// Non-torch memory per GPU under tensor parallelism, by vLLM era and interconnect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinCatalog } from '../../server/src/catalog/index';
import { defaultServing, sizeMemory } from '../../server/src/engine/memory';
import { GiB } from '../../server/src/engine/units';

const cat = builtinCatalog();
const arch = cat.resolveModel('Qwen/Qwen2.5-72B-Instruct')?.arch ?? cat.resolveModel('meta-llama/Llama-3.1-70B-Instruct')!.arch;

test('0.19 on NVLink GPUs: 2.06-2.21 GiB of profiled communication buffers per GPU at tp 2-4 (issue 13 measurements)', () => {
  const h100 = cat.resolveGpu('H100')!;
  const nt = (tp: number, v = '0.19.0') => sizeMemory(arch, h100, { ...defaultServing(), engineVersion: v, tp, maxModelLen: 8192 }).memory.nonTorchBytes / GiB;
  assert.equal(nt(2).toFixed(3), (1.96 + 0.125).toFixed(3));
  assert.equal(nt(4).toFixed(3), (1.96 + 0.25).toFixed(3));
  assert.ok(nt(2) >= 2.06 && nt(4) <= 2.21 + 1e-9);
  // tp 1 has no peers: the single-GPU figure (0.35 GiB, vllm#10517).
  assert.equal(nt(1).toFixed(2), '0.35');
  // 0.10.x charged NCCL at init instead (0.35 + 0.25 per extra rank).
  assert.equal(nt(2, '0.10.1').toFixed(2), '0.60');
});

test('PCIe cards at tp 2 keep the small non-torch term (no NVLink workspaces)', () => {
  const l4 = cat.resolveGpu('L4')!;
  const s = sizeMemory(cat.resolveModel('Qwen/Qwen2.5-7B-Instruct')!.arch, l4, { ...defaultServing(), engineVersion: '0.19.0', tp: 2, maxModelLen: 8192 });
  assert.equal((s.memory.nonTorchBytes / GiB).toFixed(2), '0.37');
});
