// The budget's terms on the limiting GPU as rows for hovers and reports: each with its bytes, band, formula and where
// it came from (config, estimate, calibration, datasheet); the additive rows only when the deployment uses them. Pure.
import type { HostRam } from './extras';
import type { GpuSpec } from './hardware';
import type { BudgetFit } from './kvBudget';
import type { Calibration } from './memory';
import type { MmProfileResult } from './mmProfile';
import type { ModelArch } from './model';
import type { Band } from './overheads';
import { cudagraphEstimate } from './overheads';
import type { ServingExtras } from './servingExtras';
import type { ResolvedServing, ServingInput } from './servingResolve';
import { fmtGiB, fmtInt } from './units';
import type { RankWeights } from './weights';

/** One term of the budget with how it was obtained, for hovers and reports. */
export interface Term {
  key:
    | 'total'
    | 'requested'
    | 'weights'
    | 'activation_peak'
    | 'non_torch'
    | 'cudagraph'
    | 'kv_cache'
    | 'lora'
    | 'draft'
    | 'cpu_offload'
    | 'host_ram'
    | 'multimodal_profile'
    | 'encoder_cache';
  label: string;
  bytes: number;
  band: [number, number] | null;
  formula: string;
  source: 'config' | 'estimate' | 'calibration' | 'datasheet';
}

/** The activation peak's band: a measured peak is exact; low KV comes from the high overheads and vice versa. */
export function activationPeakBandOf(fit: BudgetFit, cal: Calibration | null): [number, number] {
  const { exp, lo, hi } = fit;
  return cal?.activation_peak_gib != null ? [exp.ts.activation, exp.ts.activation] : [hi.ts.activation, lo.ts.activation];
}

/** Weights that cpu_offload_gb leaves in host memory on the limiting GPU. */
export function cpuOffloadBytesOf(extras: ServingExtras, ranks: RankWeights[], rank: number): number {
  return Math.min(extras.cpuOffload, ranks[rank].bytes + extras.extraWeights[rank]);
}

export interface MemoryTermsInput {
  m: ModelArch;
  gpu: GpuSpec;
  s: ServingInput;
  serving: ResolvedServing;
  fit: BudgetFit;
  ranks: RankWeights[];
  nonTorch: Band;
  mm: MmProfileResult;
  extras: ServingExtras;
  host: HostRam;
  cal: Calibration | null;
}

export function memoryTermsOf(x: MemoryTermsInput): Term[] {
  return [...budgetTermsOf(x), ...additiveTermsOf(x)];
}

/** The rows of the budget subtraction, in its order. */
function budgetTermsOf(x: MemoryTermsInput): Term[] {
  const { gpu, serving, fit, ranks, nonTorch: nt, mm, cal } = x;
  const { tp, pp, ep, maxNumBatchedTokens, maxNumSeqs, enforceEager } = serving;
  const { exp, lo, hi, total, requested, cgInBudget } = fit;
  const cudagraphBytes = exp.ts.cudagraph;
  const cgExp = cudagraphEstimate(ranks[exp.rank].layers[1] - ranks[exp.rank].layers[0], enforceEager);
  return [
    {
      key: 'total',
      label: 'GPU memory (driver)',
      bytes: total,
      band: null,
      formula: cal?.total_memory_gib ? 'calibration.total_memory_gib' : `${gpu.name} as the driver reports it`,
      source: cal?.total_memory_gib ? 'calibration' : 'datasheet',
    },
    {
      key: 'requested',
      label: 'vLLM budget',
      bytes: requested,
      band: null,
      formula: `total x gpu_memory_utilization = ${fmtGiB(total)} x ${serving.gpuMemoryUtilization}`,
      source: 'config',
    },
    {
      key: 'weights',
      label: 'Weights',
      bytes: exp.ts.weights,
      band: null,
      formula:
        cal?.weights_gib != null
          ? 'calibration.weights_gib'
          : `parameters x bytes by dtype/quantization, sharded tp=${tp} pp=${pp}${ep > 1 ? ` ep=${ep}` : ''}`,
      source: cal?.weights_gib != null ? 'calibration' : 'config',
    },
    {
      key: 'activation_peak',
      label: 'Activation peak',
      bytes: exp.ts.activation,
      band: activationPeakBandOf(fit, cal),
      formula:
        cal?.activation_peak_gib != null
          ? 'calibration.activation_peak_gib'
          : `profile forward of ${fmtInt(maxNumBatchedTokens)} tokens + sampler logits for ${maxNumSeqs} sequences` +
            (mm.kind === 'modelled'
              ? `; or the vision encoder on the dummy images when larger (${fmtGiB(mm.profile.visionPeakBytes)})`
              : mm.kind === 'unknown'
                ? `; ${mm.why}`
                : mm.kind === 'text_only'
                  ? '; limit_mm_per_prompt image 0: no vision encoder pass'
                  : ''),
      source: cal?.activation_peak_gib != null ? 'calibration' : 'estimate',
    },
    {
      key: 'non_torch',
      label: 'Non-torch (NCCL, CUDA)',
      bytes: exp.ts.nonTorch,
      band: cal?.non_torch_gib != null ? [exp.ts.nonTorch, exp.ts.nonTorch] : [nt.low, nt.high],
      formula: cal?.non_torch_gib != null ? 'calibration.non_torch_gib' : `grows with tp (${tp})`,
      source: cal?.non_torch_gib != null ? 'calibration' : 'estimate',
    },
    {
      key: 'cudagraph',
      label: cgInBudget ? 'CUDA graphs' : 'CUDA graphs (outside the budget)',
      bytes: cudagraphBytes,
      band: cal?.cudagraph_gib != null ? [cudagraphBytes, cudagraphBytes] : [cgExp.low, cgExp.high],
      formula: enforceEager
        ? 'enforce_eager: no graphs'
        : cgInBudget
          ? 'profiled and subtracted from the KV budget'
          : 'captured after the KV cache is allocated: uses memory beyond the budget',
      source: cal?.cudagraph_gib != null ? 'calibration' : 'estimate',
    },
    {
      key: 'kv_cache',
      label: 'KV cache',
      bytes: Math.max(0, exp.b.available),
      band: [Math.max(0, lo.b.available), Math.max(0, hi.b.available)],
      formula:
        cal?.available_kv_gib != null ? 'calibration.available_kv_gib' : `budget - weights - activation - non-torch${cgInBudget ? ' - CUDA graphs' : ''}`,
      source: cal?.available_kv_gib != null ? 'calibration' : 'estimate',
    },
  ];
}

/** Additive rows (hover table, report): only when the deployment uses them. */
function additiveTermsOf(x: MemoryTermsInput): Term[] {
  const { m, s, fit, ranks, mm, extras, host } = x;
  const { lora, draft, spec } = extras;
  const rank = fit.exp.rank;
  const terms: Term[] = [];
  if (lora) {
    terms.push({
      key: 'lora',
      label: 'LoRA slots (in weights)',
      bytes: extras.loraBytes[rank],
      band: null,
      formula: `max_loras ${lora.maxLoras} x rank ${lora.maxLoraRank} x (in + out) of q/k/v/o${m.moe ? '' : ', gate/up/down'} x ${ranks[rank].layers[1] - ranks[rank].layers[0]} layers x ${lora.elementBytes} B, A or B sharded by tp`,
      source: 'config',
    });
  }
  if (draft) {
    terms.push({
      key: 'draft',
      label: `Speculative drafter (${draft.method}, in weights)`,
      bytes: draft.weightsBytes ?? 0,
      band: null,
      formula: `${draft.formula}${draft.kvLayers ? `; +${draft.kvLayers} KV layer(s) per token` : ''}${spec?.numSpeculativeTokens ? `; k = ${spec.numSpeculativeTokens}` : ''}`,
      source: draft.weightsBytes === null ? 'estimate' : 'config',
    });
  }
  if (mm.kind === 'modelled') {
    terms.push({
      key: 'multimodal_profile',
      label: 'Multimodal profile (vision encoder, in the activation peak)',
      bytes: mm.profile.visionPeakBytes,
      band: [0.8 * mm.profile.visionPeakBytes, 1.35 * mm.profile.visionPeakBytes],
      formula: mm.profile.formula,
      source: 'estimate',
    });
    if (mm.profile.encoderOutputBytes !== undefined) {
      // V1 parks the dummy encoder outputs in the encoder cache while the text forward is profiled: the runtime cache
      // (up to the budget's tokens) is paid for inside the activation peak, not outside the KV budget.
      terms.push({
        key: 'encoder_cache',
        label: 'Encoder cache (profiled outputs, in the activation peak)',
        bytes: mm.profile.encoderOutputBytes,
        band: null,
        formula: mm.profile.encoderFormula ?? '',
        source: 'config',
      });
    }
  }
  if (host.bytes > 0) {
    terms.push({
      key: 'host_ram',
      label: 'Host RAM per node (pinned by settings)',
      bytes: host.bytes,
      band: null,
      formula: host.parts.map((p) => p.label).join(' + '),
      source: 'config',
    });
  }
  if (extras.cpuOffload) {
    terms.push({
      key: 'cpu_offload',
      label: 'Weights offloaded to CPU',
      bytes: cpuOffloadBytesOf(extras, ranks, rank),
      band: null,
      formula: `cpu_offload_gb ${s.cpuOffloadGb} per GPU: subtracted from GPU weights, held in host RAM`,
      source: 'config',
    });
  }
  return terms;
}
