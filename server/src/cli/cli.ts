// llm-sizer command line: the same pipeline as the language server.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeText } from '../analysis/analysis';
import type { AnalysisOptions, FileAnalysis } from '../analysis/analysis';
import { gpuSpecOf } from '../catalog/index';
import { cliCatalogFor } from '../node/catalogRoots';
import { parseVllmLog } from '../calibration/logParser';
import type { MemorySizing } from '../engine/memory';
import { calibrationComparison, calibrationTarget } from '../calibration/comparison';
import { fmtGiB, fmtInt, fmtParams } from '../engine/units';
import { sizeMemory, defaultServing } from '../engine/memory';
import { paramCounts } from '../engine/params';
import { kvLayers } from '../engine/kvcache';
import { localConfigReader } from '../node/localModel';
import { DEFAULT_SETTINGS, assumedWorkloadOf } from '../analysis/settings';
import type { AssumedWorkload } from '../analysis/settings';
import { diagnosticText, reportJson, reportText } from '../presenters/report';
import { sarifLog } from '../presenters/sarif';
import { NOT_CHECKED } from '../yaml/textChecks';
import { firstNonFinite } from '../presenters/finiteGuard';
import { parseVersion } from '../engine/vllmVersion';

const USAGE = `usage: llm-sizer <command> [options]

commands:
  report FILE [--json]                 sizing report of every deployment in FILE
  check FILES... [--format text|json|sarif]
                                       diagnostics, as the editor shows them (exit 1 on errors
                                       or when part of a file could not be checked)
  compare FILE [--json]                the same workload on every catalog GPU, ranked by $/Mtok
  calibrate LOGFILE [--plan FILE] [--json]
                                       measured vs predicted from a vLLM startup log; prints a calibration: block
  models [--json]                      built-in models
  gpus [--json]                        built-in GPUs

options:
  --gpu NAME                           GPU for files that name none
  --engine-version V                   vLLM version for files that name none
  --workload K=V,...                   workload assumed for files that state none (keys of a plan's
                                       workload: requests_per_second, concurrency, input_tokens,
                                       output_tokens, prefix_cache_hit_rate), e.g.
                                       --workload requests_per_second=5,input_tokens=2000,output_tokens=300
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
    catalog: cliCatalogFor(file, process.cwd(), DEFAULT_SETTINGS.catalogFolders),
    // The same default GPU the language server uses when its client sends no setting.
    defaultGpu: (v.gpu as string | undefined) ?? DEFAULT_SETTINGS.defaultGpu,
    defaultEngineVersion: (v['engine-version'] as string | undefined) ?? null,
    defaultWorkload: workloadOption(v.workload as string | undefined),
    readLocalConfig: localConfigReader({ baseDir: path.dirname(path.resolve(file)) }),
  };
}

/** --workload K=V,...: the llmSizer.defaultWorkload setting from the command line; a bad value is a usage error. */
function workloadOption(text: string | undefined): AssumedWorkload | null {
  if (text === undefined) return null;
  const raw: Record<string, number> = {};
  const errors: string[] = [];
  for (const part of text.split(',').filter((x) => x.trim())) {
    const m = /^\s*([a-z_]+)\s*=\s*(\S+)\s*$/.exec(part);
    if (!m) errors.push(`${JSON.stringify(part.slice(0, 64))} is not KEY=VALUE`);
    else raw[m[1]] = Number(m[2]);
  }
  const w = assumedWorkloadOf(raw, errors);
  if (errors.length || !w) throw new UsageError(`--workload: ${errors.join('; ') || 'no workload key given'}`);
  return w;
}

/** Exit 1: an error, or part of the file not checked (too large, too deep, not UTF-8, out of budget). */
function hasErrors(f: FileAnalysis): boolean {
  return f.diagnostics.some((d) => d.severity === 'error' || NOT_CHECKED.has(d.code));
}

/** The report JSON, refused (internal error, exit 2) if it holds a number that is not finite: see finiteGuard.ts. */
function finiteReport(file: string, f: FileAnalysis): ReturnType<typeof reportJson> {
  const json = reportJson(file, f);
  const bad = firstNonFinite(json);
  if (bad) throw new Error(`a computed value is not finite (${bad}); please report this with the file`);
  return json;
}

/** Option values are checked before any file is read: a bad one is a usage error (exit 2), not a file's problem. */
function checkOptionValues(v: Record<string, unknown>): void {
  const gpu = v.gpu as string | undefined;
  if (gpu !== undefined) {
    // The current directory's catalog: a workspace GPU (.llm-sizer/gpus) is a valid --gpu too.
    const cat = cliCatalogFor(null, process.cwd(), DEFAULT_SETTINGS.catalogFolders);
    if (!cat.resolveGpu(gpu)) {
      const near = cat.closestGpus(gpu);
      throw new UsageError(
        `unknown --gpu ${JSON.stringify(gpu.slice(0, 64))}${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; \`llm-sizer gpus\` lists them`,
      );
    }
  }
  const ver = v['engine-version'] as string | undefined;
  if (ver !== undefined && !parseVersion(ver)) throw new UsageError(`--engine-version ${JSON.stringify(ver.slice(0, 64))} is not a vLLM version like 0.11.0`);
  workloadOption(v.workload as string | undefined);
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
      workload: { type: 'string' },
      plan: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) {
    out(USAGE + '\n');
    return 0;
  }
  checkOptionValues(v);
  switch (cmd) {
    case 'report': {
      if (pos.length !== 1) throw new UsageError('report takes one FILE');
      const file = pos[0];
      const f = analyzeText(readInput(file), optionsFor(file, v));
      const json = finiteReport(file, f);
      out(v.json ? JSON.stringify(json, null, 2) + '\n' : reportText(file, f));
      return hasErrors(f) ? 1 : 0;
    }
    case 'check': {
      if (!pos.length) throw new UsageError('check takes at least one FILE');
      const format = (v.format as string | undefined) ?? 'text';
      if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`unknown --format ${format} (text, json or sarif)`);
      const results = pos.map((file) => ({ file, f: analyzeText(readInput(file), optionsFor(file, v)) }));
      for (const r of results) finiteReport(r.file, r.f);
      if (format === 'json')
        out(
          JSON.stringify(
            results.map((r) => ({ file: r.file, diagnostics: reportJson(r.file, r.f).diagnostics })),
            null,
            2,
          ) + '\n',
        );
      else if (format === 'sarif') out(JSON.stringify(sarifLog(results), null, 2) + '\n');
      else {
        let n = 0;
        for (const r of results)
          for (const d of r.f.diagnostics) {
            out(diagnosticText(r.file, d) + '\n');
            n++;
          }
        out(`${n} problem${n === 1 ? '' : 's'} in ${results.length} file${results.length === 1 ? '' : 's'}\n`);
      }
      return results.some((r) => hasErrors(r.f)) ? 1 : 0;
    }
    case 'models': {
      const cat = cliCatalogFor(null, process.cwd(), DEFAULT_SETTINGS.catalogFolders);
      const rows = cat.modelEntries().map((e) => {
        let r;
        try {
          r = cat.resolveModel(e.id)!;
        } catch (err) {
          // Kept verbatim but not sizable by this engine yet (e.g. a nested text_config): listed, with the reason.
          return {
            id: e.id,
            params_total: null,
            params_active: null,
            kv_bytes_per_token: null,
            max_position_embeddings: null,
            quantization: null,
            source: e.source ?? null,
            unsupported: (err as Error).message,
          };
        }
        const p = paramCounts(r.arch);
        const kv = kvLayers(r.arch, { tp: 1, elementBytes: 2, mlaLatent: true }).reduce((a, l) => a + l.bytesPerTokenUnsharded, 0);
        return {
          id: e.id,
          params_total: Math.round(p.total),
          params_active: Math.round(p.active),
          kv_bytes_per_token: kv,
          max_position_embeddings: r.arch.maxPosition,
          quantization: r.arch.quant?.label ?? null,
          source: e.source ?? null,
        };
      });
      if (v.json) out(JSON.stringify(rows, null, 2) + '\n');
      else {
        out(`${'model'.padEnd(56)} ${'params'.padStart(9)} ${'active'.padStart(9)} ${'KV B/token'.padStart(11)} ${'context'.padStart(8)}  quant\n`);
        for (const r of rows) {
          if (r.params_total === null) out(`${r.id.padEnd(56)} not sized: ${r.unsupported}\n`);
          else
            out(
              `${r.id.padEnd(56)} ${fmtParams(r.params_total).padStart(9)} ${fmtParams(r.params_active!).padStart(9)} ${fmtInt(r.kv_bytes_per_token!).padStart(11)} ${fmtInt(r.max_position_embeddings!).padStart(8)}  ${r.quantization ?? ''}\n`,
            );
        }
      }
      return 0;
    }
    case 'gpus': {
      const rows = cliCatalogFor(null, process.cwd(), DEFAULT_SETTINGS.catalogFolders)
        .gpuEntries()
        .map((e) => {
          const g = gpuSpecOf(e);
          return {
            id: g.id,
            name: g.name,
            memory_bytes: g.memoryBytes,
            memory_bandwidth_bytes_per_s: g.memoryBandwidth,
            bf16_flops: g.flopsDense.bf16 ?? null,
            fp8_flops: g.flopsDense.fp8 ?? null,
            interconnect: g.interconnect.kind,
            usd_per_hour: g.priceUsdPerHour,
          };
        });
      if (v.json) out(JSON.stringify(rows, null, 2) + '\n');
      else {
        out(
          `${'gpu'.padEnd(16)} ${'name'.padEnd(40)} ${'memory'.padStart(10)} ${'TB/s'.padStart(6)} ${'bf16 TF'.padStart(8)} ${'fp8 TF'.padStart(8)}  link      $/h\n`,
        );
        for (const r of rows)
          out(
            `${r.id.padEnd(16)} ${r.name.slice(0, 40).padEnd(40)} ${fmtGiB(r.memory_bytes).padStart(10)} ${(r.memory_bandwidth_bytes_per_s / 1e12).toFixed(2).padStart(6)} ${(r.bf16_flops ? (r.bf16_flops / 1e12).toFixed(0) : '-').padStart(8)} ${(r.fp8_flops ? (r.fp8_flops / 1e12).toFixed(0) : '-').padStart(8)}  ${r.interconnect.padEnd(8)} ${r.usd_per_hour.toFixed(2)}\n`,
          );
      }
      return 0;
    }
    case 'calibrate': {
      if (pos.length !== 1) throw new UsageError('calibrate takes one LOGFILE');
      const log = parseVllmLog(readInput(pos[0]));
      let sizing: MemorySizing | null = null;
      if (v.plan) sizing = calibrationTarget(analyzeText(readInput(v.plan as string), optionsFor(v.plan as string, v)));
      else if (log.model) {
        const cat = cliCatalogFor(null, process.cwd(), DEFAULT_SETTINGS.catalogFolders);
        const r = cat.resolveModel(log.model);
        const gpu = v.gpu ? cat.resolveGpu(v.gpu as string) : undefined;
        if (r && gpu)
          sizing = sizeMemory(r.arch, gpu, {
            ...defaultServing(),
            tp: log.tp ?? 1,
            maxModelLen: log.maxModelLen,
            gpuMemoryUtilization: log.gpuMemoryUtilization,
            engineVersion: log.version,
          });
      }
      const cmp = calibrationComparison(log, sizing);
      const { measured, predicted } = cmp;
      if (v.json) {
        out(JSON.stringify(cmp, null, 2) + '\n');
        return 0;
      }
      const f = (x: number | null | undefined, k: string) =>
        x === null || x === undefined ? '-' : k === 'tokens' ? fmtInt(x) : k === 'concurrency' ? `${x.toFixed(2)}x` : `${x.toFixed(2)} GiB`;
      out(`vLLM log: ${pos[0]}${log.version ? ` (vLLM ${log.version})` : ''}${log.model ? `, model ${log.model}` : ''}\n`);
      out(`${'term'.padEnd(14)} ${'measured'.padStart(14)} ${'predicted'.padStart(14)}\n`);
      for (const k of Object.keys(measured) as Array<keyof typeof measured>)
        out(`${k.padEnd(14)} ${f(measured[k], k).padStart(14)} ${f(predicted?.[k], k).padStart(14)}\n`);
      if (log.error) out(`startup error in log: ${log.error}\n`);
      if (!predicted) out('(no prediction: pass --plan FILE, or --gpu NAME for a log that names a catalog model)\n');
      out('\n' + cmp.calibration + '\n');
      return 0;
    }
    case 'compare': {
      if (pos.length !== 1) throw new UsageError('compare takes one FILE');
      const file = pos[0];
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily: check and report never need the comparison
      const { compareText } = require('../presenters/compareReport') as typeof import('../presenters/compareReport');
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
    const msg =
      e instanceof UsageError
        ? e.message
        : e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
          ? e.message
          : `internal error: ${(e as Error).message}`;
    process.stderr.write(`llm-sizer: ${msg.split('\n')[0]}\n`);
    code = 2;
  }
  process.exitCode = code;
}
