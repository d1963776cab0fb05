// LoRA slots, speculative drafters, kv_cache_memory_bytes, cpu_offload_gb and host RAM, from first principles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../server/src/analysis/analysis';
import { builtinCatalog } from '../../server/src/catalog/index';
import { loraGpuBytes, parseSpeculativeConfig } from '../../server/src/engine/extras';
import { defaultServing, sizeMemory } from '../../server/src/engine/memory';
import type { ServingInput } from '../../server/src/engine/memory';
import { GiB } from '../../server/src/engine/units';

const cat = builtinCatalog();
const L40S = cat.resolveGpu('L40S')!;
const llama8b = cat.resolveModel('meta-llama/Llama-3.1-8B-Instruct')!.arch;
const serve = (over: Partial<ServingInput>): ServingInput => ({ ...defaultServing(), engineVersion: '0.11.0', maxModelLen: 16384, ...over });

test('LoRA slots: max_loras x rank x (in + out) per wrapped module, A or B sharded by tp', () => {
  // Llama-3.1-8B per layer: q 4096+4096, k 4096+1024, v 4096+1024, o 4096+4096, gate/up 4096+14336, down 14336+4096 = 81,920.
  const perLayer = 81920;
  assert.equal(loraGpuBytes(llama8b, { maxLoras: 4, maxLoraRank: 64, maxCpuLoras: 16, elementBytes: 2 }, 1, 32), 4 * 64 * perLayer * 32 * 2);
  // tp 2: column layers keep A whole and halve B's out; row layers halve A's in and keep B.
  const tp2 = 4096 + 2048 + (4096 + 512) * 2 + (2048 + 4096) + (4096 + 7168) * 2 + (7168 + 4096);
  assert.equal(loraGpuBytes(llama8b, { maxLoras: 1, maxLoraRank: 16, maxCpuLoras: 1, elementBytes: 2 }, 2, 32), 16 * tp2 * 32 * 2);
  const base = sizeMemory(llama8b, L40S, serve({}));
  const withLora = sizeMemory(llama8b, L40S, serve({ enableLora: true, maxLoras: 4, maxLoraRank: 64 }));
  assert.equal(withLora.memory.weightsBytes - base.memory.weightsBytes, 4 * 64 * perLayer * 32 * 2);
  assert.ok(withLora.terms.some((t) => t.key === 'lora'));
  assert.equal(
    base.terms.some((t) => t.key === 'lora'),
    false,
  );
});

test('speculative_config: EAGLE adds one target layer of weights and of KV per token; n-gram adds nothing', () => {
  assert.deepEqual(parseSpeculativeConfig('{"method": "ngram", "num_speculative_tokens": 4}'), { method: 'ngram', model: null, numSpeculativeTokens: 4 });
  assert.equal(parseSpeculativeConfig('{not json'), null);
  const base = sizeMemory(llama8b, L40S, serve({}));
  const eagle = sizeMemory(
    llama8b,
    L40S,
    serve({ speculativeConfig: '{"method":"eagle","model":"yuhuili/EAGLE-LLaMA3.1-Instruct-8B","num_speculative_tokens":3}' }),
  );
  // One decoder layer (attention 4096x(4096+1024+1024+4096) + MLP 3x4096x14336 + norms 2x4096) + fc 2 x 4096^2, bf16.
  const layer = 4096 * (4096 + 1024 + 1024 + 4096) + 3 * 4096 * 14336 + 2 * 4096;
  assert.equal(eagle.memory.weightsBytes - base.memory.weightsBytes, (layer + 2 * 4096 * 4096) * 2);
  assert.equal(eagle.kv.bytesPerTokenPerGpu - base.kv.bytesPerTokenPerGpu, 2 * 8 * 128 * 2);
  const ngram = sizeMemory(llama8b, L40S, serve({ speculativeConfig: '{"method":"ngram","num_speculative_tokens":4}' }));
  assert.equal(ngram.memory.weightsBytes, base.memory.weightsBytes);
  assert.equal(ngram.kv.numBlocks, base.kv.numBlocks);
  // A draft model the catalog does not know: said, not guessed.
  const unknown = sizeMemory(llama8b, L40S, serve({ speculativeConfig: '{"model":"someone/tiny-draft","num_speculative_tokens":5}' }));
  assert.equal(unknown.extras.draft!.weightsBytes, null);
  assert.equal(unknown.extras.unknowns.length, 1);
  // A known draft model: its whole weights and its layers' KV.
  const draft = cat.resolveModel('meta-llama/Llama-3.2-1B-Instruct')!.arch;
  const dm = sizeMemory(llama8b, L40S, serve({ speculativeConfig: '{"model":"meta-llama/Llama-3.2-1B-Instruct","num_speculative_tokens":5}' }), {
    draftModel: draft,
  });
  assert.equal(dm.kv.bytesPerTokenPerGpu - base.kv.bytesPerTokenPerGpu, 16 * 2 * 8 * 64 * 2);
});

test('kv_cache_memory_bytes replaces the profiled budget; cpu_offload_gb moves weights to host RAM', () => {
  const s = sizeMemory(llama8b, L40S, serve({ kvCacheMemoryBytes: 8 * GiB }));
  assert.equal(s.memory.kvCacheBytes, 8 * GiB);
  assert.equal(s.kv.numBlocks, Math.floor((8 * GiB) / (16 * 131072)));
  const base = sizeMemory(llama8b, L40S, serve({}));
  const off = sizeMemory(llama8b, L40S, serve({ cpuOffloadGb: 4 }));
  assert.equal(base.memory.weightsBytes - off.memory.weightsBytes, 4 * GiB);
  assert.equal(off.extras.hostRam.bytes, 4 * GiB);
});

test('host RAM above the pod memory limit is an error at the limit', () => {
  const file = path.join(__dirname, '..', 'fixtures', 't13', 'lora-spec-offload.yaml');
  const r = analyzeText(fs.readFileSync(file, 'utf8'));
  const d = r.diagnostics.find((x) => x.code === 'host-ram-exceeds-limit');
  assert.ok(d, 'host-ram-exceeds-limit reported');
  assert.equal(d!.severity, 'error');
  // cpu_offload_gb 2 + 16 CPU LoRA adapters x rank 64 x 81,920 x 32 layers x 2 B = 2 + 5 GiB against 4 GiB.
  assert.match(d!.message, /7\.00 GiB of host RAM .* memory limit of 4\.00 GiB/);
  assert.equal(d!.range.start.line, 11);
});
