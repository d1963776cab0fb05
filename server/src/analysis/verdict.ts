// One verdict per deployment, its assumptions and its concurrency figures, derived ONCE from the analysis and read by
// every presenter (diagnostics, status, inlay hint, hover, report, exports), so they can never disagree.
import type { DeploymentAnalysis } from './analysis';
import { kvLimitedConcurrency } from '../engine/capacity';
import { fmtInt } from '../engine/units';
import type { Diagnostic } from '../formats/types';
import type { Assumption, ConcurrencyReport, Verdict } from '../presenters/reportTypes';

/**
 * Error codes that mean vLLM refuses to start (or cannot place its workers): a deployment with one of these does not
 * start even when the memory arithmetic alone would fit (vLLM's ModelConfig/ParallelConfig checks run first).
 */
export const REFUSES_TO_START = new Set([
  'heads-not-divisible',
  'gpu-count-mismatch',
  'gpus-exceed-node',
  'weights-exceed-memory',
  'no-kv-memory',
  'max-model-len-too-long',
  'context-beyond-model',
  'dtype-unsupported',
  'quantization-mismatch',
  'sampler-warmup-oom',
  'host-ram-exceeds-limit',
  'cuda-visible-devices-too-few',
  'empty-flag-value',
  'flag-removed',
  'ambiguous-flag',
  'flag-missing-value',
]);

/** Codes that explain why a deployment was not sized (in the order they are worth telling). */
const NOT_SIZED_CODES = ['unknown-model', 'model-config-invalid', 'unknown-gpu', 'no-gpu', 'invalid-value'];

// Each is computed once per analysis object (analyses are immutable per document version).
const verdicts = new WeakMap<DeploymentAnalysis, Verdict>();
const assumptions = new WeakMap<DeploymentAnalysis, Assumption[]>();
const concurrencies = new WeakMap<DeploymentAnalysis, ConcurrencyReport | null>();

function once<T>(m: WeakMap<DeploymentAnalysis, T>, a: DeploymentAnalysis, f: (a: DeploymentAnalysis) => T): T {
  if (m.has(a)) return m.get(a) as T;
  const v = f(a);
  m.set(a, v);
  return v;
}

/** The verdict; read it only once the deployment's diagnostics are complete (after the rules ran). */
export function verdictOf(a: DeploymentAnalysis): Verdict {
  return once(verdicts, a, computeVerdict);
}

export function assumptionsOf(a: DeploymentAnalysis): Assumption[] {
  return once(assumptions, a, computeAssumptions);
}

export function concurrencyOf(a: DeploymentAnalysis): ConcurrencyReport | null {
  return once(concurrencies, a, computeConcurrency);
}

/**
 * One information diagnostic per sized deployment when it assumed the hardware it is sized for: a GPU the file does
 * not name (the default setting, or inferred from an instance type) or a compute figure the catalog lacks. Those change
 * every number; the vLLM version, workload and price assumptions are listed in the report's assumptions box and the
 * hint's tooltip instead of in Problems (nearly every config file leaves them to defaults).
 */
export function assumptionDiagnostic(a: DeploymentAnalysis): Diagnostic | null {
  if (!a.sizing) return null;
  const list = assumptionsOf(a).filter((x) => !x.stated && (x.what === 'gpu' || x.what === 'compute'));
  if (!list.length) return null;
  const d = a.deployment;
  const range = d.ranges.name ?? d.ranges.model ?? d.ranges.document;
  if (!range) return null;
  return {
    code: 'assumption',
    severity: 'info',
    message: `Sized with assumptions: ${list.map((x) => `${x.label} ${x.value} (${x.how})`).join('; ')}.`,
    range,
    data: { assumed: list.map((x) => x.what) },
  };
}

/** The error diagnostic that stops vLLM from starting, when there is one. */
export function startupFailure(diags: readonly Diagnostic[]): Diagnostic | undefined {
  return diags.find((x) => x.severity === 'error' && REFUSES_TO_START.has(x.code));
}

function firstSentence(s: string): string {
  const m = /^(.*?[.!?])(\s|$)/.exec(s);
  return (m ? m[1] : s).trim();
}

function computeVerdict(a: DeploymentAnalysis): Verdict {
  const s = a.sizing;
  if (!s) {
    const why = NOT_SIZED_CODES.map((c) => a.diagnostics.find((x) => x.code === c)).find((x) => x);
    const d = a.deployment;
    const reason = why
      ? firstSentence(why.message)
      : !d.model
        ? `No model is named in a form llm-sizer can read${d.notes.length ? ` (${d.notes[0]})` : ''}.`
        : !d.gpu
          ? 'No GPU is named and the llmSizer.defaultGpu setting is null.'
          : 'The deployment could not be sized.';
    return { kind: 'not-sized', label: 'not sized', reason, code: why?.code ?? null, hypothetical: false };
  }
  const fail = startupFailure(a.diagnostics);
  if (fail || !s.startup.ok) {
    const reason = fail ? firstSentence(fail.message) : (s.startup.error ?? 'vLLM stops at startup.');
    return { kind: 'fails', label: 'does not start', reason, code: fail?.code ?? s.startup.errorKind, hypothetical: !!a.performance };
  }
  // Replicas change no sizing figure, only Little's Law's verdict (which stays silent when they are unknown).
  const assumed = assumptionsOf(a).filter((x) => !x.stated && x.what !== 'price' && x.what !== 'replicas');
  if (assumed.length) return { kind: 'assumed', label: 'starts (assumptions)', reason: null, code: null, hypothetical: false };
  return { kind: 'starts', label: 'starts', reason: null, code: null, hypothetical: false };
}

function computeAssumptions(a: DeploymentAnalysis): Assumption[] {
  const d = a.deployment;
  const out: Assumption[] = [];
  if (a.gpu || d.gpu) {
    const name = a.gpu?.id ?? d.gpu ?? '';
    out.push(
      d.gpuOrigin === 'stated'
        ? { what: 'gpu', label: 'GPU', stated: true, value: name, how: 'named in the file' }
        : d.gpuOrigin === 'default'
          ? {
              what: 'gpu',
              label: 'GPU',
              stated: false,
              value: name,
              how: 'the file names no GPU: the llmSizer.defaultGpu setting; name the GPU (hardware.gpu, a nodeSelector or a resource) to change it',
            }
          : { what: 'gpu', label: 'GPU', stated: false, value: name, how: 'inferred from the instance type or node labels; name it (hardware.gpu) to be sure' },
    );
  }
  const sv = a.sizing?.serving;
  if (sv && sv.engine === 'vllm') {
    const statedVersion = d.serving.engineVersion !== null && d.serving.engineVersion !== undefined;
    const fromSetting = !statedVersion && a.serving?.engineVersion;
    out.push({
      what: 'engine_version',
      label: 'vLLM version',
      stated: statedVersion,
      value: sv.engineVersion,
      how: statedVersion
        ? d.ranges['serving.engine_version']
          ? 'stated in the file (engine_version or the image tag)'
          : 'stated in the file'
        : fromSetting
          ? 'the llmSizer.defaultEngineVersion setting; set serving.engine_version or pin the image tag to change it'
          : 'the newest version llm-sizer models; set serving.engine_version, pin the image tag, or set llmSizer.defaultEngineVersion',
    });
  }
  if (a.sizing) {
    const w = d.workload;
    const stated = Object.keys(d.ranges).some((k) => k === 'workload' || k.startsWith('workload.'));
    out.push({
      what: 'workload',
      label: 'Workload',
      stated,
      value: `${fmtInt(w.inputTokens)} input + ${fmtInt(w.outputTokens)} output tokens${w.requestsPerSecond ? ` at ${w.requestsPerSecond} requests/s` : w.concurrency ? `, ${fmtInt(w.concurrency)} in flight` : ', no arrival rate'}`,
      how: stated
        ? 'stated in the file'
        : d.workloadAssumed
          ? 'the llmSizer.defaultWorkload setting (CLI --workload); a native plan states its own in workload:'
          : "llm-sizer's default request shape: set llmSizer.defaultWorkload (CLI --workload), or a workload: block in a native plan",
    });
    // The instances Little's Law counts: stated (replicas x data parallel), an autoscaler's range, or unknown.
    const c = a.performance?.capacity;
    if (c && (!c.replicas_deployed_known || c.replicas_deployed_max !== c.replicas_deployed))
      out.push({
        what: 'replicas',
        label: 'Replicas',
        stated: c.replicas_deployed_known,
        value: c.replicas_deployed_text,
        how: c.replicas_deployed_known
          ? "the autoscaler's bounds in the file: Little's Law flags an overload only past the maximum"
          : "not known from the file: Little's Law gives the replicas needed and claims no overload; state the count literally",
      });
  }
  if (a.gpu && a.performance) {
    const price = a.gpuHourUsd;
    const value = price > 0 ? `$${price.toFixed(2)} per GPU-hour` : 'unknown: costs are not computed';
    if (d.gpuHourUsd !== null && d.gpuHourUsd > 0) out.push({ what: 'price', label: 'GPU price', stated: true, value, how: 'cost.gpu_hour_usd in the file' });
    else if (price > 0 && price === a.gpu.priceUsdPerHour)
      out.push({
        what: 'price',
        label: 'GPU price',
        stated: false,
        value,
        how: `the catalog's list price for ${a.gpu.id}; set cost.gpu_hour_usd or llmSizer.gpuPrices for yours`,
      });
    else if (price > 0)
      out.push({ what: 'price', label: 'GPU price', stated: false, value, how: 'the llmSizer.gpuPrices setting; cost.gpu_hour_usd in the file overrides it' });
    else
      out.push({
        what: 'price',
        label: 'GPU price',
        stated: false,
        value,
        how: `no price is known for ${a.gpu.id}: set cost.gpu_hour_usd or llmSizer.gpuPrices`,
      });
    const note = a.performance.performance.compute_dtype_note;
    if (/lists no dense/.test(note))
      out.push({ what: 'compute', label: 'GPU compute', stated: false, value: `${a.performance.performance.compute_dtype} peak`, how: note });
  }
  return out;
}

function computeConcurrency(a: DeploymentAnalysis): ConcurrencyReport | null {
  const s = a.sizing;
  const m = a.model?.arch;
  if (!s || !m) return null;
  const w = a.deployment.workload;
  const mml = s.serving.maxModelLen;
  const tokens = Math.min(mml, Math.max(1, Math.round(w.inputTokens + w.outputTokens)));
  const raw = kvLimitedConcurrency(m, s, tokens);
  // No attention KV at all (pure linear attention): the KV cache does not limit concurrency, max_num_seqs does.
  const atWorkload = Number.isFinite(raw) ? Math.floor(raw) : s.serving.maxNumSeqs;
  return {
    at_max_model_len: s.kv.maxConcurrency,
    max_model_len: mml,
    at_workload: atWorkload,
    workload_tokens: tokens,
    running: Math.max(0, Math.min(s.serving.maxNumSeqs, atWorkload)),
  };
}

/** The short form every surface shows: "✓ starts", "✗ does not start: ...", "– not sized: ...". */
export function verdictText(v: Verdict): string {
  const icon = v.kind === 'fails' ? '✗' : v.kind === 'not-sized' ? '–' : '✓';
  return `${icon} ${v.label}${v.reason ? `: ${v.reason}` : ''}`;
}
