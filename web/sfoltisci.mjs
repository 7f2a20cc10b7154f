// Ships only the part of Bootstrap Italia the pages use (`make assets`,
// ADR 0018): PurgeCSS keeps each rule of bootstrap-italia.min.css whose
// class, id and element names all occur somewhere in our templates or Go
// sources, plus the classes built at run time (safelist below), and writes
// bootstrap-italia.usata.css next to it. The browser journeys check every
// page against the result (browsertest.RegoleMancanti): a class a page uses
// that the whole stylesheet styles and this one lost fails the test.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PurgeCSS } from 'purgecss';

const [src, dst, repo] = process.argv.slice(2);
if (!src || !dst || !repo) {
  console.error('usage: node sfoltisci.mjs <bootstrap-italia.min.css> <output.css> <repository root>');
  process.exit(2);
}

const content = [
  join(repo, 'internal/**/*.templ'),
  join(repo, 'internal/**/*.go'),
  join(repo, 'web/ui/**/*.templ'),
  join(repo, 'web/ui/**/*.go'),
  join(repo, 'web/static/css/*.css'),
];

// Class names composed at run time: ui.Alert ("alert-" + kind) and ui.Badge
// ("text-bg-" + kind) take a Bootstrap colour name from the caller.
const colori = '(primary|secondary|success|danger|warning|info|light|dark)';
const safelist = {
  standard: [new RegExp(`^alert-${colori}$`), new RegExp(`^text-bg-${colori}$`)],
};

const [out] = await new PurgeCSS().purge({
  content,
  skippedContentGlobs: ['**/*_test.go'],
  css: [src],
  safelist,
  // @font-face, @keyframes and custom properties stay whole: they cost
  // little and the fonts are declared by our own fonts.css anyway.
  fontFace: false,
  keyframes: false,
  variables: false,
  // Tokens of the templates: class="a b", templ's { "a", templ.KV("b", …) }
  // and Go strings all split on anything that cannot be part of a name.
  defaultExtractor: (s) => s.match(/[A-Za-z0-9_-]+/g) || [],
});
writeFileSync(dst, out.css);
const prima = readFileSync(src).length;
console.log(`bootstrap-italia: ${prima} bytes, ${out.css.length} kept (${(100 * out.css.length / prima).toFixed(1)}%)`);
