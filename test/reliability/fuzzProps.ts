// Property-based fuzzing shared by the CI test (test/reliability/fuzz.test.ts, a few thousand cases, fixed seed) and
// `npm run fuzz` (scripts/fuzz.ts, 100,000 cases). Properties: no exception escapes the pipeline or the engine; no
// NaN or Infinity reaches a diagnostic message, a hover or the report JSON; Object.prototype is never polluted.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { analyzeText } from '../../server/src/analysis/analysis';
import { builtinCatalog } from '../../server/src/catalog/index';
import { SizingInputError, defaultServing, sizeMemory } from '../../server/src/engine/memory';
import { sizePerformance } from '../../server/src/engine/performance';
import { LanguageService } from '../../server/src/lsp/languageService';
import { reportJson } from '../../server/src/presenters/report';

export const SEED = 20240607;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : /\.ya?ml$/.test(n) ? [p] : [];
  });
}
/** The fixture corpus: every YAML file under test/fixtures. */
export const CORPUS: string[] = walk('test/fixtures')
  .map((f) => readFileSync(f, 'utf8'))
  .filter((t) => t.length < 200_000);

export const EDGE_NUMBERS = [
  '0',
  '-0',
  '-1',
  '-9999999',
  'NaN',
  '.nan',
  '.NaN',
  '.inf',
  '-.inf',
  '1e309',
  '-1e309',
  '1e308',
  '5e-324',
  '99999999999999999999999999',
  '9007199254740993',
  '0x7fffffff',
  '0.0000001',
  '1.5',
  '"NaN"',
  '"Infinity"',
  '"1e309"',
  'null',
  '~',
  'true',
  '""',
  '[]',
  '{}',
];
export const KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'tensor_parallel_size',
  'max_model_len',
  'gpu_memory_utilization',
  'max_num_seqs',
  'max_num_batched_tokens',
  'block_size',
  'pipeline_parallel_size',
  'data_parallel_size',
  'count',
  'gpu',
  'model',
  'replicas',
  'input_tokens',
  'output_tokens',
  'requests_per_second',
  'ttft_ms',
  'tpot_ms',
  'gpu_hour_usd',
  'nvidia.com/gpu',
  'args',
  'command',
  'image',
  'NaN',
];
const FLAGS = [
  '--tensor-parallel-size',
  '--max-model-len',
  '--gpu-memory-utilization',
  '--max-num-seqs',
  '--pipeline-parallel-size',
  '-tp',
  '--block-size',
  '--max-num-batched-tokens',
];

const edge = fc.constantFrom(...EDGE_NUMBERS);
const key = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 12 }));
const unicode = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom(
    '\u0000',
    '\uFEFF',
    '\u2028',
    '\uD800',
    '\t',
    '\r\n',
    ': ',
    '- ',
    '&a ',
    '*a',
    '<<: *a',
    '{',
    '[',
    '"',
    "'",
    '|',
    '#',
    '---\n',
    '...\n',
    '%YAML 1.2\n',
  ),
);

type Mutation = (lines: string[]) => string[];
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // byte flip
  fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([l, c, b]) => (ls: string[]) => {
    const i = l % ls.length;
    const s = ls[i];
    const j = s.length ? c % s.length : 0;
    return [...ls.slice(0, i), s.slice(0, j) + String.fromCharCode(b) + s.slice(j + 1), ...ls.slice(i + 1)];
  }),
  // line deletion
  fc.nat().map((l) => (ls: string[]) => ls.filter((_, i) => i !== l % ls.length)),
  // line duplication
  fc.nat().map((l) => (ls: string[]) => ls.flatMap((x, i) => (i === l % ls.length ? [x, x] : [x]))),
  // random unicode inserted
  fc.tuple(fc.nat(), fc.nat(), unicode).map(([l, c, u]) => (ls: string[]) => {
    const i = l % ls.length;
    const j = ls[i].length ? c % (ls[i].length + 1) : 0;
    return [...ls.slice(0, i), ls[i].slice(0, j) + u + ls[i].slice(j), ...ls.slice(i + 1)];
  }),
  // a number at the edges in place of a number (values, flags, resources)
  fc.tuple(fc.nat(), edge).map(([k, e]) => (ls: string[]) => {
    const text = ls.join('\n');
    const nums = [...text.matchAll(/\b\d+(?:\.\d+)?\b/g)];
    if (!nums.length) return ls;
    const m = nums[k % nums.length];
    return (text.slice(0, m.index) + e + text.slice(m.index! + m[0].length)).split('\n');
  }),
  // a scalar value replaced by an edge value
  fc.tuple(fc.nat(), edge).map(
    ([l, e]) =>
      (ls: string[]) =>
        ls.map((x, i) => (i === l % ls.length ? x.replace(/:\s+\S.*$/, `: ${e}`) : x)),
  ),
  // a new key (often __proto__ / constructor / prototype) next to a random line, same indentation
  fc.tuple(fc.nat(), key, edge).map(([l, k, e]) => (ls: string[]) => {
    const i = l % ls.length;
    const indent = /^\s*(?:- )?/.exec(ls[i])![0].replace('-', ' ');
    return [...ls.slice(0, i + 1), `${indent}${JSON.stringify(k)}: ${e}`, ...ls.slice(i + 1)];
  }),
  // a flag with an edge value inside args
  fc.tuple(fc.nat(), fc.constantFrom(...FLAGS), edge).map(
    ([l, f, e]) =>
      (ls: string[]) =>
        ls.map((x, i) => (i === l % ls.length ? x.replace(/(--?[a-z-]+)[= ]\S+/, `${f}=${e}`) : x)),
  ),
);

/** A fixture with 1 to 6 mutations. */
export const mutatedFixture: fc.Arbitrary<string> = fc.tuple(fc.constantFrom(...CORPUS), fc.array(mutation, { minLength: 1, maxLength: 6 })).map(([t, ms]) => {
  let ls = t.split('\n');
  for (const m of ms) if (ls.length) ls = m(ls);
  return ls.join('\n');
});

const leaf = fc.oneof(
  edge.map((e) => ({ __raw: e })),
  fc.string({ maxLength: 10 }),
  fc.double(),
  fc.integer(),
  fc.bigInt().map((b) => ({ __raw: b.toString() })),
  fc.boolean(),
  fc.constant(null),
);
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 5 })),
})).node;
const HEADERS = [
  'apiVersion: llm-sizer/v1\nkind: ServingPlan\nmetadata: {name: f}\nmodel: meta-llama/Llama-3.1-8B-Instruct\nhardware: {gpu: H100, count: 1}\n',
  'model: meta-llama/Llama-3.1-8B-Instruct\n',
  'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: f}\nspec:\n  template:\n    spec:\n      containers:\n      - image: vllm/vllm-openai:v0.11.0\n        args: ["--model", "Qwen/Qwen2.5-7B-Instruct"]\n',
  '',
];
/** Random YAML: a random tree (with edge numbers as raw scalars) under one of a few headers that adapters claim. */
export const randomYaml: fc.Arbitrary<string> = fc.tuple(fc.constantFrom(...HEADERS), fc.dictionary(key, tree, { maxKeys: 6 })).map(([h, obj]) => {
  let body: string;
  try {
    body = stringify(obj, (_k, v) => (v && typeof v === 'object' && '__raw' in v ? `@@RAW@@${(v as { __raw: string }).__raw}@@` : v)).replace(
      /'?@@RAW@@(.*?)@@'?/g,
      '$1',
    );
  } catch {
    body = '';
  }
  return h + body;
});

const ALL_BAD = ['NaN', 'Infinity', 'undefined'];
let BAD = /\bNaN\b|\bInfinity\b|\bundefined\b/;
/** Words the input itself contains may come back unquoted (a URL, a note): only the others are checked. */
function badWordsFor(input: string): RegExp {
  const words = ALL_BAD.filter((w) => !input.includes(w));
  return words.length ? new RegExp(words.map((w) => `\\b${w}\\b`).join('|')) : /(?!)/;
}
/** User text (quoted or in code spans) may legitimately contain NaN; the numbers we print may not. */
function ours(s: string): string {
  // A quote followed by a word character is inside the user's string (which may hold quotes itself).
  return s
    .replace(/"(?:[^"\n]|"(?=[\w-]))*"/g, '""')
    .replace(/`[^`\n]*`/g, '``')
    .replace(/\*\*[^*\n]*\*\*/g, '**')
    .replace(/“[^”]*”/g, '');
}

/** Every number finite; every text we write (a string at the top, or under `message`/`notes`/`error`) free of NaN/Infinity. */
export function assertFinite(where: string, x: unknown, path = '$'): void {
  if (typeof x === 'number' && !Number.isFinite(x)) throw new Error(`${where}: ${path} is ${x}`);
  const prose = path === '$' || /\.(message|error|notes)(\[\d+\])?$/.test(path);
  if (typeof x === 'string' && prose && BAD.test(ours(x))) throw new Error(`${where}: ${path} says ${JSON.stringify(x.slice(0, 300))}`);
  if (Array.isArray(x)) x.forEach((v, i) => assertFinite(where, v, `${path}[${i}]`));
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) assertFinite(where, v, `${path}.${k}`);
}

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort().join(',');
export function assertNoPollution(): void {
  const now = Object.getOwnPropertyNames(Object.prototype).sort().join(',');
  if (now !== PROTO_KEYS) throw new Error(`Object.prototype polluted: ${now}`);
  for (const k of ['polluted', 'tensor_parallel_size', 'max_model_len', 'count', 'gpu', 'model']) {
    if (({} as Record<string, unknown>)[k] !== undefined) throw new Error(`Object.prototype.${k} is set`);
  }
  if (Array.prototype.length !== 0 || (Function.prototype as unknown as { polluted?: unknown }).polluted !== undefined) throw new Error('prototype polluted');
}

const service = new LanguageService({ trusted: false });
let version = 0;
/** The whole pipeline on one text: analysis, report JSON, diagnostics and a hover/completion at a few positions. */
export function checkText(text: string, positions: { line: number; character: number }[] = []): void {
  BAD = badWordsFor(text);
  const f = analyzeText(text, { defaultGpu: 'H100' });
  for (const d of f.diagnostics) assertFinite(`diagnostic ${d.code}`, d.message);
  assertFinite('report json', reportJson('file:///f.yaml', f));
  const doc = { uri: 'file:///ws/fuzz.yaml', version: ++version, getText: () => text };
  for (const d of service.diagnostics(doc)) assertFinite(`lsp diagnostic ${String(d.code)}`, d.message);
  for (const p of positions) {
    const h = service.hover(doc, p);
    if (h) assertFinite('hover', (h.contents as { value: string }).value);
    service.completion(doc, p);
  }
  assertNoPollution();
}

const position = fc.record({ line: fc.nat({ max: 60 }), character: fc.nat({ max: 60 }) });

export function pipelineProperty(arb: fc.Arbitrary<string>): fc.IPropertyWithHooks<[string, { line: number; character: number }[]]> {
  return fc.property(arb, fc.array(position, { maxLength: 3 }), (text, ps) => {
    checkText(text, ps);
  });
}

// Engine: sizeMemory and sizePerformance with numbers at the edges.
const cat = builtinCatalog();
// Models the catalog sizes (entries of architectures it refuses with a reason are checked in catalog.test.ts).
const MODELS = cat
  .modelEntries()
  .map((e) => e.id)
  .filter((id) => {
    try {
      return !!cat.resolveModel(id);
    } catch {
      return false;
    }
  });
const GPUS = cat.gpuEntries().map((e) => e.id);
const num = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1,
    2,
    3,
    7,
    8,
    64,
    1e-9,
    0.5,
    0.95,
    1,
    1.0000001,
    1e6,
    2 ** 31,
    2 ** 53 + 2,
    1e308,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    NaN,
    Infinity,
    -Infinity,
  ),
  fc.double(),
  fc.integer(),
);
const numOrNull = fc.oneof(num, fc.constant(null));
export const engineProperty = fc.property(
  fc.constantFrom(...MODELS),
  fc.constantFrom(...GPUS),
  fc.record({
    tp: num,
    pp: num,
    dp: num,
    maxModelLen: numOrNull,
    gpuMemoryUtilization: numOrNull,
    maxNumSeqs: numOrNull,
    maxNumBatchedTokens: numOrNull,
    blockSize: numOrNull,
    engineVersion: fc.constantFrom(null, '0.11.0', '0.6.0', '99.0', 'NaN', ''),
    kvCacheDtype: fc.constantFrom('auto', 'fp8', 'x'),
  }),
  fc.record({ requestsPerSecond: numOrNull, inputTokens: num, outputTokens: num, concurrency: numOrNull, prefixCacheHitRate: num }),
  fc.record({ ttftMs: numOrNull, tpotMs: numOrNull }),
  numOrNull,
  (modelId, gpuId, s, w, slo, price) => {
    const arch = cat.resolveModel(modelId)!.arch;
    const gpu = cat.resolveGpu(gpuId)!;
    let mem;
    try {
      mem = sizeMemory(arch, gpu, { ...defaultServing(), ...s });
    } catch (e) {
      // Refused input (the message quotes it, Infinity included: adapters never pass such values, see checkText).
      if (e instanceof SizingInputError) return;
      throw e;
    }
    if (mem.startup.error) assertFinite('startup error', mem.startup.error);
    sizePerformance(arch, gpu, mem, w, slo, price, { detail: true });
    assertNoPollution();
  },
);

// Hostile numbers (issue 14): an inline model whose config.json fields, and a calibration block whose GiB, are numbers
// far past any real model. Every one is refused with a diagnostic; nothing hangs, aborts or prints Infinity.
const HUGE = fc.constantFrom(1e5, 1e6, 1e8, 4294967295, 2 ** 53 + 2, 1e300, 1e308, -1, 0, 0.5, 1025, 131073, 4194305);
const CONFIG_FIELDS = [
  'num_hidden_layers',
  'hidden_size',
  'num_attention_heads',
  'num_key_value_heads',
  'head_dim',
  'vocab_size',
  'intermediate_size',
  'max_position_embeddings',
  'num_local_experts',
  'num_experts_per_tok',
  'moe_intermediate_size',
  'kv_lora_rank',
  'sliding_window',
];
const CALIBRATION_FIELDS = ['total_memory_gib', 'weights_gib', 'activation_peak_gib', 'non_torch_gib', 'cudagraph_gib', 'available_kv_gib'];
export const hostileNumbersPlan: fc.Arbitrary<string> = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...CONFIG_FIELDS), HUGE, { minKeys: 1, maxKeys: 4 }),
    fc.dictionary(fc.constantFrom(...CALIBRATION_FIELDS), HUGE, { maxKeys: 2 }),
  )
  .map(([cfg, cal]) => {
    const config = {
      model_type: 'mixtral',
      hidden_size: 4096,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      intermediate_size: 14336,
      vocab_size: 32000,
      max_position_embeddings: 32768,
      num_local_experts: 8,
      num_experts_per_tok: 2,
      ...cfg,
    };
    const calibration = Object.keys(cal).length ? `calibration: ${JSON.stringify(cal)}\n` : '';
    return `apiVersion: llm-sizer/v1\nkind: ServingPlan\nmetadata: {name: hostile}\nmodel: {id: hostile/model, config: ${JSON.stringify(config)}}\nhardware: {gpu: H100, count: 8}\nserving: {tensor_parallel_size: 8}\n${calibration}`;
  });
