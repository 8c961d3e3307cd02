import { checkoutsOf, stepRunsWorkspaceCode, type Checkout } from '../analysis/checkout.ts';
import { yieldsGithubToken } from '../analysis/permissions.ts';
import { actionVersion, atLeast, type ActionVersion } from '../analysis/versions.ts';
import type { Confidence, Severity } from '../findings/finding.ts';
import type { Step } from '../models/github/types.ts';
import type { YamlFile } from '../models/yaml/document.ts';
import { defineRule, type RuleContext } from './rule.ts';
import type { Fix } from '../fixes/types.ts';
import { raw, YamlEditor } from '../fixes/yaml-edit.ts';
import { isScalar } from '../models/yaml/document.ts';
import { isGitHubOwner } from '../analysis/first-party.ts';


export default defineRule({
  meta: {
    id: 'persist-credentials',
    summary: '`actions/checkout` leaves its token on disk where an uploaded artifact or untrusted code can take it',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `\`actions/checkout\` keeps the token it fetched with (the job's GITHUB_TOKEN, or the PAT or app token given in
\`token:\`) so that later \`git\` commands can push: until v6 it writes it into \`.git/config\` in the workspace
as an \`http.extraheader\`; from v6 it writes it to a file under \`$RUNNER_TEMP\` that \`.git/config\` points to.
Either way every later step of the job can read it. That matters in two cases, and cordon reports only
those (not every checkout):

- **The workspace is uploaded as an artifact** ("ArtiPACKED"): \`actions/upload-artifact\` with a path such
  as \`.\` or the checkout directory packs \`.git/config\` with the token in it. Artifacts can be downloaded
  by anyone who can read the repository — everyone, for a public one — while the run is still going, so
  the GITHUB_TOKEN can be used before the job ends, and a PAT for as long as it lives. \`upload-artifact\`
  v4.4 and later leave hidden files (\`.git\`) out unless \`include-hidden-files: true\`, so cordon reports the
  upload when hidden files are included or the version is older or unknown. With checkout v6 or later the
  token is not in the workspace, so the upload is reported low.
- **Untrusted code runs after the checkout**: the job checks out a pull request's head (\`ref:\` from the
  pull request, \`gh pr checkout\`) and then builds or tests it. That code reads the token — under
  \`pull_request_target\` or \`workflow_run\` a token with the base repository's write permissions — from
  \`.git/config\` or \`$RUNNER_TEMP\` (medium). When \`token:\` is a PAT or app token, third-party actions after
  the checkout can read it too, although the workflow never hands it to them (medium).

A third-party action after a GITHUB_TOKEN checkout is not reported: an action can default one of its
own inputs to \`github.token\`, so persisting the token gives it nothing it could not get anyway.`,
      example: `on: pull_request_target
jobs:
  preview:
    steps:
      - uses: actions/checkout@<sha>            # token written to .git/config
        with:
          ref: \${{ github.event.pull_request.head.sha }}
      - run: npm ci && npm run build            # the pull request's code runs next to it
      - uses: actions/upload-artifact@<sha>
        with:
          path: .                               # and the whole workspace is uploaded
          include-hidden-files: true`,
      fix: `Set \`persist-credentials: false\` on every checkout that does not need to push, and upload only
the build output:

\`\`\`yaml
      - uses: actions/checkout@<sha>
        with:
          persist-credentials: false
      - uses: actions/upload-artifact@<sha>
        with:
          path: dist/
\`\`\`

A job that pushes can pass the token to that one command instead
(\`git push "https://x-access-token:\${GH_TOKEN}@github.com/\${GITHUB_REPOSITORY}"\`).`,
      references: [
        'https://github.com/actions/checkout#usage',
        'https://github.com/actions/upload-artifact#uploading-hidden-files',
        'https://unit42.paloaltonetworks.com/github-repo-artifacts-leak-tokens/',
        'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/',
      ],
    },
  },

  job(job, workflow, context) {
    check(job.steps, job.id, workflow.yaml, context);
  },

  action(action, context) {
    check(action.steps, undefined, action.yaml, context);
  },
});

function check(steps: readonly Step[], owner: string | undefined, yaml: YamlFile, context: RuleContext): void {
  const checkouts = checkoutsOf({ steps: [...steps] });
  for (const checkout of checkouts) {
    if (checkout.kind !== 'action' || !checkout.persistCredentials) continue;
    const step = checkout.step;
    const version = actionVersion(step, yaml);
    const v6 = atLeast(version, 6);
    const tokenInput = step.with.find((input) => input.name === 'token');
    const pat = tokenInput !== undefined && tokenInput.value.trim() !== '' && !yieldsGithubToken(tokenInput.expressions);
    const credential = pat ? `the token given in \`token:\` (\`${tokenInput!.value.trim()}\`)` : owner ? "the job's GITHUB_TOKEN" : 'the GITHUB_TOKEN';
    const where = v6 ? 'in a file under `$RUNNER_TEMP`' : v6 === undefined ? 'in `.git/config` (before checkout v6; under `$RUNNER_TEMP` from v6)' : 'in `.git/config`';
    const span = step.with.find((input) => input.name === 'persist-credentials')?.span ?? step.uses!.span;
    const later = steps.filter((candidate) => candidate.index > step.index);
    const base = `${owner ?? 'runs'}/steps/${step.index}`;
    const fix = persistCredentialsFix(step, later, yaml);

    // 1. The workspace (with .git/config) uploaded as an artifact.
    for (const upload of later) {
      if (upload.uses?.slug !== 'actions/upload-artifact') continue;
      const covered = uploadCovers(upload, checkout);
      if (!covered) continue;
      const hidden = includesHiddenFiles(upload, actionVersion(upload, yaml));
      if (hidden === 'no') continue;
      let severity: Severity = 'high';
      let confidence: Confidence = 'high';
      let why = `so \`.git/config\` with ${credential} goes into an artifact that anyone who can read the repository can download while the run is still going`;
      if (v6) {
        severity = 'low';
        why = 'but checkout v6+ writes that file outside the workspace, so the artifact holds only `.git/config`’s pointer to it; with an older checkout it would hold the token';
      } else if (hidden === 'maybe') {
        severity = 'medium';
        confidence = 'low';
        why += ` (if this \`upload-artifact\` version includes hidden files: v4.4 and later leave them out unless \`include-hidden-files: true\`)`;
      }
      context.report({
        message: `checkout keeps ${credential} ${where}, and \`${upload.uses.raw.split('@')[0]}\` uploads \`${covered}\`, which includes the checkout, ${why}. Set \`persist-credentials: false\` and upload only the build output`,
        span,
        severity,
        confidence,
        key: `${base}/artifact`,
          fix,
        related: [{ message: 'uploads the checkout', span: upload.with.find((input) => input.name === 'path')?.span ?? upload.uses.span }],
      });
      break;
    }

    // 2. Code from a pull request runs after the checkout.
    // The pull request's code may come before or after this checkout; it runs once both are there.
    const untrusted = checkouts.find((candidate) => candidate.untrusted);
    if (untrusted) {
      const runner = steps.find((candidate) => {
        if (candidate.index <= step.index || candidate.index < untrusted.step.index) return false;
        if (candidate === untrusted.step && untrusted.kind === 'action') return false;
        return stepRunsWorkspaceCode(candidate) !== null;
      });
      if (runner) {
        const source = `pull request code${untrusted.reason ? ` (${untrusted.reason})` : ''}`;
        const what =
          untrusted === checkout ? `checks out ${source}` : untrusted.step.index < step.index ? `shares the job with a checkout of ${source}` : `is followed by a checkout of ${source}`;
        context.report({
          message:
            `checkout keeps ${credential} ${where} and ${what}, which the job then runs (${stepRunsWorkspaceCode(runner)!}): that code can read the token. ` +
            'Set `persist-credentials: false`',
          span,
          severity: 'medium',
          confidence: untrusted.confidence,
          key: `${base}/untrusted`,
          fix,
          related: [{ message: 'runs code from the pull request', span: runner.span }],
        });
        continue;
      }
    }

    // 3. A PAT or app token left where third-party actions can read it.
    if (pat) {
      const thirdParty = later.find((candidate) => isThirdParty(candidate));
      if (thirdParty) {
        context.report({
          message:
            `checkout keeps ${credential} ${where}, where \`${thirdParty.uses!.raw.split('@')[0]}\` and every later step can read it although the workflow never hands it to them; ` +
            'such a token outlives the job and usually reaches beyond this repository. Set `persist-credentials: false` and pass the token only to the step that pushes',
          span,
          severity: 'medium',
          key: `${base}/pat`,
          fix,
          related: [{ message: 'third-party action after the checkout', span: thirdParty.uses!.span }],
        });
      }
    }
  }
}

function isThirdParty(step: Step): boolean {
  const uses = step.uses;
  if (!uses) return false;
  if (uses.kind === 'docker') return true;
  if (uses.kind !== 'action') return false;
  return !isGitHubOwner(uses.owner);
}

/** The upload path entry that includes the checkout directory (with its `.git`), or null. */
function uploadCovers(upload: Step, checkout: Checkout): string | null {
  const path = upload.with.find((input) => input.name === 'path');
  if (!path) return null;
  const root = normalize(checkout.path ?? '');
  for (const raw of path.value.split('\n')) {
    const entry = raw.trim();
    if (!entry || entry.startsWith('!') || entry.startsWith('#')) continue;
    const normalized = normalize(entry);
    if (normalized === null) continue;
    // The workspace itself, or a glob over it, holds every checkout.
    if (normalized === '' || /^\*\*?(\/\*\*?)*$/.test(normalized)) return entry;
    if (!root) continue;
    if (normalized === root || root.startsWith(`${normalized}/`)) return entry;
    if (normalized.startsWith(`${root}/`) && /^\*\*?(\/\*\*?)*$/.test(normalized.slice(root.length + 1))) return entry;
  }
  return null;
}

/** Path relative to the workspace, `''` for the workspace, `null` for paths outside it or unknown. */
function normalize(path: string): string | null {
  let text = path.trim().replace(/^["']|["']$/g, '');
  const relative = text.replace(/^\$\{\{\s*github\.workspace\s*\}\}/, '').replace(/^\$\{?GITHUB_WORKSPACE\}?/, '');
  if (relative !== text) text = relative.replace(/^\/+/, '');
  else if (/^(\/|~|\$)/.test(text)) return null;
  while (text.startsWith('./')) text = text.slice(2);
  if (text === '.') text = '';
  return text.replace(/\/+$/, '');
}

/** Does this upload include hidden files such as `.git/config`? */
function includesHiddenFiles(upload: Step, version: ActionVersion | undefined): 'yes' | 'no' | 'maybe' {
  const input = upload.with.find((candidate) => candidate.name === 'include-hidden-files');
  if (input) {
    const value = input.value.trim().toLowerCase();
    if (value === 'true') return 'yes';
    if (value === 'false' || value === '') return 'no';
    return 'maybe';
  }
  if (!version) return 'maybe';
  // v4.4.0 (and the v3 line's last release) stopped uploading hidden files by default; a major
  // tag such as `@v4` floats to the newest release.
  if (version.major >= 5) return 'no';
  if (version.major === 4) return version.minor === undefined || version.minor >= 4 ? 'no' : 'yes';
  if (version.major === 3) return version.minor === undefined ? 'no' : version.minor >= 2 ? 'maybe' : 'yes';
  return 'yes';
}

// ---- fix ---------------------------------------------------------------------------------------

/** Later commands that use the credentials the checkout kept (they would fail without them). */
const GIT_NETWORK = /\bgit\s+(?:-[cC]\s+\S+\s+)*(push|fetch|pull|ls-remote|submodule|remote\s+update)\b|\bgh-deploy\b|\bghp-import\b|\bsemantic-release\b|\bchangeset\s+(publish|version)\b|\brelease-it\b|\blerna\s+(publish|version)\b|\bcz\s+bump\b/;
/** Actions that push with the checkout's stored credentials. */
const PUSHING_ACTIONS = new Set([
  'stefanzweifel/git-auto-commit-action',
  'endbug/add-and-commit',
  'peter-evans/create-pull-request',
  'changesets/action',
  'ad-m/github-push-action',
  'python-semantic-release/python-semantic-release',
  'cycjimmy/semantic-release-action',
  'gautamkrishnar/keepalive-workflow',
]);

/**
 * `persist-credentials: false` on the checkout: written over `true`, added under its `with:`, or a
 * new `with:` after `uses:`. Unsafe when a later step of the job visibly pushes or fetches with
 * the stored credentials.
 */
function persistCredentialsFix(step: Step, later: readonly Step[], yaml: YamlFile): Fix {
  const user = later.find((candidate) => (candidate.run && GIT_NETWORK.test(candidate.run.text)) || PUSHING_ACTIONS.has(candidate.uses?.slug ?? ''));
  const userLabel = user ? (user.uses ? `\`${user.uses.raw.split('@')[0]}\`` : `the \`run:\` step${user.name ? ` “${user.name}”` : ''} at line ${user.span.start.line}`) : '';
  // Written `true` on purpose, or a PAT/app token kept: a later step most likely pushes with it.
  const explicit = step.with.some((input) => input.name === 'persist-credentials' && /^true$/i.test(input.value.trim()));
  const token = step.with.find((input) => input.name === 'token' && input.value.trim() !== '' && !yieldsGithubToken(input.expressions));
  const why = user
    ? `${userLabel} pushes or fetches with the credentials the checkout kept`
    : explicit
      ? 'the workflow sets `persist-credentials: true` on purpose, so a later step probably pushes or fetches with the kept credentials'
      : token
        ? `the checkout keeps the token given in \`token:\`, which later steps probably push with`
        : '';
  return {
    title: `set \`persist-credentials: false\` on \`${step.uses!.raw.split('@')[0]}\``,
    safety: why ? 'unsafe' : 'safe',
    ...(why
      ? { followUp: [`${why[0]!.toUpperCase()}${why.slice(1)}; give the token to that one command instead (\`git push "https://x-access-token:\${GH_TOKEN}@github.com/\${GITHUB_REPOSITORY}"\` with \`GH_TOKEN\` in its \`env:\`), or to the action's own \`token:\` input.`] }
      : {}),
    edits() {
      const editor = new YamlEditor(yaml);
      const stepMap = editor.mapAt(step.route);
      const withPair = editor.pair(stepMap, 'with');
      if (!withPair) return [editor.insertEntry(stepMap, { key: 'with', value: { kind: 'map', entries: [{ key: 'persist-credentials', value: raw('false') }] } }, { after: ['uses'] })];
      const inputs = editor.mapAt([...step.route, 'with']);
      const existing = editor.pair(inputs, 'persist-credentials');
      if (existing && isScalar(existing.value)) return [editor.replaceScalar(existing.value, 'false')];
      if (existing) return [editor.replaceValue(existing, raw('false'))];
      return [editor.insertEntry(inputs, { key: 'persist-credentials', value: raw('false') })];
    },
  };
}
