// npm run real-world: the pipeline on the real-world corpus (test/real-world/), scored against each file's expected
// findings. Prints the figures and one line per false positive or miss, and writes the "Real-world files" section of
// docs/ACCURACY.md between its markers without touching the rest of that file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { accuracySection, checkCorpus, problemLines, summarize, summaryLines, withAccuracySection } from '../test/realWorld';

const results = checkCorpus();
const s = summarize(results);
const problems = problemLines(results);
console.log(summaryLines(s).join('\n'));
if (problems.length) console.log(`\nfalse positives and misses (${problems.length}):\n${problems.join('\n')}`);

const out = path.resolve(__dirname, '..', 'docs', 'ACCURACY.md');
const doc = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
fs.writeFileSync(out, withAccuracySection(doc, accuracySection(s)));
console.log(`\nwritten ${path.relative(process.cwd(), out)} (real-world section)`);
