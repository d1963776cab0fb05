// Derives server/src/engine/operatorTables.json from NVIDIA aiconfigurator's measured operator database
// (Apache-2.0, https://github.com/ai-dynamo/aiconfigurator, aic-core/src/aiconfigurator_core/systems/data/<gpu>/<op>/
// <backend>/<version>/*.parquet). For each GPU our catalog knows, each table becomes a measured UTILISATION on a
// coarse grid: roofline time at our catalog's datasheet peaks (server/src/catalog/gpus.json) divided by the measured
// latency. Only numbers are taken from the database; nothing of its code.
//
//   npx tsx scripts/derive-operator-tables.ts <aiconfigurator checkout or bare git dir> [out.json]
//
// Column meanings (from the database's collectors and loaders): latency in ms; gemm m x n x k; generation attention
// attends isl + step cached tokens; context attention is full causal attention over isl tokens; num_heads and
// num_key_value_heads are per GPU; nccl and custom all-reduce message_size counts elements (nccl-tests bytes /
// bytes per element; half and bfloat16 = 2 bytes); moe inter_size is the expert's intermediate size.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

type Row = Record<string, string | number>;

const DATA = 'aic-core/src/aiconfigurator_core/systems/data';
const REPO = 'https://github.com/ai-dynamo/aiconfigurator';

/** Database GPU folder -> catalog id (server/src/catalog/gpus.json). Folders whose GPU the catalog lacks are skipped. */
const GPU_DIRS: Record<string, string> = {
  h100_sxm: 'H100-SXM',
  h200_sxm: 'H200-SXM',
  b200_sxm: 'B200',
  gb200: 'GB200',
  a100_sxm: 'A100-SXM4-80GB',
  l40s: 'L40S',
};

/** Newest first: the first version with a real table (not a reuse.yaml pointer) is used. */
const VLLM_VERSIONS = ['0.24.0', '0.22.0', '0.20.0', '0.19.0', '0.18.0', '0.14.0', '0.12.0'];
const NCCL_VERSIONS = ['2.29.2', '2.28.9', '2.27.5', '2.27.3', '2.27', '2.26.2', '2.23'];

// Coarse log-spaced grids. A table keeps the grid points the database measured (values not measured drop out).
const GEMM_M = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768];
const GEMM_NK = [256, 512, 1024, 2048, 4096, 8192, 16384, 65536];
const DECODE_BATCH = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
const DECODE_CTX = [2, 8, 32, 128, 512, 2048, 8192, 32768, 131072];
const PREFILL_LEN = [16, 64, 256, 1024, 2048, 4096, 8192, 16384];
const PREFILL_BATCH = [1, 4, 16, 64, 256];
const KV_HEADS = [1, 2, 4, 8];
/** Attention tables: grouped-query ratio 8 (Llama-3 70B/405B, gpt-oss: 64 query / 8 kv heads), head_dim 128, no window. */
const GQA = 8;
const HEAD_DIM = 128;
const MOE_TOKENS = [1, 4, 16, 64, 256, 1024, 4096, 16384];
const COMM_BYTES = [1024, 8192, 65536, 524288, 4194304, 33554432, 268435456];

/** Bytes a GEMM operand of each database dtype occupies (weights; activations are 16-bit unless the dtype is W8A8/W4A4). */
interface DtypeInfo {
  key: string;
  weightBytes: number;
  actBytes: number;
  peak: 'bf16' | 'fp8' | 'fp4';
}
// nvfp4: 4-bit values + one fp8 scale per 16; mxfp4: 4-bit + one e8m0 scale per 32 (OCP MX spec); fp8_block: 128x128
// weight scale blocks (negligible bytes). Weight-only 4-bit formats run 16-bit tensor-core math after dequantisation.
const DTYPES: Record<string, DtypeInfo> = {
  bfloat16: { key: 'bf16', weightBytes: 2, actBytes: 2, peak: 'bf16' },
  fp8: { key: 'fp8', weightBytes: 1, actBytes: 1, peak: 'fp8' },
  fp8_block: { key: 'fp8_block', weightBytes: 1, actBytes: 1, peak: 'fp8' },
  nvfp4: { key: 'nvfp4', weightBytes: 0.5 + 1 / 16, actBytes: 0.5 + 1 / 16, peak: 'fp4' },
  w4a16_mxfp4: { key: 'mxfp4_w4a16', weightBytes: 0.5 + 1 / 32, actBytes: 2, peak: 'bf16' },
  w4a8_mxfp4_mxfp8: { key: 'mxfp4_w4a8', weightBytes: 0.5 + 1 / 32, actBytes: 1 + 1 / 32, peak: 'fp8' },
  int4_wo: { key: 'int4_wo', weightBytes: 0.5, actBytes: 2, peak: 'bf16' },
};

interface Peaks {
  bandwidth: number;
  bf16: number | null;
  fp8: number | null;
  fp4: number | null;
  /** Per direction, bytes/s: the catalog's bidirectional NVLink (or PCIe) figure halved, as engine/roofline.ts linkOf does. */
  linkPerDirection: number;
  linkKind: string;
}

function peaksOf(catalogId: string): Peaks {
  const gpus = JSON.parse(readFileSync(join(__dirname, '..', 'server', 'src', 'catalog', 'gpus.json'), 'utf8')).gpus as any[];
  const g = gpus.find((x) => x.id === catalogId);
  if (!g) throw new Error(`catalog has no GPU ${catalogId}`);
  const nv = g.interconnect?.kind === 'nvlink' && g.interconnect.bandwidth_bytes_per_s > 0;
  const link = nv ? g.interconnect.bandwidth_bytes_per_s : g.interconnect?.pcie_bandwidth_bytes_per_s || 64e9;
  return {
    bandwidth: g.memory_bandwidth_bytes_per_s,
    bf16: g.flops_dense.bf16 ?? null,
    fp8: g.flops_dense.fp8 ?? null,
    fp4: g.flops_dense.fp4 ?? null,
    linkPerDirection: link / 2,
    linkKind: nv ? 'nvlink' : 'pcie',
  };
}

class Snapshot {
  readonly bare: boolean;
  readonly commit: string;
  constructor(readonly dir: string) {
    if (!existsSync(dir)) throw new Error(`${dir}: no such directory`);
    this.bare = !existsSync(join(dir, DATA));
    const gitArgs = this.bare ? ['--git-dir', dir] : ['-C', dir];
    try {
      this.commit = execFileSync('git', [...gitArgs, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      throw new Error(`${dir}: neither an aiconfigurator checkout (no ${DATA}) nor a git directory`);
    }
  }
  has(path: string): boolean {
    if (!this.bare) return existsSync(join(this.dir, path));
    try {
      execFileSync('git', ['--git-dir', this.dir, 'cat-file', '-e', `HEAD:${path}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }
  read(path: string): Buffer {
    if (!this.bare) return readFileSync(join(this.dir, path));
    return execFileSync('git', ['--git-dir', this.dir, 'show', `HEAD:${path}`], { maxBuffer: 1 << 28 });
  }
}

async function rowsOf(snap: Snapshot, path: string): Promise<Row[]> {
  const b = snap.read(path);
  if (b.subarray(0, 4).toString() !== 'PAR1') throw new Error(`${path} is not Parquet (Git LFS pointer or absent?)`);
  const ab = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  const rows = (await parquetReadObjects({ file: ab, compressors })) as Record<string, unknown>[];
  return rows.map((r) => {
    const o: Row = {};
    for (const [k, v] of Object.entries(r)) o[k] = typeof v === 'bigint' ? Number(v) : (v as string | number);
    return o;
  });
}

function findTable(snap: Snapshot, gpuDir: string, op: string, backend: string, versions: string[], file: string): { path: string; version: string } | null {
  for (const v of versions) {
    const path = `${DATA}/${gpuDir}/${op}/${backend}/${v}/${file}`;
    if (snap.has(path)) return { path, version: v };
  }
  return null;
}

/** Three significant digits: the tables' own spread between neighbouring shapes is larger than that. */
function round3(x: number): number {
  return Number(x.toPrecision(3));
}

interface Clamp {
  cells: number;
  aboveRoofline: number;
}

/** Utilisation = roofline time / measured time, capped at 1 (a measurement faster than the datasheet roofline is counted). */
function util(rooflineS: number, latencyMs: number, c: Clamp): number | null {
  if (!(latencyMs > 0) || !(rooflineS > 0)) return null;
  c.cells++;
  const u = rooflineS / (latencyMs / 1000);
  if (u > 1) {
    c.aboveRoofline++;
    return 1;
  }
  return round3(u);
}

function present(grid: number[], values: Set<number>): number[] {
  return grid.filter((v) => values.has(v));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Fastest row per key: where the database measured several kernels for one shape, vLLM's pick is taken as the fastest. */
function fastest(rows: Row[], key: (r: Row) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) {
    const k = key(r);
    const lat = Number(r.latency);
    if (!(lat > 0)) continue;
    const old = m.get(k);
    if (old === undefined || lat < old) m.set(k, lat);
  }
  return m;
}

async function gemmTables(snap: Snapshot, path: string, p: Peaks) {
  const rows = await rowsOf(snap, path);
  const out: Record<string, unknown> = {};
  for (const dtype of [...new Set(rows.map((r) => String(r.gemm_dtype)))].sort()) {
    const info = DTYPES[dtype];
    const peak = info ? p[info.peak] : null;
    if (!info || !peak) {
      console.error(`  gemm ${dtype}: skipped (${info ? `catalog lists no ${info.peak} peak` : 'dtype not mapped'})`);
      continue;
    }
    const sub = rows.filter((r) => r.gemm_dtype === dtype);
    const lat = fastest(sub, (r) => `${r.m},${r.n},${r.k}`);
    const m = present(GEMM_M, new Set(sub.map((r) => Number(r.m))));
    const n = present(GEMM_NK, new Set(sub.map((r) => Number(r.n))));
    const k = present(GEMM_NK, new Set(sub.map((r) => Number(r.k))));
    const c: Clamp = { cells: 0, aboveRoofline: 0 };
    const u: (number | null)[] = [];
    for (const mi of m)
      for (const ni of n)
        for (const ki of k) {
          const flops = 2 * mi * ni * ki;
          const bytes = mi * ki * info.actBytes + ki * ni * info.weightBytes + mi * ni * 2;
          const t = Math.max(flops / peak, bytes / p.bandwidth);
          const l = lat.get(`${mi},${ni},${ki}`);
          u.push(l === undefined ? null : util(t, l, c));
        }
    out[info.key] = { axes: { m, n, k }, util: u, measuredCells: c.cells, cappedAtRoofline: c.aboveRoofline };
  }
  return out;
}

async function attentionTables(snap: Snapshot, genPath: string | null, ctxPath: string | null, p: Peaks) {
  const peak = p.bf16!;
  const decode: Record<string, unknown> = {};
  const prefill: Record<string, unknown> = {};
  const shape = (r: Row) => Number(r.head_dim) === HEAD_DIM && Number(r.window_size ?? 0) === 0 && Number(r.num_heads) === GQA * Number(r.num_key_value_heads);
  if (genPath) {
    const rows = (await rowsOf(snap, genPath)).filter(shape);
    for (const kvd of ['bfloat16', 'fp8']) {
      const sub = rows.filter((r) => r.kv_cache_dtype === kvd);
      if (sub.length === 0) continue;
      const kvBytes = kvd === 'fp8' ? 1 : 2;
      const lat = fastest(sub, (r) => `${r.batch_size},${Number(r.isl) + Number(r.step)},${r.num_key_value_heads}`);
      const batch = present(DECODE_BATCH, new Set(sub.map((r) => Number(r.batch_size))));
      const ctx = present(DECODE_CTX, new Set(sub.map((r) => Number(r.isl) + Number(r.step))));
      const kvh = present(KV_HEADS, new Set(sub.map((r) => Number(r.num_key_value_heads))));
      const c: Clamp = { cells: 0, aboveRoofline: 0 };
      const u: (number | null)[] = [];
      for (const b of batch)
        for (const s of ctx)
          for (const kv of kvh) {
            const n = GQA * kv;
            // One new query token per sequence: QK^T and PV over s cached tokens; reads the cache once, q and out in bf16.
            const flops = 4 * b * s * n * HEAD_DIM;
            const bytes = b * s * 2 * kv * HEAD_DIM * kvBytes + 2 * b * n * HEAD_DIM * 2;
            const l = lat.get(`${b},${s},${kv}`);
            u.push(l === undefined ? null : util(Math.max(flops / peak, bytes / p.bandwidth), l, c));
          }
      decode[kvd === 'fp8' ? 'fp8' : 'bf16'] = {
        axes: { batch, context: ctx, kvHeads: kvh },
        util: u,
        measuredCells: c.cells,
        cappedAtRoofline: c.aboveRoofline,
      };
    }
  }
  if (ctxPath) {
    const rows = (await rowsOf(snap, ctxPath)).filter((r) => shape(r) && r.kv_cache_dtype === 'bfloat16');
    const lat = fastest(rows, (r) => `${r.batch_size},${r.isl},${r.num_key_value_heads}`);
    const batch = present(PREFILL_BATCH, new Set(rows.map((r) => Number(r.batch_size))));
    const len = present(PREFILL_LEN, new Set(rows.map((r) => Number(r.isl))));
    const kvh = present(KV_HEADS, new Set(rows.map((r) => Number(r.num_key_value_heads))));
    const c: Clamp = { cells: 0, aboveRoofline: 0 };
    const u: (number | null)[] = [];
    for (const b of batch)
      for (const s of len)
        for (const kv of kvh) {
          const n = GQA * kv;
          // Causal: half of the s x s scores, two matmuls; reads q, writes out and the new KV (all bf16).
          const flops = 2 * b * s * s * n * HEAD_DIM;
          const bytes = b * (2 * (2 * n * s * HEAD_DIM) + 2 * 2 * kv * s * HEAD_DIM);
          const l = lat.get(`${b},${s},${kv}`);
          u.push(l === undefined ? null : util(Math.max(flops / peak, bytes / p.bandwidth), l, c));
        }
    if (len.length) prefill.bf16 = { axes: { batch, length: len, kvHeads: kvh }, util: u, measuredCells: c.cells, cappedAtRoofline: c.aboveRoofline };
  }
  return { decode, prefill };
}

async function moeTables(snap: Snapshot, path: string, p: Peaks) {
  // Single-GPU rows only (moe_tp_size = moe_ep_size = 1, balanced routing): the whole grouped GEMM on one GPU.
  const rows = (await rowsOf(snap, path)).filter((r) => Number(r.moe_tp_size) === 1 && Number(r.moe_ep_size) === 1 && r.distribution === 'balanced');
  const out: Record<string, unknown> = {};
  for (const dtype of [...new Set(rows.map((r) => String(r.moe_dtype)))].sort()) {
    const info = DTYPES[dtype];
    const peak = info ? p[info.peak] : null;
    if (!info || !peak) {
      console.error(`  moe ${dtype}: skipped (${info ? `catalog lists no ${info.peak} peak` : 'dtype not mapped'})`);
      continue;
    }
    const sub = rows.filter((r) => r.moe_dtype === dtype);
    // Utilisation per measured row, then the median over the models' hidden/intermediate sizes sharing (experts, top-k, tokens).
    const lat = fastest(sub, (r) => `${r.num_experts},${r.topk},${r.num_tokens},${r.hidden_size},${r.inter_size}`);
    const byShape = new Map<string, number[]>();
    const c: Clamp = { cells: 0, aboveRoofline: 0 };
    for (const [key, l] of lat) {
      const [E, k, T, h, i] = key.split(',').map(Number);
      if (!MOE_TOKENS.includes(T)) continue;
      // gate+up (h -> 2i) and down (i -> h) per routed token; weights of the experts the batch touches (uniform routing).
      const flops = 2 * T * k * 3 * h * i;
      const touched = E * (1 - Math.pow(1 - Math.min(1, k / E), T));
      const bytes = touched * 3 * h * i * info.weightBytes + T * h * (info.actBytes + 2) + T * k * (h + 2 * i) * 2;
      const u = util(Math.max(flops / peak, bytes / p.bandwidth), l, c);
      if (u === null) continue;
      const s = `${E},${k}`;
      if (!byShape.has(s)) byShape.set(s, []);
      (byShape.get(s) as number[]).push(T, u);
    }
    const curves = [...byShape.entries()]
      .map(([s, flat]) => {
        const [experts, topk] = s.split(',').map(Number);
        const tokens = present(MOE_TOKENS, new Set(flat.filter((_, j) => j % 2 === 0)));
        const u = tokens.map((T) => round3(median(flat.filter((_, j) => j % 2 === 1 && flat[j - 1] === T))));
        return { experts, topk, tokens, util: u };
      })
      .filter((cv) => cv.tokens.length >= 2)
      .sort((a, b) => a.experts - b.experts || a.topk - b.topk);
    if (curves.length) out[info.key] = { curves, measuredRows: c.cells, cappedAtRoofline: c.aboveRoofline };
  }
  return out;
}

/** Collective roofline: ring all-reduce moves 2(n-1)/n of the message each way, all-to-all (n-1)/n (engine/roofline.ts). */
function commTable(rows: Row[], op: string, elemBytes: number, p: Peaks) {
  const sub = rows.filter((r) => r.op_name === op);
  if (sub.length === 0) return null;
  const lat = fastest(sub, (r) => `${Number(r.message_size) * elemBytes},${r.num_gpus}`);
  const bytes = present(COMM_BYTES, new Set(sub.map((r) => Number(r.message_size) * elemBytes)));
  const gpus = [...new Set(sub.map((r) => Number(r.num_gpus)))].sort((a, b) => a - b);
  const c: Clamp = { cells: 0, aboveRoofline: 0 };
  const u: (number | null)[] = [];
  for (const b of bytes)
    for (const n of gpus) {
      const factor = op === 'all_reduce' ? (2 * (n - 1)) / n : (n - 1) / n;
      const l = lat.get(`${b},${n}`);
      u.push(l === undefined ? null : util((factor * b) / p.linkPerDirection, l, c));
    }
  return { axes: { bytes, gpus }, util: u, measuredCells: c.cells, cappedAtRoofline: c.aboveRoofline };
}

async function main(): Promise<void> {
  const [snapDir, outArg] = process.argv.slice(2);
  if (!snapDir) {
    console.error('usage: tsx scripts/derive-operator-tables.ts <aiconfigurator checkout or bare git dir> [out.json]');
    process.exit(2);
  }
  const snap = new Snapshot(snapDir);
  const out = outArg ?? join(__dirname, '..', 'server', 'src', 'engine', 'operatorTables.json');
  const gpus: Record<string, unknown> = {};
  const paths: string[] = [];
  for (const [dir, id] of Object.entries(GPU_DIRS)) {
    console.error(`${dir} -> ${id}`);
    const p = peaksOf(id);
    const gemm = findTable(snap, dir, 'gemm', 'vllm', VLLM_VERSIONS, 'gemm_perf.parquet');
    const gen = findTable(snap, dir, 'attention', 'vllm', VLLM_VERSIONS, 'generation_attention_perf.parquet');
    const ctx = findTable(snap, dir, 'attention', 'vllm', VLLM_VERSIONS, 'context_attention_perf.parquet');
    const moe = findTable(snap, dir, 'moe', 'vllm', VLLM_VERSIONS, 'moe_perf.parquet');
    const nccl = findTable(snap, dir, 'comm', 'nccl', NCCL_VERSIONS, 'nccl_perf.parquet');
    const car = findTable(snap, dir, 'comm', 'vllm', VLLM_VERSIONS, 'custom_allreduce_perf.parquet');
    const used = [gemm, gen, ctx, moe, nccl, car].filter((x): x is { path: string; version: string } => x !== null);
    paths.push(...used.map((x) => x.path));
    const entry: Record<string, unknown> = {
      sourceDir: dir,
      versions: {
        gemm: gemm?.version ?? null,
        attention: gen?.version ?? ctx?.version ?? null,
        moe: moe?.version ?? null,
        nccl: nccl?.version ?? null,
        customAllReduce: car?.version ?? null,
      },
      peaks: { bandwidthBytesPerS: p.bandwidth, bf16: p.bf16, fp8: p.fp8, fp4: p.fp4, linkPerDirectionBytesPerS: p.linkPerDirection, link: p.linkKind },
    };
    if (gemm) entry.gemm = await gemmTables(snap, gemm.path, p);
    const attn = await attentionTables(snap, gen?.path ?? null, ctx?.path ?? null, p);
    entry.decodeAttention = attn.decode;
    entry.prefillAttention = attn.prefill;
    if (moe) entry.moe = await moeTables(snap, moe.path, p);
    const comm: Record<string, unknown> = {};
    if (nccl) {
      const rows = await rowsOf(snap, nccl.path);
      const half = rows.filter((r) => r.nccl_dtype === 'half');
      comm.ncclAllReduce = commTable(half, 'all_reduce', 2, p);
      comm.ncclAllToAll = commTable(half, 'alltoall', 2, p);
    }
    if (car) {
      const rows = (await rowsOf(snap, car.path)).filter((r) => r.backend === 'vllm_graph' && r.allreduce_dtype === 'bfloat16');
      comm.vllmCustomAllReduce = commTable(rows, 'all_reduce', 2, p);
    }
    entry.comm = comm;
    gpus[id] = entry;
  }
  const json = {
    provenance: {
      repository: REPO,
      commit: snap.commit,
      license: 'Apache-2.0 (Copyright NVIDIA CORPORATION & AFFILIATES); derived numbers, see NOTICE',
      backend: 'vllm (operators), nccl-tests via aiconfigurator collector (nccl tables), vLLM custom all-reduce in CUDA-graph mode',
      paths,
      derivedBy: 'scripts/derive-operator-tables.ts',
      utilisation:
        'roofline time at the catalog datasheet peaks (server/src/catalog/gpus.json: dense FLOP/s of the dtype, memory bandwidth, link bytes/s per direction = half the bidirectional figure) / measured latency, capped at 1 (cappedAtRoofline counts cells measured faster than that roofline); 3 significant digits',
      grids:
        'gemm: m x n x k (util row-major, k fastest); decodeAttention: batch x context x kvHeads (context = isl + step cached tokens; 8 query heads per kv head, head_dim 128, no sliding window); prefillAttention: batch x length x kvHeads (batch independent prompts of `length` tokens, causal, bf16 KV, same heads); moe: per (experts, topk) a curve over tokens, single GPU (moe_tp = moe_ep = 1), balanced routing, median over the hidden/intermediate sizes measured; comm: bytes x gpus (all within one node: no multi-node rows exist in the database)',
      gpusWithoutTables:
        'b300_sxm, gb300, rtx_pro_6000_server, b60 (measured but absent from our catalog); every other catalog GPU keeps datasheet x efficiency',
    },
    gpus,
  };
  writeFileSync(out, JSON.stringify(json) + '\n');
  console.error(`wrote ${out}: ${JSON.stringify(json).length} bytes`);
}

main().catch((e) => {
  console.error(String(e instanceof Error ? e.message : e));
  process.exit(2);
});
