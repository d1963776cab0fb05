// llm-sizer command line: the same pipeline as the language server.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeText } from './analysis';
import type { AnalysisOptions, FileAnalysis } from './analysis';
import { builtinCatalog, gpuSpecOf } from './catalog/index';
import { calibrationYaml, parseVllmLog } from './calibration/logParser';
import { fmtGiB, fmtInt, fmtParams } from './engine/units';
import { sizeMemory, defaultServing } from './engine/memory';
import { paramCounts } from './engine/params';
import { kvLayers } from './engine/kvcache';
import { localConfigReader } from './localModel';
import { DEFAULT_SETTINGS } from './protocol';
import { diagnosticText, reportJson, reportText } from './report';
import { sarifLog } from './sarif';

const USAGE = `usage: llm-sizer <command> [options]

commands:
  report FILE [--json]                 sizing report of every deployment in FILE
  check FILES... [--format text|json|sarif]
                                       diagnostics, as the editor shows them (exit 1 on errors)
  compare FILE [--json]                the same workload on every catalog GPU, ranked by $/Mtok
  calibrate LOGFILE [--plan FILE] [--json]
                                       measured vs predicted from a vLLM startup log; prints a calibration: block
  models [--json]                      built-in models
  gpus [--json]                        built-in GPUs

options:
  --gpu NAME                           GPU for files that name none
  --engine-version V                   vLLM version for files that name none
  -h, --help                           this help`;

export class UsageError extends Error {}

function readInput(file: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new UsageError(`cannot read ${file}: no such file`);
  }
  if (st.isDirectory()) throw new UsageError(`cannot read ${file}: it is a directory`);
  // A FIFO, socket or device would block or stream forever: only regular files are read.
  if (!st.isFile()) throw new UsageError(`cannot read ${file}: not a regular file`);
  if (st.size > 50 * 1024 * 1024) throw new UsageError(`cannot read ${file}: larger than 50 MB`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
}

function optionsFor(file: string, v: Record<string, unknown>): AnalysisOptions {
  return {
    catalog: builtinCatalog(),
    // The same default GPU the language server uses when its client sends no setting.
    defaultGpu: (v.gpu as string | undefined) ?? DEFAULT_SETTINGS.defaultGpu,
    defaultEngineVersion: (v['engine-version'] as string | undefined) ?? null,
    readLocalConfig: localConfigReader({ baseDir: path.dirname(path.resolve(file)) }),
  };
}

function hasErrors(f: FileAnalysis): boolean {
  return f.diagnostics.some((d) => d.severity === 'error');
}

export function run(argv: string[], out: (s: string) => void): number {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    out(USAGE + '\n');
    return cmd ? 0 : 2;
  }
  const { values: v, positionals: pos } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      format: { type: 'string' },
      gpu: { type: 'string' },
      'engine-version': { type: 'string' },
      plan: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) {
    out(USAGE + '\n');
    return 0;
  }
  switch (cmd) {
    case 'report': {
      if (pos.length !== 1) throw new UsageError('report takes one FILE');
      const file = pos[0];
      const f = analyzeText(readInput(file), optionsFor(file, v));
      out(v.json ? JSON.stringify(reportJson(file, f), null, 2) + '\n' : reportText(file, f));
      return hasErrors(f) ? 1 : 0;
    }
    case 'check': {
      if (!pos.length) throw new UsageError('check takes at least one FILE');
      const format = (v.format as string | undefined) ?? 'text';
      if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`unknown --format ${format} (text, json or sarif)`);
      const results = pos.map((file) => ({ file, f: analyzeText(readInput(file), optionsFor(file, v)) }));
      if (format === 'json') out(JSON.stringify(results.map((r) => ({ file: r.file, diagnostics: reportJson(r.file, r.f).diagnostics })), null, 2) + '\n');
      else if (format === 'sarif') out(JSON.stringify(sarifLog(results), null, 2) + '\n');
      else {
        let n = 0;
        for (const r of results) for (const d of r.f.diagnostics) {
          out(diagnosticText(r.file, d) + '\n');
          n++;
        }
        out(`${n} problem${n === 1 ? '' : 's'} in ${results.length} file${results.length === 1 ? '' : 's'}\n`);
      }
      return results.some((r) => hasErrors(r.f)) ? 1 : 0;
    }
    case 'models': {
      const cat = builtinCatalog();
      const rows = cat.modelEntries().map((e) => {
        let r;
        try {
          r = cat.resolveModel(e.id)!;
        } catch (err) {
          // Kept verbatim but not sizable by this engine yet (e.g. a nested text_config): listed, with the reason.
          return { id: e.id, params_total: null, params_active: null, kv_bytes_per_token: null, max_position_embeddings: null, quantization: null, source: e.source ?? null, unsupported: (err as Error).message };
        }
        const p = paramCounts(r.arch);
        const kv = kvLayers(r.arch, { tp: 1, elementBytes: 2, mlaLatent: true }).reduce((a, l) => a + l.bytesPerTokenUnsharded, 0);
        return { id: e.id, params_total: Math.round(p.total), params_active: Math.round(p.active), kv_bytes_per_token: kv, max_position_embeddings: r.arch.maxPosition, quantization: r.arch.quant?.label ?? null, source: e.source ?? null };
      });
      if (v.json) out(JSON.stringify(rows, null, 2) + '\n');
      else {
        out(`${'model'.padEnd(56)} ${'params'.padStart(9)} ${'active'.padStart(9)} ${'KV B/token'.padStart(11)} ${'context'.padStart(8)}  quant\n`);
        for (const r of rows) {
          if (r.params_total === null) out(`${r.id.padEnd(56)} not sized: ${r.unsupported}\n`);
          else out(`${r.id.padEnd(56)} ${fmtParams(r.params_total).padStart(9)} ${fmtParams(r.params_active!).padStart(9)} ${fmtInt(r.kv_bytes_per_token!).padStart(11)} ${fmtInt(r.max_position_embeddings!).padStart(8)}  ${r.quantization ?? ''}\n`);
        }
      }
      return 0;
    }
    case 'gpus': {
      const rows = builtinCatalog().gpuEntries().map((e) => {
        const g = gpuSpecOf(e);
        return { id: g.id, name: g.name, memory_bytes: g.memoryBytes, memory_bandwidth_bytes_per_s: g.memoryBandwidth, bf16_flops: g.flopsDense.bf16 ?? null, fp8_flops: g.flopsDense.fp8 ?? null, interconnect: g.interconnect.kind, usd_per_hour: g.priceUsdPerHour };
      });
      if (v.json) out(JSON.stringify(rows, null, 2) + '\n');
      else {
        out(`${'gpu'.padEnd(16)} ${'name'.padEnd(40)} ${'memory'.padStart(10)} ${'TB/s'.padStart(6)} ${'bf16 TF'.padStart(8)} ${'fp8 TF'.padStart(8)}  link      $/h\n`);
        for (const r of rows) out(`${r.id.padEnd(16)} ${r.name.slice(0, 40).padEnd(40)} ${fmtGiB(r.memory_bytes).padStart(10)} ${(r.memory_bandwidth_bytes_per_s / 1e12).toFixed(2).padStart(6)} ${(r.bf16_flops ? (r.bf16_flops / 1e12).toFixed(0) : '-').padStart(8)} ${(r.fp8_flops ? (r.fp8_flops / 1e12).toFixed(0) : '-').padStart(8)}  ${r.interconnect.padEnd(8)} ${r.usd_per_hour.toFixed(2)}\n`);
      }
      return 0;
    }
    case 'calibrate': {
      if (pos.length !== 1) throw new UsageError('calibrate takes one LOGFILE');
      const log = parseVllmLog(readInput(pos[0]));
      let predicted: Record<string, number | null> | null = null;
      if (v.plan) {
        const f = analyzeText(readInput(v.plan as string), optionsFor(v.plan as string, v));
        const s = f.deployments[0]?.sizing;
        if (s) predicted = { total: s.memory.totalBytes / 2 ** 30, weights: s.memory.weightsBytes / 2 ** 30, activation: s.memory.activationPeakBytes / 2 ** 30, non_torch: s.memory.nonTorchBytes / 2 ** 30, cudagraph: s.memory.cudagraphBytes / 2 ** 30, kv: s.memory.kvCacheBytes / 2 ** 30, tokens: s.kv.capacityTokens, concurrency: s.kv.maxConcurrency };
      } else if (log.model) {
        const cat = builtinCatalog();
        const r = cat.resolveModel(log.model);
        const gpu = v.gpu ? cat.resolveGpu(v.gpu as string) : undefined;
        if (r && gpu) {
          const s = sizeMemory(r.arch, gpu, { ...defaultServing(), tp: log.tp ?? 1, maxModelLen: log.maxModelLen, gpuMemoryUtilization: log.gpuMemoryUtilization, engineVersion: log.version });
          predicted = { total: s.memory.totalBytes / 2 ** 30, weights: s.memory.weightsBytes / 2 ** 30, activation: s.memory.activationPeakBytes / 2 ** 30, non_torch: s.memory.nonTorchBytes / 2 ** 30, cudagraph: s.memory.cudagraphBytes / 2 ** 30, kv: s.memory.kvCacheBytes / 2 ** 30, tokens: s.kv.capacityTokens, concurrency: s.kv.maxConcurrency };
        }
      }
      const measured: Record<string, number | null> = { total: log.totalMemoryGiB, weights: log.weightsGiB, activation: log.activationPeakGiB, non_torch: log.nonTorchGiB, cudagraph: log.cudagraphGiB, kv: log.availableKvGiB, tokens: log.kvTokens, concurrency: log.maxConcurrency };
      if (v.json) {
        out(JSON.stringify({ log, measured, predicted, calibration: calibrationYaml(log) }, null, 2) + '\n');
        return 0;
      }
      const f = (x: number | null | undefined, k: string) => (x === null || x === undefined ? '-' : k === 'tokens' ? fmtInt(x) : k === 'concurrency' ? `${x.toFixed(2)}x` : `${x.toFixed(2)} GiB`);
      out(`vLLM log: ${pos[0]}${log.version ? ` (vLLM ${log.version})` : ''}${log.model ? `, model ${log.model}` : ''}\n`);
      out(`${'term'.padEnd(14)} ${'measured'.padStart(14)} ${'predicted'.padStart(14)}\n`);
      for (const k of Object.keys(measured)) out(`${k.padEnd(14)} ${f(measured[k], k).padStart(14)} ${f(predicted?.[k], k).padStart(14)}\n`);
      if (log.error) out(`startup error in log: ${log.error}\n`);
      if (!predicted) out('(no prediction: pass --plan FILE, or --gpu NAME for a log that names a catalog model)\n');
      out('\n' + calibrationYaml(log) + '\n');
      return 0;
    }
    case 'compare': {
      if (pos.length !== 1) throw new UsageError('compare takes one FILE');
      const file = pos[0];
      const { compareText } = require('./compareCli') as typeof import('./compareCli');
      return compareText(file, readInput(file), optionsFor(file, v), !!v.json, out);
    }
    default:
      throw new UsageError(`unknown command "${cmd}"`);
  }
}

if (require.main === module) {
  // `llm-sizer ... | head` closes the pipe early: stop quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  let code: number;
  try {
    code = run(process.argv.slice(2), (s) => process.stdout.write(s));
  } catch (e) {
    const msg = e instanceof UsageError ? e.message : e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? e.message : `internal error: ${(e as Error).message}`;
    process.stderr.write(`llm-sizer: ${msg.split('\n')[0]}\n`);
    code = 2;
  }
  process.exitCode = code;
}
