// `llm-sizer compare FILE`: the first deployment's workload on every catalog GPU, ranked by $/Mtok among those
// meeting the SLO (engine II compareHardware).
import type { AnalysisOptions } from '../analysis/analysis';
import { analyzeText } from '../analysis/analysis';
import { builtinCatalog } from '../catalog/index';
import { defaultServing, sizeMemory } from '../engine/memory';
import { compareHardware } from '../engine/compare';
import { finiteJson } from './report';
import type { GpuSpec } from '../engine/hardware';

/**
 * The comparison for one deployment of the file (`index` in the report's deployments; absent or not sized: the first
 * sized one). Prices: the file's own cost.gpu_hour_usd for its GPU, the llmSizer.gpuPrices setting, else the catalog.
 */
export function compareRows(text: string, o: AnalysisOptions, index?: number) {
  const f = analyzeText(text, { ...o, memoryOnly: true });
  const chosen = index !== undefined ? f.deployments[index] : undefined;
  const a = chosen && chosen.model && chosen.sizing ? chosen : f.deployments.find((x) => x.model && x.sizing);
  if (!a || !a.model || !a.sizing) return null;
  const cat = o.catalog ?? builtinCatalog();
  const own = a.deployment.gpuHourUsd !== null && a.deployment.gpuHourUsd > 0 ? a.deployment.gpuHourUsd : null;
  const priced = (g: GpuSpec): GpuSpec => {
    const p = g.id === a.gpu?.id && own !== null ? own : o.priceOverrides?.[g.id];
    return p !== undefined && p !== null ? { ...g, priceUsdPerHour: p } : g;
  };
  const gpus = cat
    .gpuEntries()
    .map((e) => cat.resolveGpu(e.id)!)
    .filter(Boolean)
    .map(priced);
  const serving = { ...defaultServing(), ...a.deployment.serving };
  const rows = compareHardware(a.model.arch, gpus, serving, a.deployment.workload, a.deployment.slo, (gpu, s) => sizeMemory(a.model!.arch, gpu, s, {}));
  const price = a.gpu ? priced(a.gpu).priceUsdPerHour : 0;
  return {
    deployment: a.deployment.name,
    index: f.deployments.indexOf(a),
    model: a.model.id,
    current: { gpu: a.gpu?.id ?? '', tp: a.sizing.serving.tp, usd_per_gpu_hour: price > 0 ? price : null },
    rows,
  };
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
  out(
    `${'gpu'.padEnd(16)} ${'tp'.padStart(3)} ${'gpus'.padStart(5)} ${'fits'.padEnd(5)} ${'slo'.padEnd(4)} ${'TPOT ms'.padStart(8)} ${'tok/s'.padStart(9)} ${'$/Mtok'.padStart(9)}  why\n`,
  );
  for (const x of r.rows as unknown as Array<Record<string, unknown>>) {
    const n = (v: unknown, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '-');
    out(
      `${String(x.gpu).padEnd(16)} ${String(x.tp).padStart(3)} ${String(x.gpus).padStart(5)} ${(x.fits ? 'yes' : 'no').padEnd(5)} ${(x.meets_slo ? 'yes' : 'no').padEnd(4)} ${n(x.tpot_ms).padStart(8)} ${n(x.throughput_tokens_per_s, 0).padStart(9)} ${n(x.usd_per_million_output_tokens, 3).padStart(9)}  ${x.why ?? ''}\n`,
    );
  }
  return 0;
}
