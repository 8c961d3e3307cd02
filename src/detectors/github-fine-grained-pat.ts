import { defineDetector } from './detector.ts';
import { DELETE_LOG, GITHUB_AUDIT, GITHUB_REVOKE_API } from './shared/github.ts';

export default defineDetector({
  meta: {
    id: 'github-fine-grained-pat',
    summary: 'GitHub fine-grained personal access token (github_pat_)',
    severity: 'critical',
    confidence: 'high',
    docs: {
      why: `A fine-grained personal access token acts as its owner on the repositories and with the permissions
chosen when it was created (\`contents: write\`, \`workflows\`, \`administration\`…). It expires on the date set at
creation (at most a year unless the organization allows more, or never); the date is not in the token, so
treat it as valid until revoked.`,
      respond: [
        GITHUB_REVOKE_API,
        'The owner can also delete it at https://github.com/settings/personal-access-tokens; organization owners can revoke it under the organization\'s Settings → Personal access tokens → Active tokens.',
        GITHUB_AUDIT,
        DELETE_LOG,
      ],
      references: [
        'https://docs.github.com/en/rest/credentials/revoke',
        'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens',
      ],
    },
  },
  // `github_pat_` + 22 characters + `_` + 59 characters (93 in all).
  pattern: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]+/,
  keywords: ['github_pat_'],
  validate(secret) {
    const body = secret.slice('github_pat_'.length);
    return body.length >= 60 && body.length <= 244 && body.includes('_');
  },
  decode: () => ({ description: 'GitHub fine-grained personal access token', lifetime: { kind: 'until-revoked' } }),
  confidence: (secret) => (/^github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}$/.test(secret) ? 'high' : 'medium'),
});
