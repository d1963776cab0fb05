// Rules on the checkpoint against the engine and the GPU: a context longer than the model's, dtypes the GPU cannot
// run, a --quantization the checkpoint does not carry.
import type { GpuSpec } from '../engine/hardware';
import { fmtInt } from '../engine/units';
import { CODES } from './codes';
import type { Rule, SizedDeployment } from './rule';

/** Context beyond what the model was trained for (vLLM _get_and_verify_max_len). */
export const contextBeyondModel: Rule<SizedDeployment> = {
  code: CODES.contextBeyondModel,
  check: ({ m, sv, r }) =>
    sv.maxModelLen > m.maxPosition
      ? {
          code: CODES.contextBeyondModel,
          severity: 'error',
          message: `max_model_len ${fmtInt(sv.maxModelLen)} is greater than the model's max_position_embeddings ${fmtInt(m.maxPosition)}${m.ropeScaled ? '' : ' and it has no rope scaling'}; vLLM refuses it unless VLLM_ALLOW_LONG_MAX_MODEL_LEN=1.`,
          range: r('serving.max_model_len', 'model'),
          data: { suggested: m.maxPosition },
        }
      : null,
};

// Dtypes the GPU cannot run (vLLM _check_if_gpu_supports_dtype; fp8 kernels need compute capability 8.9+). Only
// for an NVIDIA GPU whose compute capability the catalog knows.

/** The NVIDIA compute capability as a number (8.9), or null for another vendor or an unknown one. */
function nvidiaCc(gpu: GpuSpec): number | null {
  if (gpu.vendor !== 'nvidia') return null;
  return gpu.computeCapability ? Number(gpu.computeCapability) : null;
}

/** A stated bfloat16 on a GPU older than compute capability 8.0. */
export const bf16Unsupported: Rule<SizedDeployment> = {
  code: CODES.dtypeUnsupported,
  check: ({ d, gpu, sv, r }) => {
    const cc = nvidiaCc(gpu);
    if (cc === null || !(sv.dtype === 'bfloat16' && cc < 8 && (d.serving.dtype === 'bfloat16' || d.serving.dtype === 'bf16'))) return null;
    return {
      code: CODES.dtypeUnsupported,
      severity: 'error',
      message: `Bfloat16 is only supported on GPUs with compute capability of at least 8.0; ${gpu.name} has ${gpu.computeCapability}. Use dtype: float16.`,
      range: r('serving.dtype'),
      data: { suggested: 'float16' },
    };
  },
};

/** An FP8 checkpoint on a GPU older than compute capability 8.0. */
export const fp8CheckpointUnsupported: Rule<SizedDeployment> = {
  code: CODES.dtypeUnsupported,
  check: ({ gpu, m, r }) => {
    const cc = nvidiaCc(gpu);
    if (cc === null || !(m.quant && (m.quant.method === 'fp8' || m.quant.method === 'fbgemm_fp8') && cc < 8)) return null;
    return {
      code: CODES.dtypeUnsupported,
      severity: 'error',
      message: `${m.quant.label} checkpoints need compute capability 8.0 or newer (8.9+ for native FP8); ${gpu.name} has ${gpu.computeCapability}.`,
      range: r('model'),
    };
  },
};

/** An fp8 KV cache on a GPU older than compute capability 8.0. */
export const fp8KvUnsupported: Rule<SizedDeployment> = {
  code: CODES.dtypeUnsupported,
  check: ({ gpu, sv, r }) => {
    const cc = nvidiaCc(gpu);
    if (cc === null || !(/^fp8/.test(sv.kvCacheDtype) && cc < 8)) return null;
    return {
      code: CODES.dtypeUnsupported,
      severity: 'error',
      message: `An fp8 KV cache needs compute capability 8.0 or newer; ${gpu.name} has ${gpu.computeCapability}.`,
      range: r('serving.kv_cache_dtype'),
      data: { suggested: 'auto' },
    };
  },
};

/** A --quantization the checkpoint does not carry (vLLM ModelConfig._verify_quantization / get_quant_config). */
export const quantizationMismatch: Rule<SizedDeployment> = {
  code: CODES.quantizationMismatch,
  check: ({ st, m, r }) => {
    const qm = st.findings.find((f) => f.kind === 'quantization_mismatch');
    if (!qm) return null;
    return {
      code: CODES.quantizationMismatch,
      severity: 'error',
      message: `vLLM refuses to start: "${qm.error}"${m.quant ? ` The checkpoint is ${m.quant.label}; leave quantization unset and vLLM reads it from the checkpoint.` : ' The checkpoint is not quantized with this method: use a pre-quantized checkpoint or an online method (fp8, bitsandbytes).'}`,
      range: r('serving.quantization', 'model'),
    };
  },
};
