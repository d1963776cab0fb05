// What a deployment's settings add beyond the base model, per pipeline stage: LoRA slots, the speculative drafter (its
// weights and KV layers), weights offloaded to the CPU, --kv-cache-memory, and the host RAM they pin (formulas in
// engine/extras.ts). Pure.
import type { DraftSizing, HostRam, LoraInput, SpecInput } from './extras';
import { draftSizing, hostRam, loraAdapterBytes, loraGpuBytes, parseSpeculativeConfig } from './extras';
import { kvElementBytes } from './kvcache';
import type { KvLayer } from './kvcache';
import type { ModelArch } from './model';
import { tensorsOf } from './params';
import type { RankLayout } from './rankLayout';
import { draftKvOf } from './rankLayout';
import type { ResolvedServing, ServingInput } from './servingResolve';
import { GiB } from './units';
import type { VllmBehaviour } from './vllmVersion';
import { DTYPE_BYTES, weightsPerRank } from './weights';

export interface ServingExtras {
  lora: LoraInput | null;
  spec: SpecInput | null;
  draft: DraftSizing | null;
  /** The drafter's KV layers, paged from the last stage's pool. */
  draftKv: KvLayer[];
  /** Bytes of each GPU's weights that cpu_offload_gb keeps in host memory (0 when unset). */
  cpuOffload: number;
  /** --kv-cache-memory when set. */
  kvCacheMemory: number | null;
  /** Per pipeline stage: the stacked LoRA slots. */
  loraBytes: number[];
  /** Per pipeline stage: weights beyond the base model (LoRA slots, the drafter on the last stage). */
  extraWeights: number[];
  unknowns: string[];
}

export function servingExtrasOf(
  m: ModelArch,
  s: ServingInput,
  serving: ResolvedServing,
  beh: VllmBehaviour,
  layout: RankLayout,
  draftModel: ModelArch | null,
): ServingExtras {
  const unknowns: string[] = [];
  const { ranks } = layout;
  const dtypeBytes = DTYPE_BYTES[serving.dtype];
  const lora = loraOf(s, dtypeBytes);
  const loraBytes = ranks.map((r) => (lora ? loraGpuBytes(m, lora, s.tp, r.layers[1] - r.layers[0]) : 0));
  const spec = s.engine === 'vllm' ? parseSpeculativeConfig(s.speculativeConfig) : null;
  if (s.speculativeConfig != null && s.speculativeConfig !== '' && !spec)
    unknowns.push("speculative_config is not readable JSON: the drafter's memory is not counted");
  const draft = spec ? drafterOf(m, spec, serving, layout, draftModel) : null;
  if (draft && draft.weightsBytes === null) unknowns.push(draft.formula);
  const draftKv = draft && draft.kvLayers > 0 ? draftKvOf(m, layout, draft.kvLayers, draft.method === 'draft_model' ? draftModel : null, serving, beh) : [];
  const extraWeights = loraBytes.map((b, r) => b + (r === s.pp - 1 ? (draft?.weightsBytes ?? 0) : 0));
  return {
    lora,
    spec,
    draft,
    draftKv,
    cpuOffload: s.engine === 'vllm' && s.cpuOffloadGb && s.cpuOffloadGb > 0 ? s.cpuOffloadGb * GiB : 0,
    kvCacheMemory: s.engine === 'vllm' && s.kvCacheMemoryBytes && s.kvCacheMemoryBytes > 0 ? s.kvCacheMemoryBytes : null,
    loraBytes,
    extraWeights,
    unknowns,
  };
}

/** LoRA as vLLM's LoRAConfig defaults it; the other engines are not sized for adapters. */
function loraOf(s: ServingInput, dtypeBytes: number): LoraInput | null {
  if (!(!!s.enableLora && s.engine === 'vllm')) return null;
  return {
    maxLoras: s.maxLoras ?? 1,
    maxLoraRank: s.maxLoraRank ?? 16,
    maxCpuLoras: s.maxCpuLoras ?? s.maxLoras ?? 1,
    elementBytes: s.loraDtype && s.loraDtype !== 'auto' ? kvElementBytes(s.loraDtype, dtypeBytes) : dtypeBytes,
  };
}

function drafterOf(m: ModelArch, spec: SpecInput, serving: ResolvedServing, layout: RankLayout, dm: ModelArch | null): DraftSizing {
  const { tp, pp, dtype } = serving;
  const dtypeBytes = DTYPE_BYTES[dtype];
  const last = layout.ranks[pp - 1];
  const lastLayers = last.layers;
  // One decoder layer of the last stage: its bytes less embeddings, head, vision tower, rotary cache and final norm.
  const layerBytes =
    lastLayers[1] > lastLayers[0]
      ? (last.bytes - last.byComponent.embedding - last.byComponent.lm_head - last.byComponent.vision - last.ropeCacheBytes - m.hidden * dtypeBytes) /
        (lastLayers[1] - lastLayers[0])
      : 0;
  const draftBytes = dm ? weightsPerRank(dm, tensorsOf(dm), { tp, pp: 1, dp: 1, expertParallel: false }, dtype, dm.quant)[0].bytes : null;
  return draftSizing(spec, m, layerBytes, dtypeBytes, tp, dm, draftBytes);
}

/** Host RAM per node the settings pin (offload, swap, KV offload, CPU LoRA cache). */
export function hostRamOf(m: ModelArch, s: ServingInput, beh: VllmBehaviour, lora: LoraInput | null, gpusPerNode: number | null | undefined): HostRam {
  return hostRam({
    gpusPerNode: Math.max(1, Math.min(gpusPerNode ?? Math.min(8, s.tp * s.pp), s.tp * s.pp * s.dp)),
    cpuOffloadGb: s.engine === 'vllm' ? (s.cpuOffloadGb ?? null) : null,
    swapSpaceGb: s.engine === 'vllm' ? (s.swapSpace ?? null) : null, // counted when stated (V0 defaults to 4 GiB per GPU)
    v1: beh.v1,
    kvOffloadGb: s.engine === 'vllm' ? (s.kvOffloadingSize ?? null) : null,
    loraCpuBytes: lora ? lora.maxCpuLoras * loraAdapterBytes(m, lora) : 0,
  });
}
