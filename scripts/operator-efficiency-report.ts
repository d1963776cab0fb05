// Measured operator utilisation (engine/operatorEfficiency.ts, from aiconfigurator's tables) beside the fixed
// efficiency the step model uses today (engine/roofline.ts: time = max(FLOPs / (peak x eta_c), bytes / (BW x eta_m)),
// collectives 8 us + ring bytes / link), for Llama-3.1-70B (bf16, tp 4) and gpt-oss-120b (MXFP4 experts, tp 1) decode
// and prefill at batch 1..256 on H100, H200 and B200. "util" = roofline time at datasheet peaks / expected time, so
// the two columns compare directly and t_table / t_today = util_today / util_table.
// Per layer, "today" includes the 5 us per-kernel floors the step model charges; "tables" does not (the measured
// latencies already contain each kernel's fixed cost).
//   node --import tsx scripts/operator-efficiency-report.ts
import { builtinCatalog } from '../server/src/catalog';
import type { GpuSpec } from '../server/src/engine/hardware';
import type { ModelArch } from '../server/src/engine/model';
import { modelFromConfig } from '../server/src/engine/model';
import type { GemmDtype, MoeDtype, OperatorUtilisation } from '../server/src/engine/operatorEfficiency';
import {
  commUtilisation,
  decodeAttentionUtilisation,
  fallbackNote,
  gemmUtilisation,
  moeUtilisation,
  prefillAttentionUtilisation,
} from '../server/src/engine/operatorEfficiency';
import { KERNEL_FLOOR_S, LOW_PRECISION_ETA_COMPUTE, allReduceTime, linkOf } from '../server/src/engine/roofline';

const cat = builtinCatalog();

function model(id: string): ModelArch {
  const e = cat.findModelEntry(id);
  if (!e) throw new Error(`model ${id} is not in the catalog`);
  return modelFromConfig(id, cat.mergedConfig(e));
}

interface Case {
  model: ModelArch;
  tp: number;
  /** Dense GEMM dtype and the matching datasheet peak; MoE dtype (weight-only MXFP4 runs bf16 math on Hopper and in vLLM's Marlin/Triton paths). */
  gemm: GemmDtype;
  moe: MoeDtype | null;
  weightBytes: number;
  note: string;
}

const CASES: Case[] = [
  { model: model('meta-llama/Llama-3.1-70B-Instruct'), tp: 4, gemm: 'bf16', moe: null, weightBytes: 2, note: 'bf16, tp 4' },
  {
    model: model('openai/gpt-oss-120b'),
    tp: 1,
    gemm: 'bf16',
    moe: 'mxfp4_w4a16',
    weightBytes: 2,
    note: 'bf16 attention/dense, MXFP4 experts (weight-only), tp 1',
  },
];
const GPUS = ['H100-SXM', 'H200-SXM', 'B200'];
const BATCHES = [1, 4, 16, 64, 256];
const CONTEXT = 2048; // decode: each sequence attends 2048 cached tokens (ISL 1k + OSL 1k at the end)
const PROMPT = 1024; // prefill: `batch` prompts of 1024 tokens in one step

interface Row {
  op: string;
  shape: string;
  flops: number;
  bytes: number;
  /** Collectives: ring time at the link rate (no fixed latency), and today's time. */
  commS?: number;
  todayS?: number;
  measured: OperatorUtilisation | null;
}

function fmt(x: number | null, d = 3): string {
  return x === null ? '   -  ' : x.toFixed(d).padStart(6);
}

function rowsFor(c: Case, gpu: GpuSpec, phase: 'decode' | 'prefill', B: number): Row[] {
  const m = c.model;
  const t = c.tp;
  const T = phase === 'decode' ? B : B * PROMPT;
  const h = m.hidden;
  const qkvN = ((m.heads + 2 * m.kvHeads) * m.headDim) / t;
  const oK = (m.heads * m.headDim) / t;
  const kvLocal = Math.max(1, m.kvHeads / t);
  // The attention tables were measured at head_dim 128: KV bytes per token match at kv x head_dim / 128 heads.
  const kvEq = (kvLocal * m.headDim) / 128;
  const gemm = (op: string, M: number, N: number, K: number): Row => ({
    op,
    shape: `${M}x${N}x${K}`,
    flops: 2 * M * N * K,
    bytes: (M * K + M * N) * 2 + K * N * c.weightBytes,
    measured: gemmUtilisation(gpu.id, c.gemm, M, N, K),
  });
  const rows: Row[] = [gemm('qkv_proj', T, qkvN, h), gemm('o_proj', T, h, oK)];
  if (m.moe && c.moe) {
    const E = m.moe.numExperts;
    const k = m.moe.expertsPerToken;
    const I = m.moe.expertIntermediate / t;
    const touched = E * (1 - Math.pow(1 - Math.min(1, k / E), T));
    rows.push({
      op: 'moe_experts',
      shape: `T${T} E${E} k${k}`,
      flops: 2 * T * k * 3 * h * I,
      bytes: touched * 3 * h * I * (0.5 + 1 / 32) + T * h * 4,
      measured: moeUtilisation(gpu.id, c.moe, T, E, k),
    });
  } else {
    rows.push(gemm('gate_up', T, (2 * m.intermediate) / t, h), gemm('down', T, h, m.intermediate / t));
  }
  const nq = kvEq * 8;
  if (phase === 'decode') {
    rows.push({
      op: 'attn_decode',
      shape: `B${B} C${CONTEXT} kv${kvEq}`,
      flops: 4 * B * CONTEXT * nq * 128,
      bytes: B * CONTEXT * 2 * kvEq * 128 * 2,
      measured: decodeAttentionUtilisation(gpu.id, 'bf16', B, CONTEXT, kvEq),
    });
  } else {
    rows.push({
      op: 'attn_prefill',
      shape: `${B}x L${PROMPT} kv${kvEq}`,
      flops: B * 2 * PROMPT * PROMPT * nq * 128,
      bytes: B * (2 * 2 * nq * PROMPT * 128 + 2 * 2 * kvEq * PROMPT * 128),
      measured: prefillAttentionUtilisation(gpu.id, B, PROMPT, kvEq),
    });
  }
  if (t > 1) {
    const msg = T * h * 2;
    const link = linkOf(gpu);
    const ring = (((2 * (t - 1)) / t) * msg) / link.perDirection;
    rows.push({
      op: 'allreduce',
      shape: `${msg} B x${t}`,
      flops: 0,
      bytes: msg,
      commS: ring,
      todayS: allReduceTime(msg, t, link),
      // vLLM's custom all-reduce serves small messages under CUDA graphs; NCCL the large ones.
      measured: commUtilisation(gpu.id, msg <= 8 * 2 ** 20 ? 'vllmCustomAllReduce' : 'ncclAllReduce', msg, t),
    });
  }
  return rows;
}

function main(): void {
  console.log('Measured operator utilisation (aiconfigurator tables) vs the fixed efficiency used today.');
  console.log('util = roofline time at datasheet peaks / expected time.  today = eta from roofline.ts; +floor adds the 5 us');
  console.log('per-kernel floor (roofline.ts KERNEL_FLOOR_S) the step model also charges; table = operatorEfficiency.ts;');
  console.log('ratio = t_table / t_today (>1: the tables predict the operator slower than today). * = clamped at the grid edge.');
  console.log('Per layer: today = sum of roofline.ts times + 5 us per operator; tables = sum of roofline / table util (no floor).\n');
  for (const id of GPUS) {
    const gpu = cat.resolveGpu(id);
    if (!gpu) throw new Error(`GPU ${id} missing from the catalog`);
    const note = fallbackNote(gpu.id);
    if (note) console.log(note);
    for (const c of CASES) {
      const peak16 = gpu.flopsDense.bf16 as number;
      const etaC = c.gemm === 'bf16' ? gpu.efficiency.compute : Math.min(gpu.efficiency.compute, LOW_PRECISION_ETA_COMPUTE);
      const etaM = gpu.efficiency.memory;
      for (const phase of ['decode', 'prefill'] as const) {
        console.log(`== ${gpu.id}  ${c.model.id} (${c.note})  ${phase}`);
        console.log('batch op            shape                  bound    today  +floor  table   ratio');
        for (const B of BATCHES) {
          let sumToday = 0;
          let sumTable = 0;
          let complete = true;
          for (const r of rowsFor(c, gpu, phase, B)) {
            let raw: number;
            let today: number;
            let bound: string;
            if (r.commS !== undefined) {
              raw = r.commS;
              today = r.todayS as number;
              bound = 'comm';
            } else {
              const tc = r.flops / peak16;
              const tm = r.bytes / gpu.memoryBandwidth;
              raw = Math.max(tc, tm);
              bound = tc >= tm ? 'compute' : 'memory';
              today = Math.max(r.flops / (peak16 * etaC), r.bytes / (gpu.memoryBandwidth * etaM));
            }
            const uToday = raw / today;
            const uFloor = r.commS !== undefined ? uToday : raw / (today + KERNEL_FLOOR_S);
            const u = r.measured?.utilisation ?? null;
            sumToday += r.commS !== undefined ? today : today + KERNEL_FLOOR_S;
            if (u === null) complete = false;
            else sumTable += raw / u;
            const ratio = u === null ? null : uToday / u;
            console.log(
              `${String(B).padStart(5)} ${r.op.padEnd(13)} ${r.shape.padEnd(22)} ${bound.padEnd(8)} ${fmt(uToday)} ${fmt(uFloor)} ${fmt(u)}${r.measured?.clamped ? '*' : ' '} ${fmt(ratio, 2)}`,
            );
          }
          const layer = complete ? `${(sumTable / sumToday).toFixed(2)}` : 'n/a (an operator was not measured)';
          console.log(
            `${String(B).padStart(5)} per layer: today ${(sumToday * 1e6).toFixed(1)} us incl. floors, tables ${complete ? (sumTable * 1e6).toFixed(1) : '-'} us, ratio ${layer}`,
          );
        }
        console.log('');
      }
    }
  }
}

main();
