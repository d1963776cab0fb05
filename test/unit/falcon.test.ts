// Falcon (model_type falcon, legacy RefinedWeb / RefinedWebModel): KV heads as vLLM computes them, parameters counted
// by hand from the config, and the real TGI falcon-40b file sized.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText } from '../../server/src/analysis/analysis';
import { builtinCatalog } from '../../server/src/catalog/index';
import { kvLayers } from '../../server/src/engine/kvcache';
import { modelFromConfig } from '../../server/src/engine/model';
import { paramCounts, tensorsOf } from '../../server/src/engine/params';

const cat = builtinCatalog();
const kvBytesPerToken = (id: string) =>
  kvLayers(cat.resolveModel(id)!.arch, { tp: 1, elementBytes: 2, mlaLatent: true }).reduce((s, l) => s + l.bytesPerTokenUnsharded, 0);
const layerParams = (m: ReturnType<typeof modelFromConfig>, i: number) =>
  tensorsOf(m)
    .filter((t) => t.layer === i)
    .reduce((s, t) => s + t.params, 0);

// transformers-form configs (model_type falcon) of the two published shapes.
const FALCON_7B = {
  model_type: 'falcon',
  hidden_size: 4544,
  num_attention_heads: 71,
  num_hidden_layers: 32,
  multi_query: true,
  new_decoder_architecture: false,
  parallel_attn: true,
  bias: false,
  alibi: false,
  vocab_size: 65024,
  torch_dtype: 'bfloat16',
};
const FALCON_40B = {
  model_type: 'falcon',
  hidden_size: 8192,
  num_attention_heads: 128,
  num_kv_heads: 8,
  num_hidden_layers: 60,
  new_decoder_architecture: true,
  parallel_attn: true,
  bias: false,
  alibi: false,
  vocab_size: 65024,
  torch_dtype: 'bfloat16',
};

test('falcon-7b: KV bytes per token = 1 KV head (multi-query) x head_dim 64 x 32 layers x K and V x 2 bytes', () => {
  assert.equal(kvBytesPerToken('tiiuae/falcon-7b'), 1 * 64 * 32 * 2 * 2);
  assert.equal(kvBytesPerToken('tiiuae/falcon-7b'), 8192);
  // falcon-7b-instruct's config says num_kv_heads 71 (FalconConfig's default), but multi_query without the new decoder
  // architecture means one KV head in vLLM (FalconAttention, ModelConfig.get_total_num_kv_heads).
  assert.equal(kvBytesPerToken('tiiuae/falcon-7b-instruct'), 8192);
});

test('falcon-40b: KV bytes per token = 8 KV heads (n_head_kv) x 64 x 60 layers x 2 x 2 bytes', () => {
  assert.equal(kvBytesPerToken('tiiuae/falcon-40b'), 8 * 64 * 60 * 2 * 2);
  assert.equal(kvBytesPerToken('tiiuae/falcon-40b'), 122880);
  assert.equal(kvBytesPerToken('tiiuae/falcon-40b-instruct'), 122880);
});

test('falcon-7b parameters by hand: 207,070,080 per layer, 6,921,720,704 in all (7,217,189,760 with the stored lm_head copy)', () => {
  // Per layer: query_key_value 4544 x (71 + 2 x 1) x 64 = 21,229,568; dense 4544 x 4544 = 20,647,936;
  // dense_h_to_4h + dense_4h_to_h 2 x 4544 x 18176 = 165,183,488; input_layernorm weight + bias 2 x 4544 = 9,088.
  const perLayer = 4544 * 73 * 64 + 4544 * 4544 + 2 * 4544 * 4 * 4544 + 2 * 4544;
  assert.equal(perLayer, 207_070_080);
  // word_embeddings 65024 x 4544 = 295,469,056 (tied: lm_head is the same tensor), ln_f weight + bias 9,088.
  const total = 32 * perLayer + 65024 * 4544 + 2 * 4544;
  assert.equal(total, 6_921_720_704);
  for (const m of [modelFromConfig('falcon-7b', FALCON_7B), cat.resolveModel('tiiuae/falcon-7b')!.arch]) {
    assert.equal(m.kvHeads, 1);
    assert.equal(m.intermediate, 18176);
    assert.equal(m.gatedMlp, false);
    assert.equal(m.tieEmbeddings, true);
    assert.equal(m.rotaryDim, 64);
    assert.equal(layerParams(m, 0), perLayer);
    assert.equal(paramCounts(m).total, total);
    assert.equal(paramCounts(m).byComponent.lm_head, 0);
  }
  // The checkpoint index: total_size 14,434,379,520 bytes of bfloat16 = the tied count plus the stored lm_head.weight.
  assert.equal(total + 65024 * 4544, 14_434_379_520 / 2);
});

test('falcon-40b parameters by hand: 679,510,016 per layer, 41,303,293,952 in all (41,835,970,560 with the stored lm_head copy)', () => {
  // Per layer: query_key_value 8192 x (128 + 2 x 8) x 64 = 75,497,472; dense 8192 x 8192 = 67,108,864;
  // MLP 2 x 8192 x 32768 = 536,870,912; ln_attn + ln_mlp, weight + bias each, 4 x 8192 = 32,768.
  const perLayer = 8192 * 144 * 64 + 8192 * 8192 + 2 * 8192 * 32768 + 4 * 8192;
  assert.equal(perLayer, 679_510_016);
  const total = 60 * perLayer + 65024 * 8192 + 2 * 8192;
  assert.equal(total, 41_303_293_952);
  for (const m of [modelFromConfig('falcon-40b', FALCON_40B), cat.resolveModel('tiiuae/falcon-40b')!.arch]) {
    assert.equal(m.kvHeads, 8);
    assert.equal(m.normsPerLayer, 4);
    assert.equal(layerParams(m, 0), perLayer);
    assert.equal(paramCounts(m).total, total);
  }
  assert.equal(total + 65024 * 8192, 83_671_941_120 / 2);
});

test('legacy RefinedWeb without new_decoder_architecture: vLLM RWConfig forces it at hidden_size 8192, n_head_kv gives the KV heads', () => {
  const legacy = { model_type: 'RefinedWeb', n_embed: 8192, n_head: 128, n_head_kv: 8, n_layer: 60, parallel_attn: true, vocab_size: 65024 };
  const m = modelFromConfig('rw-40b', legacy);
  assert.equal(m.hidden, 8192);
  assert.equal(m.kvHeads, 8);
  assert.equal(m.normsPerLayer, 4);
  assert.equal(m.maxPosition, 2048);
  assert.equal(m.ropeCacheLen, 8192); // vLLM falcon.py: getattr(config, "max_position_embeddings", 8192)
  assert.equal(paramCounts(m).total, 41_303_293_952);
});

test('Falcon switches: no multi_query -> every head is a KV head; bias, sequential attention, ffn_hidden_size, ALiBi, untied head', () => {
  const h = 2048;
  const base = { model_type: 'falcon', hidden_size: h, num_attention_heads: 32, num_hidden_layers: 2, vocab_size: 50304 };
  const plain = modelFromConfig('x', { ...base, multi_query: false });
  assert.equal(plain.kvHeads, 32);
  // Biases on query_key_value (3h), dense (h), dense_h_to_4h (4h) and dense_4h_to_h (h).
  const biased = modelFromConfig('x', { ...base, multi_query: false, bias: true });
  assert.equal(layerParams(biased, 0) - layerParams(plain, 0), 3 * h + h + 4 * h + h);
  // parallel_attn false adds post_attention_layernorm (weight + bias).
  const sequential = modelFromConfig('x', { ...base, multi_query: false, parallel_attn: false });
  assert.equal(layerParams(sequential, 0) - layerParams(plain, 0), 2 * h);
  const ffn = modelFromConfig('x', { ...base, ffn_hidden_size: 3 * h });
  assert.equal(ffn.intermediate, 3 * h);
  const alibi = modelFromConfig('x', { ...base, alibi: true });
  assert.equal(alibi.rotaryDim, 0);
  const untied = modelFromConfig('x', { ...base, tie_word_embeddings: false });
  assert.equal(paramCounts(untied).byComponent.lm_head, 50304 * h);
});

test('test/real-world/tgi/gke-tgi-falcon-40b.yaml (TGI, falcon-40b-instruct, NUM_SHARD 2, nf4, 2 x L4) is now sized', () => {
  const file = join(__dirname, '..', 'real-world', 'tgi', 'gke-tgi-falcon-40b.yaml');
  const f = analyzeText(readFileSync(file, 'utf8'), { memoryOnly: true });
  assert.equal(f.deployments.length, 1);
  const a = f.deployments[0];
  assert.equal(a.model?.id, 'tiiuae/falcon-40b-instruct');
  assert.equal(a.gpu?.id, 'L4');
  assert.equal(a.deployment.gpuCount, 2);
  assert.ok(a.sizing, 'sized');
  // 8 KV heads over 2 shards: 4 per GPU, 61,440 bytes per token per GPU.
  assert.equal(a.sizing.kv.bytesPerTokenPerGpu, 4 * 64 * 60 * 2 * 2);
  assert.deepEqual(
    f.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning').map((d) => d.code),
    [],
  );
});
