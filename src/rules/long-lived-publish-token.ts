import { jobCanMintOidc } from '../analysis/credentials.ts';
import { stepPublishes, TRUSTED_PUBLISHING } from '../analysis/publish.ts';
import {
  GITLAB_TRUSTED_PUBLISHING,
  configuredToken,
  credentialsOf,
  gitlabJobPublishes,
  looksLikeToken,
  publishingIdTokens,
  scriptAssignments,
  tokenText,
  type GitLabPublishSite,
} from '../analysis/gitlab.ts';
import { variableReferences } from '../models/gitlab/build.ts';
import type { GitLabJob } from '../models/gitlab/types.ts';
import { defineRule, type RuleContext } from './rule.ts';
import type { PublishSite } from '../analysis/publish.ts';
import type { Job, Step, Workflow } from '../models/github/types.ts';
import { FixUnavailableError, type Fix, type TextEdit } from '../fixes/types.ts';
import { copiedEntries, insertJobPermissions, isReusableOnly, leastPrivilegeEntries, permissionsPair, workflowFileName } from '../fixes/github.ts';
import { mapping, raw, YamlEditor, type YamlEntry } from '../fixes/yaml-edit.ts';
import { isMap, isScalar } from '../models/yaml/document.ts';

export default defineRule({
  meta: {
    id: 'long-lived-publish-token',
    summary: 'publishing with a stored API token where the index supports Trusted Publishing',
    severity: 'medium',
    confidence: 'high',
    docs: {
      why: `A PyPI API token stored in a secret stays valid until someone revokes it. Whoever reads it once —
from a log that printed it, a compromised action, an exfiltration workflow like GhostAction's, which
collected PyPI tokens from hundreds of repositories — can publish from anywhere, at any time, with
no trace of which workflow did it. In the Ultralytics compromise (December 2024), after the poisoned
workflow was fixed, the attacker published two more releases with an "unrevoked PyPI API token that
was still available to the GitHub Actions workflow".

With Trusted Publishing the job exchanges a single-use OIDC token for an upload token that PyPI
limits to 15 minutes and to the projects of that publisher; there is nothing stored to steal. npm,
crates.io, RubyGems and NuGet offer the same. Tokens written literally into a workflow file are
reported as critical: anyone who can read the repository can use them.

**GitLab CI.** PyPI and npm accept Trusted Publishing from GitLab CI/CD: the job declares an ID token
(\`id_tokens: PYPI_ID_TOKEN: {aud: pypi}\`), and twine (6.1 and later) exchanges it for an upload token
itself, or the job does so with \`python -m id PYPI\` and PyPI's \`mint-token\` endpoint. A token kept in
a CI/CD variable (\`TWINE_PASSWORD\`, \`UV_PUBLISH_TOKEN\`, \`POETRY_PYPI_TOKEN_PYPI\`, or \`$PYPI_TOKEN\` passed
to one of them, to \`poetry config\` or into \`.pypirc\`/\`.npmrc\`) is reported. When an upload tool runs
with no credentials in the file and no ID token, its token can only come from a CI/CD variable (or a
file) the file does not show; that is reported with medium confidence.`,
      example: `      - uses: pypa/gh-action-pypi-publish@<sha>
        with:
          password: \${{ secrets.PYPI_API_TOKEN }}

# GitLab CI
publish:
  variables:
    TWINE_PASSWORD: $PYPI_API_TOKEN      # CI/CD variable
  script:
    - twine upload -u __token__ dist/*`,
      fix: `Add a trusted publisher for the project on PyPI (owner, repository, workflow file, environment),
grant \`id-token: write\` to the publishing job, drop the \`password:\`/token variables, then revoke the old
token on PyPI:

\`\`\`yaml
  publish:
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@<sha>
\`\`\`

On GitLab, add a GitLab trusted publisher on PyPI (namespace, project, top-level pipeline file,
environment), declare the ID token on the publishing job, delete the CI/CD variable and revoke the
token:

\`\`\`yaml
publish:
  environment: pypi
  id_tokens:
    PYPI_ID_TOKEN:
      aud: pypi
  script:
    - python -m pip install -U twine
    - twine upload dist/*
\`\`\``,
      references: [
        'https://docs.pypi.org/trusted-publishers/',
        'https://docs.pypi.org/trusted-publishers/using-a-publisher/#gitlab-cicd',
        'https://docs.gitlab.com/ci/yaml/#id_tokens',
        'https://blog.pypi.org/posts/2024-12-11-ultralytics-attack-analysis/',
        'https://blog.pypi.org/posts/2025-09-16-github-actions-token-exfiltration/',
        'https://docs.npmjs.com/trusted-publishers',
      ],
    },
  },

  step(step, scope, context) {
    const job = scope.kind === 'job' ? scope.job : undefined;
    const workflow = scope.kind === 'job' ? scope.workflow : undefined;
    for (const site of stepPublishes(step, job, workflow)) {
      if (site.index === 'custom' || !TRUSTED_PUBLISHING[site.ecosystem]) continue;
      if (!site.token) {
        // No credential in sight and no way to mint one: it must come from somewhere stored
        // (a .pypirc or .npmrc written earlier, a keyring, the runner's environment).
        if (site.auth === 'unknown' && job && workflow && !jobCanMintOidc(job, workflow)) {
          const index = site.index === 'test' ? 'TestPyPI' : indexName(site.ecosystem);
          context.report({
            message: `\`${site.tool}\` publishes to ${index} from a job that cannot mint OIDC tokens, so it must use a stored credential cordon cannot see; ${index} supports Trusted Publishing (${TRUSTED_PUBLISHING[site.ecosystem]})`,
            span: site.span,
            severity: 'low',
            confidence: 'low',
            key: `${step.route.join('/')}/${site.tool}/unseen`,
          });
        }
        continue;
      }
      // The job's own GITHUB_TOKEN expires with the job; it is not a stored token.
      if (site.token.secrets.length && site.token.secrets.every((use) => use.name === 'GITHUB_TOKEN')) continue;
      const raw = site.token.secrets.length ? '' : literalToken(step, site.token.via);
      if (site.token.secrets.length === 0 && !raw) continue;
      const index = site.index === 'test' ? 'TestPyPI' : indexName(site.ecosystem);
      if (raw) {
        context.report({
          message: `\`${site.tool}\` authenticates with a token written into the ${scope.kind === 'action' ? 'action' : 'workflow'} file (${site.token.via}): anyone who can read the repository can publish to ${index}. Revoke it now`,
          span: site.token.span,
          severity: 'critical',
          key: `${step.route.join('/')}/${site.tool}/literal`,
        });
        continue;
      }
      const secrets = [...new Set(site.token.secrets.map((use) => (use.name === '*' ? 'a secret' : `secrets.${use.name}`)))].join(', ');
      context.report({
        message: `\`${site.tool}\` publishes to ${index} with a long-lived token (${secrets} via ${site.token.via}), valid until revoked wherever it leaks; ${index} supports Trusted Publishing (${TRUSTED_PUBLISHING[site.ecosystem]})`,
        span: site.token.span,
        key: `${step.route.join('/')}/${site.tool}`,
        related: [{ message: `published by \`${site.tool}\``, span: site.span }],
        ...(job && workflow ? { fix: trustedPublishingFix(step, job, workflow, site) } : {}),
      });
    }
  },
  gitlabJob(job, _pipeline, context) {
    for (const site of gitlabJobPublishes(job)) reportGitLabSite(job, site, context);
  },
});

function indexName(ecosystem: string): string {
  return { pypi: 'PyPI', npm: 'npm', cargo: 'crates.io', rubygems: 'RubyGems', nuget: 'NuGet' }[ecosystem] ?? ecosystem;
}

/** A token-looking literal in the step's inputs or env (not an expression, not a variable). */
function literalToken(step: { with: Array<{ value: string }>; env: Array<{ name: string; value: string }> }, via: string): string {
  const values = [...step.with.map((input) => input.value), ...step.env.map((entry) => entry.value)];
  const hit = values.find((value) => /^(pypi-[A-Za-z0-9_-]{50,}|npm_[A-Za-z0-9]{36}|rubygems_[0-9a-f]{48}|cio[A-Za-z0-9]{32})$/.test(value.trim()));
  return hit && via ? hit : '';
}

/** The variable each upload tool reads its token from, for messages. */
const TOKEN_VARIABLE: Record<string, string> = {
  'twine upload': 'TWINE_PASSWORD',
  'uv publish': 'UV_PUBLISH_TOKEN',
  'poetry publish': 'POETRY_PYPI_TOKEN_PYPI',
  'hatch publish': 'HATCH_INDEX_AUTH',
  'pdm publish': 'PDM_PUBLISH_PASSWORD',
  'flit publish': 'FLIT_PASSWORD',
  'maturin upload': 'MATURIN_PYPI_TOKEN',
  'maturin publish': 'MATURIN_PYPI_TOKEN',
  'npm publish': 'NPM_TOKEN',
  'yarn publish': 'NPM_TOKEN',
  'yarn npm publish': 'YARN_NPM_AUTH_TOKEN',
  'pnpm publish': 'NPM_TOKEN',
  'bun publish': 'NPM_CONFIG_TOKEN',
};

function reportGitLabSite(job: GitLabJob, site: GitLabPublishSite, context: RuleContext): void {
  const trusted = GITLAB_TRUSTED_PUBLISHING[site.ecosystem];
  if (site.index === 'custom' || !trusted) return;
  const index = site.index === 'test' ? 'TestPyPI' : indexName(site.ecosystem);
  const key = `gitlab/${job.name}/${site.tool}`;
  const related = [{ message: `published by \`${site.tool}\``, span: site.span }];
  const script = job.script.parsed().commands.includes(site.command) ? job.script.parsed() : job.afterScript.parsed();
  const assigned = scriptAssignments(script);
  let token: { via: string; span: typeof site.span; text: string } | undefined = site.token ? { ...site.token, text: tokenText(site) } : undefined;
  if (!token || (!site.token?.secrets.length && !looksLikeToken(token.text) && !site.fetched)) token = configuredToken(job, site, script) ?? token;
  if (token && looksLikeToken(literalValue(job, token.text))) {
    context.report({
      message: `GitLab CI: \`${site.tool}\` authenticates with a token written into the pipeline file (${token.via}): anyone who can read the repository can publish to ${index}. Revoke it now`,
      span: token.span,
      severity: 'critical',
      key: `${key}/literal`,
    });
    return;
  }
  const stored = token
    ? variableReferences(token.text).flatMap((name) => credentialsOf(name, job, assigned)).filter((held) => held.kind === 'ci-variable' || held.kind === 'external-secret')
    : [];
  if (stored.length && token) {
    const names = [...new Set(stored.map((held) => `\`$${held.name}\``))].join(', ');
    context.report({
      message: `GitLab CI: \`${site.tool}\` publishes to ${index} with a long-lived token (${stored.some((held) => held.kind === 'external-secret') ? 'secret' : 'CI/CD variable'} ${names} via ${token.via}), valid until revoked wherever it leaks; ${index} accepts Trusted Publishing from GitLab CI/CD with \`id_tokens:\` (${trusted})`,
      span: token.span,
      key,
      related,
    });
    return;
  }
  if (token || site.auth !== 'unknown' || publishingIdTokens(job, site.ecosystem).length) return;
  const variable = TOKEN_VARIABLE[site.tool] ?? 'a token variable';
  context.report({
    message: `GitLab CI: \`${site.tool}\` sets no credentials in the pipeline file and job \`${job.name}\` has no ID token for ${index}, so it reads a stored token from the environment (a CI/CD variable such as \`${variable}\`), valid until revoked; ${index} accepts Trusted Publishing from GitLab CI/CD with \`id_tokens:\` (${trusted})`,
    span: site.span,
    confidence: 'medium',
    key: `${key}/implicit`,
  });
}

/** The value behind a token text: itself, or the file's value of the variable it names. */
function literalValue(job: GitLabJob, text: string): string {
  const reference = /^["']?\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?["']?$/.exec(text.trim());
  if (!reference) return text;
  const variable = [...job.inheritedVariables, ...job.variables].reverse().find((item) => item.name === reference[1]);
  return variable ? variable.value : text;
}

// ---- fix ---------------------------------------------------------------------------------------

/** The PyPI actions that publish with Trusted Publishing once they are given no token. */
const TRUSTED_ACTIONS = new Set(['pypa/gh-action-pypi-publish', 'pyo3/maturin-action']);

/**
 * Switches a PyPI publishing action to Trusted Publishing: removes the token (the `password:`
 * input, with `user: __token__`; maturin's `MATURIN_PYPI_TOKEN` step variable) and grants the job
 * `id-token: write`. Unsafe: uploads fail until the trusted publisher exists on PyPI.
 */
function trustedPublishingFix(step: Step, job: Job, workflow: Workflow, site: PublishSite): Fix | undefined {
  if (site.ecosystem !== 'pypi' || !TRUSTED_ACTIONS.has(step.uses?.slug ?? '')) return undefined;
  const index = site.index === 'test' ? 'TestPyPI' : 'PyPI';
  const secrets = [...new Set((site.token?.secrets ?? []).map((use) => use.name))].filter((name) => name !== '*');
  const secretsText = secrets.length ? secrets.map((name) => `\`${name}\``).join(', ') : 'that held the token';
  const followUp = [
    `Before the next release, add a trusted publisher for the project on ${index} with the settings below (a "pending publisher" for a project that does not exist yet): until it exists, this upload fails.`,
    `Then delete the secret${secrets.length > 1 ? 's' : ''} ${secretsText} (repository or environment Settings → Secrets and variables → Actions) and remove the API token on ${index} (Account settings → API tokens).`,
  ];
  if (isReusableOnly(workflow)) followUp.push('This workflow is only called by other workflows: the trusted publisher must name the calling workflow, not this file.');
  const unknown = job.permissions || workflow.permissions ? [] : leastPrivilegeUnknown(job, workflow);
  if (unknown.length) followUp.push(`Job \`${job.id}\` had no \`permissions:\`; cordon wrote what its known steps need plus \`id-token: write\`. Check what ${unknown.join(', ')} need${unknown.length === 1 ? 's' : ''}.`);
  return {
    title: `publish with Trusted Publishing from job \`${job.id}\`: remove the token from \`${step.uses!.raw.split('@')[0]}\` and grant \`id-token: write\``,
    safety: 'unsafe',
    followUp,
    trustedPublisher: { index: site.index === 'test' ? 'testpypi' : 'pypi', workflow: workflowFileName(workflow.path), ...(job.environment ? { environment: job.environment.name } : {}), job: job.id },
    edits() {
      const editor = new YamlEditor(workflow.yaml);
      return [...removeToken(editor, step, job, workflow), ...grantIdToken(editor, job, workflow)];
    },
  };
}

function leastPrivilegeUnknown(job: Job, workflow: Workflow): string[] {
  try {
    return [...new Set(leastPrivilegeEntries(job, workflow, undefined).needed.unknown.map((item) => item.what))];
  } catch {
    return [];
  }
}

function removeToken(editor: YamlEditor, step: Step, job: Job, workflow: Workflow): TextEdit[] {
  const stepMap = editor.mapAt(step.route);
  if (step.uses?.slug === 'pypa/gh-action-pypi-publish') {
    const withMap = editor.mapAt([...step.route, 'with']);
    const names = step.with.filter((input) => input.name === 'password' || ((input.name === 'user' || input.name === 'username') && input.value.trim() === '__token__')).map((input) => input.name);
    if (!names.includes('password')) throw new FixUnavailableError('the token is not in a `password:` input cordon can remove');
    return removeEntries(editor, stepMap, 'with', withMap, names);
  }
  const variable = step.env.find((entry) => /^MATURIN_(PYPI_TOKEN|PASSWORD)$/.test(entry.name));
  if (!variable) {
    const inherited = [...job.env, ...workflow.env].find((entry) => /^MATURIN_(PYPI_TOKEN|PASSWORD)$/.test(entry.name));
    throw new FixUnavailableError(inherited ? `\`${inherited.name}\` is set for the whole ${job.env.includes(inherited) ? 'job' : 'workflow'}; remove it there by hand` : 'the token is not in a variable of this step');
  }
  return removeEntries(editor, stepMap, 'env', editor.mapAt([...step.route, 'env']), [variable.name]);
}

/** Removes keys from a step's `with:`/`env:`; all of them means the whole key goes. */
function removeEntries(editor: YamlEditor, stepMap: import('yaml').YAMLMap<unknown, unknown>, key: string, map: import('yaml').YAMLMap<unknown, unknown>, names: string[]): TextEdit[] {
  const written = map.items.map((item) => (isScalar(item.key) ? String(item.key.value) : ''));
  if (written.every((name) => names.includes(name))) return [editor.removeEntry(stepMap, key)];
  if (map.flow) {
    const kept: YamlEntry[] = map.items
      .filter((item) => !names.includes(isScalar(item.key) ? String(item.key.value) : ''))
      .map((item) => ({ key: String((item.key as { value: unknown }).value), value: raw(editor.text.slice((item.value as { range: number[] }).range[0]!, (item.value as { range: number[] }).range[1]!)) }));
    return [editor.replaceValue(editor.pair(stepMap, key)!, mapping(kept))];
  }
  return names.map((name) => editor.removeEntry(map, name));
}

/** Makes sure the job can mint OIDC tokens, changing nothing else about its token. */
function grantIdToken(editor: YamlEditor, job: Job, workflow: Workflow): TextEdit[] {
  const entry: YamlEntry = { key: 'id-token', value: raw('write'), comment: 'to publish with Trusted Publishing' };
  const own = job.permissions;
  if (own) {
    if (own.kind === 'write-all') return [];
    if (own.kind === 'none') return [editor.replaceValue(permissionsPair(editor, own), mapping([entry]))];
    if (own.kind !== 'map') throw new FixUnavailableError(`job \`${job.id}\`'s \`permissions: ${own.kind}\` cannot take \`id-token: write\`; add it by hand`);
    const level = own.scopes.get('id-token');
    const pair = permissionsPair(editor, own);
    if (!isMap(pair.value)) throw new FixUnavailableError('the permissions are not a mapping cordon can edit');
    if (level?.value === 'write') return [];
    if (level) {
      const node = editor.pair(pair.value, 'id-token')?.value;
      if (!isScalar(node)) throw new FixUnavailableError('`id-token` is not a plain value');
      return [editor.replaceScalar(node, 'write')];
    }
    return [editor.insertEntry(pair.value, entry)];
  }
  const inherited = workflow.permissions;
  if (!inherited) return [insertJobPermissions(editor, job, [...leastPrivilegeEntries(job, workflow, undefined).entries, entry])];
  if (inherited.kind === 'write-all' || inherited.scopes.get('id-token')?.value === 'write') return [];
  if (inherited.kind === 'none') return [insertJobPermissions(editor, job, [entry])];
  if (inherited.kind !== 'map') throw new FixUnavailableError(`the workflow's \`permissions: ${inherited.kind}\` cannot be copied with \`id-token: write\`; add it to job \`${job.id}\` by hand`);
  return [insertJobPermissions(editor, job, [...copiedEntries(inherited, ['id-token']), entry])];
}
