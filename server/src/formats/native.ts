// The native plan format (apiVersion: llm-sizer/v1, kind: ServingPlan).
import type { Node } from 'yaml';
import type { Calibration, ServingInput } from '../engine/memory';
import type { GpuEntry, ModelEntry } from '../catalog/index';
import { validateData, validateNode } from '../analysis/schemaValidation';
import { get, getPair, keyString, mapPairs, rangeOf, scalarValue, toPlain } from '../yaml/yamlDoc';
import type { AdapterInput, AdapterOutput, FormatAdapter } from './adapter';
import type { Deployment, ModelRef, Range } from './types';
import { defaultWorkload } from './types';
import { SERVING_KEYS, kindOfField, servingValue } from './servingKeys';

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function numOrNull(v: unknown): number | null {
  return isNum(v) ? v : null;
}

export const nativeAdapter: FormatAdapter = {
  format: 'native',
  detect(doc) {
    return scalarValue(get(doc.contents, 'apiVersion')) === 'llm-sizer/v1';
  },
  adapt(input: AdapterInput): AdapterOutput {
    const { doc, lineCounter: lc, docIndex, docRange } = input;
    const root = doc.contents as Node;
    const diagnostics = validateNode('deployment', root, lc, docRange);
    const ranges: Record<string, Range> = {};
    const keyRanges: Record<string, Range> = {};
    const note = (path: string, node: unknown, key?: unknown) => {
      const r = rangeOf(lc, node as Node);
      if (r) ranges[path] = r;
      const k = rangeOf(lc, key as Node);
      if (k) keyRanges[path] = k;
    };
    for (const p of mapPairs(root)) {
      const k = keyString(p);
      note(k, p.value, p.key);
      if (['metadata', 'hardware', 'serving', 'workload', 'slo', 'cost', 'calibration'].includes(k)) {
        for (const q of mapPairs(p.value)) note(`${k}.${keyString(q)}`, q.value, q.key);
      }
    }
    const metaName = scalarValue(get(get(root, 'metadata'), 'name'));
    const name = typeof metaName === 'string' && metaName ? metaName : `plan-${docIndex + 1}`;
    if (ranges['metadata.name']) ranges.name = ranges['metadata.name'];
    const modelNode = get(root, 'model');
    let model: ModelRef | null = null;
    const mv = scalarValue(modelNode);
    if (typeof mv === 'string' && mv.trim()) {
      const s = mv.trim();
      model = s.startsWith('.') || s.startsWith('/') || s.startsWith('~') ? { kind: 'path', path: s } : { kind: 'id', id: s };
    } else if (modelNode && typeof toPlain(modelNode) === 'object') {
      const entry = toPlain(modelNode) as ModelEntry;
      if (entry && typeof entry.config === 'object' && entry.config) model = { kind: 'inline', entry: { ...entry, id: entry.id ?? `${name}-model` } };
    }
    const hw = get(root, 'hardware');
    let gpu = scalarValue(get(hw, 'gpu'));
    // A GPU described inline, as a workspace .llm-sizer/gpus file would describe it; used only when schema-valid
    // (the schema diagnostics above say what is missing otherwise).
    let gpuEntry: GpuEntry | undefined;
    const gpuNode = get(hw, 'gpu');
    const gpuPlain = gpuNode && typeof gpu !== 'string' ? toPlain(gpuNode) : null;
    if (gpuPlain && typeof gpuPlain === 'object' && !Array.isArray(gpuPlain)) {
      if (validateData('hardware', gpuPlain).length === 0) {
        gpuEntry = gpuPlain as GpuEntry;
        gpu = gpuEntry.id;
      } else gpu = null;
    }
    const serving: Partial<ServingInput> = {};
    for (const p of mapPairs(get(root, 'serving'))) {
      const key = SERVING_KEYS[keyString(p)];
      if (!key) continue;
      // speculative_config may be a mapping, as in a vLLM config file; every other setting is a scalar.
      const v = servingValue(key, kindOfField(key) === 'json' ? toPlain(p.value) : scalarValue(p.value));
      if (v !== undefined) (serving as Record<string, unknown>)[key] = v;
    }
    const wl = get(root, 'workload');
    const workload = defaultWorkload();
    const rps = scalarValue(get(wl, 'requests_per_second'));
    workload.requestsPerSecond = isNum(rps) && rps >= 0 ? rps : null;
    const inTok = scalarValue(get(wl, 'input_tokens'));
    if (isNum(inTok) && inTok >= 0) workload.inputTokens = Math.floor(inTok);
    const outTok = scalarValue(get(wl, 'output_tokens'));
    if (isNum(outTok) && outTok >= 0) workload.outputTokens = Math.floor(outTok);
    const conc = scalarValue(get(wl, 'concurrency'));
    workload.concurrency = isNum(conc) && conc >= 1 ? Math.floor(conc) : null;
    const hit = scalarValue(get(wl, 'prefix_cache_hit_rate'));
    if (isNum(hit) && hit >= 0 && hit <= 1) workload.prefixCacheHitRate = hit;
    const slo = get(root, 'slo');
    const cal = get(root, 'calibration');
    let calibration: Calibration | null = null;
    if (cal) {
      calibration = {};
      for (const k of ['total_memory_gib', 'weights_gib', 'activation_peak_gib', 'non_torch_gib', 'cudagraph_gib', 'available_kv_gib'] as const) {
        const v = scalarValue(get(cal, k));
        if (isNum(v)) calibration[k] = v;
      }
    }
    const count = scalarValue(get(hw, 'count'));
    const perNode = scalarValue(get(hw, 'gpus_per_node'));
    const ttft = numOrNull(scalarValue(get(slo, 'ttft_ms')));
    const tpot = numOrNull(scalarValue(get(slo, 'tpot_ms')));
    const price = numOrNull(scalarValue(get(get(root, 'cost'), 'gpu_hour_usd')));
    const dep: Deployment = {
      name,
      format: 'native',
      docIndex,
      model,
      gpu: typeof gpu === 'string' && gpu.trim() ? gpu.trim() : gpuPlain ? null : input.defaultGpu,
      ...(gpuEntry ? { gpuEntry } : {}),
      gpuOrigin: (typeof gpu === 'string' && gpu.trim()) || gpuPlain ? 'stated' : 'default',
      gpuCount: isNum(count) && count >= 1 ? Math.floor(count) : null,
      gpusPerNode: isNum(perNode) && perNode >= 1 ? Math.floor(perNode) : null,
      replicas: 1,
      serving,
      workload,
      slo: { ttftMs: ttft !== null && ttft > 0 ? ttft : null, tpotMs: tpot !== null && tpot > 0 ? tpot : null },
      gpuHourUsd: price !== null && price >= 0 ? price : null,
      calibration,
      ranges,
      keyRanges,
      notes: [],
      // Workload-based findings hold only for a workload the plan states, not for the default 1000 + 200 tokens.
      workloadStated: mapPairs(wl).length > 0,
    };
    if (!ranges.document) ranges.document = docRange;
    void getPair;
    return { deployments: [dep], diagnostics };
  },
};
