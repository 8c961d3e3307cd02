import type { ShellCommand, ShellWord } from '../models/shell/types.ts';

/** Options that carry what a request sends: its body, form fields or uploaded file. */
export const DATA_OPTIONS = /^(-d|--data|--data-raw|--data-binary|--data-urlencode|--json|-F|--form|--form-string|-T|--upload-file|--post-data|--body-data|--post-file|--body-file)$/;
/** Options that carry request headers or credentials. */
export const HEADER_OPTIONS = /^(-H|--header|-u|--user|--oauth2-bearer|--proxy-user)$/;

/**
 * Options whose value is the next word but is neither the address, the body nor a header: output
 * files, methods, timeouts. Without them, `curl -o mint.json https://pypi.org/…` would look like a
 * request to a host called `mint.json`. Per program: curl's `-O` takes no value, wget's does.
 */
const OTHER_VALUE_OPTIONS: Record<string, RegExp> = {
  curl: /^(-o|--output|-X|--request|-A|--user-agent|-e|--referer|-b|--cookie|-c|--cookie-jar|-w|--write-out|-K|--config|-m|--max-time|--connect-timeout|--retry|--retry-delay|--retry-max-time|--cacert|--cert|--key|-E|-x|--proxy|--resolve|--interface|--output-dir|-r|--range|-z|--time-cond|--limit-rate|--max-filesize)$/,
  wget: /^(-O|--output-document|-o|--output-file|-a|--append-output|-P|--directory-prefix|-U|--user-agent|--method|-e|--execute|-T|--timeout|-t|--tries|--ca-certificate|--certificate|--private-key|--limit-rate|-Q|--quota)$/,
};

/** Does `flag` (without an inline `=value`) take the next word as a value that is not sent data? */
export function takesOtherValue(program: string, flag: string): boolean {
  return OTHER_VALUE_OPTIONS[program]?.test(flag) ?? false;
}

/** The words of a curl/wget command that name what it requests (`--url X` or operands). */
export function requestTargets(command: ShellCommand): ShellWord[] {
  const targets: ShellWord[] = [];
  for (let i = 0; i < command.args.length; i++) {
    const word = command.args[i]!;
    if (word.text === '--url') {
      if (command.args[i + 1]) targets.push(command.args[++i]!);
    } else if (DATA_OPTIONS.test(word.text) || HEADER_OPTIONS.test(word.text) || takesOtherValue(command.program, word.text)) i++;
    else if (!word.text.startsWith('-')) targets.push(word);
  }
  return targets;
}
