import { YamlInputError } from '../yaml/document.ts';

/**
 * A dependency file cordon refuses to read: malformed TOML or JSON, or a lock format version it
 * does not know (`uv.lock` `version = 2`, poetry `lock-version = "3.0"`). Carries the file and the
 * line, like every input error. It extends `YamlInputError` so that the engine and the CLI report
 * it as they report unreadable workflows.
 */
export class DependencyFileError extends YamlInputError {
  constructor(
    message: string,
    line: number,
    readonly path: string,
    column = 1,
  ) {
    super(message, line, column);
  }
}
