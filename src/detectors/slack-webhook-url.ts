import { defineDetector } from './detector.ts';
import { DELETE_LOG } from './shared/github.ts';

export default defineDetector({
  meta: {
    id: 'slack-webhook-url',
    summary: 'Slack incoming webhook or workflow trigger URL',
    severity: 'medium',
    confidence: 'high',
    docs: {
      why: `An incoming webhook URL is its own credential: anyone with it posts messages into its channel as the app,
with links and formatting, which makes convincing phishing inside your workspace (workflow trigger URLs start a
Slack workflow with chosen inputs). It cannot read anything. It lives until the webhook is removed.`,
      respond: [
        'Remove the webhook at https://api.slack.com/apps → your app → Incoming Webhooks (or delete the workflow\'s webhook trigger) and create a new one stored as a secret.',
        'Warn the channel about messages posted since the log was written.',
        DELETE_LOG,
      ],
      references: ['https://api.slack.com/messaging/webhooks'],
    },
  },
  pattern: /https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_\/+-]+/,
  keywords: ['slack.com/'],
  validate(secret) {
    const path = secret.slice(secret.indexOf('hooks.slack.com/') + 'hooks.slack.com/'.length);
    const rest = path.slice(path.indexOf('/') + 1);
    return rest.length >= 24 && /[0-9]/.test(rest) && /[A-Za-z]/.test(rest);
  },
  decode: () => ({ description: 'Slack incoming webhook URL', lifetime: { kind: 'until-revoked' } }),
});
