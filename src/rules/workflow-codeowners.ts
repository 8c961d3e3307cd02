import { parseCodeowners, ruleFor } from '../analysis/codeowners.ts';
import type { Span } from '../models/yaml/document.ts';
import { defineRule } from './rule.ts';

/** Stand-ins for a workflow file someone adds: GitHub runs both extensions. */
const NEW_WORKFLOWS = ['.github/workflows/new-workflow.yml', '.github/workflows/new-workflow.yaml'];
/** Workflows of the scanned repository itself (CODEOWNERS applies to it, not to repositories nested in it). */
const WORKFLOW_PATH = /^\.github\/workflows\/[^/]+\.ya?ml$/;

export default defineRule({
  meta: {
    id: 'workflow-codeowners',
    summary: 'workflow files without code owners, so workflow changes need no review from the people who own releases',
    severity: 'medium',
    confidence: 'medium',
    docs: {
      why: `A workflow file is code that runs with the repository's secrets, its OIDC identity and a GITHUB_TOKEN.
The GhostAction campaign (September 2025: 3,325 secrets from 817 repositories) pushed a new workflow file,
\`.github/workflows/github_actions_security.yml\`, that ran on \`push\` and sent every secret it named to the
attacker's server; Shai-Hulud pushed a workflow of its own the same way. A workflow added in a pull request
or on a branch runs as soon as it is pushed, and with \`pull_request\` or \`push\` triggers it runs before anyone
reviews it. What stops such a file from reaching the default branch — where \`push\`, \`schedule\`, \`release\` and
\`workflow_run\` workflows get every secret — is review by the people responsible for the pipelines: a
CODEOWNERS rule that covers \`.github/workflows/\` **and** branch protection (or a ruleset) with "Require review
from Code Owners". Without an owner for the folder, any reviewer — or none — can approve a new or changed
workflow.

cordon reads the CODEOWNERS file GitHub would use (\`.github/CODEOWNERS\`, then \`CODEOWNERS\`, then
\`docs/CODEOWNERS\`) with GitHub's rules (the last matching pattern wins; a pattern without owners removes
them; lines with unsupported syntax are skipped) and reports when a new file in \`.github/workflows/\` would
have no owner, and each existing workflow file the rules leave without one. It runs only when the scan
walked a \`.github/workflows\` folder. cordon cannot see branch protection or rulesets offline: an owner
rule does nothing unless "Require review from Code Owners" is on for the default branch — check it in the
repository settings. Owners also need write access to the repository for GitHub to count them.`,
      example: `# .github/CODEOWNERS
*.py  @example-org/python-team
# nothing covers .github/workflows/`,
      fix: `Give the workflow folder (or all of \`.github/\`) to the people who own releases, at the end of the
file so no later rule overrides it:

\`\`\`
# .github/CODEOWNERS
/.github/ @example-org/release-owners
\`\`\`

Then turn on "Require a pull request before merging" and "Require review from Code Owners" for the
default branch (branch protection or a ruleset).`,
      references: [
        'https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners',
        'https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-protected-branches/about-protected-branches#require-pull-request-reviews-before-merging',
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-codeowners-to-monitor-changes',
        'https://blog.pypi.org/posts/2025-09-16-github-actions-token-exfiltration/',
        'https://blog.gitguardian.com/ghostaction-campaign-3-325-secrets-stolen/',
      ],
    },
  },

  repository(repository, context) {
    if (!repository.scannedWorkflowFolder) return;
    const workflows = repository.workflows.filter((workflow) => WORKFLOW_PATH.test(workflow.path)).sort((a, b) => a.path.localeCompare(b.path));
    if (!workflows.length) return;
    const review =
      'Reviews stop a pushed workflow such as GhostAction’s only with a CODEOWNERS rule for `.github/workflows/` and “Require review from Code Owners” in branch protection (cordon cannot check the latter offline)';
    const file = repository.codeowners;
    if (!file) {
      context.report({
        path: workflows[0]!.path,
        message: `no CODEOWNERS file (\`.github/CODEOWNERS\`, \`CODEOWNERS\` or \`docs/CODEOWNERS\`), so nobody in particular has to approve changes to the ${workflows.length} workflow ${workflows.length === 1 ? 'file' : 'files'} in \`.github/workflows/\` or a new one. ${review}`,
        span: lineOne(),
        key: 'codeowners/missing',
      });
      return;
    }
    const codeowners = parseCodeowners(file.text);
    const uncovered = NEW_WORKFLOWS.filter((path) => !(ruleFor(codeowners, path)?.owners.length));
    const unowned = workflows.filter((workflow) => !(ruleFor(codeowners, workflow.path)?.owners.length));
    if (uncovered.length) {
      const decided = ruleFor(codeowners, uncovered[0]!);
      const why = decided ? `line ${decided.line} (\`${decided.pattern}\`) matches it last and names no owner` : 'no rule matches it';
      context.report({
        path: file.path,
        message:
          `\`${file.path}\` does not give \`.github/workflows/\` an owner: for a new workflow file there, ${why}` +
          (unowned.length ? `; ${unowned.length === workflows.length ? 'none of the existing workflow files has one either' : `${listPaths(unowned)} ${unowned.length === 1 ? 'has' : 'have'} none either`}` : '') +
          (codeowners.invalid.length
            ? ` (GitHub skips ${codeowners.invalid.length === 1 ? 'line' : 'lines'} ${codeowners.invalid.map((item) => `${item.line}: ${item.reason}`).join('; ')})`
            : '') +
          `. ${review}`,
        span: lineOne(),
        key: 'codeowners/folder',
      });
      return;
    }
    for (const workflow of unowned) {
      const decided = ruleFor(codeowners, workflow.path);
      context.report({
        path: workflow.path,
        message:
          `\`${file.path}\` leaves this workflow file without an owner` +
          (decided ? ` (line ${decided.line}, \`${decided.pattern}\`, matches it last and names nobody)` : '') +
          `, so changes to it need no code owner review although the rest of \`.github/workflows/\` does. ${review}`,
        span: lineOne(),
        key: `codeowners/unowned/${workflow.path}`,
      });
    }
  },
});

function lineOne(): Span {
  return { start: { line: 1, column: 1 }, end: { line: 1, column: 1 }, offset: 0, endOffset: 0 };
}

function listPaths(files: ReadonlyArray<{ path: string }>): string {
  const shown = files.slice(0, 3).map((file) => `\`${file.path}\``);
  return shown.join(', ') + (files.length > 3 ? ` and ${files.length - 3} more` : '');
}
