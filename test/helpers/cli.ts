import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The command as users run it (after `npm run build`, which `npm test` does first). */
export const BIN = path.resolve('bin/cordon.js');

/** Runs `cordon ARGS` as a process, without colour. */
export function runCordon(args: string[], options: { cwd?: string; input?: string } = {}): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: options.cwd ?? process.cwd(), input: options.input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A temporary folder holding `files` (paths relative to it). Unless `codeowners` is false, workflow
 * changes are owned in `.github/CODEOWNERS`, so that tests about other rules are not also about
 * `workflow-codeowners`; `files` can bring its own.
 */
export function writeRepository(files: Record<string, string>, options: { codeowners?: boolean } = {}): string {
  const root = mkdtempSync(path.join(tmpdir(), 'cordon-test-'));
  const all = options.codeowners === false ? files : { '.github/CODEOWNERS': '/.github/ @example-org/release-owners\n', ...files };
  for (const [name, text] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}
