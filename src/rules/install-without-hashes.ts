import { findRequirements, installSites, type InstallSite, type RequirementsStatus } from '../analysis/pip-install.ts';
import type { Confidence, FindingDraft, Severity } from '../findings/finding.ts';
import { normalizeName } from '../models/python/pep508.ts';
import { PerLine } from './gitlab-report.ts';
import { defineRule } from './rule.ts';

type Tier = 'unpinned' | 'pinned';

export default defineRule({
  meta: {
    id: 'install-without-hashes',
    summary: '`pip install` / `uv pip install` of unpinned packages or an unhashed requirements file, without `--require-hashes`',
    severity: 'medium',
    confidence: 'high',
    docs: {
      why: `\`pip install build twine\` in a workflow step installs whatever the index serves at that moment:
the newest release of each package, and of each of their dependencies. A release uploaded an hour
ago by whoever took over a maintainer's account (ctx, May 2022, re-released from an expired e-mail
domain to send environment variables away) or a project's release pipeline (ultralytics 8.3.41,
December 2024, a crypto-miner) runs in the job with everything the job holds. Pinning with
\`==\` fixes the version but not the files (new wheels can be added to a release, and dependencies
still float); only pip's hash-checking mode (\`--require-hashes\` with a hashed requirements file)
fixes the content, as pip's "Secure installs" documentation describes.

Reported: \`pip\`, \`pip3\`, \`python -m pip\` and \`uv pip\` installs in workflow \`run:\` steps,
composite actions, GitLab CI scripts and Dockerfile \`RUN\` instructions, when they install package
names or URLs, or a requirements file (\`-r\`) without hashes, and neither \`--require-hashes\` nor
\`PIP_REQUIRE_HASHES\` is set. \`pip install --upgrade pip\` counts: pip is code like any other. Local
installs (\`.\`, \`-e .\`, \`./path\`, \`dist/*.whl\`) are the project or an artifact the job built and are
not reported (their dependencies are judged where they are locked); neither are words that are
shell variables or expressions. A requirements file with hashes turns hash checking on by itself
(mixed files are \`unhashed-requirements\`' business).

Severity follows what the installed code can reach:

- **high**: unpinned packages in a job that holds credentials (can mint OIDC tokens, reads secrets,
  GitLab ID tokens or credential variables, or a Dockerfile \`RUN\` with a secret mount);
  \`==\`-pinned packages there without hashes are **medium**;
- **medium**: unpinned packages in a job whose uploaded artifact a publishing job of the workflow
  releases (the build job of a two-job release), and in Dockerfiles (they end up in the image);
  pinned ones there are **low**;
- **low**: unpinned packages in other jobs (tests, linters); pinned ones there are not reported.

A requirements file that is not part of the scan (audit the repository root so cordon can read it)
counts as unpinned, with low confidence.`,
      example: `jobs:
  release:
    permissions:
      id-token: write
    steps:
      - run: |
          python -m pip install build twine
          python -m build
          twine upload dist/*`,
      fix: `Install tools from a hashed requirements file, with hash checking forced:

\`\`\`yaml
      - run: python -m pip install --require-hashes -r .github/requirements/build.txt
\`\`\`

where \`build.txt\` is \`pip-compile --generate-hashes\` (or \`uv pip compile --generate-hashes\`) output
for \`build\`, kept up to date by Dependabot or Renovate. In Dockerfiles, \`COPY requirements.txt .\` then
\`RUN pip install --require-hashes -r requirements.txt\`.`,
      references: [
        'https://pip.pypa.io/en/stable/topics/secure-installs/',
        'https://pip.pypa.io/en/stable/cli/pip_install/#cmdoption-require-hashes',
        'https://docs.astral.sh/uv/pip/compile/',
        'https://blog.pypi.org/posts/2024-12-11-ultralytics-attack-analysis/',
        'https://docs.docker.com/build/building/best-practices/',
      ],
    },
  },

  repository(repository, context) {
    const gitlab = new PerLine();
    for (const site of installSites(repository)) {
      const draft = judge(site, repository.dependencies);
      if (!draft) continue;
      if (site.origin === 'gitlab' && site.gitlabJob) gitlab.add(site.gitlabJob, draft.identity, { ...draft.draft, path: site.path });
      else context.report({ ...draft.draft, key: `${site.key}`, path: site.path });
    }
    gitlab.flush({ ...context, report: (draft) => context.report({ ...draft, path: draft.path ?? (draft.span as { path?: string }).path }) });
  },
});

function judge(site: InstallSite, dependencies: Parameters<typeof findRequirements>[0]): { draft: Omit<FindingDraft, 'key'>; identity: string } | undefined {
  const { install } = site;
  if (install.requireHashes || site.requireHashesEnv) return undefined;
  const statuses: RequirementsStatus[] = install.requirementFiles.map((file) => findRequirements(dependencies, site.candidates(file.path)));
  // A hashed requirements file puts pip in hash-checking mode for the whole command.
  if (statuses.some((status) => status.found && status.hashed !== 'none')) return undefined;
  // `-c constraints.txt` can pin what the command names loosely.
  const constrained = new Set<string>();
  for (const file of install.constraintFiles) {
    const status = findRequirements(dependencies, site.candidates(file.path));
    if (status.found) for (const line of status.file.requirements) if (line.version && line.normalizedName) constrained.add(line.normalizedName);
  }
  const isConstrained = (name: string | undefined) => name !== undefined && constrained.has(normalizeName(name));
  const unpinned = install.packages.filter((item) => (item.kind === 'unpinned' && !isConstrained(item.name)) || item.kind === 'url');
  const pinned = install.packages.filter((item) => item.kind === 'pinned' || item.kind === 'vcs-commit' || (item.kind === 'unpinned' && isConstrained(item.name)));
  const looseFiles = statuses.filter((status) => !status.found || status.unpinned.length > 0);
  const pinnedFiles = statuses.filter((status) => status.found && status.unpinned.length === 0);
  if (!unpinned.length && !pinned.length && !statuses.length) return undefined;
  const tier: Tier = unpinned.length || looseFiles.length ? 'unpinned' : 'pinned';
  const severity = severityFor(site, tier);
  if (!severity) return undefined;
  const missing = statuses.filter((status) => !status.found);
  const confidence: Confidence = missing.length && !unpinned.length && !statuses.some((status) => status.found && status.unpinned.length) ? 'low' : 'high';

  const parts: string[] = [];
  if (unpinned.length) parts.push(`${list(unpinned.map((item) => item.name ?? item.text))} without a pinned version`);
  if (pinned.length) parts.push(`${list(pinned.map((item) => item.text))} pinned but not hashed`);
  for (const status of looseFiles) {
    if (!status.found) parts.push(`\`-r ${status.path}\`, a file not in the scan (its hashes could not be checked)`);
    else parts.push(`\`-r ${status.path}\`, which has no hashes and leaves ${list(status.unpinned)} unpinned`);
  }
  for (const status of pinnedFiles) parts.push(`\`-r ${status.path}\`, pinned but without hashes`);
  const why = site.credentials
    ? 'whatever the index serves runs with those credentials'
    : site.publishedBy
      ? `whatever the index serves builds the artifact job \`${site.publishedBy}\` publishes`
      : site.origin === 'dockerfile'
        ? 'whatever the index serves at build time ends up in the image'
        : 'whatever the index serves at that moment runs in the job';
  const tool = install.tool === 'uv' ? 'uv pip install' : 'pip install';
  return {
    draft: {
      message: `\`${tool}\` without --require-hashes installs ${parts.join('; ')}${site.place}: ${why}. Install from a hashed requirements file with --require-hashes`,
      span: install.command.span,
      severity,
      confidence,
    },
    identity: install.command.text.slice(0, 80),
  };
}

function severityFor(site: InstallSite, tier: Tier): Severity | undefined {
  if (site.credentials) return tier === 'unpinned' ? 'high' : 'medium';
  if (site.publishedBy || site.origin === 'dockerfile') return tier === 'unpinned' ? 'medium' : 'low';
  return tier === 'unpinned' ? 'low' : undefined;
}

function list(items: string[]): string {
  const shown = [...new Set(items)].slice(0, 4).map((item) => `\`${item}\``);
  return shown.join(', ') + (new Set(items).size > 4 ? '…' : '');
}
