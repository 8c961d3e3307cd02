/**
 * Dockerfiles (and Containerfiles), read by the rules of Docker's reference: parser directives
 * at the top (`# syntax=`, `# escape=`), `#` comment lines (dropped even inside a continued
 * instruction), continuation with the escape character (`\`, or `` ` `` after `# escape=``),
 * here-documents (`RUN <<EOF … EOF`, `<<-EOF`), shell and exec (JSON array) forms, and flags
 * (`--platform`, `--mount`, `--from`). `FROM` images are resolved through the defaults of the
 * `ARG`s declared before the first `FROM`. `RUN` scripts are parsed as shell with tree-sitter-bash
 * (the same parser as workflow `run:` steps), with spans that point back into the Dockerfile.
 *
 * Our own parser: `dockerfile-ast` would bring the VS Code language-server packages with it.
 * Never throws; oddities are in `errors`.
 */
import type { Span } from '../yaml/document.ts';
import { LineIndex } from '../lines.ts';
import { parseShell } from '../shell/parse.ts';
import type { ShellScript } from '../shell/types.ts';

export interface DockerFlag {
  name: string;
  value: string;
  span: Span;
}

export interface Heredoc {
  delimiter: string;
  body: string;
  /** `<<-EOF`: leading tabs are stripped from the body and the delimiter line. */
  stripTabs: boolean;
  /** `<<"EOF"` / `<<'EOF'`: no variable expansion in the body. */
  quoted: boolean;
  /** The body lines and the closing delimiter. */
  span: Span;
  /** The body lines alone, as written (tabs not stripped). */
  bodySpan: Span;
}

export interface DockerInstruction {
  /** Upper-case keyword (`FROM`, `RUN`, `COPY`…). */
  keyword: string;
  /** Arguments after the flags, continuations joined the way Docker joins them. */
  arguments: string;
  flags: DockerFlag[];
  form: 'shell' | 'exec';
  /** Exec form (`["pip", "install", "x"]`): the words. */
  exec?: string[];
  heredocs: Heredoc[];
  /** First character of the keyword to the end of the last line (here-documents included). */
  span: Span;
  line: number;
  endLine: number;
  /** The stage the instruction belongs to; -1 before the first `FROM`. */
  stage: number;
  /** Where the arguments are in the file: `argumentsSpan(start, end)` maps offsets of `arguments`. */
  argumentsSpan(start: number, end: number): Span;
}

export interface ImageReference {
  /** As written (`python:${PY}-slim`). */
  raw: string;
  /** After `ARG` substitution; equal to `raw` without variables. */
  resolved: string;
  /** Variables without a default (the image depends on `--build-arg`). */
  unresolved: string[];
  registry?: string;
  /** `library/python`, `ghcr.io/org/image` without the registry: `org/image`. */
  repository: string;
  tag?: string;
  /** `sha256:…` after `@`. */
  digest?: string;
  span: Span;
}

export interface FromInstruction {
  instruction: DockerInstruction;
  image: ImageReference;
  platform?: string;
  /** `AS name` (lower-cased as Docker compares it). */
  alias?: string;
  /** `FROM scratch`: the empty image. */
  scratch: boolean;
  /** `FROM builder`: index of the earlier stage named so. */
  stageRef?: number;
  stage: number;
}

export interface RunInstruction {
  instruction: DockerInstruction;
  /** The script bash would be given (shell form, here-documents included), or the exec words joined. */
  script: string;
  /** `--mount=` flags (`type=secret,id=…`, `type=cache,…`). */
  mounts: DockerFlag[];
  /** Parsed lazily with tree-sitter-bash; spans point into the Dockerfile. */
  parsed(): ShellScript;
}

export interface DockerStage {
  index: number;
  from: FromInstruction;
  instructions: DockerInstruction[];
  runs: RunInstruction[];
  /** `ENV` values set in the stage so far, by name, with the line of the last assignment. */
  env: Map<string, { value: string; line: number }>;
}

export interface Dockerfile {
  kind: 'dockerfile';
  path: string;
  text: string;
  directives: Array<{ name: string; value: string; line: number }>;
  /** The escape character: `\` unless `# escape=`` says otherwise. */
  escape: string;
  instructions: DockerInstruction[];
  /** `ARG`s before the first `FROM`, with their defaults. */
  globalArgs: Map<string, { value?: string; line: number }>;
  stages: DockerStage[];
  errors: Array<{ line: number; message: string }>;
  readonly lines: LineIndex;
}

const KNOWN_INSTRUCTIONS = new Set([
  'FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL',
]);
/** Instructions whose arguments may start with `--flag=value` words. */
const FLAGGED = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);
/** Instructions that take here-documents. */
const HEREDOC_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD']);
const HEREDOC = /<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;
/** Docker predefines these platform ARGs for every `FROM`. */
const PLATFORM_ARGS = ['BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT', 'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT'];

/** Text assembled from pieces of the file, remembering each character's offset in the file. */
class MappedText {
  text = '';
  readonly offsets: number[] = [];
  push(piece: string, fileOffset: number): void {
    this.text += piece;
    for (let i = 0; i < piece.length; i++) this.offsets.push(fileOffset + i);
  }
  /** Text that is not in the file (a joining newline), placed at one offset. */
  pushSynthetic(piece: string, fileOffset: number): void {
    this.text += piece;
    for (let i = 0; i < piece.length; i++) this.offsets.push(fileOffset);
  }
  slice(start: number): MappedText {
    const out = new MappedText();
    out.text = this.text.slice(start);
    out.offsets.push(...this.offsets.slice(start));
    return out;
  }
  spanOf(lines: LineIndex, start: number, end: number, fallback: number): Span {
    if (!this.offsets.length) return lines.span(fallback, fallback);
    const from = this.offsets[Math.min(Math.max(start, 0), this.offsets.length - 1)]!;
    const last = end > start ? this.offsets[Math.min(end - 1, this.offsets.length - 1)]! + 1 : from;
    return lines.span(from, Math.max(from, last));
  }
}

/** Each instruction's arguments with their file offsets (for RUN scripts). */
const mappedArguments = new WeakMap<DockerInstruction, MappedText>();

export function parseDockerfile(path: string, text: string): Dockerfile {
  const lines = new LineIndex(text);
  const file: Dockerfile = { kind: 'dockerfile', path, text, directives: [], escape: '\\', instructions: [], globalArgs: new Map(), stages: [], errors: [], lines };
  let number = 1;
  // Parser directives: `# name=value` lines at the very top, each name once.
  for (; number <= lines.lineCount; number++) {
    const match = /^#\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*?)\s*$/.exec(lines.lineText(number));
    if (!match || file.directives.some((item) => item.name === match[1]!.toLowerCase())) break;
    file.directives.push({ name: match[1]!.toLowerCase(), value: match[2]!, line: number });
  }
  const escapeDirective = file.directives.find((item) => item.name === 'escape')?.value;
  if (escapeDirective === '`') file.escape = '`';
  const escape = file.escape;

  while (number <= lines.lineCount) {
    const first = lines.lineText(number);
    if (!first.trim() || /^\s*#/.test(first)) {
      number++;
      continue;
    }
    const startLine = number;
    const logical = new MappedText();
    let endLine = number;
    let current = number;
    let continued = true;
    let firstPiece = true;
    while (continued && current <= lines.lineCount) {
      const raw = lines.lineText(current);
      if (!firstPiece && (!raw.trim() || /^\s*#/.test(raw))) {
        // Comment and empty lines inside a continued instruction are dropped.
        current++;
        continue;
      }
      const trimmed = raw.replace(/\s+$/, '');
      continued = trimmed.endsWith(escape);
      const content = continued ? trimmed.slice(0, -1) : raw;
      const lead = firstPiece ? raw.length - raw.trimStart().length : 0;
      logical.push(content.slice(lead), lines.lineStart(current) + lead);
      endLine = current;
      current++;
      firstPiece = false;
    }
    number = current;
    const instruction = buildInstruction(file, logical, startLine, endLine);
    // Here-documents follow the instruction's line(s).
    if (HEREDOC_INSTRUCTIONS.has(instruction.keyword)) {
      for (const marker of logical.text.matchAll(HEREDOC)) {
        const delimiter = marker[3]!;
        const stripTabs = marker[1] === '-';
        const bodyStart = number;
        const body: string[] = [];
        let closed = false;
        while (number <= lines.lineCount) {
          const line = lines.lineText(number);
          number++;
          if ((stripTabs ? line.replace(/^\t+/, '') : line) === delimiter) {
            closed = true;
            break;
          }
          body.push(stripTabs ? line.replace(/^\t+/, '') : line);
        }
        if (!closed) file.errors.push({ line: bodyStart, message: `here-document ${delimiter} is not closed` });
        const lastLine = Math.max(bodyStart, number - 1);
        const bodyEnd = closed ? lines.lineStart(number - 1) : lines.lineEnd(lastLine);
        instruction.heredocs.push({
          delimiter,
          body: body.length ? `${body.join('\n')}\n` : '',
          stripTabs,
          quoted: marker[2] !== '',
          span: lines.span(lines.lineStart(bodyStart), lines.lineEnd(lastLine)),
          bodySpan: lines.span(lines.lineStart(bodyStart), Math.max(lines.lineStart(bodyStart), bodyEnd)),
        });
        instruction.endLine = lastLine;
        instruction.span = lines.span(instruction.span.offset, lines.lineEnd(lastLine));
      }
    }
    file.instructions.push(instruction);
    attach(file, instruction);
  }
  return file;
}

function buildInstruction(file: Dockerfile, logical: MappedText, line: number, endLine: number): DockerInstruction {
  const { lines } = file;
  const keywordMatch = /^(\S+)/.exec(logical.text);
  const keyword = (keywordMatch?.[1] ?? '').toUpperCase();
  let at = keywordMatch?.[1]?.length ?? 0;
  const flags: DockerFlag[] = [];
  const skipSpace = () => {
    while (at < logical.text.length && /\s/.test(logical.text[at]!)) at++;
  };
  skipSpace();
  if (FLAGGED.has(keyword)) {
    for (;;) {
      const flag = /^--([A-Za-z][A-Za-z0-9-]*)(?:=(\S*))?/.exec(logical.text.slice(at));
      if (!flag) break;
      flags.push({ name: flag[1]!.toLowerCase(), value: flag[2] ?? '', span: logical.spanOf(lines, at, at + flag[0].length, lines.lineStart(line)) });
      at += flag[0].length;
      skipSpace();
    }
  }
  const args = logical.slice(at);
  const argumentsText = args.text.trimEnd();
  if (keyword && !KNOWN_INSTRUCTIONS.has(keyword)) file.errors.push({ line, message: `unknown instruction ${keywordMatch?.[1]}` });
  const instruction: DockerInstruction = {
    keyword,
    arguments: argumentsText,
    flags,
    form: 'shell',
    heredocs: [],
    span: lines.span(logical.offsets[0] ?? lines.lineStart(line), (logical.offsets[logical.offsets.length - 1] ?? lines.lineStart(line)) + 1),
    line,
    endLine,
    stage: file.stages.length - 1,
    argumentsSpan: (start, end) => args.spanOf(lines, start, end, lines.lineStart(line)),
  };
  if (argumentsText.startsWith('[')) {
    try {
      const words: unknown = JSON.parse(argumentsText);
      if (Array.isArray(words) && words.every((word) => typeof word === 'string')) {
        instruction.form = 'exec';
        instruction.exec = words as string[];
      }
    } catch {
      // Not JSON: Docker runs it in shell form.
    }
  }
  mappedArguments.set(instruction, args);
  return instruction;
}

function attach(file: Dockerfile, instruction: DockerInstruction): void {
  if (instruction.keyword === 'ARG' && file.stages.length === 0) {
    for (const [name, value] of assignments(instruction.arguments)) file.globalArgs.set(name, { ...(value !== undefined ? { value } : {}), line: instruction.line });
    return;
  }
  if (instruction.keyword === 'FROM') {
    const from = fromInstruction(file, instruction);
    file.stages.push({ index: from.stage, from, instructions: [instruction], runs: [], env: new Map() });
    instruction.stage = from.stage;
    return;
  }
  const stage = file.stages[file.stages.length - 1];
  if (!stage) {
    file.errors.push({ line: instruction.line, message: `${instruction.keyword} before the first FROM` });
    return;
  }
  stage.instructions.push(instruction);
  if (instruction.keyword === 'ENV') {
    for (const [name, value] of assignments(instruction.arguments, true)) stage.env.set(name, { value: value ?? '', line: instruction.line });
  }
  if (instruction.keyword === 'RUN') stage.runs.push(runInstruction(file, instruction));
}

/** `A=1 B="two words"`, or the legacy `ENV NAME value` form. */
function assignments(text: string, legacyEnv = false): Array<[string, string | undefined]> {
  const out: Array<[string, string | undefined]> = [];
  const trimmed = text.trim();
  if (legacyEnv && /^[A-Za-z_][A-Za-z0-9_]*\s/.test(trimmed) && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(trimmed)) {
    const [name = '', ...rest] = trimmed.split(/\s+/);
    out.push([name, rest.join(' ')]);
    return out;
  }
  const pattern = /([A-Za-z_][A-Za-z0-9_]*)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?/g;
  for (const match of trimmed.matchAll(pattern)) {
    const raw = match[2];
    const value = raw === undefined ? undefined : raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw.startsWith("'") ? raw.slice(1, -1) : raw;
    out.push([match[1]!, value]);
  }
  return out;
}

function fromInstruction(file: Dockerfile, instruction: DockerInstruction): FromInstruction {
  const words = instruction.arguments.split(/\s+/).filter(Boolean);
  const raw = words[0] ?? '';
  const rawStart = instruction.arguments.indexOf(raw);
  const span = raw ? instruction.argumentsSpan(rawStart, rawStart + raw.length) : instruction.span;
  const stage = file.stages.length;
  if (!raw) file.errors.push({ line: instruction.line, message: 'FROM without an image' });
  const { value: resolved, unresolved } = substitute(raw, file.globalArgs);
  const image = imageReference(raw, resolved, unresolved, span);
  const from: FromInstruction = { instruction, image, scratch: resolved.toLowerCase() === 'scratch', stage };
  const platform = instruction.flags.find((flag) => flag.name === 'platform')?.value;
  if (platform) from.platform = platform;
  if (words[1]?.toLowerCase() === 'as' && words[2]) from.alias = words[2].toLowerCase();
  if (!image.tag && !image.digest && !image.registry) {
    const earlier = file.stages.findIndex((item) => item.from.alias !== undefined && item.from.alias === resolved.toLowerCase());
    if (earlier >= 0) from.stageRef = earlier;
  }
  return from;
}

/** Docker's substitution in `FROM`: `$A`, `${A}`, `${A:-default}`, `${A:+alternative}`. */
export function substitute(text: string, args: ReadonlyMap<string, { value?: string }>): { value: string; unresolved: string[] } {
  const unresolved: string[] = [];
  const value = text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_whole, braced?: string, operator?: string, word?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    const known = args.get(name)?.value;
    const set = known !== undefined && known !== '';
    if (operator === ':-' || operator === '-') return set ? known : (word ?? '');
    if (operator === ':+' || operator === '+') return set ? (word ?? '') : '';
    if (known !== undefined) return known;
    if (!PLATFORM_ARGS.includes(name)) unresolved.push(name);
    return '';
  });
  return { value, unresolved };
}

/** `[registry/]repository[:tag][@digest]`. */
export function imageReference(raw: string, resolved: string, unresolved: string[], span: Span): ImageReference {
  const at = resolved.indexOf('@');
  const name = at >= 0 ? resolved.slice(0, at) : resolved;
  const digest = at >= 0 ? resolved.slice(at + 1) : undefined;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > slash ? name.slice(colon + 1) : undefined;
  const path = colon > slash ? name.slice(0, colon) : name;
  const firstSlash = path.indexOf('/');
  const head = firstSlash >= 0 ? path.slice(0, firstSlash) : '';
  const registry = head && (head.includes('.') || head.includes(':') || head === 'localhost') ? head : undefined;
  const repository = registry ? path.slice(firstSlash + 1) : path;
  return { raw, resolved, unresolved, repository, span, ...(registry ? { registry } : {}), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

function runInstruction(file: Dockerfile, instruction: DockerInstruction): RunInstruction {
  const { lines } = file;
  const mapped = mappedArguments.get(instruction) ?? new MappedText();
  const script = new MappedText();
  if (instruction.form === 'exec' && instruction.exec) {
    // The words, quoted for bash; spans fall on the instruction.
    script.pushSynthetic(instruction.exec.map(quoteForShell).join(' '), mapped.offsets[0] ?? instruction.span.offset);
  } else {
    const onlyHeredocs = instruction.heredocs.length > 0 && mapped.text.replace(HEREDOC, '').trim() === '';
    if (!onlyHeredocs) {
      const text = mapped.text.trimEnd();
      for (let i = 0; i < text.length; i++) script.push(text[i]!, mapped.offsets[i]!);
    }
    for (const heredoc of instruction.heredocs) {
      const bodyOffset = heredoc.span.offset;
      if (onlyHeredocs) {
        // `RUN <<EOF`: the body is the script.
        script.push(file.text.slice(bodyOffset, heredoc.bodySpan.endOffset), bodyOffset);
      } else {
        script.pushSynthetic('\n', bodyOffset);
        script.push(file.text.slice(bodyOffset, heredoc.span.endOffset), bodyOffset);
      }
    }
  }
  let parsed: ShellScript | undefined;
  return {
    instruction,
    script: script.text,
    mounts: instruction.flags.filter((flag) => flag.name === 'mount'),
    parsed() {
      parsed ??= parseShell(script.text, (start, end) => script.spanOf(lines, start, end, instruction.span.offset));
      return parsed;
    },
  };
}

function quoteForShell(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A file name that is a Dockerfile: `Dockerfile`, `Dockerfile.dev`, `app.Dockerfile`, `Containerfile`. */
export function isDockerfileName(name: string): boolean {
  const base = name.split(/[\\/]/).pop() ?? name;
  return /^(Dockerfile|Containerfile)(\.[A-Za-z0-9_.-]+)?$/.test(base) || /\.(Dockerfile|Containerfile)$/i.test(base);
}
