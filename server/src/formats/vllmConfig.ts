// `vllm serve --config FILE` YAML: keys are vLLM's long option names, kebab or snake case.
import type { ServingInput } from '../engine/memory';
import { closest, editDistance } from '../catalog/index';
import { keyString, mapPairs, rangeOf, scalarValue } from '../yaml/yamlDoc';
import type { AdapterInput, AdapterOutput, FormatAdapter } from './adapter';
import { servingValue } from './servingKeys';
import type { Deployment, Diagnostic, Range, Unresolved } from './types';
import { humanReadableInt } from './args';
import { VLLM_REMOVED_FLAGS } from './vllmRemoved';
import { defaultWorkload } from './types';
import { VLLM_ALL_OPTIONS, VLLM_SIZING_OPTIONS, snake } from './vllmOptions';

/** A vLLM config names the model or at least two sizing options, and nothing that marks another format. */
function looksLikeVllmConfig(keys: string[]): boolean {
  const s = keys.map(snake).map((k) => (k.startsWith('no_') && VLLM_ALL_OPTIONS.has(k.slice(3)) ? k.slice(3) : k));
  if (s.some((k) => ['apiVersion', 'apiversion', 'kind', 'spec', 'services', 'jobs', 'on'].includes(k))) return false;
  const sizing = s.filter((k) => k in VLLM_SIZING_OPTIONS).length;
  const known = s.filter((k) => VLLM_ALL_OPTIONS.has(k)).length;
  return (s.includes('model') && sizing >= 1) || sizing >= 2 || (s.includes('model') && known >= 2 && known >= s.length / 2);
}

export const vllmConfigAdapter: FormatAdapter = {
  format: 'vllm-config',
  detect(doc) {
    return looksLikeVllmConfig(mapPairs(doc.contents).map(keyString));
  },
  adapt(input: AdapterInput): AdapterOutput {
    const { doc, lineCounter: lc, docIndex, docRange } = input;
    const ranges: Record<string, Range> = { document: docRange };
    const keyRanges: Record<string, Range> = {};
    const diagnostics: Diagnostic[] = [];
    const serving: Partial<ServingInput> = { apiServer: true };
    const unresolved: Unresolved[] = [];
    let model: string | null = null;
    for (const p of mapPairs(doc.contents)) {
      const raw = keyString(p);
      let k = snake(raw);
      let negated = false;
      // `no-enable-prefix-caching: true` is argparse's BooleanOptionalAction negation, accepted in config files too.
      if (k.startsWith('no_') && !VLLM_ALL_OPTIONS.has(k) && VLLM_ALL_OPTIONS.has(k.slice(3))) {
        k = k.slice(3);
        negated = true;
      }
      if (VLLM_REMOVED_FLAGS[k]) {
        const fr = rangeOf(lc, p.key as never);
        if (fr) ranges[`flag:${k}`] = fr;
        continue;
      }
      const vr = rangeOf(lc, p.value as never);
      const kr = rangeOf(lc, p.key as never);
      const path = k === 'model' ? 'model' : `serving.${k}`;
      if (vr) ranges[path] = vr;
      if (kr) keyRanges[path] = kr;
      const v = scalarValue(p.value);
      if (k === 'model') {
        if (typeof v === 'string' && v.trim()) model = v.trim();
        continue;
      }
      const setting = VLLM_SIZING_OPTIONS[k];
      if (setting && negated) {
        // `no-X: true` sets X false; `no-X: false` leaves the default.
        if (v === true || v === 'true') {
          const val = servingValue(setting, false);
          if (val !== undefined) (serving as Record<string, unknown>)[setting] = val;
        }
      } else if (setting) {
        // vLLM's argparse accepts strings for numbers in YAML configs; so do we. Lengths take human_readable_int
        // suffixes (`32k` = 32,000, `32K` = 32,768; vllm/engine/arg_utils.py).
        if (setting === 'maxModelLen' && typeof v === 'string' && /^(auto|-1)$/i.test(v.trim())) {
          unresolved.push({
            path,
            text: v.trim(),
            reason: `max-model-len ${v.trim()} lets vLLM choose the largest length that fits memory at startup`,
            range: vr,
          });
          continue;
        }
        const hr = (setting === 'maxModelLen' || setting === 'maxNumBatchedTokens') && typeof v === 'string' ? humanReadableInt(v) : null;
        const coerced = hr !== null ? hr : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
        const val = servingValue(setting, coerced);
        if (val === undefined) {
          diagnostics.push({
            code: 'schema-type',
            severity: 'error',
            message: `"${raw}" has a value vLLM will not accept: ${JSON.stringify(v ?? null)}.`,
            range: vr ?? kr ?? docRange,
          });
        } else (serving as Record<string, unknown>)[setting] = val;
      } else if (!VLLM_ALL_OPTIONS.has(k)) {
        const near = closest(k, [...VLLM_ALL_OPTIONS], 1);
        // A near miss of a known option is likely a typo vLLM refuses; any other name may be an option newer than
        // llm-sizer's list (vLLM adds several per release), so it is only information.
        const typo = near.length > 0 && editDistance(k, near[0]) <= 2;
        diagnostics.push({
          code: 'schema-unknown-key',
          severity: typo ? 'warning' : 'info',
          message: `${typo ? 'Unknown' : 'Not an option llm-sizer knows (newer vLLM releases add options; an older one refuses it)'}${typo ? ` vLLM option "${raw}".` : `: "${raw}".`}${near.length ? ` Did you mean "${raw.includes('-') ? near[0].replace(/_/g, '-') : near[0]}"?` : ''}`,
          range: kr ?? docRange,
          data: near.length ? { key: raw, suggestion: raw.includes('-') ? near[0].replace(/_/g, '-') : near[0] } : { key: raw },
        });
      }
    }
    if (!model) {
      // `vllm serve MODEL --config FILE` is the usual way: a config without a model is complete, only not sizable.
      diagnostics.push({
        code: 'schema-missing-key',
        severity: 'info',
        message: 'Not sized: the model is given on the command line (vllm serve MODEL --config this-file). Add "model:" here to size this configuration.',
        range: docRange,
        data: { key: 'model' },
      });
    }
    const dep: Deployment = {
      name: model ? `vllm serve ${model}` : `vllm-config-${docIndex + 1}`,
      format: 'vllm-config',
      docIndex,
      model: model
        ? ({
            kind: model.startsWith('.') || model.startsWith('/') ? 'path' : 'id',
            ...(model.startsWith('.') || model.startsWith('/') ? { path: model } : { id: model }),
          } as Deployment['model'])
        : null,
      gpu: input.defaultGpu,
      gpuOrigin: 'default',
      gpuCount: null,
      gpusPerNode: null,
      replicas: 1,
      serving,
      workload: defaultWorkload(),
      slo: { ttftMs: null, tpotMs: null },
      gpuHourUsd: null,
      calibration: null,
      ranges,
      keyRanges,
      unresolved,
      notes: input.defaultGpu
        ? [`The file names no GPU: sized on the default GPU "${input.defaultGpu}" (setting llmSizer.defaultGpu).`]
        : ['The file names no GPU and no default GPU is set (setting llmSizer.defaultGpu).'],
    };
    return { deployments: [dep], diagnostics };
  },
};
