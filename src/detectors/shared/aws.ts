export const AWS_KEY_ID_PREFIXES = ['AKIA', 'ASIA', 'ABIA', 'ACCA'];

export const AWS_RESPOND_COMMON = [
  'Look the key up: `aws sts get-access-key-info --access-key-id <id>` (from any account) returns the account that owns it.',
  'In that account, deactivate the key now (`aws iam update-access-key --user-name <user> --access-key-id <id> --status Inactive`, or IAM → Users → Security credentials), then delete it once nothing legitimate depends on it (`aws iam delete-access-key`).',
  'Search CloudTrail for the key since the log was written (`aws cloudtrail lookup-events --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=<id>`, in every region): new IAM users, keys, roles or policies, EC2 instances (mining), S3 reads, and `GetCallerIdentity` calls from unknown addresses.',
  'For temporary credentials (ASIA…), revoke the role\'s active sessions (IAM → Roles → Revoke active sessions, which denies tokens issued before now) and look for the session token in the same log.',
  'Replace stored keys in CI with OIDC role assumption (`aws-actions/configure-aws-credentials` with `role-to-assume`).',
];
