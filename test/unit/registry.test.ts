// Every diagnostic code the product emits is documented in the registry, and the generated docs pages match it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DIAGNOSTICS } from '../../server/src/rules/registry';
import { SIZED_RULES } from '../../server/src/rules/rules';
import { PERFORMANCE_RULES } from '../../server/src/rules/performanceRules';
import { stalePages } from '../../scripts/diagnostic-docs';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Codes written as literals (`code: 'x'`) or as values of a `CODES`-style table (`name: 'x',` inside `= {`). */
function emittedCodes(): Set<string> {
  const out = new Set<string>();
  for (const f of sources(join(__dirname, '..', '..', 'server', 'src'))) {
    if (f.endsWith('registry.ts')) continue;
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\bcode:\s*'([a-z0-9-]+)'/g)) out.add(m[1]);
    const table = /export const CODES = \{([\s\S]*?)\} as const/.exec(text);
    if (table) for (const m of table[1].matchAll(/:\s*'([a-z0-9-]+)'/g)) out.add(m[1]);
  }
  return out;
}

test('every emitted diagnostic code has a registry entry with an explanation', () => {
  const codes = emittedCodes();
  assert.ok(codes.size >= 30, `found ${codes.size} codes: the scan itself is broken`);
  const missing = [...codes].filter((c) => !DIAGNOSTICS[c]).sort();
  assert.deepEqual(missing, [], `codes without a registry entry: ${missing.join(', ')}`);
  for (const [code, d] of Object.entries(DIAGNOSTICS)) {
    assert.ok(d.explanation.length >= 80, `${code}: the explanation is one real paragraph`);
    assert.match(code, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  }
});

test('every rule of the sizing tables names a registered code', () => {
  for (const rule of [...SIZED_RULES, ...PERFORMANCE_RULES]) assert.ok(DIAGNOSTICS[rule.code], `${rule.code}: no registry entry`);
});

test('docs/diagnostics pages are generated from the registry and up to date', () => {
  assert.deepEqual(stalePages(), []);
});
