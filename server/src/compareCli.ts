// `llm-sizer compare FILE`: the first deployment's workload on every catalog GPU, ranked by $/Mtok among those
// meeting the SLO (engine II compareHardware).
import type { AnalysisOptions } from './analysis';
import { analyzeText } from './analysis';
import { builtinCatalog } from './catalog/index';
import { defaultServing, sizeMemory } from './engine/memory';
import { compareHardware } from './engine/performance';
import { finiteJson } from './report';

export function compareRows(text: string, o: AnalysisOptions) {
  const f = analyzeText(text, { ...o, memoryOnly: true });
  const a = f.deployments.find((x) => x.model && x.sizing);
  if (!a || !a.model) return null;
  const cat = o.catalog ?? builtinCatalog();
  const gpus = cat.gpuEntries().map((e) => cat.resolveGpu(e.id)!).filter(Boolean);
  const serving = { ...defaultServing(), ...a.deployment.serving };
  const rows = compareHardware(a.model.arch, gpus, serving, a.deployment.workload, a.deployment.slo, (gpu, s) => sizeMemory(a.model!.arch, gpu, s, {}));
  return { deployment: a.deployment.name, model: a.model.id, rows };
}

export function compareText(file: string, text: string, o: AnalysisOptions, json: boolean, out: (s: string) => void): number {
  const r = compareRows(text, o);
  if (!r) {
    out(`${file}: no deployment with a known model to compare\n`);
    return 1;
  }
  if (json) {
    out(JSON.stringify(finiteJson({ file, ...r }), null, 2) + '\n');
    return 0;
  }
  out(`hardware comparison for ${r.deployment} (${r.model}), ranked by $ per million output tokens among configurations meeting the SLO\n`);
  out(`${'gpu'.padEnd(16)} ${'tp'.padStart(3)} ${'gpus'.padStart(5)} ${'fits'.padEnd(5)} ${'slo'.padEnd(4)} ${'TPOT ms'.padStart(8)} ${'tok/s'.padStart(9)} ${'$/Mtok'.padStart(9)}  why\n`);
  for (const x of r.rows as unknown as Array<Record<string, unknown>>) {
    const n = (v: unknown, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '-');
    out(`${String(x.gpu).padEnd(16)} ${String(x.tp).padStart(3)} ${String(x.gpus).padStart(5)} ${(x.fits ? 'yes' : 'no').padEnd(5)} ${(x.meets_slo ? 'yes' : 'no').padEnd(4)} ${n(x.tpot_ms).padStart(8)} ${n(x.throughput_tokens_per_s, 0).padStart(9)} ${n(x.usd_per_million_output_tokens, 3).padStart(9)}  ${x.why ?? ''}\n`);
  }
  return 0;
}
