import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createFixServices, type FixServicesOptions } from '../../src/fixes/services.ts';
import { FixUnavailableError, type Fix, type FixServices, type TextEdit } from '../../src/fixes/types.ts';
import { auditText } from '../helpers/audit.ts';
import { GIT_ENV, RATE_LIMITED, makeBareRepo, startFakeGitHubRefs, type FakeGitHubRefs } from '../registry/github-refs-fake.ts';

const temp = mkdtempSync(path.join(tmpdir(), 'cordon-pin-'));
after(() => rmSync(temp, { recursive: true, force: true }));

// acme/deploy: c1 ← v3 (annotated), v3.0.1; c2 ← v4 (annotated), v4.2 (annotated), v4.2.2; branch main at c2, branch v1 at c1.
const remotes = path.join(temp, 'remotes');
const deploy = makeBareRepo(remotes, 'acme', 'deploy', {
  commits: ['c1', 'c2'],
  tags: { v3: 'c1', 'v3.0.1': 'c1', v4: 'c2', 'v4.2': 'c2', 'v4.2.2': 'c2' },
  annotated: ['v3', 'v4', 'v4.2'],
  heads: { main: 'c2', v1: 'c1' },
});
const workflows = makeBareRepo(remotes, 'acme', 'workflows', { commits: ['w1'], tags: { 'v1.4.0': 'w1', v1: 'w1' }, heads: { main: 'w1' } });
const { c1, c2 } = deploy.commits as Record<'c1' | 'c2', string>;
const w1 = workflows.commits.w1!;

let server: FakeGitHubRefs;
let cacheDir: string;
before(async () => {
  server = await startFakeGitHubRefs({ 'acme/deploy': deploy.repo, 'acme/workflows': workflows.repo });
});
after(() => server.close());
beforeEach(() => {
  server.always = undefined;
  server.requests.length = 0;
  cacheDir = mkdtempSync(path.join(temp, 'cache-'));
});

function services(options: FixServicesOptions = {}): FixServices {
  return createFixServices({
    env: { ...GIT_ENV, GITHUB_API_URL: server.apiUrl, GITHUB_TOKEN: 'ghp_pinTestToken00000000000000000000000000', CORDON_ACTIONS_GIT_URL: `file://${remotes}/{owner}/{repo}.git` },
    cacheDir,
    http: { retries: 0, timeoutMs: 2000 },
    ...options,
  });
}

function apply(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.offset - a.offset)) out = out.slice(0, edit.offset) + edit.text + out.slice(edit.endOffset);
  return out;
}

async function fixesOf(text: string, filePath = '.github/workflows/release.yml'): Promise<Array<{ message: string; fix: Fix | undefined }>> {
  const result = await auditText(text, { ruleIds: ['unpinned-action'], path: filePath, kind: filePath.endsWith('action.yml') ? 'action' : 'workflow' });
  return result.findings.filter((finding) => finding.rule === 'unpinned-action').map((finding) => ({ message: finding.message, fix: result.fixes.get(finding) }));
}

/** Applies every fix of the text (all must produce edits) and returns the new text. */
async function fixAll(text: string, using: FixServices = services()): Promise<string> {
  const found = await fixesOf(text);
  const edits: TextEdit[] = [];
  for (const { fix } of found) edits.push(...(await fix!.edits(using)));
  return apply(text, edits);
}

const workflow = (uses: string, eol = '\n') =>
  ['on: push', 'jobs:', '  release:', '    runs-on: ubuntu-latest', '    steps:', `      - uses: ${uses}`, '      - run: echo done', ''].join(eol);

describe('pinning actions', () => {
  it('a major tag becomes the commit SHA and the most specific tag on it, as a comment; the result passes the rule', async () => {
    const text = workflow('acme/deploy@v4');
    const [finding] = await fixesOf(text);
    assert.equal(finding?.fix?.safety, 'safe');
    assert.equal(finding?.fix?.title, 'pin acme/deploy@v4 to its commit SHA');
    const fixed = await fixAll(text);
    assert.equal(fixed, workflow(`acme/deploy@${c2} # v4.2.2`));
    assert.deepEqual(await fixesOf(fixed), []);
  });

  it('keeps the case of the owner and repository as written and quoting as written', async () => {
    assert.equal(await fixAll(workflow('"Acme/Deploy@v4.2"')), workflow(`"Acme/Deploy@${c2}" # v4.2.2`));
    assert.equal(await fixAll(workflow("'acme/deploy@v3'")), workflow(`'acme/deploy@${c1}' # v3.0.1`));
  });

  it('replaces a version comment, keeps any other comment after the new one', async () => {
    assert.equal(await fixAll(workflow('acme/deploy@v4 # v4')), workflow(`acme/deploy@${c2} # v4.2.2`));
    assert.equal(await fixAll(workflow('acme/deploy@v4   #v4.0.0 keep in step with deploy.yml')), workflow(`acme/deploy@${c2}   #v4.2.2 keep in step with deploy.yml`));
    assert.equal(await fixAll(workflow('acme/deploy@v4  # trusted vendor, see SECURITY.md')), workflow(`acme/deploy@${c2} # v4.2.2  # trusted vendor, see SECURITY.md`));
  });

  it('CRLF files keep their line endings', async () => {
    assert.equal(await fixAll(workflow('acme/deploy@v4', '\r\n')), workflow(`acme/deploy@${c2} # v4.2.2`, '\r\n'));
  });

  it('flow mappings get the SHA without a comment (none can follow the value there)', async () => {
    const text = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - { uses: acme/deploy@v4, with: { x: 1 } }\n';
    assert.equal(await fixAll(text), text.replace('acme/deploy@v4', `acme/deploy@${c2}`));
  });

  it('reusable workflows and actions in subfolders are pinned by their repository', async () => {
    const text = ['on: push', 'jobs:', '  call:', '    uses: acme/workflows/.github/workflows/release.yml@v1', '  step:', '    runs-on: ubuntu-latest', '    steps:', '      - uses: acme/deploy/setup@v4', ''].join('\n');
    const fixed = await fixAll(text);
    assert.match(fixed, new RegExp(`uses: acme/workflows/.github/workflows/release.yml@${w1} # v1.4.0\n`));
    assert.match(fixed, new RegExp(`uses: acme/deploy/setup@${c2} # v4.2.2\n`));
  });

  it('composite actions are fixed too', async () => {
    const text = "name: x\nruns:\n  using: composite\n  steps:\n    - uses: acme/deploy@v4\n";
    const result = await auditText(text, { ruleIds: ['unpinned-action'], path: 'action.yml', kind: 'action' });
    const fix = result.fixes.get(result.findings[0]!)!;
    assert.equal(apply(text, await fix.edits(services())), `name: x\nruns:\n  using: composite\n  steps:\n    - uses: acme/deploy@${c2} # v4.2.2\n`);
  });
});

describe('branches', () => {
  it('a branch ref is an unsafe fix: the SHA of its head, the branch name as the comment', async () => {
    const [finding] = await fixesOf(workflow('acme/deploy@main'));
    assert.equal(finding?.fix?.safety, 'unsafe');
    assert.match(finding!.fix!.followUp![0]!, /freezes/);
    assert.equal(await fixAll(workflow('acme/deploy@main')), workflow(`acme/deploy@${c2} # main`));
  });

  it('a "version" that is a branch is not pinned by the safe fix unless unsafe fixes are allowed', async () => {
    const [finding] = await fixesOf(workflow('acme/deploy@v1'));
    assert.equal(finding?.fix?.safety, 'safe');
    await assert.rejects(async () => finding!.fix!.edits(services()), (error: unknown) => error instanceof FixUnavailableError && /is a branch/.test(error.message));
    assert.equal(apply(workflow('acme/deploy@v1'), await finding!.fix!.edits(services({ allowUnsafe: true }))), workflow(`acme/deploy@${c1} # v1`));
  });
});

describe('what is left alone', () => {
  it('local actions have no finding; docker images say they are not fixable offline', async () => {
    const text = ['on: push', 'jobs:', '  a:', '    runs-on: ubuntu-latest', '    steps:', '      - uses: ./.github/actions/setup', '      - uses: docker://alpine:3.20', ''].join('\n');
    const found = await fixesOf(text);
    assert.equal(found.length, 1);
    assert.match(found[0]!.fix!.title, /docker image alpine:3.20/);
    await assert.rejects(async () => found[0]!.fix!.edits(services()), (error: unknown) => error instanceof FixUnavailableError && /^not fixable offline/.test(error.message));
  });

  it('an unknown tag cannot be fixed and says so', async () => {
    const [finding] = await fixesOf(workflow('acme/deploy@v9'));
    await assert.rejects(async () => finding!.fix!.edits(services()), (error: unknown) => error instanceof FixUnavailableError && /has no tag or branch `v9`/.test(error.message));
  });

  it('a fix without a resolver in the services cannot be made', async () => {
    const [finding] = await fixesOf(workflow('acme/deploy@v4'));
    await assert.rejects(async () => finding!.fix!.edits({}), FixUnavailableError);
  });
});

describe('network and cache', () => {
  it('--offline with an empty cache: "offline, not in cache"; after an online run: fixed from the cache without a request', async () => {
    const text = workflow('acme/deploy@v4');
    const [finding] = await fixesOf(text);
    await assert.rejects(async () => finding!.fix!.edits(services({ offline: true })), (error: unknown) => error instanceof FixUnavailableError && error.message === 'offline, not in cache');
    assert.equal(server.requests.length, 0);
    await finding!.fix!.edits(services());
    const asked = server.requests.length;
    assert.equal(apply(text, await finding!.fix!.edits(services({ offline: true }))), workflow(`acme/deploy@${c2} # v4.2.2`));
    assert.equal(server.requests.length, asked);
  });

  it('a rate-limited API falls back to git ls-remote with the same answer', async () => {
    server.always = RATE_LIMITED;
    const warnings: string[] = [];
    const fixed = await fixAll(workflow('acme/deploy@v4'), services({ warn: (message) => warnings.push(message) }));
    assert.equal(fixed, workflow(`acme/deploy@${c2} # v4.2.2`));
    assert.ok(warnings.some((message) => /rate limit/.test(message) && /git ls-remote/.test(message)), warnings.join('\n'));
    // The token never shows up in a warning.
    assert.ok(!warnings.join('\n').includes('ghp_pinTestToken'));
  });

  it('GITHUB_SERVER_URL alone points the API at GHES (`/api/v3`) and git at the server', async () => {
    const made = createFixServices({ env: { ...GIT_ENV, GITHUB_SERVER_URL: 'https://ghe.example.com/' }, cacheDir, offline: true });
    assert.match(made.resolver.cacheKey('acme', 'deploy', 'v4'), /https:\/\/ghe\.example\.com\/api\/v3 acme\/deploy@v4$/);
  });
});
