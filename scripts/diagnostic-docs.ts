// Writes docs/diagnostics/<code>.md (one page per diagnostic code) and docs/diagnostics/README.md (the index) from the
// registry in server/src/rules/registry.ts. `--check` writes nothing and exits 1 when a page is missing or stale
// (the tests run it so the pages never drift from the codes the editor links to).
import { existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIAGNOSTICS } from '../server/src/rules/registry';

const DIR = join(__dirname, '..', 'docs', 'diagnostics');

/** The pages the registry implies, by file name. */
export function diagnosticPages(): Map<string, string> {
  const pages = new Map<string, string>();
  const codes = Object.keys(DIAGNOSTICS).sort();
  for (const code of codes) {
    const d = DIAGNOSTICS[code];
    const lines = [`# \`${code}\`: ${d.title}`, '', `Severity: **${d.severity}** · Category: ${d.category}`, '', d.explanation, ''];
    if (d.source) lines.push(`Source: ${d.source}`, '');
    lines.push('Turn a file off with a `# llm-sizer: disable` comment; see [all diagnostics](README.md).', '');
    pages.set(`${code}.md`, lines.join('\n'));
  }
  const index = [
    '# Diagnostics',
    '',
    'Every code llm-sizer reports, generated from `server/src/rules/registry.ts` by `node --import tsx scripts/diagnostic-docs.ts`.',
    'The editor links each diagnostic to its page.',
    '',
    '| code | severity | what it means |',
    '|---|---|---|',
    ...codes.map((c) => `| [\`${c}\`](${c}.md) | ${DIAGNOSTICS[c].severity} | ${DIAGNOSTICS[c].title} |`),
    '',
  ];
  pages.set('README.md', index.join('\n'));
  return pages;
}

/** Names of pages that are missing, stale or left over from a removed code. */
export function stalePages(): string[] {
  const pages = diagnosticPages();
  const out: string[] = [];
  for (const [name, text] of pages) {
    const p = join(DIR, name);
    if (!existsSync(p) || readFileSync(p, 'utf8') !== text) out.push(name);
  }
  if (existsSync(DIR)) for (const f of readdirSync(DIR)) if (f.endsWith('.md') && !pages.has(f)) out.push(f);
  return out;
}

if (require.main === module) {
  if (process.argv.includes('--check')) {
    const stale = stalePages();
    if (stale.length) {
      console.error(`docs/diagnostics is out of date (${stale.join(', ')}): run node --import tsx scripts/diagnostic-docs.ts`);
      process.exit(1);
    }
  } else {
    mkdirSync(DIR, { recursive: true });
    for (const f of readdirSync(DIR)) if (f.endsWith('.md') && !diagnosticPages().has(f)) unlinkSync(join(DIR, f));
    for (const [name, text] of diagnosticPages()) writeFileSync(join(DIR, name), text);
    console.log(`wrote ${diagnosticPages().size} pages to docs/diagnostics`);
  }
}
