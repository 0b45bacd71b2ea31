#!/usr/bin/env node
// Builds the documentation site into docs/site/ (`npm run docs`):
//   1. bundles the browser example (docs/browser/) with esbuild into one self-contained HTML page,
//   2. writes the landing page with the list of the guides that exist (docs/index.md + docs/guides/*.md),
//   3. runs typedoc (typedoc.json: API reference per capability + the guides, warnings are errors).
// Options: --skip-browser (steps 2-3 only), --skip-typecheck (do not typecheck the browser entry),
// --allow-warnings (local drafts only: typedoc warnings are printed but do not fail the build).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const docs = path.join(root, 'docs');
const args = new Set(process.argv.slice(2));

// Node built-ins cannot run in a browser. Library modules that import them are bundled against a
// stub that throws when called; the list is printed so they can be made browser-safe.
const NODE_BUILTINS = /^(node:.*|fs|fs\/promises|path|module|url|os|child_process|worker_threads|readline|stream|stream\/promises|zlib|crypto)$/;

/** Bundles docs/browser/main.ts and inlines it into docs/browser/build/flowsentry-browser-example.html. */
export async function buildBrowserExample({ typecheck = true } = {}) {
  const dir = path.join(docs, 'browser');
  if (typecheck) {
    // Only the example's own errors count: the library's are `npm run typecheck`'s business.
    const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '--pretty', 'false', '-p', path.join(dir, 'tsconfig.json')], { cwd: root, encoding: 'utf8' });
    const own = (tsc.stdout ?? '').split('\n').filter((l) => l.startsWith('docs/'));
    if (own.length > 0) throw new Error(`docs/browser/main.ts does not typecheck:\n${own.join('\n')}`);
  }
  const stubbed = new Map();
  const result = await build({
    entryPoints: [path.join(dir, 'main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    alias: { 'flowsentry/register': path.join(root, 'src/register.ts') },
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [
      {
        name: 'node-builtin-stubs',
        setup(b) {
          b.onResolve({ filter: NODE_BUILTINS }, (a) => {
            const from = path.relative(root, a.importer);
            if (!stubbed.has(from)) stubbed.set(from, new Set());
            stubbed.get(from).add(a.path);
            return { path: a.path, namespace: 'node-stub' };
          });
          b.onLoad({ filter: /.*/, namespace: 'node-stub' }, (a) => ({
            contents:
              `const fail = () => { throw new Error(${JSON.stringify(`${a.path} is not available in the browser`)}); };\n` +
              `module.exports = new Proxy({}, { get: (_, k) => (k === '__esModule' ? false : k === 'default' ? module.exports : fail) });\n`,
            loader: 'js',
          }));
        },
      },
    ],
  });
  const js = result.outputFiles[0].text.replace(/<\/script/gi, '<\\/script');
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  const tag = '<script type="module" src="./main.js"></script>';
  if (!html.includes(tag)) throw new Error(`docs/browser/index.html must contain ${tag}`);
  const out = path.join(dir, 'build');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'flowsentry-browser-example.html'), html.replace(tag, () => `<script>${js}</script>`));
  return { bytes: js.length, stubbed };
}

function frontmatter(text) {
  const m = /^---\n([\s\S]*?)\n---/.exec(text);
  const fields = {};
  if (m) for (const line of m[1].split('\n')) {
    const kv = /^(\w+):\s*(.*)$/.exec(line);
    if (kv) fields[kv[1]] = kv[2].replace(/^["']|["']$/g, '');
  }
  if (!fields.title) fields.title = /^#\s+(.+)$/m.exec(text)?.[1] ?? '';
  return fields;
}

/** docs/index.md with `<!-- guides -->` replaced by the list of guides found, grouped by their frontmatter `group`. */
export function writeLandingPage() {
  const guidesDir = path.join(docs, 'guides');
  const guides = existsSync(guidesDir) ? readdirSync(guidesDir).filter((f) => f.endsWith('.md')).sort() : [];
  const groups = new Map();
  for (const file of guides) {
    const meta = frontmatter(readFileSync(path.join(guidesDir, file), 'utf8'));
    const group = meta.group || 'Other guides';
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push(`- [${meta.title || file}](guides/${file})${meta.summary ? `: ${meta.summary}` : ''}`);
  }
  const order = ['Start here', 'Capabilities', 'Layers', 'Papers reproduced', 'Performance', 'Other guides'];
  const sorted = [...groups.entries()].sort(([a], [b]) => (order.indexOf(a) + 99) % 99 - (order.indexOf(b) + 99) % 99 || a.localeCompare(b));
  const list = sorted.map(([g, items]) => `### ${g}\n\n${items.join('\n')}`).join('\n\n');
  const text = readFileSync(path.join(docs, 'index.md'), 'utf8').replace('<!-- guides -->', list);
  const out = path.join(docs, '_index.generated.md');
  writeFileSync(out, text);
  return { file: out, guides };
}

export function runTypedoc(readme, { allowWarnings = false } = {}) {
  rmSync(path.join(docs, 'site'), { recursive: true, force: true });
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/typedoc/bin/typedoc'), '--options', path.join(root, 'typedoc.json'), '--readme', readme, ...(allowWarnings ? ['--treatWarningsAsErrors', 'false'] : [])],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  // A summary per source file, so each owner sees at once what to document.
  const perFile = new Map();
  for (const m of `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '').matchAll(/defined in [^/\s]+\/(\S+?),/g)) {
    perFile.set(m[1], (perFile.get(m[1]) ?? 0) + 1);
  }
  if (perFile.size > 0) {
    console.error('docs: warnings per source file (undocumented or unexported symbols):');
    for (const [file, n] of [...perFile].sort((a, b) => b[1] - a[1])) console.error(`  ${String(n).padStart(4)}  ${file}`);
  }
  if (r.status !== 0) throw new Error(`typedoc failed (exit ${r.status}): warnings are errors, see above`);
}

async function main() {
  const t0 = Date.now();
  if (!args.has('--skip-browser')) {
    const { bytes, stubbed } = await buildBrowserExample({ typecheck: !args.has('--skip-typecheck') });
    console.log(`docs: browser example bundled (${(bytes / 1e6).toFixed(2)} MB of JS) into docs/browser/build/flowsentry-browser-example.html`);
    for (const [from, mods] of stubbed) console.log(`docs: browser bundle stubs ${[...mods].join(', ')} imported by ${from}`);
  }
  const { file, guides } = writeLandingPage();
  console.log(`docs: landing page lists ${guides.length} guides`);
  runTypedoc(file, { allowWarnings: args.has('--allow-warnings') });
  console.log(`docs: site written to docs/site/ in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`docs: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
