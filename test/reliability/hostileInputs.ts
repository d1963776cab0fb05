// Hostile YAML inputs shared by the LSP test (test/lsp/hostile.test.ts) and bench/hostile.bench.ts.
// Each is deterministic (no Math.random), so a failure can be replayed byte for byte.

const PLAN_HEAD = 'apiVersion: llm-sizer/v1\nkind: ServingPlan\n';

/** A native plan that validates without any diagnostic (8B on one H100, defaults). */
export function cleanPlan(name: string): string {
  return `${PLAN_HEAD}metadata: {name: ${name}}\nmodel: meta-llama/Llama-3.1-8B-Instruct\nhardware: {gpu: H100, count: 1}\nserving: {max_model_len: 8192, max_num_seqs: 64}\n`;
}

/**
 * "Billion laughs": 9 levels of 9 aliases each (9^9 = 387,420,489 leaves if expanded) as a plan's serving and
 * workload. Never expanded: the adapters read an alias as absent, so the plan is sized with vLLM defaults
 * (max_num_seqs 1024, hence kv-limits-concurrency) and `x-laughs` is an unknown key.
 */
export function aliasBomb(): string {
  const lines = [`${PLAN_HEAD}metadata: {name: bomb}\nmodel: meta-llama/Llama-3.1-8B-Instruct\nhardware: {gpu: H100, count: 1}\nx-laughs:`];
  lines.push(`  l0: &l0 [${Array(9).fill('lol').join(', ')}]`);
  for (let i = 1; i < 9; i++)
    lines.push(
      `  l${i}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  lines.push('serving: *l8', 'workload: *l8', '');
  return lines.join('\n');
}

/** 10 MB: a plan followed by one long comment line. */
export function tenMegabytes(): string {
  return cleanPlan('big') + '# ' + 'x'.repeat(10 * 1024 * 1024) + '\n';
}

/** A plan whose serving is 10,000 nested flow sequences. */
export function deepFlow(): string {
  return `${PLAN_HEAD}metadata: {name: deep}\nmodel: meta-llama/Llama-3.1-8B-Instruct\nhardware: {gpu: H100, count: 1}\nserving: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`;
}

/** 10,000 nested block sequences on one line: `- - - … x`. */
export function deepBlock(): string {
  return '- '.repeat(10_000) + 'x\n';
}

/** 100 KB of pseudo-random bytes (a fixed LCG) including NUL, read as latin1. */
export function binaryData(): string {
  let x = 12345;
  let s = '';
  for (let i = 0; i < 100 * 1024; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    s += String.fromCharCode((x >>> 16) & 0xff);
  }
  return s;
}

export function onlyConflictMarkers(): string {
  return '<<<<<<< HEAD\n=======\n>>>>>>> feature\n';
}

/** A plan with an unresolved merge conflict in its serving block (markers on lines 5, 7 and 9, 0-based). */
export function conflictInPlan(): string {
  return `${PLAN_HEAD}metadata: {name: merge}\nmodel: meta-llama/Llama-3.1-8B-Instruct\nhardware: {gpu: H100, count: 1}\n<<<<<<< HEAD\nserving: {max_model_len: 8192}\n=======\nserving: {max_model_len: 4096}\n>>>>>>> feature\n`;
}

/** ~4.9 MB: one plan whose metadata holds ~95,000 annotations (one `---` document). */
export function oneGiantDocument(): string {
  const head = `${PLAN_HEAD}model: meta-llama/Llama-3.1-8B-Instruct\nhardware: {gpu: H100, count: 1}\nmetadata:\n  name: giant\n  annotations:\n`;
  const parts = [head];
  let size = head.length;
  for (let i = 0; size < 4.9 * 1024 * 1024; i++) {
    const l = `    note-${i}: "annotation number ${i}"\n`;
    parts.push(l);
    size += l.length;
  }
  return parts.join('');
}

/** ~4.9 MB: about 25,000 clean plans, one per `---` document (a generated manifest). */
export function manyDocuments(): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < 4.9 * 1024 * 1024; i++) {
    const p = `---\n${cleanPlan(`p${i}`)}`;
    parts.push(p);
    size += p.length;
  }
  return parts.join('');
}

export interface HostileCase {
  name: string;
  text: () => string;
  /** Diagnostic codes the server publishes, in order (exact). */
  codes: string[];
}

export const HOSTILE_CASES: HostileCase[] = [
  { name: 'alias bomb', text: aliasBomb, codes: ['schema-unknown-key', 'kv-limits-concurrency'] },
  { name: '10 MB file', text: tenMegabytes, codes: ['file-too-large'] },
  { name: '10,000-deep flow nesting', text: deepFlow, codes: ['yaml-too-deep'] },
  { name: '10,000-deep block nesting', text: deepBlock, codes: ['yaml-too-deep'] },
  { name: 'binary data', text: binaryData, codes: ['file-not-utf8'] },
  { name: 'only conflict markers', text: onlyConflictMarkers, codes: [] },
  {
    name: 'conflict markers in a plan',
    text: conflictInPlan,
    codes: [...Array(3).fill('merge-conflict'), ...Array(6).fill('yaml-syntax'), ...Array(3).fill('schema-unknown-key'), 'kv-limits-concurrency'],
  },
  { name: '4.9 MB, one document', text: oneGiantDocument, codes: ['document-too-large'] },
  { name: '4.9 MB, many documents', text: manyDocuments, codes: ['analysis-incomplete'] },
];
