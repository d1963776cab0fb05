// Which catalog model a deployment serves when the file does not give a catalog id: the served model name, the last
// segments of a container path or storage URI (`/models/Qwen3-8B`, `s3://bucket/meta-llama--Llama-3.1-8B`,
// `models--org--name/snapshots/<sha>`), or an NVIDIA NIM image name. Never reads the linting machine's disk: a path
// in a manifest is a path inside the container.
import type { Catalog, ModelEntry } from '../catalog/index';

/** Quantization markers in a model id: a "did you mean" never crosses them (an FP8 id is not a bf16 one). */
const QUANT_MARKERS = /^(fp8|fp4|nvfp4|mxfp4|int4|int8|w4a16|w8a8|w8a16|w4a4|awq|gptq|bnb|4bit|8bit|gguf|dynamic|fp16|bf16|quantized|mlx|exl2)$/;

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

/** Catalog entry for a name: the exact id or alias, else a unique id whose name matches with the organisation optional. */
export function catalogEntryFor(catalog: Catalog, name: string): ModelEntry | undefined {
  const n = name
    .trim()
    .replace(/^(hf|huggingface):\/\//i, '')
    .replace(/\/+$/, '');
  if (!n) return undefined;
  const exact = catalog.findModelEntry(n);
  if (exact) return exact;
  const t = tail(n);
  const hits = catalog.modelEntries().filter((e) => [e.id, ...(e.aliases ?? [])].some((a) => tail(a) === t));
  const ids = [...new Set(hits.map((e) => e.id))];
  return ids.length === 1 ? hits[0] : undefined;
}

/** Names a container path or storage URI may stand for, most specific first. */
export function namesFromPath(path: string): string[] {
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
  if (segs.length >= 2) out.push(`${segs[segs.length - 2]}/${last}`);
  out.push(last);
  return out;
}

/** The model an NVIDIA NIM image serves: nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3 -> meta/llama-3.1-8b-instruct. */
export function nameFromNimImage(image: string): string | null {
  const m = /^(?:nvcr\.io\/)?nim\/([\w.-]+)\/([\w.-]+)(?::[\w.-]+)?$/i.exec(image.trim());
  return m && !/^(llm-nim|nim-llm|multi-llm)/i.test(m[2]) ? `${m[1]}/${m[2]}` : null;
}

/** First catalog entry among candidate names. */
export function firstCatalogEntry(catalog: Catalog, names: (string | null | undefined)[]): ModelEntry | undefined {
  for (const n of names) {
    if (!n) continue;
    const e = catalogEntryFor(catalog, n);
    if (e) return e;
  }
  return undefined;
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
  return catalog
    .closestModels(name, 8)
    .filter((id) => {
      const c = words(id.split('/').pop() ?? id);
      return nums(c) === nums(q) && quant(c) === quant(q);
    })
    .slice(0, n);
}
