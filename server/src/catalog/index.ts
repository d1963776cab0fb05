// Built-in models and GPUs as data, with lookups that accept the names people paste.
import gpusJson from './gpus.json';
import deepseek from './models/deepseek.json';
import deepseekV3x from './models/deepseek-v3x.json';
import gemma from './models/gemma.json';
import gemma4 from './models/gemma4.json';
import glm from './models/glm.json';
import gptOss from './models/gpt-oss.json';
import kimi from './models/kimi.json';
import llama from './models/llama.json';
import mimo from './models/mimo.json';
import minimax from './models/minimax.json';
import mistral from './models/mistral.json';
import nemotron from './models/nemotron.json';
import phi from './models/phi.json';
import qwen from './models/qwen.json';
import qwen25 from './models/qwen2.5.json';
import qwen3More from './models/qwen3-more.json';
import qwen35 from './models/qwen3.5.json';
import step from './models/step.json';
import awqGptq from './models/awq-gptq.json';
import small from './models/small.json';
import llamaMore from './models/llama-more.json';
import olmo from './models/olmo.json';
import other from './models/other.json';
import mistralMore from './models/mistral-more.json';
import granite from './models/granite.json';
import deepseekDistill from './models/deepseek-distill.json';
import falcon from './models/falcon.json';
import type { GpuSpec } from '../engine/hardware';
import type { ModelArch } from '../engine/model';
import { ModelConfigError, modelFromConfig } from '../engine/model';
import { MIXED_PRECISION, misSizedReason } from './engineSupport';
import { GiB, MiB } from '../engine/units';

export interface ModelEntry {
  id: string;
  aliases?: string[];
  base?: string;
  source?: string;
  published_params?: { total?: number | null; active?: number | null; source?: string };
  config: Record<string, unknown>;
}

export interface GpuEntry {
  id: string;
  name: string;
  vendor?: string;
  architecture?: string;
  compute_capability?: string | null;
  memory_bytes: number;
  torch_total_bytes?: number;
  memory_source?: string;
  memory_bandwidth_bytes_per_s: number;
  flops_dense: Record<string, number | null>;
  interconnect?: { kind?: string; bandwidth_bytes_per_s?: number | null; pcie_bandwidth_bytes_per_s?: number | null };
  efficiency?: { memory: number; compute: number; source: string };
  price_usd_per_hour?: number | null;
  price_source?: string;
  aliases?: string[];
  sources?: string[];
  verified?: string;
}

export const BUILTIN_MODEL_FILES: Record<string, { models: ModelEntry[] }> = {
  'deepseek.json': deepseek as { models: ModelEntry[] },
  'deepseek-v3x.json': deepseekV3x as { models: ModelEntry[] },
  'gemma.json': gemma as { models: ModelEntry[] },
  'gemma4.json': gemma4 as { models: ModelEntry[] },
  'glm.json': glm as { models: ModelEntry[] },
  'gpt-oss.json': gptOss as { models: ModelEntry[] },
  'kimi.json': kimi as { models: ModelEntry[] },
  'llama.json': llama as { models: ModelEntry[] },
  'mimo.json': mimo as { models: ModelEntry[] },
  'minimax.json': minimax as { models: ModelEntry[] },
  'mistral.json': mistral as { models: ModelEntry[] },
  'nemotron.json': nemotron as { models: ModelEntry[] },
  'phi.json': phi as { models: ModelEntry[] },
  'qwen.json': qwen as { models: ModelEntry[] },
  'qwen2.5.json': qwen25 as { models: ModelEntry[] },
  'qwen3-more.json': qwen3More as { models: ModelEntry[] },
  'qwen3.5.json': qwen35 as { models: ModelEntry[] },
  'step.json': step as { models: ModelEntry[] },
  'awq-gptq.json': awqGptq as { models: ModelEntry[] },
  'small.json': small as { models: ModelEntry[] },
  'llama-more.json': llamaMore as { models: ModelEntry[] },
  'olmo.json': olmo as { models: ModelEntry[] },
  'other.json': other as { models: ModelEntry[] },
  'mistral-more.json': mistralMore as { models: ModelEntry[] },
  'granite.json': granite as { models: ModelEntry[] },
  'deepseek-distill.json': deepseekDistill as { models: ModelEntry[] },
  'falcon.json': falcon as { models: ModelEntry[] },
};
export const BUILTIN_GPUS: GpuEntry[] = (gpusJson as { gpus: GpuEntry[] }).gpus;

/** Lowercase, without punctuation: `NVIDIA A100-SXM4-80GB` and `nvidia a100 sxm4 80gb` are one name. */
export function normalizeName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Levenshtein distance, bounded for speed (names are short). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The names closest to `query`, best first (substring matches before edit distance). */
export function closest(query: string, names: string[], n = 3): string[] {
  const q = normalizeName(query);
  if (!q) return [];
  const scored = names.map((name) => {
    const k = normalizeName(name);
    const tail = normalizeName(name.split('/').pop() ?? name);
    let score = Math.min(editDistance(q, k), editDistance(q, tail));
    if (k.includes(q) || q.includes(tail)) score = Math.min(score, Math.abs(k.length - q.length) / 4);
    return { name, score };
  });
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  const limit = Math.max(3, q.length * 0.6);
  return scored
    .filter((s) => s.score <= limit)
    .slice(0, n)
    .map((s) => s.name);
}

/**
 * What torch (and so vLLM's total_gpu_memory) sees: the driver total minus memory the driver reserves.
 * Observed gaps between nvidia-smi and torch totals: 430 MiB (RTX 3090: 24576 MiB vs 23.58 GiB, vllm#10517),
 * 635 MiB (A100 40GB: 40960 MiB vs 39.38 GiB, vllm#16570), 468 MiB (H100 PCIe: 81559 MiB vs 79.19 GiB).
 */
export const DRIVER_RESERVED_BYTES = 470 * MiB;

export function gpuSpecOf(e: GpuEntry): GpuSpec {
  const reserved = (e.vendor ?? 'nvidia') === 'nvidia' ? DRIVER_RESERVED_BYTES : 0;
  const f = e.flops_dense;
  return {
    id: e.id,
    name: e.name,
    vendor: e.vendor ?? 'unknown',
    architecture: e.architecture ?? 'unknown',
    computeCapability: e.compute_capability ?? null,
    memoryBytes: e.torch_total_bytes ?? e.memory_bytes - reserved,
    memoryBandwidth: e.memory_bandwidth_bytes_per_s,
    flopsDense: {
      fp32: f.fp32 ?? null,
      tf32: f.tf32 ?? null,
      fp16: f.fp16 ?? null,
      bf16: f.bf16 ?? null,
      fp8: f.fp8 ?? null,
      int8: f.int8 ?? null,
      fp4: f.fp4 ?? null,
    },
    interconnect: {
      kind: e.interconnect?.kind ?? 'pcie',
      bandwidth: e.interconnect?.bandwidth_bytes_per_s ?? null,
      pcieBandwidth: e.interconnect?.pcie_bandwidth_bytes_per_s ?? null,
    },
    efficiency: e.efficiency ?? { memory: 0.9, compute: 0.81, source: 'assumed: H100 SXM measurement (calibration README)' },
    priceUsdPerHour: e.price_usd_per_hour ?? 0,
  };
}

export interface ResolvedModel {
  entry: ModelEntry;
  config: Record<string, unknown>;
  arch: ModelArch;
}

/** A catalog of models and GPUs: the built-ins plus any workspace additions. Lookups are case-insensitive. */
export class Catalog {
  private models = new Map<string, ModelEntry>();
  private modelKeys = new Map<string, string>();
  private gpus = new Map<string, GpuEntry>();
  private gpuKeys = new Map<string, string>();
  private archCache = new Map<string, ResolvedModel>();

  constructor(models: ModelEntry[] = builtinModels(), gpus: GpuEntry[] = BUILTIN_GPUS) {
    for (const m of models) this.addModel(m);
    for (const g of gpus) this.addGpu(g);
  }

  addModel(m: ModelEntry): void {
    this.models.set(m.id, m);
    for (const name of [m.id, ...(m.aliases ?? [])]) this.modelKeys.set(name.toLowerCase(), m.id);
    this.archCache.clear();
  }

  addGpu(g: GpuEntry): void {
    this.gpus.set(g.id, g);
    for (const name of [g.id, g.name, ...(g.aliases ?? [])]) this.gpuKeys.set(normalizeName(name), g.id);
  }

  modelEntries(): ModelEntry[] {
    return [...this.models.values()];
  }

  gpuEntries(): GpuEntry[] {
    return [...this.gpus.values()];
  }

  /** Finds a model by HF id or alias, case-insensitively; also accepts `org/name` with a revision suffix. */
  findModelEntry(name: string): ModelEntry | undefined {
    const key = name.trim().toLowerCase().replace(/@.*$/, '');
    const id = this.modelKeys.get(key);
    return id ? this.models.get(id) : undefined;
  }

  /** The config with its base (for quantized variants) merged underneath. */
  mergedConfig(e: ModelEntry, depth = 0): Record<string, unknown> {
    if (!e.base || depth > 4) return e.config;
    const base = this.models.get(e.base) ?? this.findModelEntry(e.base);
    if (!base) return e.config;
    return { ...this.mergedConfig(base, depth + 1), ...e.config };
  }

  resolveModel(name: string): ResolvedModel | undefined {
    const e = this.findModelEntry(name);
    if (!e) return undefined;
    const hit = this.archCache.get(e.id);
    if (hit) return hit;
    const config = this.mergedConfig(e);
    const misSized = misSizedReason(config);
    if (misSized)
      throw new ModelConfigError(
        misSized === MIXED_PRECISION ? 'quantization_config' : 'model_type',
        misSized === MIXED_PRECISION ? misSized : `model_type "${String(config.model_type)}": ${misSized}`,
      );
    const r = { entry: e, config, arch: modelFromConfig(e.id, config) };
    this.archCache.set(e.id, r);
    return r;
  }

  findGpuEntry(name: string): GpuEntry | undefined {
    const id = this.gpuKeys.get(normalizeName(name));
    return id ? this.gpus.get(id) : undefined;
  }

  resolveGpu(name: string): GpuSpec | undefined {
    const e = this.findGpuEntry(name);
    return e ? gpuSpecOf(e) : undefined;
  }

  closestModels(name: string, n = 3): string[] {
    return closest(name, [...this.models.keys()], n);
  }

  closestGpus(name: string, n = 3): string[] {
    const names = new Set<string>();
    for (const g of this.gpus.values()) {
      names.add(g.id);
      for (const a of g.aliases ?? []) if (/^[A-Za-z0-9 -]{2,24}$/.test(a)) names.add(a);
    }
    const hits = closest(name, [...names], n * 3);
    const out: string[] = [];
    for (const h of hits) {
      const id = this.findGpuEntry(h)?.id ?? h;
      if (!out.includes(id)) out.push(id);
    }
    return out.slice(0, n);
  }
}

export function builtinModels(): ModelEntry[] {
  return Object.values(BUILTIN_MODEL_FILES).flatMap((f) => f.models);
}

let shared: Catalog | null = null;
/** The built-in catalog, built once. */
export function builtinCatalog(): Catalog {
  shared ??= new Catalog();
  return shared;
}

export { GiB };
