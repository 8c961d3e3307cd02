import type { LockedPackage } from '../models/python/types.ts';
import { defineRule } from './rule.ts';

const ARCHIVE = /\.(whl|tar\.gz|tgz|tar\.bz2|zip)$/i;
const FORMAT_NAMES: Record<string, string> = { poetry: 'poetry.lock', uv: 'uv.lock', pipfile: 'Pipfile.lock', pdm: 'pdm.lock', pylock: 'pylock.toml' };
/** Past this many unhashed entries in a lock that has no hash at all, one finding stands for all. */
const SUMMARY_THRESHOLD = 3;

/**
 * Entries that cannot have a file hash: version-control checkouts, local directories and
 * editable installs (there is no single file to hash). Archives named by URL or path can.
 */
function cannotHaveHashes(item: LockedPackage): boolean {
  if (!item.direct) return false;
  if (item.direct.kind === 'vcs' || item.direct.kind === 'editable') return true;
  if (item.direct.kind === 'path') return !ARCHIVE.test(item.direct.url.replace(/[?#].*$/, ''));
  return false;
}

export default defineRule({
  meta: {
    id: 'lock-missing-hashes',
    summary: 'lockfile entry (poetry.lock, uv.lock, Pipfile.lock, pdm.lock, pylock.toml) without file hashes',
    severity: 'medium',
    confidence: 'high',
    docs: {
      why: `A lockfile pins versions; its hashes pin content. An installer that has the hash of every file of a
release refuses a file that differs, whatever the index or a proxy in between serves; without them it
installs whatever file it is given under the locked version. PEP 665 and then PEP 751 (\`pylock.toml\`)
made hashes part of the standard lock format for this reason (PEP 751 requires at least one hash for
every sdist, wheel and archive a \`pylock.toml\` lists), and pip's
hash-checking mode turns on by itself when a \`pylock.toml\` entry has hashes. Poetry, uv, pdm and
pipenv record hashes by default; an entry without them was written by an old tool version, by a
source that did not provide them (a private index that publishes no hashes, which pip-tools and uv
users hit), or edited by hand.

Entries that cannot have a hash are not reported: version-control checkouts (pinned by their commit
instead), local directories and editable installs of the project itself. Archives named by URL or
path can and should be hashed. A lock whose every entry lacks hashes is reported once.

Requirements files are covered by \`unhashed-requirements\`.`,
      example: `# poetry.lock (lock-version 1.x): requests has no [metadata.files] entry
[[package]]
name = "requests"
version = "2.31.0"

[metadata.files]
requests = []`,
      fix: `Regenerate the lock with a current tool version, which writes every file's hash: \`poetry lock\`,
\`uv lock\`, \`pdm lock\`, \`pipenv lock\`, \`pip lock\` (pylock.toml). For a private index, publish
hashes in its simple API (PEP 503 \`#sha256=\` fragments or PEP 691 \`hashes\`). Then install with the
lock's own installer (\`poetry install\`, \`uv sync --locked\`, \`pdm sync\`, \`pipenv sync\`), which checks
them.`,
      references: [
        'https://pip.pypa.io/en/stable/topics/secure-installs/',
        'https://peps.python.org/pep-0751/',
        'https://peps.python.org/pep-0665/',
        'https://packaging.python.org/en/latest/specifications/pylock-toml/',
        'https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile',
      ],
    },
  },

  lockfile(lock, context) {
    if (lock.format === 'requirements') return;
    const name = FORMAT_NAMES[lock.format] ?? lock.format;
    const checked = lock.packages.filter((item) => !cannotHaveHashes(item));
    const missing = checked.filter((item) => item.hashes.length === 0);
    if (missing.length > SUMMARY_THRESHOLD && missing.length === checked.length) {
      const first = missing[0]!;
      context.report({
        message: `No entry of this ${name} has a file hash (${missing.length} packages, ${missing.slice(0, 3).map((item) => `\`${item.name}\``).join(', ')}…): the installer cannot tell the locked files from others served under the same versions. Regenerate the lock with a tool version that records hashes`,
        span: lock.formatVersionSpan ?? first.span,
        key: `all/${lock.format}`,
        related: missing.slice(0, 5).map((item) => ({ message: `\`${item.name}\` ${item.version ?? ''} has no hash`.trim(), span: item.span })),
      });
      return;
    }
    for (const item of checked) {
      const version = item.version ? ` ${item.version}` : '';
      if (item.hashes.length === 0) {
        context.report({
          message: `\`${item.name}\`${version} is locked without a file hash: the installer accepts any file served under this version. Regenerate the ${name} entry with its hashes`,
          span: item.span,
          key: `none/${item.normalizedName}/${item.version ?? ''}`,
        });
      } else if (item.unhashedFiles?.length) {
        const files = item.unhashedFiles.map((file) => file.split('/').pop() ?? file);
        context.report({
          message: `\`${item.name}\`${version} lists ${files.length === 1 ? 'a file' : `${files.length} files`} without a hash (${files.slice(0, 3).map((file) => `\`${file}\``).join(', ')}${files.length > 3 ? '…' : ''}): an installer that picks ${files.length === 1 ? 'it' : 'one of them'} checks nothing`,
          span: item.span,
          severity: 'low',
          key: `partial/${item.normalizedName}/${item.version ?? ''}`,
        });
      }
    }
  },
});
