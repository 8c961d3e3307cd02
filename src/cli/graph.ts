import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildGraph } from '../analysis/graph.ts';
import { loadRepository } from '../engine/load.ts';
import { GRAPH_FORMATS, renderGraph, type GraphFormat } from '../report/graph.ts';
import { DEFAULT_LIMITS } from '../sources/files.ts';
import { gatherInputs } from './inputs.ts';

/** `cordon graph [PATH…]`: which jobs can mint which tokens and reach which publish. */
export async function runGraphCommand(argv: string[]): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { format: { type: 'string', short: 'f' }, output: { type: 'string', short: 'o' } },
    }));
  } catch (error) {
    process.stderr.write(`cordon graph: ${(error as Error).message}\n`);
    return 2;
  }
  const format = (values.format ?? 'text') as GraphFormat;
  if (!GRAPH_FORMATS.includes(format)) {
    process.stderr.write(`cordon graph: unknown format '${format}' (expected ${GRAPH_FORMATS.join(', ')})\n`);
    return 2;
  }
  const cwd = process.cwd();
  const gathered = await gatherInputs(positionals, cwd, DEFAULT_LIMITS);
  const { repository, errors } = await loadRepository(gathered.inputs);
  const allErrors = [...gathered.errors, ...errors];
  if (repository.workflows.length === 0) {
    process.stderr.write(`cordon graph: no readable workflow files in ${positionals.join(', ') || '.'}\n`);
    for (const error of allErrors) process.stderr.write(`  ${error.path}:${error.line}: ${error.message}\n`);
    return 2;
  }
  const { graph, reach } = buildGraph(repository);
  const output = renderGraph({ graph, reach, errors: allErrors }, format);
  if (values.output) await writeFile(path.resolve(cwd, values.output), output);
  else process.stdout.write(output);
  return 0;
}
