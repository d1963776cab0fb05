// Rules on the engine's command line itself, independent of sizing: flags the engine version no longer has.
import type { AnalysisOptions } from '../analysis/analysis';
import { LATEST_VLLM, atLeast, parseVersion } from '../engine/vllmVersion';
import type { Deployment, Diagnostic } from '../formats/types';
import { VLLM_REMOVED_FLAGS } from '../formats/vllmRemoved';

/**
 * `flag-removed`: a vLLM flag the version removed. vLLM's argparse refuses unknown arguments, so with the version
 * stated (image tag, engine_version) the server does not start: an error. With the version assumed (the
 * llmSizer.defaultEngineVersion setting or the newest release modelled) it is information: the file does not say
 * which release runs it (KubeAI and other operators pick the image).
 */
export function flagRules(d: Deployment, o: Pick<AnalysisOptions, 'defaultEngineVersion'>): Diagnostic[] {
  if ((d.serving.engine ?? 'vllm') !== 'vllm') return [];
  const flags = Object.keys(d.ranges).filter((k) => k.startsWith('flag:'));
  if (!flags.length) return [];
  const stated = d.serving.engineVersion ?? null;
  const raw = stated ?? o.defaultEngineVersion ?? LATEST_VLLM;
  const v = parseVersion(raw);
  if (!v) return [];
  const out: Diagnostic[] = [];
  for (const k of flags) {
    const name = k.slice('flag:'.length);
    const r = Object.hasOwn(VLLM_REMOVED_FLAGS, name) ? VLLM_REMOVED_FLAGS[name] : undefined;
    if (!r || !atLeast(v, r.removedIn)) continue;
    const flag = `--${name.replace(/_/g, '-')}`;
    out.push({
      code: 'flag-removed',
      // Assumed version: the file may pin an older image elsewhere (an operator's default), so an information line.
      severity: stated ? 'error' : 'info',
      message: stated
        ? `${flag} was removed in vLLM ${r.removedIn}; vLLM ${v.raw} (the image tag) refuses it and does not start: ${r.instead}.`
        : `${flag} was removed in vLLM ${r.removedIn}; the version is not stated (assumed ${v.raw}), and from ${r.removedIn} on vLLM refuses it and does not start: ${r.instead}.`,
      range: d.ranges[k],
      data: { flag: name, removedIn: r.removedIn },
    });
  }
  return out;
}
