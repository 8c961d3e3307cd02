import type { Detector } from './detector.ts';
import actionsIdTokenRequestToken from './actions-id-token-request-token.ts';
import actionsIdTokenRequestUrl from './actions-id-token-request-url.ts';
import actionsRunnerSecret from './actions-runner-secret.ts';
import actionsRuntimeToken from './actions-runtime-token.ts';
import anthropicApiKey from './anthropic-api-key.ts';
import awsAccessKeyId from './aws-access-key-id.ts';
import awsSecretAccessKey from './aws-secret-access-key.ts';
import awsSessionToken from './aws-session-token.ts';
import cloudflareApiToken from './cloudflare-api-token.ts';
import databaseUrl from './database-url.ts';
import dockerHubToken from './docker-hub-token.ts';
import githubAppInstallationToken from './github-app-installation-token.ts';
import githubAppRefreshToken from './github-app-refresh-token.ts';
import githubAppUserToken from './github-app-user-token.ts';
import githubFineGrainedPat from './github-fine-grained-pat.ts';
import githubOauthToken from './github-oauth-token.ts';
import githubOidcJwt from './github-oidc-jwt.ts';
import githubPat from './github-pat.ts';
import gitlabCiJobToken from './gitlab-ci-job-token.ts';
import gitlabDeployToken from './gitlab-deploy-token.ts';
import gitlabPat from './gitlab-pat.ts';
import gitlabPipelineTriggerToken from './gitlab-pipeline-trigger-token.ts';
import gitlabRunnerToken from './gitlab-runner-token.ts';
import gitlabToken from './gitlab-token.ts';
import jwt from './jwt.ts';
import npmToken from './npm-token.ts';
import openaiApiKey from './openai-api-key.ts';
import privateKey from './private-key.ts';
import pypiToken from './pypi-token.ts';
import pypiTrustedPublishingToken from './pypi-trusted-publishing-token.ts';
import slackToken from './slack-token.ts';
import slackWebhookUrl from './slack-webhook-url.ts';
import testpypiToken from './testpypi-token.ts';

/**
 * Every detector. The ids are a public contract (they are the `rule` of `cordon logs` findings).
 * Order matters where patterns overlap: detectors sharing a pattern are asked in this order, and
 * where two patterns match at the same place the earlier one is tried first (the AWS key-id +
 * secret pair before the key id alone; GitHub's OIDC issuer before any JWT).
 */
export const detectors: readonly Detector[] = [
  pypiToken,
  pypiTrustedPublishingToken,
  testpypiToken,
  githubPat,
  githubFineGrainedPat,
  githubOauthToken,
  githubAppUserToken,
  githubAppInstallationToken,
  githubAppRefreshToken,
  githubOidcJwt,
  jwt,
  actionsIdTokenRequestToken,
  actionsIdTokenRequestUrl,
  actionsRuntimeToken,
  actionsRunnerSecret,
  npmToken,
  awsSecretAccessKey,
  awsAccessKeyId,
  awsSessionToken,
  dockerHubToken,
  cloudflareApiToken,
  gitlabPat,
  gitlabCiJobToken,
  gitlabDeployToken,
  gitlabRunnerToken,
  gitlabPipelineTriggerToken,
  gitlabToken,
  slackToken,
  slackWebhookUrl,
  anthropicApiKey,
  openaiApiKey,
  privateKey,
  databaseUrl,
];

const byId = new Map(detectors.map((detector) => [detector.meta.id, detector]));

export function detectorById(id: string): Detector | undefined {
  return byId.get(id);
}
