import type { AuditInput } from '../engine/load.ts';
import { ConfigError, type CordonConfig } from '../findings/config.ts';
import { redactSecrets } from '../findings/redact.ts';
import type { Rule } from '../rules/rule.ts';
import { loadConfig } from '../sources/config-file.ts';
import type { InputError } from '../findings/finding.ts';
import type { PlainFile } from '../models/repository.ts';
import { decodeInput, discover, readCandidate, type Discovery, type ReadLimits } from '../sources/files.ts';
import { localIncludeResolver } from '../sources/gitlab-includes.ts';

export interface GatheredInputs {
  inputs: AuditInput[];
  errors: InputError[];
  discovery: Discovery;
  codeowners?: PlainFile;
  /** Files read as GitLab `include: local` targets, by display path (for code frames). */
  includedSources: Map<string, string>;
}

/** Finds and reads everything a command was pointed at: paths (default `.`) and `-` for stdin. */
export async function gatherInputs(paths: readonly string[], cwd: string, limits: ReadLimits): Promise<GatheredInputs> {
  const inputs: AuditInput[] = [];
  const errors: InputError[] = [];
  const includedSources = new Map<string, string>();
  const files = paths.filter((item) => item !== '-');
  const wantsStdin = paths.includes('-');
  const discovery = await discover(files.length ? files : wantsStdin ? [] : ['.'], cwd);
  errors.push(...discovery.errors);
  if (wantsStdin) {
    const read = decodeInput('<stdin>', await readStdin(limits.maxBytes), limits);
    if (read.ok) inputs.push({ path: '<stdin>', text: read.text, kind: stdinKind(read.text) });
    else errors.push(read.error);
  }
  for (const candidate of discovery.candidates) {
    const read = await readCandidate(candidate, limits);
    if (!read.ok) errors.push(read.error);
    else if (candidate.kind === 'gitlab') {
      const resolver = localIncludeResolver(candidate.repositoryRoot ?? discovery.root, discovery.root, limits);
      const includes = {
        ...resolver,
        read: async (target: string) => {
          const result = await resolver.read(target);
          if (result.ok) includedSources.set(result.path, result.text);
          return result;
        },
      };
      inputs.push({ path: candidate.display, text: read.text, kind: 'gitlab', includes });
    } else if (candidate.kind === 'requirements') {
      // `-r`/`-c` includes are read relative to the scanned root (the model resolves them against the including file).
      const resolver = localIncludeResolver(discovery.root, discovery.root, limits);
      const includes = {
        read: async (target: string) => {
          const result = await resolver.read(target);
          if (result.ok) includedSources.set(result.path, result.text);
          return result;
        },
      };
      inputs.push({ path: candidate.display, text: read.text, kind: 'requirements', includes });
    } else inputs.push({ path: candidate.display, text: read.text, kind: candidate.kind });
  }
  let codeowners: PlainFile | undefined;
  if (discovery.codeowners) {
    const read = await readCandidate(discovery.codeowners, limits);
    if (read.ok) codeowners = { path: discovery.codeowners.display, text: read.text };
    else errors.push(read.error);
  }
  return { inputs, errors, discovery, codeowners, includedSources };
}

/**
 * What a document on standard input is: an action (`runs:` without `jobs:`), a GitLab pipeline
 * (no `on:`/`jobs:`, but GitLab's top-level keywords or job `script:`s), else a workflow.
 */
function stdinKind(text: string): AuditInput['kind'] {
  if (/^\s*runs\s*:/m.test(text) && !/^\s*jobs\s*:/m.test(text)) return 'action';
  if (!/^(on|"on"|'on'|jobs)\s*:/m.test(text) && /^(stages|include|default|workflow)\s*:|^\s+script\s*:/m.test(text)) return 'gitlab';
  return 'workflow';
}

async function readStdin(maxBytes: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    chunks.push(buffer);
    // One chunk past the limit is enough for decodeInput to report the size instead of parsing.
    if (size > maxBytes) break;
  }
  return Buffer.concat(chunks);
}

/**
 * The configuration a command runs with: none with `--no-config`, else `--config FILE` or the one
 * found at `root`. A configuration error is written through `say` (file, line, redacted message)
 * and gives undefined: the command exits 2.
 */
export async function commandConfig(
  options: { config?: string; noConfig?: boolean },
  root: string,
  rules: readonly Rule<any>[],
  say: (line: string) => void,
): Promise<CordonConfig | undefined> {
  if (options.noConfig) return {};
  try {
    return await loadConfig(options.config, root, rules);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    say(`${error.path}:${error.line}: ${redactSecrets(error.message)}`);
    return undefined;
  }
}
