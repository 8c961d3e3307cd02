import type { Scalar } from 'yaml';
import type { Span, YamlFile } from './document.ts';

/**
 * Maps offsets in a scalar's value back to the file, for scripts written as YAML strings. A
 * literal block (`|`) keeps every line, so each value line is the tail of its source line and
 * maps exactly. Other styles fold lines or unescape, so each run of non-blank characters is found
 * again in the source, in order and close to where the previous one ended; a run that cannot be
 * found (it held an escape) maps to where the search stands, which keeps at least the line close.
 *
 * Shared by GitHub `run:` scripts and GitLab `script:` lines.
 */
export function scalarOffsetMapper(yaml: YamlFile, node: Scalar<unknown>, text: string): (start: number, end: number) => Span {
  const range = node.range ?? [0, 0, 0];
  const sourceEnd = range[1];
  // Built on first use: most scripts are never parsed.
  let mapped: Int32Array | null = null;
  const toFile = (offset: number): number => {
    mapped ??= (node.type === 'BLOCK_LITERAL' ? literalOrigins(yaml, node, text) : null) ?? alignedOrigins(yaml, node, text);
    return mapped[Math.max(0, Math.min(offset, text.length))] ?? range[0];
  };
  return (start, end) => {
    const fileStart = toFile(start);
    // An end is exclusive: it lies just after the last character of the range.
    const fileEnd = end > start ? toFile(end - 1) + 1 : fileStart;
    return yaml.spanOf(fileStart, Math.max(fileStart, Math.min(fileEnd, Math.max(sourceEnd, fileStart))));
  };
}

/** File offset of every value offset (and of the end) of a `|` block, or null if it does not line up. */
function literalOrigins(yaml: YamlFile, node: Scalar<unknown>, text: string): Int32Array | null {
  const origins = new Int32Array(text.length + 1);
  const starts = yaml.lineCounter.lineStarts;
  const headerLine = yaml.position(node.range?.[0] ?? 0).line;
  const lines = text.split('\n');
  let indent = -1;
  for (let k = 0; k < lines.length; k++) {
    const value = lines[k]!;
    if (value === '') continue;
    const source = yaml.lineText(headerLine + 1 + k);
    if (!source.endsWith(value)) return null;
    indent = source.length - value.length;
    break;
  }
  let offset = 0;
  for (let k = 0; k < lines.length; k++) {
    const value = lines[k]!;
    const lineStart = starts[headerLine + k];
    if (lineStart === undefined) {
      // The clipped final newline of a file that does not end with one.
      if (value !== '' || k !== lines.length - 1) return null;
      origins[offset] = yaml.text.length;
      break;
    }
    const source = yaml.lineText(headerLine + 1 + k);
    if (value !== '' && !source.endsWith(value)) return null;
    const column = value === '' ? Math.min(Math.max(indent, 0), source.length) : source.length - value.length;
    for (let i = 0; i <= value.length && offset + i <= text.length; i++) origins[offset + i] = lineStart + column + i;
    offset += value.length + 1;
  }
  return origins;
}

function alignedOrigins(yaml: YamlFile, node: Scalar<unknown>, text: string): Int32Array {
  const SEARCH_WINDOW = 256;
  const source = yaml.text;
  const range = node.range ?? [0, 0, 0];
  const limit = range[1];
  let cursor = range[0];
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') cursor += 1;
  else if (node.type === 'BLOCK_FOLDED') {
    // The header line (`>-  # comment`) holds no content.
    const newline = source.indexOf('\n', cursor);
    cursor = newline === -1 || newline >= limit ? limit : newline + 1;
  }
  const origins = new Int32Array(text.length + 1);
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      origins[i++] = cursor;
      continue;
    }
    let j = i;
    while (j < text.length && !/\s/.test(text[j]!)) j++;
    const token = text.slice(i, j);
    const found = source.slice(cursor, Math.min(limit, cursor + token.length + SEARCH_WINDOW)).indexOf(token);
    for (let k = i; k < j; k++) origins[k] = found === -1 ? cursor : cursor + found + (k - i);
    if (found !== -1) cursor += found + token.length;
    i = j;
  }
  origins[text.length] = cursor;
  return origins;
}
