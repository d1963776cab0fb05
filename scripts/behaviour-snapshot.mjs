// Prints what the product says about every bundled example and test fixture (text report, JSON report, check JSON,
// hardware comparison) through the built CLI, so a refactor can be compared byte for byte before and after:
//   node scripts/behaviour-snapshot.mjs > /tmp/before.txt   (then refactor, build, run again and diff)
// It goes through dist/cli.js only, so it works across folder moves.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function yamlFiles(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(n) ? [p] : [];
  });
}
const files = [
  ...yamlFiles('examples'),
  ...yamlFiles('test/fixtures'),
  ...(process.argv.includes('--real-world') ? yamlFiles('test/real-world').filter((f) => !f.endsWith('.expected.yaml')) : []),
].sort();
const runs = [['report'], ['report', '--json'], ['check', '--format', 'json']];
for (const f of files) {
  for (const args of runs) {
    const r = spawnSync(process.execPath, ['dist/cli.js', ...args, f], { encoding: 'utf8' });
    process.stdout.write(`=== ${args.join(' ')} ${f} (exit ${r.status})\n${r.stdout}${r.stderr}`);
  }
}
for (const f of ['examples/chat-70b.yaml']) {
  const r = spawnSync(process.execPath, ['dist/cli.js', 'compare', '--json', f], { encoding: 'utf8' });
  process.stdout.write(`=== compare --json ${f} (exit ${r.status})\n${r.stdout}${r.stderr}`);
}
