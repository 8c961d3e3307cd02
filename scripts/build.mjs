// Bundles the CLI so that startup reads one file; web-tree-sitter stays external because it
// locates its .wasm next to its own module.
import asc from 'assemblyscript/asc';
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
await build({
  entryPoints: { cordon: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  external: ['web-tree-sitter'],
  define: { __CORDON_VERSION__: JSON.stringify(pkg.version) },
  banner: { js: "import { createRequire as __cordonCreateRequire } from 'node:module'; const require = __cordonCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

// The logs prefilter (WebAssembly with SIMD), next to the bundle that loads it.
const compiled = await asc.main([
  'src/detectors/prefilter/assembly/prefilter.ts',
  '--outFile', 'dist/prefilter.wasm',
  '--optimizeLevel', '3',
  '--shrinkLevel', '0',
  '--enable', 'simd',
  '--runtime', 'stub',
  '--noAssert',
]);
if (compiled.error) {
  process.stderr.write(compiled.stderr.toString());
  throw compiled.error;
}
