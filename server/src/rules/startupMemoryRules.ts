// Rules on the engine's memory refusals at startup: weights that do not fit, no room for the KV cache, a
// max_model_len one request cannot hold, and the sampler warm-up that follows the KV cache.
import { SAMPLER_PROFILE_BYTES_PER_LOGIT } from '../engine/memory';
import { fmtGiB, fmtInt, GiB } from '../engine/units';
import { CODES } from './codes';
import type { Rule, SizedDeployment } from './rule';
import { refuses } from './rule';
import { validTpSizes } from './parallelismRules';

/**
 * The memory refusal vLLM meets first, which is the one it reports (it stops there): weights that do not fit, then no
 * KV cache, then a max_model_len the cache cannot hold.
 */
function firstMemoryRefusal({ st, mem }: SizedDeployment): 'weights' | 'no_kv_memory' | 'max_model_len' | null {
  if (st.errorKind === 'weights_exceed_memory' || (!st.ok && mem.weightsBytes > mem.requestedBytes)) return 'weights';
  if (refuses(st, 'no_kv_memory')) return 'no_kv_memory';
  if (refuses(st, 'max_model_len')) return 'max_model_len';
  return null;
}

export const weightsExceedMemory: Rule<SizedDeployment> = {
  code: CODES.weightsExceedMemory,
  applies: (x) => firstMemoryRefusal(x) === 'weights',
  check: ({ m, sv, mem, r }) => {
    const perGpuNeeded = mem.weightsBytes * sv.tp;
    const minTp = [1, 2, 4, 8, 16, 32, 64].find(
      (t) => perGpuNeeded / t + 2 * GiB < mem.totalBytes * sv.gpuMemoryUtilization && validTpSizes(m.heads, m.kvHeads, 64).includes(t),
    );
    return {
      code: CODES.weightsExceedMemory,
      severity: 'error',
      message: `Weights need ${fmtGiB(mem.weightsBytes)} per GPU but ${sv.engine === 'sglang' ? "SGLang's static memory (mem_fraction_static" : "vLLM's budget (gpu_memory_utilization"} ${+sv.gpuMemoryUtilization.toFixed(3)} x ${fmtGiB(mem.totalBytes)}) is ${fmtGiB(mem.requestedBytes)}: the model does not fit. ${minTp ? `Use tensor_parallel_size ${minTp} or more` : 'Use more GPUs'}${m.quant ? '' : ', or an FP8/AWQ checkpoint'}.`,
      range: r('model'),
      data: minTp ? { suggestedTp: minTp } : {},
    };
  },
};

export const noKvMemory: Rule<SizedDeployment> = {
  code: CODES.noKvMemory,
  applies: (x) => firstMemoryRefusal(x) === 'no_kv_memory',
  check: ({ s, sv, st, mem, r }) => {
    const need =
      s.memory.weightsBytes +
      s.memory.activationPeakBytes +
      s.memory.nonTorchBytes +
      (s.memory.cudagraphInBudget ? s.memory.cudagraphBytes : 0) +
      s.kv.bytesPerRequest;
    const util = Math.min(0.95, Math.ceil((need / s.memory.totalBytes) * 100) / 100);
    return {
      code: CODES.noKvMemory,
      severity: 'error',
      message: `No memory left for the KV cache: ${fmtGiB(mem.requestedBytes)} budget - ${fmtGiB(mem.weightsBytes)} weights - ${fmtGiB(mem.activationPeakBytes)} activations - ${fmtGiB(mem.nonTorchBytes)} non-torch${mem.cudagraphInBudget ? ` - ${fmtGiB(mem.cudagraphBytes)} CUDA graphs` : ''} leaves nothing. vLLM stops with: "${st.error}"${util > sv.gpuMemoryUtilization && util <= 0.95 ? ` gpu_memory_utilization ${util} would fit one request.` : ' Use more GPUs or a smaller/quantized model.'}`,
      range: r('serving.gpu_memory_utilization', 'hardware.gpu', 'model'),
      data: util > sv.gpuMemoryUtilization && util <= 0.95 ? { suggestedUtilization: util } : {},
    };
  },
};

export const maxModelLenTooLong: Rule<SizedDeployment> = {
  code: CODES.maxModelLenTooLong,
  applies: (x) => firstMemoryRefusal(x) === 'max_model_len',
  check: ({ s, sv, st, mem, r }) => {
    const est = st.estimatedMaxModelLen ?? 0;
    const suggested = est >= sv.blockSize ? Math.floor(est / sv.blockSize) * sv.blockSize : est;
    // An error only when the length is more than 5% beyond the expected KV cache: config-only KV estimates were within
    // 2.2% of vLLM's logs on docs/ACCURACY.md's cases, so a shortfall inside 5% is information (vLLM may start).
    const mayFit = sv.maxModelLen <= s.kv.capacityTokens * 1.05;
    return {
      code: CODES.maxModelLenTooLong,
      severity: mayFit ? 'info' : 'error',
      message: mayFit
        ? `Tight: one request of max_model_len ${fmtInt(sv.maxModelLen)} tokens is within 5% of the expected KV cache (${fmtInt(s.kv.capacityTokens)} tokens on ${fmtGiB(mem.kvCacheBytes)}), inside the estimate's error: whether vLLM starts depends on the overheads it measures at startup.${suggested > 0 ? ` max_model_len ${suggested} fits with the expected overheads.` : ''}`
        : `One request of max_model_len ${fmtInt(sv.maxModelLen)} tokens does not fit in the KV cache (${fmtInt(s.kv.capacityTokens)} tokens on ${fmtGiB(mem.kvCacheBytes)}). vLLM stops with: "${st.error}"${suggested > 0 ? ` The largest max_model_len that fits is ${suggested}.` : ''}`,
      range: r('serving.max_model_len', 'model'),
      data: { suggested, estimated: est },
    };
  },
};

// V1 warms the sampler up after the KV cache and CUDA graphs are allocated, outside gpu_memory_utilization.

export const samplerWarmupOom: Rule<SizedDeployment> = {
  code: CODES.samplerWarmupOom,
  check: ({ s, m, sv, st, mem, r }) => {
    const warm = st.findings.find((f) => f.kind === 'sampler_warmup_oom');
    if (!warm) return null;
    return {
      code: CODES.samplerWarmupOom,
      severity: 'error',
      message: `The KV cache fits, but the sampler warm-up that follows needs about ${fmtGiB(Math.min(sv.maxNumSeqs, sv.maxNumBatchedTokens) * m.vocab * SAMPLER_PROFILE_BYTES_PER_LOGIT[s.behaviour?.samplerPath ?? 'native'])} (${Math.min(sv.maxNumSeqs, sv.maxNumBatchedTokens)} requests x ${fmtInt(m.vocab)} vocab x ${SAMPLER_PROFILE_BYTES_PER_LOGIT[s.behaviour?.samplerPath ?? 'native']} bytes on this version's ${s.behaviour?.samplerPath === 'flashinfer' ? 'FlashInfer path' : 'torch.sort path'}) beyond the ${fmtGiB(mem.requestedBytes)} budget. vLLM stops with: "${warm.error}"`,
      range: r('serving.gpu_memory_utilization', 'serving.max_num_seqs', 'model'),
    };
  },
};

export const samplerWarmupTight: Rule<SizedDeployment> = {
  code: CODES.samplerWarmupOom,
  applies: ({ st }) => st.samplerWarmupTight === true,
  check: ({ s, m, sv, mem, r }) => {
    const reqs = Math.min(sv.maxNumSeqs, sv.maxNumBatchedTokens);
    return {
      code: CODES.samplerWarmupOom,
      severity: 'info',
      message: `Tight: the sampler warm-up after the KV cache is allocated needs about ${fmtGiB(reqs * m.vocab * SAMPLER_PROFILE_BYTES_PER_LOGIT[s.behaviour?.samplerPath ?? 'native'])} (${reqs} requests x ${fmtInt(m.vocab)} vocab x ${SAMPLER_PROFILE_BYTES_PER_LOGIT[s.behaviour?.samplerPath ?? 'native']} bytes on this version's ${s.behaviour?.samplerPath === 'flashinfer' ? 'FlashInfer path' : 'torch.sort path'}), more than the expected ${fmtGiB(mem.totalBytes - mem.requestedBytes)} outside the budget leaves after the CUDA context${mem.cudagraphInBudget ? '' : ' and graphs'}, but within the estimate's range: whether vLLM starts depends on what it measures. A lower gpu_memory_utilization or max_num_seqs makes it certain.`,
      range: r('serving.gpu_memory_utilization', 'serving.max_num_seqs', 'model'),
    };
  },
};
