// llm-d modelservice Helm values: `modelArtifacts.uri`, `prefill` / `decode` roles each with `replicas`,
// `parallelism` and vLLM containers; GPU type from `acceleratorTypes` labels.
import type { Node } from 'yaml';
import { get } from '../yamlDoc';
import type { FormatAdapter } from './adapter';
import { ctxOf } from './k8s';
import { applyGpuCandidates, finishGpu, isTemplated, seqItems, str } from './k8sCommon';
import { unreadableTemplate } from './k8sCommon';
import { roleDeployment } from './kserve';
import type { Deployment } from './types';

export const llmdAdapter: FormatAdapter = {
  format: 'llm-d',
  detect(doc) {
    if (unreadableTemplate(doc)) return false;
    const root = doc.contents;
    const uri = str(get(get(root, 'modelArtifacts'), 'uri'));
    return uri !== null && !isTemplated(uri) && (get(root, 'decode') !== undefined || get(root, 'prefill') !== undefined);
  },
  adapt(input) {
    const ctx = ctxOf(input);
    const root = input.doc.contents;
    const ma = get(root, 'modelArtifacts');
    const base = str(get(root, 'fullnameOverride')) ?? str(get(ma, 'name')) ?? 'modelservice';
    const out: Deployment[] = [];
    for (const role of ['prefill', 'decode']) {
      const node = get(root, role);
      if (!node || str(get(node, 'create')) === 'false') continue;
      // Roles list containers directly (the chart builds the pod around them); GPU labels come from acceleratorTypes.
      const at = get(node, 'acceleratorTypes') ?? get(root, 'acceleratorTypes');
      const key = str(get(at, 'labelKey'));
      const v0 = seqItems(get(at, 'labelValues'))[0];
      const v = str(v0);
      const d = roleDeployment({ ...ctx, defaultGpu: key && v ? null : ctx.defaultGpu }, 'llm-d', `${base}/${role}`, get(ma, 'uri'), node, node);
      if (key && v) {
        d.gpu = null;
        d.notes = d.notes.filter((n) => !/GPU/.test(n));
        applyGpuCandidates(ctx, [{ key, value: v, node: v0 as Node }], d);
        finishGpu(ctx, d);
      }
      out.push(d);
    }
    return { deployments: out, diagnostics: ctx.diagnostics };
  },
};
