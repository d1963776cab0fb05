// Which catalog model a deployment serves when the file does not give a catalog id: the served model name, the last
// segments of a container path or storage URI (`/models/Qwen3-8B`, `s3://bucket/meta-llama--Llama-3.1-8B`,
// `models--org--name/snapshots/<sha>`), or an NVIDIA NIM image name. Never reads the linting machine's disk: a path
// in a manifest is a path inside the container.
import type { Catalog, ModelEntry } from '../catalog/index';

/** Quantization markers in a model id: a "did you mean" never crosses them (an FP8 id is not a bf16 one). */
const QUANT_MARKERS = /^(fp8|fp4|nvfp4|mxfp4|int4|int8|w4a16|w8a8|w8a16|w4a4|awq|gptq|bnb|4bit|8bit|gguf|dynamic|fp16|bf16|quantized|mlx|exl2)$/;

/** Words that name a different model family or modality: a VL model is not its text model's near twin. */
const FAMILY_MARKERS = /^(vl|vision|omni|audio|coder|math|embed|embedding|reward|rm|prm|guard|moe|distill)$/;

function words(id: string): string[] {
  return id
    .toLowerCase()
    .split(/[^a-z0-9.]+/)
    .filter(Boolean);
}

/** The id with its organisation dropped, lower case. */
function tail(id: string): string {
  return (id.split('/').pop() ?? id).toLowerCase();
}

/**
 * A catalog model a name stands for. `id` is the name the file wrote in its catalog spelling: an alias stays that
 * alias (meta-llama/Llama-3.1-70B is an alias of the -Instruct entry: same architecture, another checkpoint), so the
 * report names the checkpoint the file serves.
 */
export interface CatalogMatch {
  entry: ModelEntry;
  id: string;
}

/**
 * The name a Hugging Face repository goes by today. meta-llama renamed its Llama 3.1 repositories from
 * `Meta-Llama-3.1-*` to `Llama-3.1-*` (the old pages redirect: oumi-ai/oumi#1357, LiveCodeBench/LiveCodeBench#105).
 */
export function currentHfName(id: string): string {
  return id.replace(/^meta-llama\/Meta-Llama-3\.1-/i, 'meta-llama/Llama-3.1-');
}

/** The id or alias of `e` spelled `n` (case aside), else the one whose name without organisation is `n`'s. */
function spelling(e: ModelEntry, n: string): string | undefined {
  const names = [e.id, ...(e.aliases ?? [])];
  const lower = n.toLowerCase();
  return names.find((a) => a.toLowerCase() === lower) ?? names.find((a) => tail(a) === tail(n));
}

function cleanName(name: string): string {
  return name
    .trim()
    .replace(/^(hf|huggingface):\/\//i, '')
    .replace(/\/+$/, '');
}

/**
 * The catalog match for a name: the exact id or alias, else (unless `exactOnly`) a unique entry whose name matches
 * with the organisation optional. A name matched without its organisation keeps the organisation it was written
 * with (neuralmagic/Meta-Llama-3.1-405B-Instruct-FP8 is neuralmagic's checkpoint, sized as the catalog's).
 */
export function catalogMatchFor(catalog: Catalog, name: string, exactOnly = false): CatalogMatch | undefined {
  const n = cleanName(name).replace(/@.*$/, '');
  if (!n) return undefined;
  const exact = catalog.findModelEntry(n);
  if (exact) return { entry: exact, id: currentHfName(spelling(exact, n) ?? exact.id) };
  if (exactOnly) return undefined;
  const t = tail(n);
  const hits = catalog.modelEntries().filter((e) => [e.id, ...(e.aliases ?? [])].some((a) => tail(a) === t));
  const ids = [...new Set(hits.map((e) => e.id))];
  if (ids.length !== 1) return undefined;
  return { entry: hits[0], id: currentHfName(n.includes('/') ? n : (spelling(hits[0], n) ?? hits[0].id)) };
}

/** Catalog entry for a name: the exact id or alias, else a unique id whose name matches with the organisation optional. */
export function catalogEntryFor(catalog: Catalog, name: string): ModelEntry | undefined {
  return catalogMatchFor(catalog, name)?.entry;
}

/**
 * Quantized checkpoints named by suffix, and the quantization_config each suffix stands for. Only the method and its
 * usual layout are known from a name (not the checkpoint's own ignore list or group size), so the values are the
 * producing tools' defaults, each with its source:
 * - AWQ: AutoAWQ's default quant_config {w_bit 4, q_group_size 128, zero_point true} (casper-hansen/AutoAWQ README).
 * - GPTQ: 4 bits unless the name says Int8; group size 128 as Qwen's -GPTQ-Int4/-Int8 and TheBloke's main branches.
 * - FP8 / FP8-dynamic: FP8 weights with per-channel scales (llm-compressor FP8_DYNAMIC scheme); -FP8-block: 128x128
 *   blocks (llm-compressor FP8_BLOCK, DeepSeek/Qwen FP8 weight_block_size [128, 128]).
 * - bnb-4bit: bitsandbytes NF4 (Unsloth and HF's load_in_4bit default quant type); bnb-8bit: LLM.int8.
 * - NVFP4 / FP4: 4-bit floats, one FP8 scale per 16 elements (ModelOpt NVFP4, llm-compressor NVFP4).
 * - MXFP4: 4-bit floats, one E8M0 scale per 32 elements (OCP MX).
 * - W4A16 / W8A8 / INT8 (RedHatAI writes `-quantized.w4a16`): llm-compressor compressed-tensors schemes (W4A16: int4
 *   group 128; W8A8: int8 per channel).
 */
const QUANT_SUFFIXES: { re: RegExp; method: string; config: Record<string, unknown> }[] = [
  { re: /[-_](awq)(-int4)?$/i, method: 'awq', config: { quant_method: 'awq', bits: 4, group_size: 128, zero_point: true, version: 'gemm' } },
  { re: /[-_](gptq)(-int8)$/i, method: 'gptq', config: { quant_method: 'gptq', bits: 8, group_size: 128 } },
  { re: /[-_](gptq)(-int4)?$/i, method: 'gptq', config: { quant_method: 'gptq', bits: 4, group_size: 128 } },
  { re: /[-_](fp8)-block$/i, method: 'fp8', config: { quant_method: 'fp8', weight_block_size: [128, 128] } },
  { re: /[-_](fp8)(-dynamic)?$/i, method: 'fp8', config: { quant_method: 'fp8' } },
  { re: /[-_](bnb)-4bit$/i, method: 'bitsandbytes', config: { quant_method: 'bitsandbytes', load_in_4bit: true, bnb_4bit_quant_type: 'nf4' } },
  { re: /[-_](bnb)-8bit$/i, method: 'bitsandbytes', config: { quant_method: 'bitsandbytes', load_in_8bit: true } },
  { re: /[-_](nv)?(fp4)$/i, method: 'modelopt', config: { quant_method: 'modelopt', quant_algo: 'NVFP4' } },
  { re: /[-_](mxfp4)$/i, method: 'mxfp4', config: { quant_method: 'mxfp4' } },
  {
    re: /(-quantized)?[-_.](w4a16)$/i,
    method: 'compressed-tensors',
    config: { quant_method: 'compressed-tensors', config_groups: { group_0: { weights: { num_bits: 4, type: 'int', group_size: 128 } } } },
  },
  {
    re: /(-quantized)?[-_.](w8a8|int8)$/i,
    method: 'compressed-tensors',
    config: { quant_method: 'compressed-tensors', config_groups: { group_0: { weights: { num_bits: 8, type: 'int' } } } },
  },
];

/** Name suffixes of an unquantized checkpoint, tried when the base name alone is not in the catalog (Nemotron's -BF16). */
const UNQUANTIZED_SUFFIXES = ['', '-BF16'];

/** A quantized variant read from its name: the catalog base and the quantization_config its suffix denotes. */
export interface DerivedQuant {
  /** The catalog entry of the unquantized base. */
  base: ModelEntry;
  /** The suffix as written (`-AWQ`, `-FP8-dynamic`). */
  suffix: string;
  quantizationConfig: Record<string, unknown>;
}

/** `Qwen3-8B-AWQ` -> the catalog's Qwen/Qwen3-8B with AWQ; undefined when the base is not in the catalog or is quantized itself. */
export function derivedQuantFor(catalog: Catalog, name: string): DerivedQuant | undefined {
  const n = cleanName(name).replace(/@.*$/, '');
  for (const q of QUANT_SUFFIXES) {
    const m = q.re.exec(n);
    if (!m) continue;
    const stem = n.slice(0, m.index);
    for (const extra of UNQUANTIZED_SUFFIXES) {
      const hit = catalogMatchFor(catalog, stem + extra);
      if (!hit) continue;
      if (catalog.mergedConfig(hit.entry).quantization_config) return undefined; // already quantized: the name is not a base + suffix
      return { base: hit.entry, suffix: n.slice(m.index), quantizationConfig: { ...q.config } };
    }
    return undefined;
  }
  return undefined;
}

/** The entry a derived quantized variant sizes as: the base's architecture with the suffix's quantization_config. */
export function derivedEntry(d: DerivedQuant, writtenName: string): ModelEntry {
  const n = cleanName(writtenName).replace(/@.*$/, '');
  // A path segment has no organisation: the base's organisation names it (/models/Qwen3-8B-AWQ -> Qwen/Qwen3-8B-AWQ).
  const id = currentHfName(n.includes('/') ? n : `${d.base.id.split('/')[0]}/${n}`);
  return {
    id,
    base: d.base.id,
    source: `derived from the name: the architecture of ${d.base.id} (catalog) with the quantization "${d.suffix}" denotes (${JSON.stringify(d.quantizationConfig)}, the producing tool's default layout); not the checkpoint's own config.json`,
    config: { quantization_config: d.quantizationConfig },
  };
}

/** A catalog match or, failing that, a quantized variant of a catalog model read from the name's suffix. */
export interface ModelMatch extends CatalogMatch {
  /** Set when the entry was derived from a base + suffix and is not itself in the catalog. */
  derived?: DerivedQuant;
}

export function modelMatchFor(catalog: Catalog, name: string): ModelMatch | undefined {
  const hit = catalogMatchFor(catalog, name);
  if (hit) return hit;
  const d = derivedQuantFor(catalog, name);
  if (!d) return undefined;
  const entry = derivedEntry(d, name);
  return { entry, id: entry.id, derived: d };
}

/**
 * The first candidate name that matches: every name exactly against the catalog ids and aliases, then the `loose`
 * names with the organisation optional, then the `loose` names as a quantized variant of a catalog model. A path's
 * `<parent>/<last>` reading is matched exactly only (its parent is a folder, not an organisation, when not exact).
 */
export function firstModelMatch(catalog: Catalog, names: (string | null | undefined)[], loose: (string | null | undefined)[] = names): ModelMatch | undefined {
  for (const n of names) {
    const hit = n ? catalogMatchFor(catalog, n, true) : undefined;
    if (hit) return hit;
  }
  for (const n of loose) {
    const hit = n ? catalogMatchFor(catalog, n) : undefined;
    if (hit) return hit;
  }
  for (const n of loose) {
    const hit = n ? modelMatchFor(catalog, n) : undefined;
    if (hit) return hit;
  }
  return undefined;
}

/**
 * Names a container path or storage URI may stand for, most specific first. `parentAsOrg` false leaves out the
 * `<parent>/<last>` reading (`/models/Qwen3-8B-AWQ` is not the organisation "models"), for names reported as written.
 */
export function namesFromPath(path: string, parentAsOrg = true): string[] {
  const p = path
    .trim()
    .replace(/^[a-z0-9+.-]+:\/\//i, '/')
    .replace(/\/+$/, '');
  const segs = p.split('/').filter((s) => s && s !== '.' && s !== '..' && s !== '~');
  const out: string[] = [];
  // Hugging Face cache layout: .../models--org--name/snapshots/<sha>
  const cache = segs.findIndex((s) => /^models--[^/]+--/.test(s));
  if (cache >= 0) out.push(segs[cache].slice('models--'.length).replace('--', '/'));
  const last = segs[segs.length - 1];
  if (!last) return out;
  // KServe / llm-d copies name a model `org--name`.
  if (/^[^-].*--./.test(last)) out.push(last.replace('--', '/'));
  if (segs.length >= 2 && parentAsOrg) out.push(`${segs[segs.length - 2]}/${last}`);
  out.push(last);
  return out;
}

/** The model an NVIDIA NIM image serves: nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3 -> meta/llama-3.1-8b-instruct. */
export function nameFromNimImage(image: string): string | null {
  const m = /^(?:nvcr\.io\/)?nim\/([\w.-]+)\/([\w.-]+)(?::[\w.-]+)?$/i.exec(image.trim());
  return m && !/^(llm-nim|nim-llm|multi-llm)/i.test(m[2]) ? `${m[1]}/${m[2]}` : null;
}

/**
 * Catalog ids that differ from `name` only by a typo: the same numbers (version, size) and the same quantization
 * markers, so Llama-2 is never offered for Llama-3 and an FP8 checkpoint never for a bf16 id.
 */
export function nearIdenticalModels(catalog: Catalog, name: string, n = 3): string[] {
  const q = words(name.split('/').pop() ?? name);
  const nums = (ws: string[]) =>
    ws
      .filter((w) => /\d/.test(w))
      .sort()
      .join(' ');
  const quant = (ws: string[]) =>
    ws
      .filter((w) => QUANT_MARKERS.test(w))
      .sort()
      .join(' ');
  const family = (ws: string[]) =>
    ws
      .filter((w) => FAMILY_MARKERS.test(w))
      .sort()
      .join(' ');
  return catalog
    .closestModels(name, 8)
    .filter((id) => {
      const c = words(id.split('/').pop() ?? id);
      return nums(c) === nums(q) && quant(c) === quant(q) && family(c) === family(q);
    })
    .slice(0, n);
}
