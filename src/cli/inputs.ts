import type { AuditInput } from '../engine/load.ts';
import type { InputError } from '../findings/finding.ts';
import type { PlainFile } from '../models/repository.ts';
import { decodeInput, discover, readCandidate, type Discovery, type ReadLimits } from '../sources/files.ts';

export interface GatheredInputs {
  inputs: AuditInput[];
  errors: InputError[];
  discovery: Discovery;
  codeowners?: PlainFile;
}

/** Finds and reads everything a command was pointed at: paths (default `.`) and `-` for stdin. */
export async function gatherInputs(paths: readonly string[], cwd: string, limits: ReadLimits): Promise<GatheredInputs> {
  const inputs: AuditInput[] = [];
  const errors: InputError[] = [];
  const files = paths.filter((item) => item !== '-');
  const wantsStdin = paths.includes('-');
  const discovery = await discover(files.length ? files : wantsStdin ? [] : ['.'], cwd);
  errors.push(...discovery.errors);
  if (wantsStdin) {
    const read = decodeInput('<stdin>', await readStdin(limits.maxBytes), limits);
    if (read.ok) inputs.push({ path: '<stdin>', text: read.text, kind: /^\s*runs\s*:/m.test(read.text) && !/^\s*jobs\s*:/m.test(read.text) ? 'action' : 'workflow' });
    else errors.push(read.error);
  }
  for (const candidate of discovery.candidates) {
    const read = await readCandidate(candidate, limits);
    if (read.ok) inputs.push({ path: candidate.display, text: read.text, kind: candidate.kind });
    else errors.push(read.error);
  }
  let codeowners: PlainFile | undefined;
  if (discovery.codeowners) {
    const read = await readCandidate(discovery.codeowners, limits);
    if (read.ok) codeowners = { path: discovery.codeowners.display, text: read.text };
    else errors.push(read.error);
  }
  return { inputs, errors, discovery, codeowners };
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
