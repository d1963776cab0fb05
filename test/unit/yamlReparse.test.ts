import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq } from 'yaml';
import type { Scalar } from 'yaml';
import { parseYaml, reparseScalarEdit, sourceOf } from '../../server/src/yaml/yamlDoc';
import type { ParsedYaml } from '../../server/src/yaml/yamlDoc';
import { analyzeText } from '../../server/src/analysis/analysis';
import type { SegmentCache } from '../../server/src/analysis/analysis';

/** Everything a parse holds that the pipeline can read: every node's class and own properties, line starts, problems. */
function snapshot(p: ParsedYaml): unknown {
  const node = (n: unknown): unknown => {
    if (Array.isArray(n)) return n.map(node);
    if (n && typeof n === 'object') {
      const o: Record<string, unknown> = { class: (n as object).constructor.name };
      // schema and options are the parser's configuration objects, the same for every parse.
      for (const k of Object.keys(n).sort()) if (k !== 'schema' && k !== 'options') o[k] = node((n as Record<string, unknown>)[k]);
      return o;
    }
    return n;
  };
  return { text: p.text, docs: node(p.docs), sources: p.docs.map((d) => sourceOf(d) === p.text), lineStarts: p.lineCounter.lineStarts, problems: p.problems };
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(n) ? [p] : [];
  });
}

/** [start, end) of every plain scalar that is a mapping value or a sequence entry. */
function plainValues(text: string): [number, number][] {
  const out: [number, number][] = [];
  const add = (n: unknown) => {
    if (isScalar(n) && (n as Scalar).type === 'PLAIN' && n.range) out.push([n.range[0], n.range[1]]);
  };
  const visit = (n: unknown): void => {
    if (isMap(n))
      for (const p of n.items) {
        add(p.value);
        visit(p.value);
      }
    else if (isSeq(n))
      for (const it of n.items) {
        add(it);
        visit(it);
      }
  };
  for (const d of parseYaml(text).docs) visit(d.contents);
  return out;
}

// Each core-schema type a plain scalar resolves to (int in three bases, float with and without trailing zeros, inf, nan,
// bool, null, string) and tokens that are not one simple plain scalar.
const REPLACEMENTS = ['65', '0x1F', '0o17', '1e3', '0.50', '-3', '.inf', '.NaN', 'False', 'null', '~', 'H200', 'a b', 'a#b', 'x: y', '"q"', '', '-'];

test('an edit inside one plain value gives exactly the parse of the new text, on every fixture and example', () => {
  const root = join(__dirname, '../..');
  let reused = 0;
  let parsed = 0;
  for (const f of [...yamlFiles(join(root, 'test/fixtures')), ...yamlFiles(join(root, 'examples'))]) {
    const text = readFileSync(f, 'utf8');
    // At most 6 values per file, spread over it (the largest fixtures have hundreds).
    const values = plainValues(text);
    const step = Math.max(1, Math.ceil(values.length / 6));
    for (const [a, b] of values.filter((_, i) => i % step === 0)) {
      for (const r of [...REPLACEMENTS, text.slice(a, b) + '9', text.slice(a + 1, b)]) {
        const next = text.slice(0, a) + r + text.slice(b);
        const fast = reparseScalarEdit(parseYaml(text), next);
        if (!fast) {
          parsed++;
          continue;
        }
        reused++;
        assert.deepEqual(snapshot(fast), snapshot(parseYaml(next)), `${f}: [${a}, ${b}) -> ${JSON.stringify(r)}`);
      }
    }
  }
  // Both paths were taken many times (2,694 and 2,186 on the 47 files of this corpus).
  assert.ok(reused > 2000, `reused ${reused}`);
  assert.ok(parsed > 1500, `parsed ${parsed}`);
});

test('an edit inside one plain value: the new value, and every later offset and line start moved by the length change', () => {
  const old = 'a: 64 # seqs\nb: [1, 0.5]\n';
  const next = 'a: 1280 # seqs\nb: [1, 0.5]\n';
  const p = reparseScalarEdit(parseYaml(old), next)!;
  assert.ok(p);
  const root = p.docs[0].contents as unknown as { items: { value: Scalar & { items?: Scalar[] } }[] };
  assert.equal(root.items[0].value.value, 1280);
  // [start, end of value, end of node]: the `yaml` package ends a value node after its comment and line break.
  assert.deepEqual(root.items[0].value.range, [3, 7, 15]);
  assert.equal(root.items[0].value.comment, ' seqs');
  assert.deepEqual(
    root.items[1].value.items!.map((s) => s.range),
    [
      [19, 20, 20],
      [22, 25, 25],
    ],
  );
  assert.deepEqual(p.lineCounter.lineStarts, [0, 15, 27]);
  assert.equal(sourceOf(p.docs[0]), next);
});

test('edits that are not inside one plain value are left to the parser', () => {
  const cases: [string, string][] = [
    ['a: 64\n', 'b: 64\n'], // a key
    ['a: 64\n', 'a: 6 4\n'], // the token splits
    ['a: 64\n', 'a: 64#x\n'], // '#' without a space stays in the scalar: not a simple token
    ['a: 64\n', 'a: \n'], // the value is gone
    ['a: "64"\n', 'a: "65"\n'], // quoted
    ['a: &n 64\nb: *n\n', 'a: &n 65\nb: *n\n'], // anchored
    ['a: !!str 64\n', 'a: !!str 65\n'], // explicit tag
    ['a: 64\nb: 1\n', 'a: 65\nb: 2\n'], // two scalars
    ['a: 64\n  b\n', 'a: 65\n  b\n'], // a multi-line plain scalar
    ['a: 64\nb: [1\n', 'a: 65\nb: [1\n'], // the document has a syntax error
    ['- 1\n- 2\n', '- 1\n- -\n'], // would become a sequence entry
    ['64\n', '65\n'], // a document that is one scalar
  ];
  for (const [old, next] of cases) assert.equal(reparseScalarEdit(parseYaml(old), next), null, `${JSON.stringify(old)} -> ${JSON.stringify(next)}`);
});

test('analyzeText applies a value edit to the kept parse of the edited document, with the results of a fresh analysis', () => {
  const plan = readFileSync(join(__dirname, '../../examples/chat-70b.yaml'), 'utf8');
  assert.match(plan, /max_num_seqs: 256\n/);
  const two = (seqs: number) => `${plan}---\n${plan.replace('max_num_seqs: 256', `max_num_seqs: ${seqs}`)}`;
  const cache: SegmentCache = new Map();
  analyzeText(two(256), { segmentCache: cache });
  const kept = cache.lastParse!.docs[0];
  for (const seqs of [128, 12, 256]) {
    const cached = analyzeText(two(seqs), { segmentCache: cache });
    // The second document's Document object was patched, not parsed again.
    assert.equal(cache.lastParse!.docs[0], kept);
    assert.equal(cached.deployments[1].serving!.maxNumSeqs, seqs);
    assert.deepEqual(JSON.parse(JSON.stringify(cached)), JSON.parse(JSON.stringify(analyzeText(two(seqs)))));
  }
  // A document over 64 KiB keeps no parse between versions.
  analyzeText(`${plan}#${'x'.repeat(70_000)}\n`, { segmentCache: cache });
  assert.equal(cache.lastParse, undefined);
});
