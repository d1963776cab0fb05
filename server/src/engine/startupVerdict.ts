// The deployment's startup verdict: every refusal in the order vLLM meets them (config checks, weight loading, the KV
// budget, the sampler warm-up), the first one deciding. The checks themselves live in engine/startup.ts. Pure.
import type { KvLayer, LayoutOptions } from './kvcache';
import type { BudgetFit } from './kvBudget';
import type { KvSizing } from './kvSizing';
import type { ModelArch } from './model';
import { CUDA_CONTEXT_BYTES, CUDA_CONTEXT_MIN_BYTES, SAMPLER_PROFILE_BYTES_PER_LOGIT } from './overheads';
import type { ResolvedServing, ServingInput } from './servingResolve';
import type { StartupFinding, StartupResult } from './startup';
import { headsFinding, quantizationFinding, startupCheck } from './startup';
import type { VllmBehaviour } from './vllmVersion';

export interface StartupVerdictInput {
  m: ModelArch;
  s: ServingInput;
  serving: ResolvedServing;
  beh: VllmBehaviour;
  fit: BudgetFit;
  kv: KvSizing;
  /** The limiting GPU's KV layers. */
  kvLocal: KvLayer[];
  layoutOpts: LayoutOptions;
  /** Whether a calibration block (measured terms from the startup log) was given. */
  calibrationGiven: boolean;
}

export function startupVerdictOf(x: StartupVerdictInput): StartupResult {
  const { m, s, serving, beh, fit, kv } = x;
  const { exp, total, requested } = fit;
  const checked = startupCheck({
    engine: s.engine,
    beh,
    available: exp.b.available,
    weights: exp.ts.weights,
    total,
    requested,
    numBlocks: kv.numBlocks,
    capacityTokens: kv.capacityTokens,
    maxModelLen: serving.maxModelLen,
    layout: kv.layout,
    layers: x.kvLocal,
    layoutOpts: x.layoutOpts,
  });
  // TGI without MAX_TOTAL_TOKENS takes min(max_allocatable, max_position_embeddings) (text-generation-inference
  // docs/source/reference/launcher.md): it shortens the length to what the KV cache holds instead of refusing.
  const tgiShortens = s.launcher === 'tgi' && s.maxModelLen === null && checked.errorKind === 'max_model_len';
  const memStartup = tgiShortens ? { ...checked, ok: true, errorKind: null, error: null } : checked;
  // vLLM's refusals in the order it meets them: config checks, weight loading, the KV budget, then the warm-up.
  const findings: StartupFinding[] = [];
  const heads = headsFinding(m, s.tp);
  if (heads) findings.push(heads);
  if (s.engine !== 'trtllm' && s.launcher !== 'tgi') {
    const q = quantizationFinding(s.quantization, m);
    if (q) findings.push(q);
  }
  if (!memStartup.ok && memStartup.errorKind)
    findings.push({ kind: memStartup.errorKind, phase: memStartup.errorKind === 'weights_exceed_memory' ? 'load' : 'profile', error: memStartup.error ?? '' });
  const warmup = samplerWarmupOf(x, memStartup.ok);
  if (warmup.refused) findings.push(warmup.refused);
  const first = findings[0] ?? null;
  return first
    ? {
        ok: false,
        errorKind: first.kind,
        error: first.error,
        estimatedMaxModelLen: first.kind === memStartup.errorKind ? memStartup.estimatedMaxModelLen : null,
        findings,
      }
    : { ...memStartup, findings, ...(warmup.tight && !findings.length ? { samplerWarmupTight: true } : {}) };
}

/** The sampler warm-up after the KV cache: a refusal when even the favourable estimate fails, tight when only it fits. */
function samplerWarmupOf(x: StartupVerdictInput, memOk: boolean): { refused: StartupFinding | null; tight: boolean } {
  const { m, s, serving, beh, fit } = x;
  const { lo, hi, exp, total, requested, cgInBudget } = fit;
  const samplerReqs = Math.min(serving.maxNumSeqs, serving.maxNumBatchedTokens);
  // The warm-up runs the same dummy sampler as the profile (gpu_worker.compile_or_warm_up_model -> _dummy_sampler_run),
  // on the version's default top-k/top-p path: the sort's 30 B per logit (the 1.74 GiB sort scratch that failed in
  // vllm#15105 and in PR #26278's log) or FlashInfer's 14.
  const samplerBytes = samplerReqs * m.vocab * SAMPLER_PROFILE_BYTES_PER_LOGIT[beh.samplerPath ?? 'native'];
  // V1 (0.8.0+, vllm#15105) warms the sampler up after the KV cache and the CUDA graphs are allocated, with what the
  // budget leaves: total - requested - CUDA context - graphs captured outside the budget. A refusal is a fact only when
  // even the most favourable estimate fails: the smallest CUDA context (0.3 GiB, docs/VLLM-MEMORY.md section 2) and the
  // low band of the graphs. Inside that margin the outcome depends on what vLLM measures at startup: no finding.
  const warmupFree = total - requested - CUDA_CONTEXT_MIN_BYTES - (cgInBudget ? 0 : Math.min(lo.ts.cudagraph, hi.ts.cudagraph));
  // With the expected context and graphs the warm-up does not fit: a startup that may fail (an information line).
  const warmupFreeExpected = total - requested - CUDA_CONTEXT_BYTES - (cgInBudget ? 0 : exp.ts.cudagraph);
  // With measured terms (a calibration block from the startup log) the expected figures are the measured ones.
  const refusalFree = x.calibrationGiven ? warmupFreeExpected : warmupFree;
  const applies = s.engine === 'vllm' && s.launcher !== 'tgi' && beh.samplerWarmupAfterKv && memOk;
  const refused: StartupFinding | null =
    applies && samplerBytes > refusalFree
      ? {
          kind: 'sampler_warmup_oom',
          phase: 'warmup',
          error: `CUDA out of memory occurred when warming up sampler with ${samplerReqs} dummy requests. Please try lowering \`max_num_seqs\` or \`gpu_memory_utilization\` when initializing the engine.`,
        }
      : null;
  return { refused, tight: applies && samplerBytes <= refusalFree && samplerBytes > warmupFreeExpected };
}
