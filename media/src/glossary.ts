// Plain words for the terms the report uses: each shows as <abbr title="..."> (a tooltip on hover, read by screen
// readers) wherever it appears in a label.
import { h } from './dom';

export const GLOSSARY: Record<string, string> = {
  native: "llm-sizer's own plan format (apiVersion: llm-sizer/v1)",
  Mtok: 'million tokens',
  MFU: "model FLOPs utilization: the share of the GPU's peak FLOP/s spent on the model's math",
  'non-torch': 'GPU memory outside PyTorch: the CUDA context, NCCL buffers, cuBLAS workspace',
  knee: 'the batch size past which more requests at once add latency faster than throughput',
  ridge: 'the arithmetic intensity (FLOP per byte) where the GPU stops waiting on memory and becomes compute-bound',
  TTFT: 'time to first token: queueing plus prefill of the prompt',
  TPOT: 'time per output token: one decode step at the running batch',
  KV: 'the attention key/value cache vLLM keeps for every token of every running request',
  SLO: 'service-level objective: the TTFT/TPOT limits the file sets',
  tp: 'tensor parallelism: GPUs each layer is split across',
  pp: 'pipeline parallelism: GPUs the layers are divided among',
  dp: 'data parallelism: independent replicas of the model',
  ep: 'expert parallelism: GPUs the MoE experts are divided among',
};

/** The term with its explanation as a tooltip (plain text when the term is not in the glossary). */
export function term(word: string, shown = word): HTMLElement | string {
  const t = GLOSSARY[word];
  return t ? h('abbr', { title: t }, shown) : shown;
}
