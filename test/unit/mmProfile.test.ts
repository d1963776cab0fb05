// The multimodal profile run (engine/mmProfile.ts): exact tensor sizes from vLLM's V0 encoder-decoder profile of Mllama.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinCatalog } from '../../server/src/catalog/index';
import { defaultServing, sizeMemory } from '../../server/src/engine/memory';
import { imagesPerPrompt, mmProfile } from '../../server/src/engine/mmProfile';
import { servingValue } from '../../server/src/formats/servingKeys';
import { CASES, archOf } from '../calibrationCases';

const GiB = 2 ** 30;
const c = CASES.find((x) => x.id === 'vllm-pr12126-h100-llama32-11b-vision')!;
const mllama = archOf(c);
const H100 = builtinCatalog().resolveGpu('H100')!;

// Llama-3.2-11B-Vision's vision_config: 560 px tiles of 14 px patches, 4 tiles, hidden 1280, intermediate 5120.
const PATCHES = (560 / 14) ** 2 + 1; // 1601 with the class token
const T = 4 * 1608; // each tile padded to a multiple of 8 patches
const PER_IMAGE = 2 * 4 * 3 * 560 * 560 * 4 + T * T * 2 + T * 2 * (4 * 1280 + 2 * 5120);

test('limit_mm_per_prompt is read as vLLM takes it: JSON text, a mapping, V0 "image=N", per-modality options', () => {
  assert.equal(imagesPerPrompt('{"image": 0}'), 0);
  assert.equal(imagesPerPrompt({ image: 3, video: 1 }), 3);
  assert.equal(imagesPerPrompt('image=2,video=1'), 2);
  assert.equal(imagesPerPrompt({ image: { count: 4 } }), 4);
  assert.equal(imagesPerPrompt(null), null);
  assert.equal(imagesPerPrompt('{"video": 1}'), null);
});

test('Mllama V0 profile: max_num_seqs dummy images, each tiles x padded patches, pixels + dense mask + one ViT layer', () => {
  const r = mmProfile(mllama, { v1: false, maxNumSeqs: 128, imagesPerPrompt: null, dtypeBytes: 2, tp: 1 });
  assert.equal(r.kind, 'modelled');
  if (r.kind !== 'modelled') return;
  assert.equal(r.profile.items, 128);
  assert.equal(r.profile.tokensPerItem, 6432);
  assert.equal(r.profile.visionPeakBytes, 128 * PER_IMAGE);
  // Held through the text forward: the pixels and the flat projected states [128 x 4 x 1601, 4096].
  assert.equal(r.profile.heldBytes, 128 * (2 * 4 * 3 * 560 * 560 * 4 + 4 * PATCHES * 4096 * 2));
});

test('vllm PR 12126 (H100, max_num_seqs 128, 64K context): activation peak within 2% of the logged 36.63 GiB, KV within 5%', () => {
  const s = sizeMemory(mllama, H100, { ...defaultServing(), ...c.serving });
  assert.equal(s.memory.activationPeakBytes, 128 * PER_IMAGE); // the vision phase dominates the text phase
  assert.ok(Math.abs(s.memory.activationPeakBytes / GiB / 36.63 - 1) < 0.02, `${(s.memory.activationPeakBytes / GiB).toFixed(2)} GiB`);
  assert.ok(Math.abs(s.kv.capacityTokens / 96016 - 1) < 0.05, `${s.kv.capacityTokens} tokens`);
  const term = s.terms.find((t) => t.key === 'multimodal_profile');
  assert.ok(term && term.bytes === 128 * PER_IMAGE && term.formula.includes('128 dummy images'));
});

test('images per prompt scale the dummy batch; {"image": 0} (text-only) drops the vision pass', () => {
  const two = sizeMemory(mllama, H100, { ...defaultServing(), ...c.serving, maxNumSeqs: 16, limitMmPerPrompt: '{"image": 2}' });
  assert.equal(two.memory.activationPeakBytes, 32 * PER_IMAGE);
  const textOnly = sizeMemory(mllama, H100, { ...defaultServing(), ...c.serving, limitMmPerPrompt: { image: 0 } });
  assert.ok(textOnly.memory.activationPeakBytes < 1 * GiB, `${textOnly.memory.activationPeakBytes}`);
  assert.equal(
    textOnly.terms.find((t) => t.key === 'multimodal_profile'),
    undefined,
  );
});

test('at tp 2 only the column-parallel fc1/GELU outputs halve (the ViT all-gathers its patch embeddings)', () => {
  const r = mmProfile(mllama, { v1: false, maxNumSeqs: 1, imagesPerPrompt: 1, dtypeBytes: 2, tp: 2 });
  assert.equal(r.kind === 'modelled' && r.profile.visionPeakBytes, PER_IMAGE - (T * 2 * 5120 * 2) / 2);
});

test('V1 or a processor-sized vision tower: not modelled, said in the activation formula rather than guessed', () => {
  assert.equal(mmProfile(mllama, { v1: true, maxNumSeqs: 128, imagesPerPrompt: null, dtypeBytes: 2, tp: 1 }).kind, 'unknown');
  const s = sizeMemory(mllama, H100, { ...defaultServing(), ...c.serving, engineVersion: '0.11.0' });
  assert.ok(s.terms.find((t) => t.key === 'activation_peak')!.formula.includes('not modelled'));
});

test('limit_mm_per_prompt is a serving key taking JSON text or a mapping, as speculative_config does', () => {
  assert.deepEqual(servingValue('limitMmPerPrompt', { image: 0 }), { image: 0 });
  assert.equal(servingValue('limitMmPerPrompt', '{"image": 2}'), '{"image": 2}');
  assert.equal(servingValue('limitMmPerPrompt', 3), undefined);
});
