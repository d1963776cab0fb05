// Preload (node --require) that records every file-system call whose path contains $LLM_SIZER_FS_PROBE
// into $LLM_SIZER_FS_LOG (one "call path" line each), then does the call. Used by trustLocalModel.test.ts
// to prove that restricted mode never opens (or even stats) a model directory's config.json.
const fs = require('node:fs');
const needle = process.env.LLM_SIZER_FS_PROBE;
const logFile = process.env.LLM_SIZER_FS_LOG;
const append = fs.appendFileSync;
if (needle && logFile) {
  const wrap = (obj, name, label) => {
    const orig = obj[name];
    if (typeof orig !== 'function') return;
    obj[name] = function (p, ...rest) {
      const s = p instanceof URL ? p.pathname : Buffer.isBuffer(p) ? p.toString() : String(p);
      if (s.includes(needle)) append(logFile, `${label} ${s}\n`);
      return orig.call(this, p, ...rest);
    };
  };
  for (const n of [
    'statSync',
    'lstatSync',
    'readFileSync',
    'openSync',
    'existsSync',
    'accessSync',
    'readdirSync',
    'realpathSync',
    'createReadStream',
    'readFile',
    'stat',
    'lstat',
    'open',
    'access',
    'readdir',
    'opendirSync',
    'opendir',
  ])
    wrap(fs, n, `fs.${n}`);
  for (const n of ['readFile', 'stat', 'lstat', 'open', 'access', 'readdir', 'opendir']) wrap(fs.promises, n, `fs.promises.${n}`);
}
