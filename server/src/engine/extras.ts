// Memory terms beyond the base model: LoRA adapter slots, speculative-decoding drafters, and host (CPU) RAM for
// offloaded weights, swap space, KV offloading and the CPU LoRA cache. Pure.
import type { ModelArch } from './model';
import { GiB } from './units';

/** LoRA settings as vLLM reads them (vllm/config LoRAConfig): defaults max_loras 1, max_lora_rank 16, max_cpu_loras = max_loras. */
export interface LoraInput {
  maxLoras: number;
  maxLoraRank: number;
  maxCpuLoras: number;
  elementBytes: number;
}

/** Per-layer (in, out, column-parallel?) of the linear modules vLLM wraps with LoRA (q, k, v, o and the dense MLP). */
function loraModules(m: ModelArch): Array<{ inF: number; outF: number; column: boolean }> {
  const h = m.hidden;
  const q = m.heads * m.headDim;
  const kv = m.kvHeads * m.headDim;
  const mods = [
    { inF: h, outF: q, column: true },
    { inF: h, outF: kv, column: true },
    { inF: h, outF: kv, column: true },
    { inF: q, outF: h, column: false },
  ];
  // Fused MoE experts take no LoRA in most releases; dense MLPs do (gate, up, down).
  if (!m.moe) {
    const f = m.intermediate;
    mods.push({ inF: h, outF: f, column: true }, { inF: h, outF: f, column: true }, { inF: f, outF: h, column: false });
  }
  return mods;
}

/**
 * GPU bytes of the stacked LoRA slots on one tensor-parallel rank (vllm/lora/layers: lora_a_stacked [max_loras, rank, in]
 * and lora_b_stacked [max_loras, out, rank] per wrapped module; column-parallel layers shard B's out, row-parallel A's in).
 * Allocated at model load, so it is part of "Model loading took".
 */
export function loraGpuBytes(m: ModelArch, l: LoraInput, tp: number, layersLocal: number): number {
  let perLayer = 0;
  for (const md of loraModules(m)) {
    const a = md.column ? md.inF : md.inF / tp;
    const b = md.column ? md.outF / tp : md.outF;
    perLayer += l.maxLoraRank * (a + b);
  }
  return l.maxLoras * perLayer * layersLocal * l.elementBytes;
}

/** Bytes of one adapter at max_lora_rank, unsharded (the CPU LRU cache holds max_cpu_loras of them). */
export function loraAdapterBytes(m: ModelArch, l: LoraInput): number {
  let perLayer = 0;
  for (const md of loraModules(m)) perLayer += l.maxLoraRank * (md.inF + md.outF);
  return perLayer * m.layers * l.elementBytes;
}

export type SpecMethod = 'ngram' | 'eagle' | 'eagle3' | 'mtp' | 'medusa' | 'draft_model' | 'suffix' | 'unknown';

export interface SpecInput {
  method: SpecMethod;
  model: string | null;
  numSpeculativeTokens: number | null;
}

/** speculative_config as written (JSON text or an object): method, draft model and k. Null when absent or unreadable. */
export function parseSpeculativeConfig(v: unknown): SpecInput | null {
  let o: unknown = v;
  if (typeof v === 'string') {
    if (!v.trim()) return null;
    try {
      o = JSON.parse(v);
    } catch {
      return null;
    }
  }
  if (!o || typeof o !== 'object') return null;
  const j = o as Record<string, unknown>;
  const model = typeof j.model === 'string' ? j.model : null;
  const raw = String(j.method ?? '').toLowerCase();
  let method: SpecMethod;
  if (raw === 'ngram' || model === '[ngram]') method = 'ngram';
  else if (raw === 'eagle3') method = 'eagle3';
  else if (raw === 'eagle' || /eagle/i.test(model ?? '')) method = /eagle3/i.test(model ?? '') ? 'eagle3' : 'eagle';
  else if (raw === 'mtp' || raw.endsWith('_mtp')) method = 'mtp';
  else if (raw === 'medusa') method = 'medusa';
  else if (raw === 'suffix') method = 'suffix';
  else if (raw === 'draft_model' || (!raw && model)) method = 'draft_model';
  else method = 'unknown';
  const k = typeof j.num_speculative_tokens === 'number' && j.num_speculative_tokens > 0 ? j.num_speculative_tokens : null;
  return { method, model, numSpeculativeTokens: k };
}

export interface DraftSizing {
  method: SpecMethod;
  /** Draft weights on one GPU (bytes); null when the draft model's config is not known. */
  weightsBytes: number | null;
  /** Decoder layers the drafter adds to the KV pool (each holds per-token KV like a target layer). */
  kvLayers: number;
  formula: string;
}

/**
 * The drafter's GPU weights and KV layers (vllm/v1/spec_decode): n-gram and suffix run on the CPU; EAGLE is one decoder
 * layer of the target's dims plus an fc of 2h x h (EAGLE-3: 3h x h) sharing the target's embedding and head; MTP loads
 * the checkpoint's num_nextn_predict_layers layers plus eh_proj (2h x h); a draft model is a whole second model.
 */
export function draftSizing(
  spec: SpecInput,
  target: ModelArch,
  targetLayerBytes: number,
  dtypeBytes: number,
  tp: number,
  draft: ModelArch | null,
  draftBytes: number | null,
): DraftSizing {
  const h = target.hidden;
  switch (spec.method) {
    case 'ngram':
    case 'suffix':
      return { method: spec.method, weightsBytes: 0, kvLayers: 0, formula: `${spec.method}: proposals from the prompt on the CPU, no GPU memory` };
    case 'eagle':
    case 'eagle3': {
      const fc = (spec.method === 'eagle3' ? 3 : 2) * h * h * dtypeBytes;
      return {
        method: spec.method,
        weightsBytes: targetLayerBytes + fc / tp,
        kvLayers: 1,
        formula: `one decoder layer of the target + fc ${spec.method === 'eagle3' ? 3 : 2}h x h`,
      };
    }
    case 'mtp': {
      const n = Math.max(1, target.mtpLayers);
      return {
        method: 'mtp',
        weightsBytes: n * targetLayerBytes + (2 * h * h * dtypeBytes) / tp,
        kvLayers: n,
        formula: `${n} MTP layer(s) of the target + eh_proj 2h x h`,
      };
    }
    case 'draft_model':
      if (draft && draftBytes !== null)
        return {
          method: 'draft_model',
          weightsBytes: draftBytes,
          kvLayers: draft.layers,
          formula: `draft model ${draft.id}: its own weights and ${draft.layers} KV layers`,
        };
      return {
        method: 'draft_model',
        weightsBytes: null,
        kvLayers: 0,
        formula: `draft model ${spec.model ?? '(unnamed)'}: config unknown, its memory is not counted`,
      };
    default:
      return { method: spec.method, weightsBytes: null, kvLayers: 0, formula: `speculative method ${spec.method}: not modelled, its memory is not counted` };
  }
}

export interface HostRamInput {
  gpusPerNode: number;
  cpuOffloadGb: number | null;
  swapSpaceGb: number | null;
  v1: boolean;
  kvOffloadGb: number | null;
  loraCpuBytes: number;
}

export interface HostRam {
  /** Pinned and pageable host memory this node's vLLM processes hold, without the Python/CUDA baseline. */
  bytes: number;
  parts: Array<{ label: string; bytes: number }>;
}

/**
 * Host RAM per node that the settings pin: cpu_offload_gb and swap_space are per GPU (EngineArgs help text), the KV
 * offloading size is per instance, the CPU LoRA cache holds max_cpu_loras adapters in each worker. V1 has no swap space.
 */
export function hostRam(x: HostRamInput): HostRam {
  const parts: Array<{ label: string; bytes: number }> = [];
  if (x.cpuOffloadGb) parts.push({ label: `cpu_offload_gb ${x.cpuOffloadGb} x ${x.gpusPerNode} GPUs`, bytes: x.cpuOffloadGb * GiB * x.gpusPerNode });
  if (x.swapSpaceGb && !x.v1) parts.push({ label: `swap_space ${x.swapSpaceGb} GiB x ${x.gpusPerNode} GPUs`, bytes: x.swapSpaceGb * GiB * x.gpusPerNode });
  if (x.kvOffloadGb) parts.push({ label: `KV offloading ${x.kvOffloadGb} GiB`, bytes: x.kvOffloadGb * GiB });
  if (x.loraCpuBytes > 0) parts.push({ label: `CPU LoRA cache x ${x.gpusPerNode} workers`, bytes: x.loraCpuBytes * x.gpusPerNode });
  return { bytes: parts.reduce((s, p) => s + p.bytes, 0), parts };
}
