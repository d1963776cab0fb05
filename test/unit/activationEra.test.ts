// The profile's activation peak by vLLM era (engine/memory.ts activationEstimate, vllmVersion.ts samplerPath): V1 runs
// the forward, frees it, then samples min(max_num_seqs, tokens) dummy requests over the full vocabulary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinCatalog } from '../../server/src/catalog/index';
import { SAMPLER_PROFILE_BYTES_PER_LOGIT, V0_SAMPLER, activationEstimate, defaultServing, sizeMemory } from '../../server/src/engine/memory';
import { modelFromConfig } from '../../server/src/engine/model';
import { parseVersion, vllmBehaviour } from '../../server/src/engine/vllmVersion';
import { QWEN3_32B_CONFIG } from './sharedFixtures';

// Qwen3-32B's config.json (hidden 5120, 64 heads of 128, 8 KV heads, intermediate 25600, vocab 151936).
const qwen32 = modelFromConfig('Qwen/Qwen3-32B', QWEN3_32B_CONFIG);
const H100 = builtinCatalog().resolveGpu('H100')!;
// Forward at 8192 tokens: the MLP phase, residual + normed input + gate_up (2f) + activation (f), 2 bytes each.
const FORWARD = 8192 * 2 * (2 * 5120 + 3 * 25600);
const HIDDEN = 8192 * 5120 * 2; // the hidden states the sampler phase still holds
const LOGITS = 1024 * 151936;

test('sampler bytes per logit follow the two top-k/top-p paths: sort (2 + 4 + 12 + 12) and FlashInfer (2 + 4 + 4 + 4)', () => {
  assert.equal(SAMPLER_PROFILE_BYTES_PER_LOGIT.native, 30);
  assert.equal(SAMPLER_PROFILE_BYTES_PER_LOGIT.flashinfer, 14);
  // vllm#15105's failing allocation: the sort's scratch of 1024 x 151,936 float keys + int64 values = 1.74 GiB.
  assert.equal(((LOGITS * 12) / 2 ** 30).toFixed(2), '1.74');
});

test('the sampler path by era: V0 none, FlashInfer before 0.11, the sort 0.11-0.19, FlashInfer again from 0.20', () => {
  const path = (v: string) => vllmBehaviour(parseVersion(v)!).samplerPath;
  assert.equal(path('0.6.6'), null);
  assert.equal(path('0.8.5'), 'flashinfer');
  assert.equal(path('0.10.2'), 'flashinfer');
  assert.equal(path('0.11.0'), 'native');
  assert.equal(path('0.19.0'), 'native');
  assert.equal(path('0.20.0'), 'flashinfer');
});

test('V1 peak is the larger phase (forward, or hidden states + sampler); V0 keeps the sum of forward and 8 B per logit', () => {
  const v1 = (b: number) => activationEstimate(qwen32, 8192, 1024, 1, 1, 2, true, { bytesPerLogit: b, afterForward: true });
  assert.equal(v1(30), Math.max(FORWARD, HIDDEN + LOGITS * 30));
  assert.equal(v1(14), Math.max(FORWARD, HIDDEN + LOGITS * 14));
  assert.equal(activationEstimate(qwen32, 8192, 256, 1, 1, 2, true, V0_SAMPLER), FORWARD + 256 * 151936 * 8);
  // Not the last pipeline stage: no sampler.
  assert.equal(activationEstimate(qwen32, 8192, 1024, 1, 1, 2, false, { bytesPerLogit: 30, afterForward: true }), FORWARD);
});

test('Qwen3-32B on one H100 (8192 tokens, 1024 requests): 4.43 GiB on 0.12 (sort), 2.11 on 0.10.2, band spans both', () => {
  const at = (v: string) => sizeMemory(qwen32, H100, { ...defaultServing(), engineVersion: v, maxModelLen: 32768 });
  const s12 = at('0.12.0');
  assert.equal(s12.memory.activationPeakBytes, HIDDEN + LOGITS * 30);
  assert.equal((s12.memory.activationPeakBytes / 2 ** 30).toFixed(2), '4.43');
  const s11 = at('0.10.2');
  assert.equal(s11.memory.activationPeakBytes, HIDDEN + LOGITS * 14);
  // Each band reaches the other path's figure.
  assert.ok(s11.bands.activationPeakBytes[1] >= HIDDEN + LOGITS * 30);
  assert.ok(s12.bands.activationPeakBytes[0] <= HIDDEN + LOGITS * 14);
});
