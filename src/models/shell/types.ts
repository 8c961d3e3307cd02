import type { Span } from '../yaml/document.ts';
import type { Expression } from '../github/expressions.ts';

/** One word of a command line, as the shell would see it before expansion. */
export interface ShellWord {
  /** Source text, quotes included. */
  raw: string;
  /** Quotes removed; `$VAR` and `$(…)` kept as written. */
  text: string;
  /** Environment variables the word expands (`$FOO`, `${FOO}`, `"$FOO"`). */
  variables: string[];
  /** `${{ … }}` expressions written inside the word. */
  expressions: Array<Omit<Expression, 'span'>>;
  /** Offsets in the script text (after `${{ }}` expressions were blanked out). */
  start: number;
  end: number;
  span: Span;
}

export interface ShellRedirect {
  operator: string;
  target: string;
  /** The file descriptor written before the operator (`2` in `2>&1`), when there is one. */
  descriptor?: string;
}

export interface ShellCommand {
  /** The command word as written (`/usr/bin/curl`, `python3`). */
  name: string;
  /** Basename of the command word, lower-cased (`curl`, `python3`). */
  program: string;
  args: ShellWord[];
  /** `FOO=bar cmd` prefix assignments; values as written, `${{ }}` included. */
  assignments: Array<{ name: string; value: string }>;
  redirects: ShellRedirect[];
  start: number;
  end: number;
  span: Span;
  text: string;
  /** Other commands of the same pipeline, in order; this command is at `pipelineIndex`. */
  pipeline: ShellCommand[];
  pipelineIndex: number;
  /** Inside `$(…)`/backticks, a subshell, or a `bash -c` string. */
  nested: boolean;
}

export interface ShellScript {
  commands: ShellCommand[];
  /** The parser recovered from syntax errors; commands are best-effort. */
  hasErrors: boolean;
  /** Variable assignments at top level (`TOKEN=$(curl …)`), by name, with their value text. */
  assignments: Array<{ name: string; value: string; start: number; span: Span }>;
}
