import { defineDetector } from './detector.ts';
import { DELETE_LOG } from './shared/github.ts';

const KINDS: Record<string, string> = {
  xoxb: 'Slack bot token',
  xoxp: 'Slack user token',
  xoxa: 'Slack workspace app token (legacy)',
  xoxr: 'Slack refresh token',
  xoxo: 'Slack legacy token',
  xoxs: 'Slack legacy session token',
  xoxe: 'Slack configuration or rotating token',
  xapp: 'Slack app-level token',
};

export default defineDetector({
  meta: {
    id: 'slack-token',
    summary: 'Slack API token (xoxb-, xoxp-, xoxa-, xoxr-, xoxo-, xoxs-, xoxe-, xapp-)',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `A Slack token calls the Web API as the bot (\`xoxb-\`), the user who installed the app (\`xoxp-\`, which reads
every channel and DM the user can), or the app itself (\`xapp-\`), with the app's scopes. Bot and user tokens live
until revoked unless token rotation is on (then 12 hours, with a refresh token that does not expire until used).
A user token lets someone read a workspace's history; a bot token posting as a trusted bot is a phishing tool.`,
      respond: [
        'Revoke it: `curl -X POST https://slack.com/api/auth.revoke -H "Authorization: Bearer <token>"`; or reinstall/rotate at https://api.slack.com/apps → your app → OAuth & Permissions (Revoke tokens) / Basic Information (app-level tokens).',
        'Check the workspace\'s access logs and the app\'s activity (Enterprise Grid audit logs) for use since the log was written.',
        DELETE_LOG,
      ],
      references: ['https://api.slack.com/authentication/token-types', 'https://api.slack.com/methods/auth.revoke'],
    },
  },
  pattern: /(?<![A-Za-z0-9_-])(?:xox[abposre](?:\.xox[bp])?|xapp)-[A-Za-z0-9-]+/,
  keywords: ['xox', 'xapp-'],
  validate(secret) {
    const body = secret.slice(secret.indexOf('-') + 1);
    // Slack tokens are dash-separated groups with numeric team/user ids, then random characters.
    return body.length >= 20 && body.length <= 300 && /[0-9]/.test(body) && /[A-Za-z]/.test(body) && body.includes('-');
  },
  decode: (secret) => ({ description: KINDS[secret.slice(0, 4)] ?? 'Slack token', lifetime: { kind: 'until-revoked' } }),
});
