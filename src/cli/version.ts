import { readFileSync } from 'node:fs';

declare const __CORDON_VERSION__: string | undefined;

/** Inlined by the bundler; read from package.json when running from source (tests). */
export function cordonVersion(): string {
  if (typeof __CORDON_VERSION__ !== 'undefined') return __CORDON_VERSION__;
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export const INFORMATION_URI = 'https://github.com/cordon-dev/cordon';
