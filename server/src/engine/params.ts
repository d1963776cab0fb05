// Parameters by component, as tensors with the module names Hugging Face checkpoints use, so that
// quantization "not converted" lists and tensor-parallel sharding rules can be applied per tensor. Pure.
import type { ModelArch } from './model';

export type Component = 'embedding' | 'attention' | 'mlp' | 'experts' | 'shared_experts' | 'router' | 'norms' | 'lm_head' | 'vision';

/** How a tensor is split across tensor-parallel ranks (vLLM's parallel linear layers). */
export type Shard =
  | 'tp' // column/row parallel: divided by tp
  | 'replicated' // ReplicatedLinear, norms, row-parallel biases
  | 'vocab' // VocabParallelEmbedding / ParallelLMHead: padded vocab divided by tp
  | 'kv' // k/v projections: max(1, Hkv/tp) heads per rank
  | 'expert'; // routed experts: by tp (or whole experts by ep)

export interface Tensor {
  component: Component;
  /** HF module path, e.g. model.layers.3.self_attn.q_proj */
  module: string;
  /** Decoder layer index, or null for embeddings, final norm and head. */
  layer: number | null;
  params: number;
  /** A matmul weight that quantization methods may convert. Biases and norms are never converted. */
  linear: boolean;
  shard: Shard;
  /** Output rows of a linear weight (per-channel scales count one per row). */
  outFeatures: number;
}

export type ComponentCounts = Record<Component, number>;

export function emptyCounts(): ComponentCounts {
  return { embedding: 0, attention: 0, mlp: 0, experts: 0, shared_experts: 0, router: 0, norms: 0, lm_head: 0, vision: 0 };
}

const tensorCache = new WeakMap<ModelArch, Tensor[]>();

/** All tensors of the model. Order: embeddings, layers 0..L-1, final norm, lm_head. Built once per architecture. */
export function tensorsOf(m: ModelArch): Tensor[] {
  const hit = tensorCache.get(m);
  if (hit) return hit;
  const t = buildTensors(m);
  tensorCache.set(m, t);
  return t;
}

function buildTensors(m: ModelArch): Tensor[] {
  const t: Tensor[] = [];
  const h = m.hidden;
  const add = (component: Component, module: string, layer: number | null, params: number, linear: boolean, shard: Shard, outFeatures = 0) => {
    if (params > 0) t.push({ component, module, layer, params, linear, shard, outFeatures });
  };
  const embedDim = m.embedProjDim ?? h;
  add('embedding', 'model.embed_tokens', null, m.vocab * embedDim, false, 'vocab');
  if (m.learnedPositions) add('embedding', 'model.embed_positions', null, m.learnedPositions * h, false, 'replicated');
  if (m.embedProjDim) {
    add('embedding', 'model.project_in', null, m.embedProjDim * h, false, 'replicated');
    add('embedding', 'model.project_out', null, m.embedProjDim * h, false, 'replicated');
  }
  for (let i = 0; i < m.layers; i++) {
    const p = `model.layers.${i}`;
    const a = `${p}.self_attn`;
    if (m.layerKinds[i] === 'linear' && m.linearAttn) {
      // Gated DeltaNet (transformers Qwen3NextGatedDeltaNet): in_proj_qkvz, in_proj_ba, depthwise conv1d over q/k/v,
      // A_log and dt_bias per value head, a gated RMSNorm over the value head dim, out_proj.
      const d = m.linearAttn;
      const keyDim = d.numKeyHeads * d.keyHeadDim;
      const valueDim = d.numValueHeads * d.valueHeadDim;
      const la = `${p}.linear_attn`;
      add('attention', `${la}.in_proj_qkvz`, i, h * (2 * keyDim + 2 * valueDim), true, 'tp', 2 * keyDim + 2 * valueDim);
      add('attention', `${la}.in_proj_ba`, i, h * 2 * d.numValueHeads, true, 'tp', 2 * d.numValueHeads);
      add('attention', `${la}.conv1d`, i, (2 * keyDim + valueDim) * d.convKernel, false, 'tp');
      add('attention', `${la}.A_log`, i, 2 * d.numValueHeads, false, 'tp');
      add('norms', `${la}.norm`, i, d.valueHeadDim, false, 'replicated');
      add('attention', `${la}.out_proj`, i, valueDim * h, true, 'tp', h);
    } else if (m.mla) {
      const { qLoraRank, kvLoraRank, qkNopeHeadDim, qkRopeHeadDim, vHeadDim } = m.mla;
      const qHead = qkNopeHeadDim + qkRopeHeadDim;
      if (qLoraRank) {
        add('attention', `${a}.q_a_proj`, i, h * qLoraRank, true, 'replicated', qLoraRank);
        add('norms', `${a}.q_a_layernorm`, i, qLoraRank, false, 'replicated');
        add('attention', `${a}.q_b_proj`, i, qLoraRank * m.heads * qHead, true, 'tp', m.heads * qHead);
      } else {
        add('attention', `${a}.q_proj`, i, h * m.heads * qHead, true, 'tp', m.heads * qHead);
      }
      add('attention', `${a}.kv_a_proj_with_mqa`, i, h * (kvLoraRank + qkRopeHeadDim), true, 'replicated', kvLoraRank + qkRopeHeadDim);
      add('norms', `${a}.kv_a_layernorm`, i, kvLoraRank, false, 'replicated');
      add('attention', `${a}.kv_b_proj`, i, kvLoraRank * m.heads * (qkNopeHeadDim + vHeadDim), true, 'tp', m.heads * (qkNopeHeadDim + vHeadDim));
      add('attention', `${a}.o_proj`, i, m.heads * vHeadDim * h, true, 'tp', h);
    } else {
      const q = m.heads * m.headDim;
      const kv = m.kvHeads * m.headDim;
      const qOut = m.attnOutputGate ? 2 * q : q; // the output gate rides on q_proj (Qwen3-Next)
      add('attention', `${a}.q_proj`, i, h * qOut, true, 'tp', qOut);
      add('attention', `${a}.k_proj`, i, h * kv, true, 'kv', kv);
      add('attention', `${a}.v_proj`, i, h * kv, true, 'kv', kv);
      add('attention', `${a}.o_proj`, i, q * h, true, 'tp', h);
      if (m.qkvBias || m.attentionBias) {
        add('attention', `${a}.q_proj.bias`, i, q, false, 'tp');
        add('attention', `${a}.k_proj.bias`, i, kv, false, 'kv');
        add('attention', `${a}.v_proj.bias`, i, kv, false, 'kv');
      }
      if (m.attentionBias) add('attention', `${a}.o_proj.bias`, i, h, false, 'replicated');
      if (m.modelType === 'gpt_oss') add('attention', `${a}.sinks`, i, m.heads, false, 'tp');
      if (m.qkNorm) add('norms', `${a}.qk_norm`, i, 2 * m.headDim, false, 'replicated');
    }
    add('norms', `${p}.layernorms`, i, m.normsPerLayer * h, false, 'replicated');
    const isMoe = m.moe?.moeLayers[i] ?? false;
    if (m.moe && isMoe) {
      const e = m.moe;
      const f = e.expertIntermediate;
      const mlp = `${p}.mlp`;
      add('router', `${mlp}.gate`, i, h * e.numExperts, false, 'replicated');
      if (e.routerBias) add('router', `${mlp}.gate.bias`, i, e.numExperts, false, 'replicated');
      add('experts', `${mlp}.experts`, i, e.numExperts * 3 * h * f, true, 'expert', f);
      if (e.expertBias) add('experts', `${mlp}.experts.bias`, i, e.numExperts * (2 * f + h), false, 'expert');
      if (e.sharedIntermediate) {
        add('shared_experts', `${mlp}.shared_experts`, i, 3 * h * e.sharedIntermediate, true, 'tp', e.sharedIntermediate);
        if (e.sharedExpertGate) add('shared_experts', `${mlp}.shared_expert_gate`, i, h, false, 'replicated');
      }
    } else {
      const f = m.moe ? m.denseIntermediate : m.intermediate;
      const mats = m.gatedMlp ? 3 : 2;
      add('mlp', `${p}.mlp`, i, mats * h * f, true, 'tp', f);
      if (m.mlpBias) {
        add('mlp', `${p}.mlp.fc1.bias`, i, f, false, 'tp');
        add('mlp', `${p}.mlp.fc2.bias`, i, h, false, 'replicated');
      }
    }
  }
  add('norms', 'model.norm', null, h, false, 'replicated');
  if (m.finalNormBias) add('norms', 'model.norm.bias', null, h, false, 'replicated');
  if (m.vision) {
    // The vision tower loads in the model dtype beside the text model (vLLM shards it by tp like the text layers).
    // Module names carry the aliases checkpoints use in `ignore` / `modules_to_not_convert` (visual, vision_tower,
    // vision_model, multi_modal_projector) so a quantized checkpoint that leaves the tower unquantized is honoured.
    const v = m.vision;
    const vh = v.hidden;
    const perLayer = 4 * vh * vh + (v.gatedMlp ? 3 : 2) * vh * v.intermediate;
    add('vision', 'visual.vision_tower.vision_model.blocks', null, v.layers * perLayer, true, 'tp', vh);
    // Per layer: two norms (weight + bias), q/k/v/o biases and MLP biases.
    add('vision', 'visual.vision_tower.vision_model.norms_and_biases', null, v.layers * (9 * vh + (v.gatedMlp ? 2 : 1) * v.intermediate), false, 'replicated');
    add('vision', 'visual.vision_tower.vision_model.patch_embed', null, v.stemParams, false, 'replicated');
    add('vision', 'visual.multi_modal_projector', null, v.projectorParams, true, 'replicated', vh);
  }
  if (!m.tieEmbeddings) add('lm_head', 'lm_head', null, m.vocab * embedDim, false, 'vocab');
  return t;
}

export interface ParamCounts {
  total: number;
  active: number;
  byComponent: ComponentCounts;
}

/** Parameter totals (what model cards publish) and active parameters per token for MoE. */
const countCache = new WeakMap<ModelArch, ParamCounts>();

export function paramCounts(m: ModelArch, tensors: Tensor[] = tensorsOf(m)): ParamCounts {
  // Counts depend only on the architecture's tensors; hardware sweeps ask for them hundreds of times.
  const cached = tensors === tensorCache.get(m) ? countCache.get(m) : undefined;
  if (cached) return cached;
  const r = countParams(m, tensors);
  if (tensors === tensorCache.get(m)) countCache.set(m, r);
  return r;
}

function countParams(m: ModelArch, tensors: Tensor[]): ParamCounts {
  const byComponent = emptyCounts();
  for (const t of tensors) byComponent[t.component] += t.params;
  let total = 0;
  for (const v of Object.values(byComponent)) total += v;
  const activeFraction = m.moe ? m.moe.expertsPerToken / m.moe.numExperts : 1;
  const active = total - byComponent.experts * (1 - activeFraction);
  return { total, active, byComponent };
}
