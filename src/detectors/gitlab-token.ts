import { defineDetector } from './detector.ts';
import { GITLAB_AUDIT, GITLAB_DELETE_LOG, GITLAB_PATTERN, gitlabBodyOk, gitlabPrefix } from './shared/gitlab.ts';

const KINDS: Record<string, string> = {
  'glft-': 'GitLab feed token (reads RSS/Atom and calendar feeds as the user)',
  'glimt-': 'GitLab incoming email token (creates issues and merge requests by email as the user)',
  'glagent-': 'GitLab agent for Kubernetes token (connects a cluster agent)',
  'gloas-': 'GitLab OAuth application secret',
  'glsoat-': 'GitLab SCIM token (provisions users of a group)',
  'glffct-': 'GitLab feature flag client token',
};

export default defineDetector({
  meta: {
    id: 'gitlab-token',
    summary: 'Other GitLab token (feed, incoming email, Kubernetes agent, OAuth app secret, SCIM, feature flags)',
    severity: 'medium',
    confidence: 'high',
    docs: {
      why: `GitLab prefixes every token it issues. Besides access, job, deploy, runner and trigger tokens (reported
by their own detectors) these are: feed tokens (\`glft-\`, read the user's activity feeds), incoming email tokens
(\`glimt-\`), Kubernetes agent tokens (\`glagent-\`, which let a fake agent receive cluster deployments), OAuth
application secrets (\`gloas-\`), SCIM tokens (\`glsoat-\`, which create and remove group members) and feature flag
client tokens (\`glffct-\`). They live until reset.`,
      respond: [
        'Reset the token where it was issued: the user\'s Access tokens page (feed and incoming email tokens), the agent\'s page under Operate → Kubernetes clusters (agent tokens), Admin/Group → Applications (OAuth secrets), the group\'s SAML SSO settings (SCIM), or Deploy → Feature flags → Configure (feature flag tokens).',
        GITLAB_AUDIT,
        GITLAB_DELETE_LOG,
      ],
      references: ['https://docs.gitlab.com/security/tokens/'],
    },
  },
  pattern: GITLAB_PATTERN,
  keywords: Object.keys(KINDS),
  validate(secret) {
    const prefix = gitlabPrefix(secret);
    return prefix !== undefined && prefix in KINDS && gitlabBodyOk(secret, prefix);
  },
  decode: (secret) => ({ description: KINDS[gitlabPrefix(secret) ?? ''] ?? 'GitLab token', lifetime: { kind: 'until-revoked' } }),
});
