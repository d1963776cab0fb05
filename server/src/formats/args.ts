// Engine command lines as argparse reads them: vLLM (`vllm serve`, `python -m vllm.entrypoints.openai.api_server`),
// SGLang (`python -m sglang.launch_server`) and TGI (`text-generation-launcher`). Accepts `--flag=value` and
// `--flag value`, `-` and `_` spellings, unambiguous prefixes, booleans and `--no-*`, values given as strings, and
// positional models. Every token keeps its exact source span (offsets into the YAML text), also inside a `sh -c`
// string. `$(VAR)` / `${VAR}` are resolved from the container env when it states a literal; otherwise the value is
// left unknown and a note says so (never guessed).
import type { LineCounter } from 'yaml';
import type { ServingInput } from '../engine/memory';
import { offsetRange } from '../yaml/yamlDoc';
import type { MappedString } from './scalarMap';
import { spanOf } from './scalarMap';
import { tokenizeShell } from './shell';
import type { Deployment, Diagnostic } from './types';
import { VLLM_ALL_OPTIONS, VLLM_SIZING_OPTIONS, VLLM_SHORT_OPTIONS } from './vllmOptions';
import { VLLM_REMOVED_FLAGS } from './vllmRemoved';
import { kindOfField } from './servingKeys';

export type EngineKind = 'vllm' | 'sglang' | 'tgi';
export type Span = [number, number];

/** One argv element with the source span of each character. */
export interface Arg {
  text: string;
  /** Source span of text[i, j). */
  span(i: number, j: number): Span;
  dynamic: boolean;
  /** A word of a `sh -c` script: the shell expands `$VAR` and `${VAR}` in it (Kubernetes expands only `$(VAR)`). */
  shell?: boolean;
  /** Kubernetes' `$(VAR)` expansion is already applied: a `$(VAR)` left in the text is not a literal variable's. */
  k8sExpanded?: boolean;
}

export function argFromScalar(ms: MappedString): Arg {
  return { text: ms.text, span: (i, j) => spanOf(ms, i, j), dynamic: /\$\(|\$\{|\$[A-Za-z_]|`/.test(ms.text) };
}

/** Words of a shell script held in a YAML scalar, mapped through the scalar to source offsets. */
export function shellArgs(ms: MappedString): { words: Arg[]; env: { name: string; value: Arg }[] }[] {
  return tokenizeShell(ms.text).map((c) => {
    const mk = (w: { text: string; start: number[]; end: number[]; dynamic: boolean }): Arg => ({
      text: w.text,
      dynamic: w.dynamic,
      shell: true,
      span: (i, j) => {
        if (!w.text.length || j <= i) {
          const p = w.start.length ? spanOf(ms, w.start[0], w.start[0] + 1)[0] : ms.nodeStart;
          return [p, p];
        }
        const a = spanOf(ms, w.start[i], w.start[i] + 1)[0];
        const b = spanOf(ms, w.end[j - 1] - 1, w.end[j - 1])[1];
        return [a, b];
      },
    });
    return { words: c.words.map(mk), env: c.env.map((e) => ({ name: e.name, value: mk(e.value) })) };
  });
}

type ValueKind = 'int' | 'float' | 'gib' | 'str' | 'bool';
interface OptSpec {
  /** Range key (`serving.tensor_parallel_size`, `model`). */
  path?: string;
  key?: keyof ServingInput;
  kind: ValueKind;
  /** store_true flag (consumes no value). */
  flag?: boolean;
}

const VLLM_BOOL = new Set([
  'enforce_eager',
  'enable_prefix_caching',
  'enable_expert_parallel',
  'trust_remote_code',
  'enable_chunked_prefill',
  'disable_log_stats',
  'disable_log_requests',
  'enable_log_requests',
  'enable_auto_tool_choice',
  'disable_custom_all_reduce',
  'skip_tokenizer_init',
  'enable_sleep_mode',
  'async_scheduling',
  'headless',
  'enable_lora',
  'disable_sliding_window',
  'disable_cascade_attn',
  'enable_eplb',
  'enable_dbo',
  'disable_frontend_multiprocessing',
  'enable_request_id_headers',
  'return_tokens_as_token_ids',
  'enable_prompt_tokens_details',
  'enable_server_load_tracking',
  'calculate_kv_scales',
  'disable_hybrid_kv_cache_manager',
  'ray_workers_use_nsight',
]);
/** The argument parser's kind for an engine setting (servingKeys.ts says what each setting accepts). */
function kindOf(key: keyof ServingInput): ValueKind {
  const k = kindOfField(key);
  return k === 'int' || k === 'gib' || k === 'bool' ? k : k === 'fraction' ? 'float' : 'str';
}

function vllmTable(): Record<string, OptSpec> {
  const t: Record<string, OptSpec> = {};
  for (const o of VLLM_ALL_OPTIONS) t[o] = { kind: VLLM_BOOL.has(o) ? 'bool' : 'str', flag: VLLM_BOOL.has(o) };
  for (const [o, key] of Object.entries(VLLM_SIZING_OPTIONS)) t[o] = { path: `serving.${o}`, key, kind: kindOf(key), flag: VLLM_BOOL.has(o) };
  t.model = { path: 'model', kind: 'str' };
  t.dynamo_is_prefill_worker = { kind: 'bool', flag: true };
  // Flags vLLM removed: still parsed (so their value is not read as the model) and reported by flag-removed.
  for (const [o, r] of Object.entries(VLLM_REMOVED_FLAGS)) t[o] ??= { kind: r.flag ? 'bool' : 'str', flag: r.flag };
  for (const o of ['nnodes', 'node_rank', 'data_parallel_start_rank']) t[o] ??= { kind: 'str' };
  for (const o of ['data_parallel_hybrid_lb', 'data_parallel_external_lb']) t[o] ??= { kind: 'bool', flag: true };
  return t;
}

const SG = (path: string, key: keyof ServingInput): OptSpec => ({ path, key, kind: kindOf(key) });
const SGLANG: Record<string, OptSpec> = {
  model_path: { path: 'model', kind: 'str' },
  tp_size: SG('serving.tensor_parallel_size', 'tp'),
  dp_size: SG('serving.data_parallel_size', 'dp'),
  pp_size: SG('serving.pipeline_parallel_size', 'pp'),
  mem_fraction_static: SG('serving.mem_fraction_static', 'memFractionStatic'),
  context_length: SG('serving.max_model_len', 'maxModelLen'),
  quantization: SG('serving.quantization', 'quantization'),
  kv_cache_dtype: SG('serving.kv_cache_dtype', 'kvCacheDtype'),
  dtype: SG('serving.dtype', 'dtype'),
  max_running_requests: SG('serving.max_num_seqs', 'maxNumSeqs'),
  chunked_prefill_size: SG('serving.max_num_batched_tokens', 'maxNumBatchedTokens'),
  // SGLang's KV page (server_args.py page_size, default 1 token): the allocation granularity, vLLM's block_size.
  page_size: SG('serving.block_size', 'blockSize'),
  disable_cuda_graph: { path: 'serving.enforce_eager', key: 'enforceEager', kind: 'bool', flag: true },
  ...Object.fromEntries(
    [
      'trust_remote_code',
      'enable_dp_attention',
      'disable_radix_cache',
      'enable_torch_compile',
      'enable_metrics',
      'log_requests',
      'enable_ep_moe',
      'skip_server_warmup',
    ].map((k) => [k, { kind: 'bool', flag: true } as OptSpec]),
  ),
  ...Object.fromEntries(
    [
      'host',
      'port',
      'served_model_name',
      'tokenizer_path',
      'ep_size',
      'nnodes',
      'node_rank',
      'dist_init_addr',
      'attention_backend',
      'max_total_tokens',
      'max_prefill_tokens',
      'schedule_policy',
      'chat_template',
      'api_key',
      'revision',
      'load_format',
      'speculative_algorithm',
      'reasoning_parser',
      'tool_call_parser',
      'cuda_graph_max_bs',
      'log_level',
    ].map((k) => [k, { kind: 'str' } as OptSpec]),
  ),
};
const SGLANG_ALIASES: Record<string, string> = {
  model: 'model_path',
  tp: 'tp_size',
  dp: 'dp_size',
  pp: 'pp_size',
  tensor_parallel_size: 'tp_size',
  data_parallel_size: 'dp_size',
  pipeline_parallel_size: 'pp_size',
  ep: 'ep_size',
};

const TGI: Record<string, OptSpec> = {
  model_id: { path: 'model', kind: 'str' },
  num_shard: SG('serving.tensor_parallel_size', 'tp'),
  max_total_tokens: SG('serving.max_model_len', 'maxModelLen'),
  quantize: SG('serving.quantization', 'quantization'),
  cuda_memory_fraction: SG('serving.gpu_memory_utilization', 'gpuMemoryUtilization'),
  dtype: SG('serving.dtype', 'dtype'),
  kv_cache_dtype: SG('serving.kv_cache_dtype', 'kvCacheDtype'),
  max_batch_prefill_tokens: SG('serving.max_num_batched_tokens', 'maxNumBatchedTokens'),
  // The router's cap on requests in flight (queued and running): TGI's own limit where vLLM has max_num_seqs.
  max_concurrent_requests: SG('serving.max_num_seqs', 'maxNumSeqs'),
  ...Object.fromEntries(
    ['sharded', 'trust_remote_code', 'disable_custom_kernels', 'json_output', 'disable_grammar_support'].map((k) => [
      k,
      { kind: 'bool', flag: true } as OptSpec,
    ]),
  ),
  ...Object.fromEntries(
    [
      'revision',
      'port',
      'hostname',
      'max_input_tokens',
      'max_input_length',
      'max_batch_total_tokens',
      'max_batch_size',
      'waiting_served_ratio',
      'max_waiting_tokens',
      'huggingface_hub_cache',
      'weights_cache_override',
      'shard_uds_path',
      'master_addr',
      'master_port',
      'speculate',
      'rope_scaling',
      'rope_factor',
      'max_best_of',
      'max_stop_sequences',
      'max_top_n_tokens',
      'payload_limit',
      'prefix_caching',
      'attention',
      'otlp_endpoint',
      'cors_allow_origin',
      'api_key',
      'validation_workers',
    ].map((k) => [k, { kind: 'str' } as OptSpec]),
  ),
};
/** TGI's --max-concurrent-requests default (launcher.md: "[default: 128]"). */
const TGI_MAX_CONCURRENT_REQUESTS = 128;
/** TGI --quantize values as the engine's online quantization names. */
const TGI_QUANTIZE: Record<string, string> = {
  bitsandbytes: 'bitsandbytes-8bit',
  // TGI's 4-bit layer quantizes with compress_statistics=True (server/text_generation_server/layers/bnb.py Linear4bit).
  'bitsandbytes-nf4': 'bitsandbytes-4bit-dq',
  'bitsandbytes-fp4': 'bitsandbytes-4bit-dq',
  eetq: 'eetq',
  fp8: 'fp8',
};

/** TGI reads every launcher option from an env var of the same name in upper case. */
export const TGI_ENV: Record<string, string> = {
  MODEL_ID: 'model_id',
  NUM_SHARD: 'num_shard',
  MAX_TOTAL_TOKENS: 'max_total_tokens',
  QUANTIZE: 'quantize',
  CUDA_MEMORY_FRACTION: 'cuda_memory_fraction',
  DTYPE: 'dtype',
  KV_CACHE_DTYPE: 'kv_cache_dtype',
  MAX_BATCH_PREFILL_TOKENS: 'max_batch_prefill_tokens',
  MAX_CONCURRENT_REQUESTS: 'max_concurrent_requests',
  SHARDED: 'sharded',
};

const VLLM = vllmTable();
export const ENGINE_TABLES: Record<EngineKind, { table: Record<string, OptSpec>; aliases: Record<string, string> }> = {
  vllm: { table: VLLM, aliases: VLLM_SHORT_OPTIONS },
  sglang: { table: SGLANG, aliases: SGLANG_ALIASES },
  tgi: { table: TGI, aliases: {} },
};

/** A value as stated (after env resolution), with its source span. */
export interface Val {
  text: string;
  span: Span;
  /** Set when the value is (or contains) an expansion we could not resolve. */
  unresolved?: string;
}

export interface ParsedOption {
  name: string;
  flagSpan: Span;
  value: Val | null;
  /** For booleans: true, or false for `--no-*`. */
  bool?: boolean;
}

export interface OffsetDiag {
  code: string;
  severity: Diagnostic['severity'];
  message: string;
  span: Span;
}

export interface EngineCommand {
  engine: EngineKind;
  /** How it was launched, for the deployment name and hover. */
  launcher: string;
  model: Val | null;
  options: Map<string, ParsedOption>;
  notes: string[];
  diagnostics: OffsetDiag[];
  /** Span of the launcher word (`vllm`, `text-generation-launcher`). */
  launcherSpan: Span;
  /** The script starts or joins a Ray cluster (`ray start`): the engine's GPUs may be on other pods. */
  rayCluster?: boolean;
}

export type EnvLookup = (name: string) => Val | null | undefined;

const VAR_ONLY = /^(?:\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*))$/;
/** A word whose only expansions are plain `$VAR` / `${VAR}` references. */
const SHELL_VARS_ONLY = /^(?:[^$`\\]|\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Resolves a value that is exactly one `$(VAR)` / `${VAR}` / `$VAR` from the env; anything else dynamic stays unknown. */
export function resolveVal(arg: Arg, i: number, j: number, env: EnvLookup): Val {
  const text = arg.text.slice(i, j);
  const span = arg.span(i, j);
  if (/\{\{/.test(text)) return { text, span, unresolved: `"${text}" is a Helm template placeholder, unknown until rendered` };
  if (!/\$|`/.test(text)) return { text, span };
  const m = VAR_ONLY.exec(text);
  // Outside a shell script only Kubernetes expands, and only `$(VAR)`: `${VAR}` / `$VAR` reach the engine as written.
  if (m && !m[1] && !arg.shell)
    return { text, span, unresolved: `"${text}" is passed to the engine as written: Kubernetes expands only $(${m[2] ?? m[3]}), not ${text}` };
  // Inside a shell script the shell expands `$VAR` / `${VAR}` anywhere in a word (`/models/$MODEL`): resolved when
  // every variable in the word has a literal value; any other expansion (`$(...)`, `${VAR:-x}`, backticks) stays unknown.
  if (!m && arg.shell && arg.dynamic && SHELL_VARS_ONLY.test(text)) {
    let unknown: string | null = null;
    const out = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (ref: string, a?: string, b?: string) => {
      const v = env((a ?? b)!);
      if (v && !v.unresolved) return v.text;
      unknown ??= (a ?? b)!;
      return ref;
    });
    if (unknown === null) return { text: out, span };
    return { text, span, unresolved: `"${text}" refers to ${unknown}, which the manifest does not set to a literal value` };
  }
  if (m) {
    const name = m[1] ?? m[2] ?? m[3];
    const v = env(name);
    // After Kubernetes' expansion a `$(VAR)` of a literal variable can only be the escaped `$$(VAR)`: text as written.
    if (arg.k8sExpanded && !arg.shell && m[1] && v && !v.unresolved) return { text, span };
    if (v && !v.unresolved) return v;
    return { text, span, unresolved: `"${text}" refers to ${name}, which the manifest does not set to a literal value` };
  }
  return {
    text,
    span,
    unresolved: /\$\(\(/.test(text) ? `"${text}" is shell arithmetic, not evaluated` : `"${text}" contains a shell expansion, not evaluated`,
  };
}

function canonical(engine: EngineKind, raw: string, extra: Record<string, string> = {}): { name: string | null; ambiguous: string[] } {
  const { table } = ENGINE_TABLES[engine];
  const aliases = { ...ENGINE_TABLES[engine].aliases, ...extra };
  const s = raw.replace(/-/g, '_');
  if (table[s]) return { name: s, ambiguous: [] };
  if (aliases[s]) return { name: aliases[s], ambiguous: [] };
  // argparse: an unambiguous prefix of a long option.
  const names = [...Object.keys(table), ...Object.keys(aliases)];
  const hits = [...new Set(names.filter((n) => n.startsWith(s)).map((n) => aliases[n] ?? n))];
  if (hits.length === 1 && s.length >= 3) return { name: hits[0], ambiguous: [] };
  return { name: null, ambiguous: hits.length > 1 ? hits : [] };
}

/** Parses the arguments after the launcher (`vllm serve` ...). */
export function parseEngineArgs(
  engine: EngineKind,
  launcher: string,
  launcherSpan: Span,
  args: Arg[],
  env: EnvLookup,
  positionalModel: boolean,
  extraAliases: Record<string, string> = {},
): EngineCommand {
  const { table } = ENGINE_TABLES[engine];
  const out: EngineCommand = { engine, launcher, model: null, options: new Map(), notes: [], diagnostics: [], launcherSpan };
  let sawPositional = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const t = a.text;
    if (!t.startsWith('-') || t === '-' || /^-\d/.test(t)) {
      if (positionalModel && !sawPositional) {
        sawPositional = true;
        out.model = resolveVal(a, 0, t.length, env);
      }
      continue;
    }
    if (t === '--') continue;
    const body = t.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const rawName = eq >= 0 ? body.slice(0, eq) : body;
    const nameOffset = t.length - body.length;
    const flagSpan = a.span(0, nameOffset + rawName.length);
    let neg = false;
    let c = canonical(engine, rawName, extraAliases);
    if (!c.name && /^no[-_]/.test(rawName)) {
      const c2 = canonical(engine, rawName.slice(3), extraAliases);
      if (c2.name && table[c2.name]?.flag) {
        c = c2;
        neg = true;
      }
    }
    if (!c.name) {
      if (c.ambiguous.length) {
        out.diagnostics.push({
          code: 'ambiguous-flag',
          severity: 'error',
          message: `"--${rawName}" is ambiguous: it could be ${c.ambiguous
            .slice(0, 4)
            .map((n) => `--${n.replace(/_/g, '-')}`)
            .join(', ')}; argparse refuses it and the server does not start.`,
          span: flagSpan,
        });
      } else out.notes.push(`Option "--${rawName}" is not one llm-sizer knows for ${engine}; it is ignored for sizing.`);
      // Unknown option: a following non-flag word is its value.
      if (eq < 0 && i + 1 < args.length && !args[i + 1].text.startsWith('-')) i++;
      continue;
    }
    const spec = table[c.name];
    let value: Val | null = null;
    let bool: boolean | undefined;
    if (spec?.flag) {
      bool = !neg;
      if (eq >= 0) {
        const v = body.slice(eq + 1).toLowerCase();
        bool = v === 'true' || v === '1' || v === '';
        value = resolveVal(a, nameOffset + eq + 1, t.length, env);
      }
    } else if (eq >= 0) value = resolveVal(a, nameOffset + eq + 1, t.length, env);
    else if (i + 1 < args.length && (!args[i + 1].text.startsWith('--') || /^-\d/.test(args[i + 1].text))) {
      i++;
      value = resolveVal(args[i], 0, args[i].text.length, env);
    } else {
      out.diagnostics.push({
        code: 'flag-missing-value',
        severity: 'error',
        message: `"--${rawName}" expects a value; argparse refuses the command line.`,
        span: flagSpan,
      });
      continue;
    }
    if (value?.unresolved) out.notes.push(`${value.unresolved}: --${c.name.replace(/_/g, '-')} is left unknown.`);
    else if (value && !spec?.flag && value.text.trim() === '' && c.name !== 'model') {
      // `--kv-cache-memory-bytes=` or `--max-model-len $(EMPTY)` with EMPTY set to "": the engine gets an empty value.
      out.diagnostics.push({
        code: 'empty-flag-value',
        severity: 'error',
        message: `--${c.name.replace(/_/g, '-')} gets an empty value: the engine refuses it (argparse: invalid value) and does not start. Give it a value or drop the flag.`,
        span: flagSpan,
      });
      continue;
    }
    if (c.name === 'model' || spec?.path === 'model') {
      if (value) out.model = value;
      continue;
    }
    out.options.set(c.name, { name: c.name, flagSpan, value, bool });
  }
  return out;
}

const PY = /^(?:.*\/)?python[0-9.]*$/;
const SHELLS = /^(?:.*\/)?(?:sh|bash|ash|dash|zsh)$/;
const WRAPPERS = new Set(['exec', 'nohup', 'env', 'time', 'stdbuf', 'taskset', 'numactl']);

/** Finds the engine launch in an argv (possibly inside `sh -c`). `image` helps for args-only containers. */
export function findEngineCommand(
  argv: Arg[],
  env: EnvLookup,
  image: string | null,
  depth = 0,
  shellOf?: (a: Arg) => { words: Arg[]; env: { name: string; value: Arg }[] }[],
): EngineCommand | null {
  if (depth > 3) return null;
  let k = 0;
  while (
    k < argv.length &&
    (WRAPPERS.has(argv[k].text) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[k].text) || (argv[k - 1]?.text === 'env' && argv[k].text.startsWith('-')))
  )
    k++;
  const rest = argv.slice(k);
  if (!rest.length) return null;
  const w0 = rest[0].text;
  const base = w0.replace(/^.*\//, '');
  const sp = rest[0].span(0, w0.length);
  if (base === 'vllm' && rest[1]?.text === 'serve') return parseEngineArgs('vllm', 'vllm serve', sp, rest.slice(2), env, true);
  if (base === 'text-generation-launcher') return parseEngineArgs('tgi', 'text-generation-launcher', sp, rest.slice(1), env, false);
  if (base === 'sglang' && rest[1]?.text === 'serve') return parseEngineArgs('sglang', 'sglang serve', sp, rest.slice(2), env, false);
  if (PY.test(w0)) {
    const m = rest.findIndex((a) => a.text === '-m');
    const mod = m >= 0 ? rest[m + 1]?.text : undefined;
    if (mod && /^vllm\.entrypoints\.(openai\.api_server|api_server)$/.test(mod))
      return parseEngineArgs('vllm', `python -m ${mod}`, sp, rest.slice(m + 2), env, false);
    if (mod === 'dynamo.vllm')
      return parseEngineArgs('vllm', `python -m ${mod}`, sp, rest.slice(m + 2), env, false, { is_prefill_worker: 'dynamo_is_prefill_worker' });
    if (mod === 'dynamo.sglang') return parseEngineArgs('sglang', `python -m ${mod}`, sp, rest.slice(m + 2), env, false);
    if (mod && /^sglang\.launch_server$/.test(mod)) return parseEngineArgs('sglang', `python -m ${mod}`, sp, rest.slice(m + 2), env, false);
    return null;
  }
  if (SHELLS.test(w0) && shellOf) {
    const ci = rest.findIndex((a, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(a.text));
    // `bash -lc -- "script"` (KubeRay heads): `--` ends the options, the script is the next word.
    const script = ci >= 0 ? (rest[ci + 1]?.text === '--' ? rest[ci + 2] : rest[ci + 1]) : undefined;
    if (!script) return null;
    let ray = false;
    // Variables the script itself sets before the engine command (`export MODEL=Qwen3-8B`, `TP=2`).
    const assigned = new Map<string, Val | null>();
    let nesting = 0; // inside if/case/for/while bodies
    const before: EnvLookup = (name) => (assigned.has(name) ? assigned.get(name) : env(name));
    for (const cmd of shellOf(script)) {
      const scriptEnv: EnvLookup = (name) => {
        const e = cmd.env.find((x) => x.name === name);
        if (e) return resolveVal(e.value, 0, e.value.text.length, before);
        return before(name);
      };
      if (/^(?:.*\/)?ray$/.test(cmd.words[0]?.text ?? '') && cmd.words[1]?.text === 'start') ray = true;
      const hit = findEngineCommand(cmd.words, scriptEnv, null, depth + 1, shellOf);
      if (hit) {
        if (ray) hit.rayCluster = true;
        return hit;
      }
      const w0 = cmd.words[0]?.text ?? '';
      if (/^(if|case|for|while|until|select)$/.test(w0)) nesting++;
      if (/^(fi|esac|done)$/.test(w0)) nesting = Math.max(0, nesting - 1);
      for (const [name, value] of scriptAssignments(cmd)) {
        const v = value ? resolveVal(value, 0, value.text.length, before) : null;
        // Set inside a conditional or a loop, or set twice: which value reaches the engine is not known from the text.
        assigned.set(name, nesting > 0 || assigned.has(name) || !v || v.unresolved ? null : v);
      }
    }
    return null;
  }
  // Args-only containers: the image's entrypoint launches the engine.
  if (depth === 0 && k === 0 && image) {
    if (/vllm/i.test(image) && !/router|proxy/i.test(image)) {
      if (w0 === 'serve') return parseEngineArgs('vllm', `${image} entrypoint (vllm serve)`, sp, rest.slice(1), env, true);
      if (w0.startsWith('-') || /^[\w.-]+\/[\w.-]+$/.test(w0))
        return parseEngineArgs('vllm', `${image} entrypoint`, sp, rest, env, /vllm-openai|vllm\/vllm/i.test(image) && !w0.startsWith('-'));
    }
    if (/text-generation-inference/i.test(image) && w0.startsWith('-'))
      return parseEngineArgs('tgi', `${image} entrypoint (text-generation-launcher)`, sp, rest, env, false);
  }
  return null;
}

/**
 * Variables a script command sets for the rest of the script: an assignment-only command (`MODEL=x`) or `export`
 * (`export MODEL=x TP=2`). A command that follows a shell keyword (`then MODEL=x`) is conditional and sets nothing
 * here, and `export NAME` without a value leaves NAME as it was. A `null` value: set, but not to a word we can read.
 */
function scriptAssignments(cmd: { words: Arg[]; env: { name: string; value: Arg }[] }): [string, Arg | null][] {
  if (!cmd.words.length) return cmd.env.map((e) => [e.name, e.value]);
  if (cmd.words[0].text !== 'export' || cmd.words[0].dynamic) return [];
  const out: [string, Arg | null][] = [];
  for (const w of cmd.words.slice(1)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(w.text);
    if (!m) continue;
    const k = m[0].length;
    const text = w.text.slice(k);
    out.push([m[1], { text, span: (i, j) => w.span(i + k, j + k), dynamic: w.dynamic && /\$|`/.test(text), shell: true }]);
  }
  return out;
}

/**
 * vLLM's human_readable_int (vllm/engine/arg_utils.py): a whole number, or a number with a decimal suffix k/m/g/t
 * (10^3..10^12, decimals allowed) or a binary suffix K/M/G/T (2^10..2^40, whole numbers only). Null when refused.
 */
export function humanReadableInt(text: string): number | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const m = /^(\d+(?:\.\d+)?)([kKmMgGtT])$/.exec(t);
  if (!m) return null;
  const dec: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12 };
  const bin: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };
  if (m[2] in dec) return Math.floor(Number(m[1]) * dec[m[2]]);
  return /^\d+$/.test(m[1]) ? Number(m[1]) * bin[m[2]] : null;
}

/** Layout flags beyond tp x pp x dp: GPUs per pod follow from them (multi-node data parallelism, nodes per instance). */
function applyLayout(cmd: EngineCommand, dep: Deployment, R: (s: Span) => Deployment['ranges'][string]): void {
  const layout: NonNullable<Deployment['layout']> = {};
  const intOpt = (name: string, path: string): number | undefined => {
    const o = cmd.options.get(name);
    if (!o?.value) return undefined;
    dep.ranges[path] = R(o.value.span);
    if (o.value.unresolved) {
      (dep.unresolved ??= []).push({ path, text: o.value.text, reason: o.value.unresolved, range: dep.ranges[path] });
      return undefined;
    }
    const n = /^\d+$/.test(o.value.text.trim()) ? Number(o.value.text.trim()) : NaN;
    return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
  };
  if (cmd.engine === 'vllm') {
    const local = intOpt('data_parallel_size_local', 'serving.data_parallel_size_local');
    if (local !== undefined) layout.dpLocal = local;
    if (cmd.options.get('headless')?.bool) layout.headless = true;
  }
  const nn = intOpt('nnodes', 'serving.nnodes');
  if (nn !== undefined) layout.nnodes = nn;
  if (cmd.engine === 'sglang' && cmd.options.get('enable_dp_attention')?.bool) layout.dpAttention = true;
  if (Object.keys(layout).length) dep.layout = layout;
}

/** Converts a parsed value to the engine's type; returns undefined (and a diagnostic) when argparse would refuse it. */
function typed(kind: ValueKind, v: Val): unknown {
  const s = v.text.trim();
  if (kind === 'int') return /^\d+$/.test(s) ? Number(s) : undefined;
  if (kind === 'float' || kind === 'gib') return /^(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(s) ? Number(s) : undefined;
  if (kind === 'bool') return /^(true|1|yes)$/i.test(s) ? true : /^(false|0|no)$/i.test(s) ? false : undefined;
  return s;
}

const SGLANG_KEY_PATH: Record<string, string> = { 'serving.mem_fraction_static': 'serving.gpu_memory_utilization' };

/** Applies a parsed command to a deployment: serving settings, model and ranges. */
export function applyEngineCommand(cmd: EngineCommand, dep: Deployment, lc: LineCounter, diags: Diagnostic[]): void {
  const { table } = ENGINE_TABLES[cmd.engine];
  const R = (s: Span) => offsetRange(lc, s[0], s[1]);
  const serving = dep.serving as Record<string, unknown>;
  if (cmd.engine === 'sglang') serving.engine = 'sglang';
  else serving.engine = 'vllm';
  serving.apiServer = true;
  const unresolved = (dep.unresolved ??= []);
  if (cmd.model) {
    dep.ranges.model = R(cmd.model.span);
    if (!cmd.model.unresolved && cmd.model.text.trim()) {
      const m = cmd.model.text.trim();
      dep.model = /^[./~]/.test(m) ? { kind: 'path', path: m } : { kind: 'id', id: m.replace(/^hf:\/\//, '') };
    } else {
      dep.notes.push(`${cmd.model.unresolved ?? 'The model argument is empty'}: the model is unknown.`);
      if (cmd.model.unresolved) unresolved.push({ path: 'model', text: cmd.model.text, reason: cmd.model.unresolved, range: R(cmd.model.span) });
    }
  }
  const served = cmd.options.get('served_model_name')?.value;
  if (served && !served.unresolved && served.text.trim()) {
    dep.servedModelName = served.text.trim().split(/\s+/)[0];
    dep.ranges['serving.served_model_name'] = R(served.span);
  }
  applyLayout(cmd, dep, R);
  if (cmd.rayCluster || /^ray$/i.test(cmd.options.get('distributed_executor_backend')?.value?.text.trim() ?? '')) dep.rayCluster = true;
  for (const o of cmd.options.values()) {
    const spec = table[o.name];
    if (cmd.engine === 'vllm' && VLLM_REMOVED_FLAGS[o.name]) dep.ranges[`flag:${o.name}`] = R(o.flagSpan);
    if (!spec?.key || !spec.path) continue;
    const path = spec.path;
    dep.keyRanges[path] = R(o.flagSpan);
    dep.ranges[path] = o.value ? R(o.value.span) : R(o.flagSpan);
    if (SGLANG_KEY_PATH[path]) {
      dep.ranges[SGLANG_KEY_PATH[path]] = dep.ranges[path];
      dep.keyRanges[SGLANG_KEY_PATH[path]] = dep.keyRanges[path];
    }
    if (o.value?.unresolved) {
      unresolved.push({ path, text: o.value.text, reason: o.value.unresolved, range: dep.ranges[path] });
      continue;
    }
    let v: unknown;
    if (spec.kind === 'bool' && spec.flag && o.bool !== undefined) v = o.bool;
    else if (o.value && cmd.engine === 'vllm' && (spec.key === 'maxModelLen' || spec.key === 'maxNumBatchedTokens')) {
      // vLLM reads these with human_readable_int (vllm/engine/arg_utils.py): `32k` = 32,000, `32K` = 32,768.
      const t = o.value.text.trim();
      if (spec.key === 'maxModelLen' && /^(auto|-1)$/i.test(t)) {
        // `auto` / -1 (PR #29431): vLLM fits max_model_len to the KV cache, so no length is stated to check.
        unresolved.push({
          path,
          text: t,
          reason: `--max-model-len ${t} lets vLLM choose the largest length that fits memory at startup`,
          range: dep.ranges[path],
        });
        continue;
      }
      v = humanReadableInt(t) ?? undefined;
    } else if (o.value) v = typed(spec.kind, o.value);
    if (spec.key === 'quantization' && typeof v === 'string' && /^(none|null)$/i.test(v)) v = null;
    // TGI's QUANTIZE names (launcher --quantize): `bitsandbytes` is 8-bit LLM.int8, `-nf4` / `-fp4` are 4-bit, eetq is
    // 8-bit weight-only; awq / gptq / marlin / exl2 / compressed-tensors read a pre-quantized checkpoint.
    if (cmd.engine === 'tgi' && spec.key === 'quantization' && typeof v === 'string') v = TGI_QUANTIZE[v.toLowerCase()] ?? v;
    if (v === undefined || (typeof v === 'number' && ((v <= 0 && spec.kind !== 'gib') || (spec.kind === 'float' && v > 1)))) {
      diags.push({
        code: 'invalid-value',
        severity: 'error',
        message: `--${o.name.replace(/_/g, '-')} has a value ${cmd.engine === 'tgi' ? 'TGI' : cmd.engine === 'sglang' ? 'SGLang' : 'vLLM'} will not accept: "${o.value?.text ?? ''}".`,
        range: dep.ranges[path],
      });
      continue;
    }
    serving[spec.key] = v;
  }
  for (const d of cmd.diagnostics) diags.push({ code: d.code, severity: d.severity, message: d.message, range: R(d.span) });
  dep.notes.push(...cmd.notes);
  if (cmd.engine === 'tgi') {
    dep.notes.push(
      `Text Generation Inference: sized with vLLM's budget (CUDA_MEMORY_FRACTION as gpu_memory_utilization, MAX_TOTAL_TOKENS as max_model_len${serving.maxModelLen === undefined ? '; unset, TGI lowers it to what the KV cache holds' : ''}); TGI's own memory accounting differs.`,
    );
    if (serving.gpuMemoryUtilization === undefined) serving.gpuMemoryUtilization = 1;
    // TGI's own default, never vLLM's max_num_seqs: --max-concurrent-requests "[default: 128]"; beyond it the router
    // refuses requests (huggingface/text-generation-inference docs/source/reference/launcher.md).
    if (serving.maxNumSeqs === undefined) serving.maxNumSeqs = TGI_MAX_CONCURRENT_REQUESTS;
    serving.launcher = 'tgi';
  }
}
