import assert from 'node:assert/strict';
import type { Span } from '../../src/models/yaml/document.ts';

/** Where the `nth` occurrence of `needle` lies in `text`, as 1-based line/column and offset. */
export function locate(text: string, needle: string, nth = 0): { line: number; column: number; offset: number } {
  let offset = -1;
  for (let i = 0; i <= nth; i++) {
    offset = text.indexOf(needle, offset + 1);
    assert.notEqual(offset, -1, `fixture does not contain occurrence ${nth} of ${JSON.stringify(needle)}`);
  }
  return { ...positionOf(text, offset), offset };
}

/** 1-based line and column of an offset (UTF-16 units, as editors and SARIF count). */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/** The span covers exactly the `nth` occurrence of `needle`, and its positions agree with its offsets. */
export function assertSpanIs(text: string, span: Span | undefined, needle: string, nth = 0): void {
  assert.ok(span, `no span for ${JSON.stringify(needle)}`);
  const start = locate(text, needle, nth);
  assert.equal(text.slice(span.offset, span.endOffset), needle);
  assert.deepEqual(span.start, { line: start.line, column: start.column }, `start of ${JSON.stringify(needle)}`);
  assert.deepEqual(span.end, positionOf(text, start.offset + needle.length), `end of ${JSON.stringify(needle)}`);
  assert.equal(span.offset, start.offset);
}

/** The span starts where the `nth` occurrence of `needle` starts. */
export function assertStartsAt(text: string, span: Span | undefined, needle: string, nth = 0): void {
  assert.ok(span, `no span for ${JSON.stringify(needle)}`);
  const start = locate(text, needle, nth);
  assert.deepEqual(span.start, { line: start.line, column: start.column }, `start of ${JSON.stringify(needle)}`);
  assert.equal(span.offset, start.offset);
}

/** Positions and offsets of a span describe the same place. */
export function assertConsistent(text: string, span: Span): void {
  assert.deepEqual(span.start, positionOf(text, span.offset));
  assert.deepEqual(span.end, positionOf(text, span.endOffset));
  assert.ok(span.offset <= span.endOffset);
}
