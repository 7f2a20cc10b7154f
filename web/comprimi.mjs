// Precompresses the static assets at build time (`make assets`): for every
// CSS, SVG and JavaScript file under the directory given (web/static), a
// brotli (quality 11) and a gzip (level 9) copy under
// vendor/compressi/<path>.br|.gz, kept only when smaller, and
// vendor/compressi/manifest.json with the SHA-256 of each source, so the
// server never serves a copy of a file edited since (web/compressi.go).
// Node's own zlib: no package is needed.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import zlib from 'node:zlib';

const root = process.argv[2];
if (!root) {
  console.error('usage: node comprimi.mjs web/static');
  process.exit(2);
}
const out = join(root, 'vendor', 'compressi');
rmSync(out, { recursive: true, force: true });
const compressibili = new Set(['.css', '.svg', '.js']);
const manifest = {};
let prima = 0, dopo = 0;

function walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (p !== out) walk(p);
      continue;
    }
    if (!compressibili.has(extname(e.name))) continue;
    const src = readFileSync(p);
    const rel = relative(root, p).split(sep).join('/');
    const br = zlib.brotliCompressSync(src, { params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: src.length } });
    const gz = zlib.gzipSync(src, { level: 9 });
    const voce = { sha256: createHash('sha256').update(src).digest('hex'), br: false, gz: false };
    for (const [ext, buf] of [['br', br], ['gz', gz]]) {
      if (buf.length < src.length) {
        mkdirSync(dirname(join(out, rel)), { recursive: true });
        writeFileSync(join(out, rel) + '.' + ext, buf);
        voce[ext] = true;
      }
    }
    manifest[rel] = voce;
    prima += src.length;
    dopo += voce.br ? br.length : src.length;
  }
}
walk(root);
mkdirSync(out, { recursive: true });
const ordinato = Object.fromEntries(Object.keys(manifest).sort().map(k => [k, manifest[k]]));
writeFileSync(join(out, 'manifest.json'), JSON.stringify(ordinato, null, 1) + '\n');
console.log(`precompressed ${Object.keys(manifest).length} assets: ${prima} bytes, ${dopo} with brotli`);
