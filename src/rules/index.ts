import type { Rule } from './rule.ts';
import cachePoisoning from './cache-poisoning.ts';
import debugLogging from './debug-logging.ts';
import excessivePermissions from './excessive-permissions.ts';
import longLivedPublishToken from './long-lived-publish-token.ts';
import oidcTokenScope from './oidc-token-scope.ts';
import persistCredentials from './persist-credentials.ts';
import publishOnUntrustedTrigger from './publish-on-untrusted-trigger.ts';
import publishWithoutEnvironment from './publish-without-environment.ts';
import remoteScriptExec from './remote-script-exec.ts';
import secretExfiltration from './secret-exfiltration.ts';
import tokenInLog from './token-in-log.ts';
import unpinnedAction from './unpinned-action.ts';
import workflowCodeowners from './workflow-codeowners.ts';
import dangerousTrigger from './dangerous-trigger.ts';
import templateInjection from './template-injection.ts';
import secretsInherit from './secrets-inherit.ts';
import allSecretsExposed from './all-secrets-exposed.ts';
import runnerTampering from './runner-tampering.ts';
import selfHostedRunner from './self-hosted-runner.ts';
import unhashedRequirements from './unhashed-requirements.ts';
import unpinnedRequirement from './unpinned-requirement.ts';
import lockMissingHashes from './lock-missing-hashes.ts';
import installWithoutHashes from './install-without-hashes.ts';
import unpinnedBaseImage from './unpinned-base-image.ts';

/** Every rule, in the order of the docs. Adding a rule means adding its module here. */
export const rules: readonly Rule<any>[] = [
  oidcTokenScope,
  publishWithoutEnvironment,
  publishOnUntrustedTrigger,
  longLivedPublishToken,
  debugLogging,
  tokenInLog,
  secretExfiltration,
  unpinnedAction,
  remoteScriptExec,
  dangerousTrigger,
  templateInjection,
  secretsInherit,
  allSecretsExposed,
  runnerTampering,
  selfHostedRunner,
  excessivePermissions,
  cachePoisoning,
  persistCredentials,
  workflowCodeowners,
  installWithoutHashes,
  unhashedRequirements,
  unpinnedRequirement,
  lockMissingHashes,
  unpinnedBaseImage,
];
