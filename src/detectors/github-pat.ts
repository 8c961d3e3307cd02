import { defineDetector } from './detector.ts';
import { DELETE_LOG, GITHUB_AUDIT, GITHUB_REVOKE_API, githubPrefixed } from './shared/github.ts';

export default defineDetector({
  meta: {
    id: 'github-pat',
    summary: 'GitHub personal access token (classic, ghp_)',
    severity: 'critical',
    confidence: 'high',
    docs: {
      why: `A classic personal access token acts as its owner with the scopes chosen when it was created (\`repo\`,
\`workflow\`, \`write:packages\`, \`admin:org\`…) on every repository and organization the owner can reach, unless an
organization restricts classic tokens. It lives until its expiry date (which may be "never") or until revoked;
the expiry is not in the token. Pushing a workflow file with it is enough to run code with every secret of
the repository.`,
      respond: [
        GITHUB_REVOKE_API,
        'The owner can also delete it at https://github.com/settings/tokens.',
        GITHUB_AUDIT,
        'Replace it with a fine-grained token limited to the repositories and permissions the job needs, or with the job\'s own GITHUB_TOKEN.',
        DELETE_LOG,
      ],
      references: [
        'https://docs.github.com/en/rest/credentials/revoke',
        'https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/',
        'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens',
      ],
    },
  },
  ...githubPrefixed('ghp_'),
  decode: () => ({ description: 'GitHub personal access token (classic)', lifetime: { kind: 'until-revoked' } }),
});
