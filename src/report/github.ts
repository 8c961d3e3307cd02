import type { Severity } from '../findings/finding.ts';
import { redactSecrets } from '../findings/redact.ts';
import type { Reporter } from './types.ts';

/**
 * GitHub Actions workflow commands, one annotation per finding, escaped the way
 * `@actions/core` escapes them so that a message can never end the command early or start a
 * new one.
 */

type Command = 'error' | 'warning' | 'notice';

function commandOf(severity: Severity): Command {
  if (severity === 'critical' || severity === 'high') return 'error';
  if (severity === 'medium') return 'warning';
  return 'notice';
}

/** `escapeData` of actions/toolkit (packages/core/src/command.ts). */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** `escapeProperty` of actions/toolkit (packages/core/src/command.ts). */
export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(name: Command, properties: Array<[string, string | number]>, message: string): string {
  const props = properties.map(([key, value]) => `${key}=${escapeProperty(String(value))}`).join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

export const githubReporter: Reporter = (report) => {
  const lines: string[] = [];
  for (const finding of report.findings) {
    const properties: Array<[string, string | number]> = [['file', redactSecrets(finding.path)], ['line', finding.line]];
    // GitHub accepts columns only on an annotation that starts and ends on the same line.
    if (finding.endLine === finding.line) properties.push(['col', finding.column]);
    properties.push(['endLine', finding.endLine]);
    if (finding.endLine === finding.line) properties.push(['endColumn', finding.endColumn]);
    properties.push(['title', redactSecrets(`${finding.rule} (${finding.severity})`)]);
    lines.push(command(commandOf(finding.severity), properties, redactSecrets(finding.message)));
  }
  for (const error of report.errors) {
    lines.push(command('error', [['file', redactSecrets(error.path)], ['line', error.line]], redactSecrets(error.message)));
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
};
