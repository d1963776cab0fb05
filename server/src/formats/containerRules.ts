// Findings about a serving container as Kubernetes runs it, read straight from the manifest (positions exact):
// `$VAR` that Kubernetes never expands, secrets written in plain text, a GPU node-selector value no GPU carries,
// and the pod facts the pod rules need (CUDA_VISIBLE_DEVICES, whether any accelerator is requested).
import type { Node } from 'yaml';
import { get, keyString, mapPairs, offsetRange } from '../yaml/yamlDoc';
import type { EngineCommand } from './args';
import type { Ctx } from './nodes';
import { range, seqItems, str } from './nodes';
import { mapScalar, spanOf } from './scalarMap';
import type { Deployment, Range } from './types';

const SHELLS = /^(?:.*\/)?(?:sh|bash|ash|dash|zsh)$/;

/** `${VAR}` or `$VAR` not escaped as `$$`: text Kubernetes passes on as written. */
const SHELL_VAR = /(?<!\$)(?:\$\$)*(\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*)/g;

/** Secrets by their shape: Hugging Face user tokens and OpenAI-style keys. */
const TOKEN_SHAPES = [/hf_[A-Za-z0-9]{30,}/, /\bsk-[A-Za-z0-9_-]{20,}/];
/** Env vars that hold a credential. */
const SECRET_ENV =
  /^(HF_TOKEN|HUGGING_FACE_HUB_TOKEN|HUGGINGFACE_HUB_TOKEN|HUGGINGFACEHUB_API_TOKEN|HF_API_TOKEN|VLLM_API_KEY|OPENAI_API_KEY|API_KEY|NGC_API_KEY)$/;
/** Values that are obviously a placeholder to fill in, not a secret. */
const PLACEHOLDER =
  /^$|[<>{}]|\$|your|xxx|changeme|change-me|replace|token[-_]?here|dummy|example|placeholder|\.\.\.|^(none|null|empty|fake|test|EMPTY|token)$/i;

function scalarRange(ctx: Ctx, node: unknown, i: number, j: number): Range | null {
  const ms = mapScalar(ctx.src, node);
  if (!ms) return range(ctx, node);
  const [a, b] = spanOf(ms, i, j);
  return offsetRange(ctx.lc, a, b);
}

/** The argv nodes of a container with the index of the `sh -c` script among them (-1 when none). */
function argvNodes(c: unknown): { nodes: Node[]; script: number } {
  const nodes = [...seqItems(get(c, 'command')), ...seqItems(get(c, 'args'))];
  const texts = nodes.map((n) => str(n) ?? '');
  let script = -1;
  if (texts.length && SHELLS.test(texts[0])) {
    const ci = texts.findIndex((t, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(t));
    // `bash -lc -- "script"`: the `--` ends the shell's options; the script is the word after it.
    if (ci >= 0) script = texts[ci + 1] === '--' ? ci + 2 : ci + 1;
  }
  return { nodes, script };
}

/** Container findings pushed to the adapter's diagnostics, and the pod facts the pod rules read set on `dep`. */
export function containerRules(ctx: Ctx, podSpec: unknown, c: unknown, cmd: EngineCommand, dep: Deployment): void {
  containerTextRules(ctx, c);
  podFacts(ctx, podSpec, c, dep);
  void cmd;
}

/**
 * Findings in the text of any container of a serving pod (the engine's, or a LeaderWorkerSet worker's that only joins
 * the Ray cluster): `$VAR` Kubernetes never expands, secrets in plain text.
 */
export function containerTextRules(ctx: Ctx, c: unknown): void {
  const { nodes, script } = argvNodes(c);
  const envNames = new Set(
    seqItems(get(c, 'env'))
      .map((e) => str(get(e, 'name')))
      .filter((n): n is string => !!n),
  );
  const scriptText = script >= 0 ? (str(nodes[script]) ?? '') : '';
  // A script that runs envsubst or eval expands variables of env values itself.
  const reexpands = /\b(envsubst|eval)\b/.test(scriptText);

  // $VAR / ${VAR} outside a shell: Kubernetes expands only $(VAR).
  const notExpanded = (node: Node, where: string, self?: string) => {
    const t: string = str(node) ?? '';
    if (!t.includes('$')) return;
    SHELL_VAR.lastIndex = 0;
    for (let m = SHELL_VAR.exec(t); m; m = SHELL_VAR.exec(t)) {
      const ref = m[1];
      const name = ref.replace(/^\$\{?|\}$/g, '');
      const at = m.index + m[0].length - ref.length;
      ctx.diagnostics.push({
        code: 'env-var-not-expanded',
        severity: 'warning',
        message:
          name === self
            ? `"${ref}" ${where} reaches the process as written: Kubernetes expands only $(VAR) of variables defined earlier in the container env, never the image's own ${name}, so the value replaces it. Write the full value.`
            : `"${ref}" ${where} reaches the process as written: Kubernetes expands only $(${name}) (for a variable set in the container env), and no shell runs here to expand ${ref}. Write $(${name}).`,
        range: scalarRange(ctx, node, at, at + ref.length) ?? ctx.docRange,
        data: { variable: name, replacement: `$(${name})` },
      });
      break; // one per value: the fix is the same for the rest
    }
  };
  nodes.forEach((n, i) => {
    if (i !== script) notExpanded(n, 'in the container args');
  });
  for (const e of seqItems(get(c, 'env'))) {
    const v = get(e, 'value');
    const name = str(get(e, 'name')) ?? '';
    if (v !== undefined && !reexpands) {
      const t = str(v) ?? '';
      // Only a reference to a variable this container defines, or a well-known one, is clearly meant to expand.
      SHELL_VAR.lastIndex = 0; // matchAll starts where the shared /g regex last stopped
      const refs = [...t.matchAll(SHELL_VAR)].map((m) => m[1].replace(/^\$\{?|\}$/g, ''));
      if (refs.some((r) => envNames.has(r) || /^(HOME|HOSTNAME|PATH|USER|POD_IP|POD_NAME|MODEL|MODEL_NAME|MODEL_ID)$/.test(r)))
        notExpanded(v as Node, `in env ${name}`, name);
    }
  }

  // Secrets in plain text: never echo the value.
  const secretAt = (node: Node, what: string) => {
    ctx.diagnostics.push({
      code: 'secret-in-plain-text',
      severity: 'warning',
      message: `${what} is written in plain text in this manifest: anyone who can read it (the repository, kubectl get -o yaml) has the credential. Put it in a Secret and reference it with valueFrom.secretKeyRef.`,
      range: range(ctx, node) ?? ctx.docRange,
    });
  };
  const seen = new Set<Node>();
  nodes.forEach((n, i) => {
    const t = str(n) ?? '';
    if (TOKEN_SHAPES.some((re) => re.test(t))) {
      seen.add(n);
      secretAt(n, /hf_/.test(t) ? 'A Hugging Face token' : 'An API key');
      return;
    }
    // `--api-key VALUE` / `--api-key=VALUE` given literally (not from the env).
    const prev = i > 0 ? (str(nodes[i - 1]) ?? '') : '';
    const val = /^--api[-_]key=(.*)$/.exec(t)?.[1] ?? (/^--api[-_]key$/.test(prev) ? t : null);
    if (val !== null && i !== script && !PLACEHOLDER.test(val.trim()) && !/\$/.test(val)) {
      seen.add(n);
      secretAt(n, 'The --api-key value');
    }
  });
  if (script >= 0 && !seen.has(nodes[script])) {
    const m = /--api[-_]key[= ]+["']?([^\s"']+)/.exec(scriptText);
    if (m && !PLACEHOLDER.test(m[1]) && !/\$/.test(m[1])) secretAt(nodes[script], 'The --api-key value in the script');
  }
  for (const e of seqItems(get(c, 'env'))) {
    const name = str(get(e, 'name')) ?? '';
    const v = get(e, 'value');
    const t = v !== undefined ? (str(v) ?? '') : '';
    if (!t) continue;
    if (TOKEN_SHAPES.some((re) => re.test(t))) secretAt(v as Node, `The value of ${name}`);
    else if (SECRET_ENV.test(name) && !PLACEHOLDER.test(t.trim())) secretAt(v as Node, `The value of ${name}`);
  }
}

function podFacts(ctx: Ctx, podSpec: unknown, c: unknown, dep: Deployment): void {
  const { nodes } = argvNodes(c);
  const envNames = new Set(
    seqItems(get(c, 'env'))
      .map((e) => str(get(e, 'name')))
      .filter((n): n is string => !!n),
  );

  // CUDA_VISIBLE_DEVICES set literally: the devices the engine can use, whatever the pod requests.
  for (const e of seqItems(get(c, 'env'))) {
    if (str(get(e, 'name')) !== 'CUDA_VISIBLE_DEVICES') continue;
    const v = get(e, 'value');
    const t = v !== undefined ? str(v) : null;
    if (t === null || /\$|\{\{/.test(t)) continue;
    const ids = t
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    dep.pod = {
      ...(dep.pod ?? { countLabel: 'GPUs per pod', podsPerGroup: 1, shm: 'none', shmRange: null }),
      visibleDevices: { count: ids.length, text: t, range: range(ctx, v) },
    };
  }

  // Whether the pod asks for any accelerator, or is placed on GPU nodes some other way.
  const res = get(c, 'resources');
  const asks = ['limits', 'requests'].some((part) =>
    mapPairs(get(res, part)).some((p) =>
      /gpu|nvidia\.com\/|amd\.com\/|habana\.ai|neuron|google\.com\/tpu|intel\.com|xilinx|furiosa|rebellions/i.test(keyString(p)),
    ),
  );
  const runtime = str(get(podSpec, 'runtimeClassName')) ?? '';
  const selected =
    mapPairs(get(podSpec, 'nodeSelector')).some((p) => /gpu|accelerator|nvidia|amd/i.test(keyString(p))) ||
    /gpu|accelerator|nvidia/i.test(JSON.stringify(get(get(podSpec, 'affinity'), 'nodeAffinity')?.toJSON?.() ?? ''));
  const claims = seqItems(get(podSpec, 'resourceClaims')).length > 0 || seqItems(get(res, 'claims')).length > 0;
  const image = str(get(c, 'image')) ?? '';
  const cpuBackend =
    /cpu|neuron|tpu|gaudi|habana|xpu|openvino|intel/i.test(image) ||
    /(^|\s)--device[= ](cpu|neuron|tpu|xpu|hpu)\b/.test([...nodes.map((n) => str(n) ?? '')].join(' ')) ||
    [...envNames].includes('VLLM_TARGET_DEVICE');
  dep.pod = {
    ...(dep.pod ?? { countLabel: 'GPUs per pod', podsPerGroup: 1, shm: 'none', shmRange: null }),
    requestsAccelerator: asks || !!runtime.match(/nvidia|gpu/i) || selected || claims || cpuBackend,
    engineRange: range(ctx, get(c, 'name')) ?? range(ctx, get(c, 'image')),
  };
}

/** Node-selector keys whose value names a GPU model. */
export const GPU_PRODUCT_LABELS = new Set(['nvidia.com/gpu.product', 'cloud.google.com/gke-accelerator', 'karpenter.k8s.aws/instance-gpu-name']);
