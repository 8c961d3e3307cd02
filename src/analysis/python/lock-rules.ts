import type { RuleMeta } from '../../rules/rule.ts';

/**
 * Rules of `cordon lock verify`. They are rule ids like the workflow rules' (same Finding model,
 * same reporters, SARIF rule table), but they run against a package index, not over a model, so
 * they are metadata here and the checks live in `verify.ts`.
 */

const PEP_740 = 'https://peps.python.org/pep-0740/';
const PEP_792 = 'https://peps.python.org/pep-0792/';
const SECURE_INSTALLS = 'https://pip.pypa.io/en/stable/topics/secure-installs/';
const FILE_NAME_REUSE = 'https://pypi.org/help/#file-name-reuse';
const TRUSTED_PUBLISHERS = 'https://docs.pypi.org/trusted-publishers/';
const YANK = 'https://peps.python.org/pep-0592/';

export const LOCK_RULE_DOCS_PATH = 'docs/lock.md';

export const lockHashMismatch: RuleMeta = {
  id: 'lock-hash-mismatch',
  summary: 'a hash in the lock matches no file of the locked release on the index',
  severity: 'critical',
  confidence: 'high',
  docs: {
    why: [
      'A lock pins each release to the digests of its files, and installers refuse any file whose digest is not listed.',
      'PyPI never lets a file name be used twice, so a file whose digest differs from the one locked under the same name cannot come from PyPI itself:',
      'either the lock was edited, or the index (a mirror or proxy) serves different bytes than were locked. A locked file that is no longer in the',
      'release was deleted by the maintainers (reported as high): installs that need it fail, and a different file may be picked.',
    ].join(' '),
    example: 'requests==2.32.3 \\\n    --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000',
    fix: 'Find out where the digest came from before changing anything: compare with the index\'s files (`cordon lock verify -f json`), the lock\'s history, and the mirror you install from. Regenerate the lock only once you trust the index\'s files.',
    references: [SECURE_INSTALLS, FILE_NAME_REUSE],
  },
};

export const releaseFilesAdded: RuleMeta = {
  id: 'release-files-added',
  summary: 'files were added to the locked release after it was published or after the lock was written',
  severity: 'medium',
  confidence: 'medium',
  docs: {
    why: [
      'A release on PyPI cannot be changed, but new files can be added to it at any time. A wheel uploaded weeks after the release (or after your lock',
      'was written) is what an attacker with a stolen upload token would add, and it is also what breaks hash-pinned installs (pip#3634): pip may',
      'prefer the new wheel and refuse it. Files are reported when they are not in the lock and were uploaded after `--since` or more than',
      '`--late-upload-days` (default 7) after the release\'s first file.',
    ].join(' '),
    example: '# numpy==2.1.0 locked in August; a new manylinux wheel appeared in October\nnumpy==2.1.0 \\\n    --hash=sha256:…',
    fix: 'Check who uploaded the new files (their provenance, the project\'s changelog) before adding their hashes with `cordon lock hash` or regenerating the lock.',
    references: [SECURE_INSTALLS, 'https://github.com/pypa/pip/issues/3634', FILE_NAME_REUSE],
  },
};

export const releaseRemoved: RuleMeta = {
  id: 'release-removed',
  summary: 'the locked release or its project is gone from the index or quarantined',
  severity: 'high',
  confidence: 'high',
  docs: {
    why: [
      'Projects and releases are deleted from PyPI when they turn out to be malicious, and projects under review are quarantined (PEP 792), which hides',
      'their files. A lock that points at such a release either fails to install or, when the name is registered again by someone else, installs',
      'their code. A private index that answers 404 may also simply not proxy the project.',
    ].join(' '),
    example: 'reqeusts==2.31.0   # typosquat removed from the index',
    fix: 'Find out why the release disappeared (the project page, PyPI\'s status, your organization\'s security team), remove the dependency or move to a release that is still published, and regenerate the lock.',
    references: [PEP_792],
  },
};

export const releaseYanked: RuleMeta = {
  id: 'release-yanked',
  summary: 'the locked release was yanked',
  severity: 'medium',
  confidence: 'high',
  docs: {
    why: 'Maintainers yank a release (PEP 592) when it is broken or unsafe; installers still install a yanked release when it is pinned exactly, so a lock keeps installing it silently. The reason, when the maintainers gave one, is in the message.',
    example: 'somepkg==1.4.0   # yanked: "data loss on upgrade"',
    fix: 'Read the yank reason and move to a release that is not yanked, then regenerate the lock.',
    references: [YANK],
  },
};

export const provenanceChanged: RuleMeta = {
  id: 'provenance-changed',
  summary: 'the locked release lacks the attestations earlier releases had, or was published by a different Trusted Publisher',
  severity: 'high',
  confidence: 'medium',
  docs: {
    why: [
      'Releases published through a Trusted Publisher carry PEP 740 attestations that name the publisher: the repository, workflow and environment',
      'that built and uploaded them. When earlier releases were attested and the locked one is not, or the publisher differs, the release was',
      'uploaded another way (an API token, another repository or workflow): the pattern of account and token compromises. Compared against the',
      '`--provenance-history` (default 3) most recent earlier releases that have provenance. Files of the release without an attestation while its',
      'other files have one, and attestations naming another digest than the index\'s, are reported here too. Signatures are not verified.',
    ].join(' '),
    example: '# 1.3.0, 1.4.0 and 1.5.0 published by GitHub example/project release.yml; 1.5.1 has no attestation\nproject==1.5.1',
    fix: 'Check the project\'s repository and announcements for the change (a moved repository or renamed workflow is legitimate). Until it is explained, pin the last release with the expected publisher. `pypi-attestations verify pypi` verifies signatures.',
    references: [PEP_740, TRUSTED_PUBLISHERS, 'https://github.com/astral-sh/uv/issues/9122'],
  },
};

export const provenanceMissing: RuleMeta = {
  id: 'provenance-missing',
  summary: 'neither the locked release nor any earlier release has attestations',
  severity: 'low',
  confidence: 'high',
  docs: {
    why: 'Without PEP 740 attestations there is no public record of where a release was built and who uploaded it, so a compromise of the maintainers\' tokens cannot be told from a normal release. This is informational: most projects do not publish attestations yet.',
    example: 'somepkg==3.0.0',
    fix: 'Nothing to change in the lock. Ask the project to publish with a Trusted Publisher (pypa/gh-action-pypi-publish attests by default), or hide these with `--min-severity medium`.',
    references: [PEP_740, TRUSTED_PUBLISHERS],
  },
};

export const LOCK_RULES: readonly RuleMeta[] = [lockHashMismatch, releaseRemoved, provenanceChanged, releaseFilesAdded, releaseYanked, provenanceMissing];

export type LockRuleId = (typeof LOCK_RULES)[number]['id'];
