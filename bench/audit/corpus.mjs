// Deterministic corpus of GitHub Actions workflows and composite actions for the benchmark.
//
// Everything below is drawn from one seeded PRNG, so the same seed and version give the same
// bytes on every machine. Bump CORPUS_VERSION whenever the output changes: run.mjs regenerates
// the corpus when the stamp it finds differs.
//
// Layout: <dir>/<repo>/.github/workflows/*.yml, <dir>/<repo>/.github/actions/<name>/action.yml
// and, for action repositories, <dir>/<repo>/action.yml — exactly what `cordon audit <dir>`
// discovers, so that the yaml floor and cordon read the same files.

import { mkdirSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { SeededRandom } from '../lib.mjs';

export const CORPUS_VERSION = 3;
export const DEFAULT_SEED = 20250917;
export const DEFAULT_TARGET_FILES = 1200;
const STAMP = '.stamp.json';

// ---------------------------------------------------------------------------------------------
// PRNG (mulberry32, bench/lib.mjs) and helpers

class Rng extends SeededRandom {
  /** n distinct items, in random order. */
  sample(list, n) {
    const copy = [...list];
    const out = [];
    while (out.length < n && copy.length) out.push(copy.splice(Math.floor(this.next() * copy.length), 1)[0]);
    return out;
  }
  /** n distinct items, in their original order. */
  subset(list, n) {
    const keep = new Set(this.sample(list.map((_, i) => i), n));
    return list.filter((_, i) => keep.has(i));
  }
  hex(n) {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.next() * 16)];
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const WORDS = ['atlas', 'birch', 'cobalt', 'delta', 'ember', 'fjord', 'garnet', 'harbor', 'iris', 'juniper', 'kestrel', 'lumen', 'maple', 'nimbus', 'onyx', 'pylon', 'quartz', 'raven', 'sable', 'tundra', 'umber', 'vertex', 'willow', 'xenon', 'yarrow', 'zephyr', 'aurora', 'basalt', 'cinder', 'dune'];
const ORGS = ['acme-labs', 'openfoo', 'pyutils', 'nodekit', 'rustaceans-io', 'dataworks', 'infra-tools', 'sci-py', 'webstack', 'cloudbits'];
const LANGS = [
  [30, 'python'],
  [22, 'node'],
  [12, 'rust'],
  [12, 'go'],
  [6, 'java'],
  [5, 'ruby'],
  [4, 'dotnet'],
  [9, 'docker'],
];

/** Action catalog: slug → tag used when not hash-pinned. */
const ACTIONS = {
  checkout: ['actions/checkout', 'v4'],
  setupPython: ['actions/setup-python', 'v5'],
  setupNode: ['actions/setup-node', 'v4'],
  setupGo: ['actions/setup-go', 'v5'],
  setupJava: ['actions/setup-java', 'v4'],
  setupDotnet: ['actions/setup-dotnet', 'v4'],
  setupRuby: ['ruby/setup-ruby', 'v1'],
  rustToolchain: ['dtolnay/rust-toolchain', 'stable'],
  rustCache: ['Swatinem/rust-cache', 'v2'],
  cache: ['actions/cache', 'v4'],
  upload: ['actions/upload-artifact', 'v4'],
  download: ['actions/download-artifact', 'v4'],
  setupUv: ['astral-sh/setup-uv', 'v5'],
  codecov: ['codecov/codecov-action', 'v4'],
  pypiPublish: ['pypa/gh-action-pypi-publish', 'release/v1'],
  ghRelease: ['softprops/action-gh-release', 'v2'],
  buildx: ['docker/setup-buildx-action', 'v3'],
  qemu: ['docker/setup-qemu-action', 'v3'],
  dockerLogin: ['docker/login-action', 'v3'],
  dockerMeta: ['docker/metadata-action', 'v5'],
  dockerBuild: ['docker/build-push-action', 'v6'],
  codeqlInit: ['github/codeql-action/init', 'v3'],
  codeqlAnalyze: ['github/codeql-action/analyze', 'v3'],
  codeqlUpload: ['github/codeql-action/upload-sarif', 'v3'],
  preCommit: ['pre-commit/action', 'v3.0.1'],
  githubScript: ['actions/github-script', 'v7'],
  attest: ['actions/attest-build-provenance', 'v1'],
  sigstore: ['sigstore/gh-action-sigstore-python', 'v3.0.0'],
  changedFiles: ['tj-actions/changed-files', 'v45'],
  pathsFilter: ['dorny/paths-filter', 'v3'],
  labeler: ['actions/labeler', 'v5'],
  stale: ['actions/stale', 'v9'],
  pagesConfigure: ['actions/configure-pages', 'v5'],
  pagesUpload: ['actions/upload-pages-artifact', 'v3'],
  pagesDeploy: ['actions/deploy-pages', 'v4'],
  ghPages: ['peaceiris/actions-gh-pages', 'v4'],
  golangci: ['golangci/golangci-lint-action', 'v6'],
  goreleaser: ['goreleaser/goreleaser-action', 'v6'],
  maturin: ['PyO3/maturin-action', 'v1'],
  cibuildwheel: ['pypa/cibuildwheel', 'v2.21.3'],
  awsCreds: ['aws-actions/configure-aws-credentials', 'v4'],
  gcpAuth: ['google-github-actions/auth', 'v2'],
  terraform: ['hashicorp/setup-terraform', 'v3'],
  createPr: ['peter-evans/create-pull-request', 'v7'],
  autoCommit: ['stefanzweifel/git-auto-commit-action', 'v5'],
  junit: ['mikepenz/action-junit-report', 'v4'],
  cosign: ['sigstore/cosign-installer', 'v3.7.0'],
  trivy: ['aquasecurity/trivy-action', '0.28.0'],
  slack: ['slackapi/slack-github-action', 'v1.27.0'],
  dependabotMeta: ['dependabot/fetch-metadata', 'v2'],
  releaseDrafter: ['release-drafter/release-drafter', 'v6'],
  npmPublish: ['JS-DevTools/npm-publish', 'v3'],
  javaGradle: ['gradle/actions/setup-gradle', 'v4'],
};

// ---------------------------------------------------------------------------------------------
// Text building

class Out {
  constructor() {
    this.lines = [];
  }
  line(indent, text) {
    this.lines.push(text === '' ? '' : ' '.repeat(indent) + text);
    return this;
  }
  blank() {
    this.lines.push('');
    return this;
  }
  /** A `key: |` block scalar (or a one-liner when the script has one line and is plain-safe). */
  block(indent, key, scriptLines, { dash = false, style = '|' } = {}) {
    const lead = dash ? '- ' : '';
    if (scriptLines.length === 1 && /^[A-Za-z0-9_./ =-]+$/.test(scriptLines[0]) && !scriptLines[0].includes(': ')) {
      return this.line(indent, `${lead}${key}: ${scriptLines[0]}`);
    }
    this.line(indent, `${lead}${key}: ${style}`);
    const inner = indent + (dash ? 2 : 0) + 2;
    for (const l of scriptLines) this.line(l === '' ? 0 : inner, l);
    return this;
  }
  toString(crlf = false) {
    const text = `${this.lines.join('\n')}\n`;
    return crlf ? text.replace(/\n/g, '\r\n') : text;
  }
}

function q(value) {
  return `'${String(value).replace(/'/g, "''")}'`;
}

// ---------------------------------------------------------------------------------------------
// Repository model

function makeRepo(rng, index) {
  const lang = rng.weighted(LANGS);
  const name = `${rng.pick(WORDS)}-${rng.pick(WORDS)}${rng.chance(0.3) ? `-${rng.pick(['py', 'js', 'rs', 'cli', 'sdk', 'core'])}` : ''}`;
  const pinning = rng.weighted([
    [30, 'sha'],
    [55, 'tag'],
    [15, 'mixed'],
  ]);
  return {
    index,
    dir: `repo-${String(index).padStart(4, '0')}-${name}`,
    org: rng.pick(ORGS),
    name,
    pkg: name.replace(/-/g, '_'),
    lang,
    pinning,
    shas: new Map(),
    defaultBranch: rng.pick(['main', 'main', 'main', 'master', 'develop']),
    quotesOn: rng.chance(0.3),
    crlf: rng.chance(0.02),
  };
}

/** `owner/repo@ref` for a catalog action, pinned per the repository's habit. */
function uses(rng, repo, key, { ref } = {}) {
  const [slug, tag] = ACTIONS[key] ?? [key, 'v1'];
  const wantSha = repo.pinning === 'sha' ? !rng.chance(0.05) : repo.pinning === 'mixed' ? rng.chance(0.5) : rng.chance(0.03);
  if (ref) return `${slug}@${ref}`;
  if (wantSha) {
    if (!repo.shas.has(slug)) repo.shas.set(slug, rng.hex(40));
    return `${slug}@${repo.shas.get(slug)} # ${tag}`;
  }
  return `${slug}@${tag}`;
}

function trigger(rng, repo, out, kind) {
  const b = repo.defaultBranch;
  switch (kind) {
    case 'ci': {
      const form = rng.int(0, 3);
      if (form === 0) return out.line(0, 'on: [push, pull_request]');
      if (form === 1) {
        out.line(0, 'on:').line(2, 'push:').line(4, `branches: [${b}]`).line(2, 'pull_request:');
        if (rng.chance(0.5)) out.line(4, `branches: [${b}]`);
        if (rng.chance(0.4)) out.line(2, 'workflow_dispatch:');
        return out;
      }
      if (form === 2) {
        out.line(0, 'on:').line(2, 'push:').line(4, 'branches:').line(6, `- ${b}`).line(6, `- 'release/**'`);
        out.line(4, 'paths-ignore:').line(6, `- 'docs/**'`).line(6, `- '**.md'`);
        out.line(2, 'pull_request:').line(4, 'types: [opened, synchronize, reopened]');
        return out;
      }
      out.line(0, 'on:').line(2, 'push:').line(4, 'branches:').line(6, `- ${b}`).line(4, 'tags:').line(6, `- 'v*'`);
      out.line(2, 'pull_request:').line(2, 'merge_group:').line(2, 'schedule:').line(4, `- cron: '${rng.int(0, 59)} ${rng.int(0, 23)} * * ${rng.int(0, 6)}'`);
      return out;
    }
    case 'release': {
      const form = rng.int(0, 3);
      if (form === 0) return out.line(0, 'on:').line(2, 'release:').line(4, 'types: [published]');
      if (form === 1) return out.line(0, 'on:').line(2, 'push:').line(4, 'tags:').line(6, `- "v[0-9]+.[0-9]+.[0-9]+*"`);
      if (form === 2) {
        out.line(0, 'on:').line(2, 'workflow_dispatch:').line(4, 'inputs:');
        out.line(6, 'version:').line(8, 'description: Version to release (without the v)').line(8, 'required: true').line(8, 'type: string');
        out.line(6, 'dry-run:').line(8, 'type: boolean').line(8, 'default: false');
        return out;
      }
      out.line(0, 'on:').line(2, 'push:').line(4, `branches: [${b}]`).line(4, 'tags: ["*"]').line(2, 'release:').line(4, 'types: [published]').line(2, 'workflow_dispatch:');
      return out;
    }
    case 'schedule':
      return out.line(0, 'on:').line(2, 'schedule:').line(4, `- cron: "${rng.int(0, 59)} ${rng.int(0, 6)} * * *"`).line(2, 'workflow_dispatch:');
    case 'target':
      return out.line(0, 'on:').line(2, 'pull_request_target:').line(4, 'types: [opened, synchronize, labeled]');
    case 'comment':
      return out.line(0, 'on:').line(2, 'issue_comment:').line(4, 'types: [created]');
    default:
      return out.line(0, `on: ${kind}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Shell scripts: 5–60 lines with pipes, $(…), heredocs, loops, expressions

const SETUP = {
  python: ['python -m pip install --upgrade pip', 'python -m pip install -e ".[test]"', 'pip install -r requirements-dev.txt', 'uv sync --all-extras --dev', 'pip install build twine'],
  node: ['npm ci', 'npm ci --ignore-scripts', 'pnpm install --frozen-lockfile', 'yarn install --immutable', 'corepack enable'],
  rust: ['rustup component add clippy rustfmt', 'cargo fetch --locked', 'cargo install cargo-nextest --locked'],
  go: ['go mod download', 'go install gotest.tools/gotestsum@latest', 'go mod verify'],
  java: ['./gradlew --version', 'mvn -B -q dependency:go-offline', 'chmod +x gradlew'],
  ruby: ['bundle config set --local path vendor/bundle', 'bundle install --jobs 4', 'gem install bundler'],
  dotnet: ['dotnet restore', 'dotnet tool restore', 'dotnet --info'],
  docker: ['docker version', 'docker buildx ls', 'docker info --format "{{.ServerVersion}}"'],
};

const TEST = {
  python: ['pytest -q --maxfail=1 --cov=src --cov-report=xml', 'python -m pytest tests/ -n auto', 'uv run pytest -x', 'tox -e py', 'nox -s tests'],
  node: ['npm test -- --coverage', 'npm run lint', 'npx vitest run', 'pnpm run build', 'npm run typecheck'],
  rust: ['cargo test --all-features --locked', 'cargo clippy --all-targets -- -D warnings', 'cargo fmt --check', 'cargo nextest run --workspace'],
  go: ['go test -race -coverprofile=coverage.out ./...', 'go vet ./...', 'gotestsum --junitfile report.xml -- ./...', 'go build ./...'],
  java: ['./gradlew build --no-daemon', 'mvn -B verify', './gradlew test jacocoTestReport'],
  ruby: ['bundle exec rake test', 'bundle exec rspec --format progress', 'bundle exec rubocop'],
  dotnet: ['dotnet build --no-restore -c Release', 'dotnet test --no-build --verbosity normal', 'dotnet format --verify-no-changes'],
  docker: ['docker compose -f docker-compose.test.yml run --rm tests', 'make test', 'hadolint Dockerfile'],
};

function versionLine(rng, repo) {
  switch (repo.lang) {
    case 'python':
      return rng.pick([
        `VERSION=$(python -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['version'])")`,
        `VERSION=$(grep -m1 '^version' pyproject.toml | cut -d'"' -f2)`,
        `VERSION="$(hatch version)"`,
      ]);
    case 'node':
      return rng.pick([`VERSION=$(node -p "require('./package.json').version")`, `VERSION=$(jq -r .version package.json)`]);
    case 'rust':
      return `VERSION=$(cargo metadata --no-deps --format-version 1 | jq -r '.packages[] | select(.name == "${repo.name}") | .version')`;
    default:
      return rng.pick([`VERSION="\${GITHUB_REF_NAME#v}"`, `VERSION=$(git describe --tags --abbrev=0 | sed 's/^v//')`]);
  }
}

function scriptChunks(rng, repo, ctx) {
  const lang = repo.lang;
  const chunks = [
    () => [rng.pick(SETUP[lang]), rng.pick(TEST[lang])],
    () => [versionLine(rng, repo), 'echo "version=${VERSION}" >> "$GITHUB_OUTPUT"'],
    () => [
      `git log --oneline "$(git describe --tags --abbrev=0 HEAD^ 2>/dev/null || git rev-list --max-parents=0 HEAD)"..HEAD \\`,
      `  | grep -v -E '^[0-9a-f]+ (Merge|chore)' \\`,
      `  | sed 's/^[0-9a-f]* /- /' > CHANGELOG.partial.md`,
      'wc -l CHANGELOG.partial.md',
    ],
    () => {
      const file = rng.pick(['build-info.json', 'dist/meta.json', 'release.json']);
      return [
        `mkdir -p "$(dirname ${file})"`,
        `cat > ${file} <<EOF`,
        '{',
        '  "sha": "${{ github.sha }}",',
        '  "ref": "${{ github.ref }}",',
        `  "run": "\${GITHUB_RUN_ID}",`,
        `  "built": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"`,
        '}',
        'EOF',
        `jq . ${file}`,
      ];
    },
    () => [
      "cat <<'EOF' >> \"$GITHUB_STEP_SUMMARY\"",
      '## Build summary',
      '',
      '| item | value |',
      '| --- | --- |',
      `| runner | \${{ runner.os }} |`,
      'EOF',
    ],
    () => ['for f in dist/*; do', '  sha256sum "$f" | tee -a SHA256SUMS', 'done', 'cat SHA256SUMS'],
    () => [
      'if [[ "${{ github.event_name }}" == "pull_request" ]]; then',
      '  BASE="${{ github.event.pull_request.base.sha }}"',
      'else',
      '  BASE="$(git rev-parse HEAD~1)"',
      'fi',
      `CHANGED=$(git diff --name-only "$BASE" HEAD | grep -c -E '\\.(py|ts|rs|go)$' || true)`,
      'echo "changed=${CHANGED}" >> "$GITHUB_OUTPUT"',
    ],
    () => [
      'LATEST=$(curl -fsSL \\',
      '  -H "Authorization: Bearer ${GITHUB_TOKEN}" \\',
      '  -H "Accept: application/vnd.github+json" \\',
      '  "https://api.github.com/repos/${{ github.repository }}/releases/latest" | jq -r .tag_name)',
      'echo "latest=${LATEST}"',
    ],
    () => ['case "${RUNNER_OS}" in', '  Linux) sudo apt-get update && sudo apt-get install -y --no-install-recommends libssl-dev ;;', '  macOS) brew install openssl@3 ;;', '  Windows) choco install openssl --no-progress ;;', 'esac'],
    () => [
      'retry() {',
      '  local n=0',
      '  until "$@"; do',
      '    n=$((n + 1))',
      '    [ "$n" -ge 3 ] && return 1',
      '    sleep $((n * 5))',
      '  done',
      '}',
      `retry ${rng.pick(SETUP[lang])}`,
    ],
    () => [`find . -name '*.log' -newer ${rng.pick(['setup.cfg', 'package.json', 'Cargo.toml', 'go.mod'])} -print0 | xargs -0 -r tail -n 20`],
    () => ['export PATH="$HOME/.local/bin:$PATH"', `echo "$HOME/.local/bin" >> "$GITHUB_PATH"`],
    () => [`TAG="\${{ github.ref_name }}"`, 'if [[ ! "$TAG" =~ ^v[0-9]+\\.[0-9]+\\.[0-9]+ ]]; then', '  echo "::error::unexpected tag $TAG"', '  exit 1', 'fi'],
    () => [`ls -la ${rng.pick(['dist', 'build', 'target/release', 'out'])} | awk '{ total += $5 } END { print total " bytes" }'`],
    () => [`python - <<'PY'`, 'import json, os, pathlib', "data = json.loads(pathlib.Path('coverage.json').read_text())", "print(f\"coverage: {data['totals']['percent_covered']:.1f}%\")", "with open(os.environ['GITHUB_OUTPUT'], 'a') as fh:", "    fh.write(f\"coverage={data['totals']['percent_covered']:.0f}\\n\")", 'PY'],
    () => [`echo "::group::${rng.pick(['Environment', 'Dependencies', 'Toolchain'])}"`, 'env | sort | grep -v -i -E "token|secret|key" || true', 'echo "::endgroup::"'],
    () => [`docker run --rm -v "$PWD:/src" -w /src ${rng.pick(['alpine:3.20', 'python:3.12-slim', 'node:20-alpine'])} sh -c '${rng.pick(['ls -la', 'cat /etc/os-release', 'id'])}'`],
    () => (ctx.matrix ? [`echo "Testing on \${{ matrix.os }} with ${ctx.matrix} \${{ matrix.${ctx.matrix} }}"`] : [`echo "Running on \${{ runner.os }}/\${{ runner.arch }}"`]),
  ];
  return chunks;
}

function script(rng, repo, ctx, minLines = 5, maxLines = 60) {
  const target = rng.int(minLines, maxLines);
  const lines = rng.chance(0.6) ? [rng.pick(['set -euo pipefail', 'set -eux', 'set -e'])] : [];
  const chunks = scriptChunks(rng, repo, ctx);
  // Draw chunks without replacement (a real script rarely repeats itself), refilling when empty.
  let bag = [];
  while (lines.length < target) {
    if (!bag.length) bag = rng.sample(chunks, chunks.length);
    const chunk = bag.pop()();
    if (lines.length && rng.chance(0.25)) lines.push('');
    lines.push(...chunk);
  }
  return lines;
}

function shortRun(rng, repo) {
  return rng.chance(0.5) ? [rng.pick(TEST[repo.lang])] : script(rng, repo, {}, 2, 6);
}

// ---------------------------------------------------------------------------------------------
// Steps

function step(out, indent, fields) {
  let first = true;
  for (const [key, value] of fields) {
    if (value === undefined) continue;
    const lead = first ? '- ' : '  ';
    if (key === 'run') {
      if (first) out.block(indent, 'run', value, { dash: true });
      else out.block(indent + 2, 'run', value);
    } else if (key === 'with' || key === 'env') {
      out.line(indent, `${lead}${key}:`);
      for (const [k, v] of value) out.line(indent + 4, `${k}: ${v}`);
    } else {
      out.line(indent, `${lead}${key}: ${value}`);
    }
    first = false;
  }
}

function setupSteps(rng, repo, out, indent, ctx = {}) {
  step(out, indent, [
    ['name', rng.chance(0.5) ? 'Checkout' : undefined],
    ['uses', uses(rng, repo, 'checkout')],
    ['with', rng.chance(0.4) ? [['persist-credentials', 'false'], ...(rng.chance(0.3) ? [['fetch-depth', '0']] : [])] : undefined],
  ]);
  const version = ctx.matrix ? `\${{ matrix.${ctx.matrix} }}` : undefined;
  switch (repo.lang) {
    case 'python':
      if (rng.chance(0.35)) {
        step(out, indent, [['uses', uses(rng, repo, 'setupUv')], ['with', [['enable-cache', 'true'], ...(version ? [['python-version', version]] : [])]]]);
      } else {
        step(out, indent, [['name', 'Set up Python'], ['uses', uses(rng, repo, 'setupPython')], ['with', [['python-version', version ?? q(rng.pick(['3.12', '3.13', '3.x']))], ['cache', 'pip']]]]);
      }
      break;
    case 'node':
      step(out, indent, [['uses', uses(rng, repo, 'setupNode')], ['with', [['node-version', version ?? rng.pick(['20', '22', 'lts/*'])], ['cache', rng.pick(['npm', 'pnpm', 'yarn'])], ...(ctx.registry ? [['registry-url', q('https://registry.npmjs.org')]] : [])]]]);
      break;
    case 'rust':
      step(out, indent, [['uses', uses(rng, repo, 'rustToolchain', { ref: version ? undefined : rng.pick([undefined, 'stable', 'nightly', '1.82.0']) })], ['with', version ? [['toolchain', version]] : undefined]]);
      step(out, indent, [['uses', uses(rng, repo, 'rustCache')]]);
      break;
    case 'go':
      step(out, indent, [['uses', uses(rng, repo, 'setupGo')], ['with', version || rng.chance(0.5) ? [['go-version', version ?? "'1.23'"], ['check-latest', 'true']] : [['go-version-file', 'go.mod']]]]);
      break;
    case 'java':
      step(out, indent, [['uses', uses(rng, repo, 'setupJava')], ['with', [['distribution', 'temurin'], ['java-version', version ?? "'21'"]]]]);
      if (rng.chance(0.5)) step(out, indent, [['uses', uses(rng, repo, 'javaGradle')]]);
      break;
    case 'ruby':
      step(out, indent, [['uses', uses(rng, repo, 'setupRuby')], ['with', [['ruby-version', version ?? "'3.3'"], ['bundler-cache', 'true']]]]);
      break;
    case 'dotnet':
      step(out, indent, [['uses', uses(rng, repo, 'setupDotnet')], ['with', [['dotnet-version', version ?? "'8.0.x'"]]]]);
      break;
    default:
      step(out, indent, [['uses', uses(rng, repo, 'buildx')]]);
  }
}

const MATRIX_KEY = { python: 'python-version', node: 'node-version', rust: 'toolchain', go: 'go-version', java: 'java', ruby: 'ruby', dotnet: 'dotnet', docker: 'platform' };
const MATRIX_VALUES = {
  python: ['"3.9"', '"3.10"', '"3.11"', '"3.12"', '"3.13"', '"3.14"', 'pypy3.10'],
  node: ['18', '20', '22', '24'],
  rust: ['stable', 'beta', 'nightly', '1.75.0'],
  go: ["'1.21'", "'1.22'", "'1.23'", "'1.24'"],
  java: ['11', '17', '21'],
  ruby: ["'3.1'", "'3.2'", "'3.3'", 'head'],
  dotnet: ["'6.0.x'", "'8.0.x'", "'9.0.x'"],
  docker: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
};

// ---------------------------------------------------------------------------------------------
// Workflows

function header(rng, out, name, { permissions } = {}) {
  out.line(0, `name: ${name}`);
  return permissions;
}

function workflowPermissions(rng, out, style) {
  if (style === 'none') return;
  if (style === 'empty') return out.line(0, 'permissions: {}').blank();
  if (style === 'read-all') return out.line(0, 'permissions: read-all').blank();
  if (style === 'write-all') return out.line(0, 'permissions: write-all').blank();
  out.line(0, 'permissions:').line(2, 'contents: read');
  if (style === 'oidc') out.line(2, 'id-token: write');
  out.blank();
}

function concurrency(rng, out) {
  if (!rng.chance(0.45)) return;
  out.line(0, 'concurrency:').line(2, 'group: ${{ github.workflow }}-${{ github.event.pull_request.number || github.ref }}').line(2, 'cancel-in-progress: ${{ github.event_name == \'pull_request\' }}').blank();
}

function ciWorkflow(rng, repo) {
  const out = new Out();
  out.line(0, `name: ${rng.pick(['CI', 'Tests', 'ci', 'Build and test', 'CI / test'])}`).blank();
  trigger(rng, repo, out, 'ci').blank();
  workflowPermissions(rng, out, rng.weighted([[35, 'none'], [40, 'read'], [15, 'empty'], [7, 'read-all'], [3, 'write-all']]));
  concurrency(rng, out);
  const anchors = rng.chance(0.15);
  if (rng.chance(0.4) || anchors) {
    out.line(0, `env:${anchors ? ' &default-env' : ''}`);
    out.line(2, `FORCE_COLOR: "1"`);
    if (repo.lang === 'python') out.line(2, 'PIP_DISABLE_PIP_VERSION_CHECK: "1"');
    if (repo.lang === 'rust') out.line(2, 'CARGO_TERM_COLOR: always').line(2, 'RUSTFLAGS: -D warnings');
    if (rng.chance(0.3)) out.line(2, 'CODECOV_TOKEN: ${{ secrets.CODECOV_TOKEN }}');
    out.blank();
  }
  out.line(0, 'jobs:');
  // lint
  if (rng.chance(0.6)) {
    out.line(2, 'lint:').line(4, 'runs-on: ubuntu-latest');
    if (rng.chance(0.3)) out.line(4, `timeout-minutes: ${rng.int(5, 30)}`);
    out.line(4, 'steps:');
    setupSteps(rng, repo, out, 6);
    if (rng.chance(0.4)) step(out, 6, [['uses', uses(rng, repo, 'preCommit')]]);
    else if (repo.lang === 'go') step(out, 6, [['uses', uses(rng, repo, 'golangci')], ['with', [['version', 'latest']]]]);
    else step(out, 6, [['name', 'Lint'], ['run', shortRun(rng, repo)]]);
    out.blank();
  }
  // test matrix
  const key = MATRIX_KEY[repo.lang];
  const values = rng.subset(MATRIX_VALUES[repo.lang], rng.int(2, MATRIX_VALUES[repo.lang].length));
  const oses = rng.subset(['ubuntu-latest', 'macos-latest', 'windows-latest', 'ubuntu-22.04', 'macos-13'], rng.int(1, 3));
  out.line(2, 'test:');
  if (rng.chance(0.5)) out.line(4, `name: test (\${{ matrix.os }}, \${{ matrix.${key} }})`);
  if (out.lines.some((l) => l === '  lint:') && rng.chance(0.5)) out.line(4, 'needs: lint');
  out.line(4, 'runs-on: ${{ matrix.os }}').line(4, 'strategy:').line(6, `fail-fast: ${rng.chance(0.5)}`).line(6, 'matrix:');
  out.line(8, `os: [${oses.join(', ')}]`).line(8, `${key}: [${values.join(', ')}]`);
  if (rng.chance(0.4)) {
    out.line(8, 'include:').line(10, `- os: ubuntu-latest`).line(12, `${key}: ${values[0]}`).line(12, 'coverage: true');
    if (rng.chance(0.5)) out.line(8, 'exclude:').line(10, `- os: ${rng.pick(oses)}`).line(12, `${key}: ${rng.pick(values)}`);
  }
  if (anchors) out.line(4, 'env: *default-env');
  out.line(4, 'steps:');
  setupSteps(rng, repo, out, 6, { matrix: key });
  if (rng.chance(0.4)) {
    step(out, 6, [['uses', uses(rng, repo, 'cache')], ['with', [['path', rng.pick(['~/.cache/pre-commit', '~/.npm', '~/go/pkg/mod', 'vendor/bundle'])], ['key', `\${{ runner.os }}-\${{ matrix.${key} }}-\${{ hashFiles('**/${rng.pick(['poetry.lock', 'package-lock.json', 'go.sum', 'Gemfile.lock', 'Cargo.lock'])}') }}`], ['restore-keys', `\${{ runner.os }}-\${{ matrix.${key} }}-`]]]]);
  }
  step(out, 6, [['name', 'Install'], ['run', script(rng, repo, { matrix: key }, 1, 8)]]);
  const nTests = rng.int(1, 4);
  for (let i = 0; i < nTests; i++) {
    step(out, 6, [
      ['name', rng.pick(['Run tests', 'Test', 'Unit tests', 'Integration tests', 'Doctests', 'Check'])],
      ['id', rng.chance(0.3) ? `t${i}` : undefined],
      ['if', rng.chance(0.2) ? "${{ matrix.os == 'ubuntu-latest' }}" : undefined],
      ['shell', rng.chance(0.2) ? 'bash' : undefined],
      ['env', rng.chance(0.3) ? [['PYTHONHASHSEED', '0'], ['CI_RUN', '${{ github.run_id }}']] : undefined],
      ['run', script(rng, repo, { matrix: key }, 5, rng.chance(0.15) ? 60 : 25)],
    ]);
  }
  if (rng.chance(0.5)) step(out, 6, [['uses', uses(rng, repo, 'codecov')], ['if', '${{ matrix.coverage }}'], ['with', [['token', '${{ secrets.CODECOV_TOKEN }}'], ['files', './coverage.xml'], ['fail_ci_if_error', 'true']]]]);
  if (rng.chance(0.4)) step(out, 6, [['uses', uses(rng, repo, 'upload')], ['if', 'always()'], ['with', [['name', `results-\${{ matrix.os }}-\${{ matrix.${key} }}`], ['path', rng.pick(['report.xml', 'test-results/', 'coverage.xml'])], ['retention-days', String(rng.int(1, 30))]]]]);
  // extra jobs to vary size
  const extra = rng.weighted([[50, 0], [25, 1], [15, 3], [10, 8]]);
  for (let j = 0; j < extra; j++) {
    out.blank().line(2, `${rng.pick(['integration', 'e2e', 'bench', 'compat', 'docs-check', 'smoke', 'package'])}-${j}:`);
    out.line(4, 'needs: [test]').line(4, `runs-on: ${rng.pick(['ubuntu-latest', 'ubuntu-24.04', 'macos-14'])}`);
    if (rng.chance(0.3)) out.line(4, "if: github.event_name == 'push' || contains(github.event.pull_request.labels.*.name, 'full-ci')");
    if (rng.chance(0.2)) out.line(4, 'services:').line(6, 'postgres:').line(8, 'image: postgres:16').line(8, 'env:').line(10, 'POSTGRES_PASSWORD: postgres').line(8, 'ports: ["5432:5432"]');
    out.line(4, 'steps:');
    setupSteps(rng, repo, out, 6);
    const n = rng.int(1, 4);
    for (let i = 0; i < n; i++) step(out, 6, [['name', `Step ${i + 1}`], ['run', script(rng, repo, {}, 5, 40)]]);
  }
  // all-green gate
  if (rng.chance(0.3)) {
    out.blank().line(2, 'all-green:').line(4, 'if: always()').line(4, 'needs: [test]').line(4, 'runs-on: ubuntu-latest').line(4, 'steps:');
    step(out, 6, [['run', ["echo '${{ toJSON(needs) }}' | jq -e 'to_entries | all(.value.result == \"success\")'"]]]);
  }
  return out;
}

function pythonPublishJob(rng, repo, out, { environment, oidcAtTop }) {
  const style = rng.weighted([
    [35, 'action-oidc'],
    [20, 'action-password'],
    [15, 'twine'],
    [15, 'uv-token'],
    [8, 'uv-oidc'],
    [7, 'testpypi'],
  ]);
  out.line(2, rng.pick(['publish:', 'pypi-publish:', 'upload:', 'release:'])).line(4, 'needs: [build]');
  out.line(4, 'runs-on: ubuntu-latest');
  if (rng.chance(0.4)) out.line(4, "if: github.event_name == 'release' || startsWith(github.ref, 'refs/tags/v')");
  if (environment) {
    if (rng.chance(0.5)) out.line(4, 'environment:').line(6, `name: ${rng.pick(['pypi', 'release', 'production'])}`).line(6, `url: https://pypi.org/p/${repo.name}`);
    else out.line(4, `environment: ${rng.pick(['pypi', 'release'])}`);
  }
  if (!oidcAtTop && (style.endsWith('oidc') || rng.chance(0.3))) out.line(4, 'permissions:').line(6, 'id-token: write').line(6, 'contents: read');
  out.line(4, 'steps:');
  step(out, 6, [['uses', uses(rng, repo, 'download')], ['with', [['name', 'dist'], ['path', 'dist/']]]]);
  if (rng.chance(0.3)) step(out, 6, [['name', 'Check dist'], ['run', ['ls -la dist/', 'python -m pip install twine', 'python -m twine check --strict dist/*']]]);
  switch (style) {
    case 'action-oidc':
      step(out, 6, [['name', 'Publish to PyPI'], ['uses', uses(rng, repo, 'pypiPublish')], ['with', rng.chance(0.3) ? [['attestations', 'true'], ['print-hash', 'true']] : undefined]]);
      break;
    case 'action-password':
      step(out, 6, [['name', 'Publish to PyPI'], ['uses', uses(rng, repo, 'pypiPublish')], ['with', [['user', '__token__'], ['password', `\${{ secrets.${rng.pick(['PYPI_API_TOKEN', 'PYPI_TOKEN', 'PYPI_PASSWORD'])} }}`], ...(rng.chance(0.3) ? [['skip-existing', 'true']] : [])]]]);
      break;
    case 'twine':
      step(out, 6, [
        ['name', 'Upload with twine'],
        ['env', [['TWINE_USERNAME', '__token__'], ['TWINE_PASSWORD', `\${{ secrets.${rng.pick(['PYPI_API_TOKEN', 'PYPI_TOKEN'])} }}`]]],
        ['run', [...(rng.chance(0.5) ? ['set -euo pipefail', 'python -m pip install --upgrade twine'] : []), rng.pick(['twine upload dist/*', 'python -m twine upload --non-interactive dist/*', 'twine upload --skip-existing dist/*.whl dist/*.tar.gz'])]],
      ]);
      break;
    case 'uv-token':
      step(out, 6, [['uses', uses(rng, repo, 'setupUv')]]);
      step(out, 6, [['name', 'Publish'], ['run', rng.chance(0.5) ? ['uv publish --token "${{ secrets.PYPI_API_TOKEN }}"'] : ['uv build', 'uv publish']], ['env', rng.chance(0.5) ? [['UV_PUBLISH_TOKEN', '${{ secrets.PYPI_TOKEN }}']] : undefined]]);
      break;
    case 'uv-oidc':
      step(out, 6, [['uses', uses(rng, repo, 'setupUv')]]);
      step(out, 6, [['name', 'Publish'], ['run', ['uv publish --trusted-publishing always']]]);
      break;
    default:
      step(out, 6, [['name', 'Publish to TestPyPI'], ['uses', uses(rng, repo, 'pypiPublish')], ['with', [['repository-url', 'https://test.pypi.org/legacy/'], ...(rng.chance(0.5) ? [['password', '${{ secrets.TEST_PYPI_API_TOKEN }}']] : [])]]]);
  }
}

function releaseWorkflow(rng, repo) {
  const out = new Out();
  out.line(0, `name: ${rng.pick(['Release', 'Publish', 'release', 'Upload Python Package', 'Build and publish'])}`).blank();
  trigger(rng, repo, out, 'release').blank();
  const oidcAtTop = rng.chance(0.15);
  workflowPermissions(rng, out, oidcAtTop ? 'oidc' : rng.weighted([[40, 'read'], [40, 'none'], [10, 'empty'], [10, 'write-all']]));
  if (rng.chance(0.3)) out.line(0, 'env:').line(2, `ACTIONS_STEP_DEBUG: ${rng.pick(['false', 'true', '${{ vars.DEBUG }}'])}`).blank();
  out.line(0, 'jobs:');
  // build
  out.line(2, 'build:').line(4, 'runs-on: ubuntu-latest');
  if (rng.chance(0.3)) out.line(4, 'outputs:').line(6, 'version: ${{ steps.meta.outputs.version }}');
  out.line(4, 'steps:');
  setupSteps(rng, repo, out, 6, { registry: repo.lang === 'node' });
  step(out, 6, [['id', 'meta'], ['name', 'Compute version'], ['run', script(rng, repo, {}, 5, 20)]]);
  const buildCmd = {
    python: ['python -m pip install build', 'python -m build'],
    node: ['npm ci', 'npm run build', 'npm pack'],
    rust: ['cargo build --release --locked', 'cargo package --locked'],
    go: ['go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o dist/ ./cmd/...'],
    java: ['./gradlew assemble'],
    ruby: ['gem build *.gemspec'],
    dotnet: ['dotnet pack -c Release -o dist'],
    docker: ['make dist'],
  }[repo.lang];
  step(out, 6, [['name', 'Build'], ['run', [...buildCmd, ...(rng.chance(0.5) ? script(rng, repo, {}, 3, 15) : [])]]]);
  step(out, 6, [['uses', uses(rng, repo, 'upload')], ['with', [['name', 'dist'], ['path', 'dist/']]]]);
  if (rng.chance(0.25)) step(out, 6, [['uses', uses(rng, repo, 'attest')], ['with', [['subject-path', "'dist/*'"]]]]);
  out.blank();
  const environment = rng.chance(0.55);
  if (repo.lang === 'python' || (repo.lang === 'rust' && rng.chance(0.3))) {
    if (repo.lang === 'rust') {
      out.line(2, 'wheels:').line(4, 'runs-on: ${{ matrix.os }}').line(4, 'strategy:').line(6, 'matrix:').line(8, 'os: [ubuntu-latest, macos-latest, windows-latest]').line(4, 'steps:');
      step(out, 6, [['uses', uses(rng, repo, 'checkout')]]);
      step(out, 6, [['uses', uses(rng, repo, 'maturin')], ['with', [['command', 'build'], ['args', '--release --out dist']]]]);
      out.blank();
    }
    pythonPublishJob(rng, repo, out, { environment, oidcAtTop });
  } else {
    out.line(2, 'publish:').line(4, 'needs: build').line(4, 'runs-on: ubuntu-latest');
    if (environment) out.line(4, `environment: ${rng.pick(['release', 'npm', 'crates-io', 'production'])}`);
    if (rng.chance(0.5)) out.line(4, 'permissions:').line(6, 'contents: write').line(6, `id-token: ${rng.pick(['write', 'write', 'none'])}`);
    out.line(4, 'steps:');
    setupSteps(rng, repo, out, 6, { registry: true });
    const pub = {
      node: () => step(out, 6, [['run', rng.chance(0.5) ? ['npm publish --provenance --access public'] : ['npm ci', 'npm publish']], ['env', rng.chance(0.7) ? [['NODE_AUTH_TOKEN', `\${{ secrets.${rng.pick(['NPM_TOKEN', 'NPM_PUBLISH_TOKEN'])} }}`]] : undefined]]),
      rust: () => step(out, 6, [['run', rng.chance(0.5) ? ['cargo publish --locked'] : ['cargo publish --token "${CARGO_REGISTRY_TOKEN}"']], ['env', [['CARGO_REGISTRY_TOKEN', '${{ secrets.CARGO_REGISTRY_TOKEN }}']]]]),
      ruby: () => step(out, 6, [['run', ['mkdir -p ~/.gem', 'gem push *.gem']], ['env', [['GEM_HOST_API_KEY', '${{ secrets.RUBYGEMS_API_KEY }}']]]]),
      dotnet: () => step(out, 6, [['run', ['dotnet nuget push "dist/*.nupkg" --api-key "${{ secrets.NUGET_API_KEY }}" --source https://api.nuget.org/v3/index.json']]]),
      go: () => step(out, 6, [['uses', uses(rng, repo, 'goreleaser')], ['with', [['version', '"~> v2"'], ['args', 'release --clean']]], ['env', [['GITHUB_TOKEN', '${{ secrets.GITHUB_TOKEN }}']]]]),
      java: () => step(out, 6, [['run', ['./gradlew publish']], ['env', [['OSSRH_USERNAME', '${{ secrets.OSSRH_USERNAME }}'], ['OSSRH_PASSWORD', '${{ secrets.OSSRH_PASSWORD }}']]]]),
      docker: () => step(out, 6, [['run', ['echo "${{ secrets.REGISTRY_PASSWORD }}" | docker login ghcr.io -u "${{ github.actor }}" --password-stdin', 'make push']]]),
    }[repo.lang];
    pub();
  }
  // GitHub release
  if (rng.chance(0.6)) {
    out.blank().line(2, 'github-release:').line(4, 'needs: [build]').line(4, 'runs-on: ubuntu-latest').line(4, 'permissions:').line(6, 'contents: write').line(4, 'steps:');
    step(out, 6, [['uses', uses(rng, repo, 'download')], ['with', [['name', 'dist'], ['path', 'dist']]]]);
    if (rng.chance(0.5)) step(out, 6, [['uses', uses(rng, repo, 'ghRelease')], ['with', [['files', 'dist/*'], ['generate_release_notes', 'true']]]]);
    else step(out, 6, [['env', [['GH_TOKEN', '${{ github.token }}']]], ['run', ['gh release create "${{ github.ref_name }}" dist/* \\', '  --repo "${{ github.repository }}" \\', '  --title "${{ github.ref_name }}" \\', '  --notes-file CHANGELOG.partial.md']]]);
  }
  return out;
}

function dockerWorkflow(rng, repo) {
  const out = new Out();
  out.line(0, `name: ${rng.pick(['Docker', 'Container image', 'docker-publish', 'Build image'])}`).blank();
  out.line(0, 'on:').line(2, 'push:').line(4, `branches: [${repo.defaultBranch}]`).line(4, "tags: ['v*.*.*']").line(2, 'pull_request:').blank();
  out.line(0, 'env:').line(2, 'REGISTRY: ghcr.io').line(2, 'IMAGE_NAME: ${{ github.repository }}').blank();
  out.line(0, 'jobs:').line(2, 'build:').line(4, 'runs-on: ubuntu-latest').line(4, 'permissions:').line(6, 'contents: read').line(6, 'packages: write');
  if (rng.chance(0.4)) out.line(6, 'id-token: write').line(6, 'attestations: write');
  if (rng.chance(0.3)) out.line(4, 'strategy:').line(6, 'matrix:').line(8, 'platform: [linux/amd64, linux/arm64]');
  out.line(4, 'steps:');
  step(out, 6, [['uses', uses(rng, repo, 'checkout')]]);
  if (rng.chance(0.5)) step(out, 6, [['uses', uses(rng, repo, 'qemu')]]);
  step(out, 6, [['uses', uses(rng, repo, 'buildx')]]);
  if (rng.chance(0.4)) step(out, 6, [['uses', uses(rng, repo, 'cosign')], ['if', "github.event_name != 'pull_request'"]]);
  step(out, 6, [['name', 'Log in'], ['if', "github.event_name != 'pull_request'"], ['uses', uses(rng, repo, 'dockerLogin')], ['with', [['registry', '${{ env.REGISTRY }}'], ['username', '${{ github.actor }}'], ['password', rng.chance(0.7) ? '${{ secrets.GITHUB_TOKEN }}' : '${{ secrets.DOCKERHUB_TOKEN }}']]]]);
  step(out, 6, [['id', 'meta'], ['uses', uses(rng, repo, 'dockerMeta')], ['with', [['images', '${{ env.REGISTRY }}/${{ env.IMAGE_NAME }}'], ['tags', '|']]]]);
  // metadata tags continuation lines (block scalar under `tags: |`)
  out.line(12, 'type=ref,event=branch').line(12, 'type=semver,pattern={{version}}').line(12, 'type=sha');
  step(out, 6, [
    ['id', 'push'],
    ['uses', uses(rng, repo, 'dockerBuild')],
    ['with', [['context', '.'], ['push', "${{ github.event_name != 'pull_request' }}"], ['tags', '${{ steps.meta.outputs.tags }}'], ['labels', '${{ steps.meta.outputs.labels }}'], ['cache-from', 'type=gha'], ['cache-to', 'type=gha,mode=max'], ['build-args', '|']]],
  ]);
  out.line(12, 'VERSION=${{ github.ref_name }}').line(12, 'COMMIT=${{ github.sha }}');
  if (rng.chance(0.5)) {
    step(out, 6, [['name', 'Sign'], ['if', "github.event_name != 'pull_request'"], ['env', [['DIGEST', '${{ steps.push.outputs.digest }}'], ['TAGS', '${{ steps.meta.outputs.tags }}']]], ['run', ['images=""', 'for tag in ${TAGS}; do', '  images+="${tag}@${DIGEST} "', 'done', 'cosign sign --yes ${images}']]]);
  }
  if (rng.chance(0.4)) step(out, 6, [['uses', uses(rng, repo, 'trivy')], ['with', [['image-ref', '${{ env.REGISTRY }}/${{ env.IMAGE_NAME }}:sha-${{ github.sha }}'], ['format', 'sarif'], ['output', 'trivy.sarif']]]]);
  if (rng.chance(0.3)) step(out, 6, [['name', 'Smoke test'], ['run', script(rng, repo, {}, 5, 20)]]);
  if (rng.chance(0.25)) {
    out.blank().line(2, 'scan:').line(4, 'runs-on: ubuntu-latest').line(4, 'container:').line(6, `image: ${rng.pick(['ghcr.io/aquasecurity/trivy:0.56.2', 'alpine:3.20', 'ubuntu:24.04'])}`).line(4, 'steps:');
    step(out, 6, [['uses', `docker://${rng.pick(['alpine:3.20', 'hadolint/hadolint:v2.12.0', 'koalaman/shellcheck:stable'])}`], ['with', [['args', 'sh -c "ls -la"']]]]);
  }
  return out;
}

function reusableDefinition(rng, repo) {
  const out = new Out();
  out.line(0, `name: ${rng.pick(['Reusable build', 'reusable-test', '_build', 'Shared checks'])}`).blank();
  out.line(0, 'on:').line(2, 'workflow_call:').line(4, 'inputs:');
  out.line(6, 'os:').line(8, 'type: string').line(8, 'default: ubuntu-latest');
  out.line(6, 'version:').line(8, 'type: string').line(8, 'required: true');
  out.line(4, 'secrets:').line(6, 'token:').line(8, 'required: false');
  out.line(4, 'outputs:').line(6, 'artifact:').line(8, 'value: ${{ jobs.build.outputs.artifact }}').blank();
  out.line(0, 'jobs:').line(2, 'build:').line(4, 'runs-on: ${{ inputs.os }}').line(4, 'outputs:').line(6, 'artifact: ${{ steps.pack.outputs.name }}').line(4, 'steps:');
  setupSteps(rng, repo, out, 6);
  step(out, 6, [['id', 'pack'], ['env', [['VERSION', '${{ inputs.version }}'], ['TOKEN', '${{ secrets.token }}']]], ['run', script(rng, repo, {}, 8, 45)]]);
  return out;
}

function reusableCaller(rng, repo) {
  const out = new Out();
  out.line(0, `name: ${rng.pick(['Pipeline', 'Main', 'Orchestrate', 'CI (reusable)'])}`).blank();
  trigger(rng, repo, out, 'ci').blank();
  out.line(0, 'jobs:');
  out.line(2, 'setup:').line(4, 'runs-on: ubuntu-latest').line(4, 'outputs:').line(6, 'matrix: ${{ steps.m.outputs.matrix }}').line(4, 'steps:');
  step(out, 6, [['id', 'm'], ['run', ["echo 'matrix={\"version\":[\"1\",\"2\",\"3\"]}' >> \"$GITHUB_OUTPUT\""]]]);
  out.blank();
  out.line(2, 'local:').line(4, 'needs: setup').line(4, 'strategy:').line(6, 'matrix: ${{ fromJSON(needs.setup.outputs.matrix) }}').line(4, 'uses: ./.github/workflows/reusable-build.yml').line(4, 'with:').line(6, 'version: ${{ matrix.version }}');
  if (rng.chance(0.5)) out.line(4, 'secrets:').line(6, 'token: ${{ secrets.BUILD_TOKEN }}');
  out.blank();
  const remote = rng.pick([
    `${repo.org}/shared-workflows/.github/workflows/python.yml`,
    `${repo.org}/.github/.github/workflows/lint.yml`,
    'slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml',
  ]);
  const ref = rng.weighted([[40, 'main'], [30, 'v1'], [30, rng.hex(40)]]);
  out.line(2, 'shared:').line(4, `uses: ${remote}@${ref}`);
  if (rng.chance(0.4)) out.line(4, 'permissions:').line(6, 'actions: read').line(6, 'id-token: write').line(6, 'contents: write');
  if (rng.chance(0.6)) out.line(4, 'secrets: inherit');
  else out.line(4, 'with:').line(6, 'base64-subjects: ${{ needs.setup.outputs.matrix }}');
  return out;
}

function codeqlWorkflow(rng, repo) {
  const out = new Out();
  out.line(0, 'name: "CodeQL"').blank();
  out.line(0, 'on:').line(2, 'push:').line(4, `branches: [ "${repo.defaultBranch}" ]`).line(2, 'pull_request:').line(4, `branches: [ "${repo.defaultBranch}" ]`).line(2, 'schedule:').line(4, `- cron: '${rng.int(0, 59)} ${rng.int(0, 23)} * * ${rng.int(0, 6)}'`).blank();
  out.line(0, 'jobs:').line(2, 'analyze:').line(4, 'name: Analyze (${{ matrix.language }})').line(4, "runs-on: ${{ (matrix.language == 'swift' && 'macos-latest') || 'ubuntu-latest' }}");
  out.line(4, 'permissions:').line(6, 'security-events: write').line(6, 'packages: read').line(6, 'actions: read').line(6, 'contents: read');
  out.line(4, 'strategy:').line(6, 'fail-fast: false').line(6, 'matrix:').line(8, 'include:');
  for (const l of rng.sample(['python', 'javascript-typescript', 'go', 'java-kotlin', 'actions', 'ruby', 'csharp'], rng.int(1, 3))) out.line(8, `- language: ${l}`).line(10, `build-mode: ${rng.pick(['none', 'autobuild'])}`);
  out.line(4, 'steps:');
  step(out, 6, [['name', 'Checkout repository'], ['uses', uses(rng, repo, 'checkout')]]);
  step(out, 6, [['name', 'Initialize CodeQL'], ['uses', uses(rng, repo, 'codeqlInit')], ['with', [['languages', '${{ matrix.language }}'], ['build-mode', '${{ matrix.build-mode }}']]]]);
  step(out, 6, [['if', "matrix.build-mode == 'manual'"], ['shell', 'bash'], ['run', ["echo 'If you are using a \"manual\" build mode for one or more of the' \\", "  'languages you are analyzing, replace this with the commands to build' \\", "  'your code, for example:'", "echo '  make bootstrap'", "echo '  make release'", 'exit 1']]]);
  step(out, 6, [['name', 'Perform CodeQL Analysis'], ['uses', uses(rng, repo, 'codeqlAnalyze')], ['with', [['category', '"/language:${{matrix.language}}"']]]]);
  return out;
}

function docsWorkflow(rng, repo) {
  const out = new Out();
  out.line(0, 'name: Docs').blank();
  out.line(0, 'on:').line(2, 'push:').line(4, `branches: [${repo.defaultBranch}]`).line(2, 'workflow_dispatch:').blank();
  out.line(0, 'permissions:').line(2, 'contents: read').line(2, 'pages: write').line(2, 'id-token: write').blank();
  out.line(0, 'concurrency:').line(2, 'group: "pages"').line(2, 'cancel-in-progress: false').blank();
  out.line(0, 'jobs:').line(2, 'build:').line(4, 'runs-on: ubuntu-latest').line(4, 'steps:');
  setupSteps(rng, repo, out, 6);
  step(out, 6, [['name', 'Build docs'], ['run', [...(repo.lang === 'python' ? ['pip install -r docs/requirements.txt', 'sphinx-build -W -b html docs docs/_build/html'] : ['npm ci', 'npm run docs']), ...script(rng, repo, {}, 0, 12)]]]);
  if (rng.chance(0.6)) {
    step(out, 6, [['uses', uses(rng, repo, 'pagesConfigure')]]);
    step(out, 6, [['uses', uses(rng, repo, 'pagesUpload')], ['with', [['path', 'docs/_build/html']]]]);
    out.line(2, 'deploy:').line(4, 'environment:').line(6, 'name: github-pages').line(6, 'url: ${{ steps.deployment.outputs.page_url }}').line(4, 'runs-on: ubuntu-latest').line(4, 'needs: build').line(4, 'steps:');
    step(out, 6, [['id', 'deployment'], ['uses', uses(rng, repo, 'pagesDeploy')]]);
  } else {
    step(out, 6, [['uses', uses(rng, repo, 'ghPages')], ['with', [['github_token', '${{ secrets.GITHUB_TOKEN }}'], ['publish_dir', './docs/_build/html']]]]);
  }
  return out;
}

function automationWorkflow(rng, repo) {
  const out = new Out();
  const kind = rng.pick(['labeler', 'stale', 'automerge', 'comment', 'changed']);
  if (kind === 'labeler') {
    out.line(0, 'name: Labeler').blank();
    trigger(rng, repo, out, 'target').blank();
    out.line(0, 'jobs:').line(2, 'label:').line(4, 'runs-on: ubuntu-latest').line(4, 'permissions:').line(6, 'contents: read').line(6, 'pull-requests: write').line(4, 'steps:');
    step(out, 6, [['uses', uses(rng, repo, 'labeler')], ['with', [['repo-token', '${{ secrets.GITHUB_TOKEN }}']]]]);
    if (rng.chance(0.3)) {
      step(out, 6, [['uses', uses(rng, repo, 'checkout')], ['with', [['ref', '${{ github.event.pull_request.head.sha }}']]]]);
      step(out, 6, [['run', ['echo "Title: ${{ github.event.pull_request.title }}"', 'make check-pr']]]);
    }
  } else if (kind === 'stale') {
    out.line(0, 'name: Close stale issues').blank();
    trigger(rng, repo, out, 'schedule').blank();
    out.line(0, 'permissions:').line(2, 'issues: write').line(2, 'pull-requests: write').blank();
    out.line(0, 'jobs:').line(2, 'stale:').line(4, 'runs-on: ubuntu-latest').line(4, 'steps:');
    step(out, 6, [['uses', uses(rng, repo, 'stale')], ['with', [['days-before-stale', String(rng.int(30, 120))], ['days-before-close', String(rng.int(7, 30))], ['stale-issue-message', "'This issue is stale because it has been open for a while with no activity.'"], ['exempt-issue-labels', 'pinned,security']]]]);
  } else if (kind === 'automerge') {
    out.line(0, 'name: Dependabot auto-merge').line(0, 'on: pull_request').blank();
    out.line(0, 'permissions:').line(2, 'contents: write').line(2, 'pull-requests: write').blank();
    out.line(0, 'jobs:').line(2, 'dependabot:').line(4, 'runs-on: ubuntu-latest').line(4, "if: github.event.pull_request.user.login == 'dependabot[bot]'").line(4, 'steps:');
    step(out, 6, [['id', 'metadata'], ['uses', uses(rng, repo, 'dependabotMeta')], ['with', [['github-token', '"${{ secrets.GITHUB_TOKEN }}"']]]]);
    step(out, 6, [['if', "steps.metadata.outputs.update-type == 'version-update:semver-patch'"], ['run', ['gh pr merge --auto --merge "$PR_URL"']], ['env', [['PR_URL', '${{github.event.pull_request.html_url}}'], ['GH_TOKEN', '${{secrets.GITHUB_TOKEN}}']]]]);
  } else if (kind === 'comment') {
    out.line(0, 'name: Slash commands').blank();
    trigger(rng, repo, out, 'comment').blank();
    out.line(0, 'jobs:').line(2, 'command:').line(4, "if: ${{ github.event.issue.pull_request && startsWith(github.event.comment.body, '/') }}").line(4, 'runs-on: ubuntu-latest').line(4, 'steps:');
    step(out, 6, [['uses', uses(rng, repo, 'githubScript')], ['with', [['script', '|']]]]);
    for (const l of ['const body = context.payload.comment.body.trim();', "const [cmd, ...args] = body.slice(1).split(/\\s+/);", "core.setOutput('cmd', cmd);", "core.setOutput('args', args.join(' '));", 'if (!["rebase", "benchmark", "format"].includes(cmd)) {', "  core.setFailed(`unknown command ${cmd}`);", '}']) out.line(12, l);
    step(out, 6, [['run', ['echo "Comment: ${{ github.event.comment.body }}"', 'echo "by ${{ github.event.comment.user.login }}"']]]);
  } else {
    out.line(0, 'name: Changed files').line(0, 'on: [pull_request]').blank();
    out.line(0, 'jobs:').line(2, 'changes:').line(4, 'runs-on: ubuntu-latest').line(4, 'outputs:').line(6, 'src: ${{ steps.filter.outputs.src }}').line(4, 'steps:');
    step(out, 6, [['uses', uses(rng, repo, 'checkout')]]);
    step(out, 6, [['id', 'changed'], ['uses', uses(rng, repo, 'changedFiles')]]);
    step(out, 6, [['id', 'filter'], ['uses', uses(rng, repo, 'pathsFilter')], ['with', [['filters', '|']]]]);
    out.line(12, 'src:').line(14, "- 'src/**'");
    step(out, 6, [['env', [['ALL_CHANGED', '${{ steps.changed.outputs.all_changed_files }}']]], ['run', ['for file in ${ALL_CHANGED}; do', '  echo "$file was changed"', 'done']]]);
  }
  return out;
}

function nightlyWorkflow(rng, repo) {
  const out = new Out();
  out.line(0, `name: ${rng.pick(['Nightly', 'Scheduled', 'Cron checks', 'Upstream tests'])}`).blank();
  trigger(rng, repo, out, 'schedule').blank();
  if (rng.chance(0.5)) out.line(0, 'env:').line(2, `ACTIONS_RUNNER_DEBUG: ${rng.pick(['true', 'false'])}`).line(2, 'SLACK_WEBHOOK_URL: ${{ secrets.SLACK_WEBHOOK_URL }}').blank();
  out.line(0, 'jobs:');
  const jobs = rng.int(1, 5);
  for (let j = 0; j < jobs; j++) {
    out.line(2, `nightly-${j}:`).line(4, `runs-on: ${rng.pick(['ubuntu-latest', 'self-hosted', '[self-hosted, linux, x64]', 'ubuntu-24.04'])}`);
    if (rng.chance(0.3)) out.line(4, 'continue-on-error: true');
    out.line(4, 'steps:');
    setupSteps(rng, repo, out, 6);
    const n = rng.int(1, 5);
    for (let i = 0; i < n; i++) step(out, 6, [['name', `Nightly step ${i}`], ['run', script(rng, repo, {}, 5, 60)]]);
    if (rng.chance(0.4)) step(out, 6, [['if', 'failure()'], ['uses', uses(rng, repo, 'slack')], ['with', [['payload', `'{"text": "Nightly failed: \${{ github.server_url }}/\${{ github.repository }}/actions/runs/\${{ github.run_id }}"}'`]]], ['env', [['SLACK_WEBHOOK_URL', '${{ secrets.SLACK_WEBHOOK_URL }}']]]]);
    out.blank();
  }
  return out;
}

function anchorsWorkflow(rng, repo) {
  const out = new Out();
  out.line(0, 'name: Matrix with anchors').blank();
  out.line(0, 'on:').line(2, 'push:').line(4, 'paths: &paths').line(6, "- 'src/**'").line(6, "- 'tests/**'").line(2, 'pull_request:').line(4, 'paths: *paths').blank();
  out.line(0, 'permissions:').line(2, 'contents: read').blank();
  out.line(0, 'jobs:');
  out.line(2, 'linux:').line(4, 'runs-on: ubuntu-latest').line(4, 'env: &env').line(6, 'PYTHONUNBUFFERED: "1"').line(6, 'TOKEN: ${{ secrets.API_TOKEN }}').line(4, 'steps:');
  out.line(6, '- &checkout').line(8, 'name: Checkout').line(8, `uses: ${uses(rng, repo, 'checkout')}`).line(8, 'with:').line(10, 'persist-credentials: false');
  out.line(6, '- &install').line(8, 'name: Install').line(8, 'run: |');
  for (const l of script(rng, repo, {}, 5, 15)) out.line(l === '' ? 0 : 10, l);
  out.line(6, '- &test').line(8, 'name: Test').line(8, 'run: |');
  for (const l of script(rng, repo, {}, 5, 30)) out.line(l === '' ? 0 : 10, l);
  const more = rng.int(1, 4);
  for (let j = 0; j < more; j++) {
    out.blank().line(2, `${rng.pick(['macos', 'windows', 'arm', 'musl', 'old'])}-${j}:`).line(4, `runs-on: ${rng.pick(['macos-latest', 'windows-latest', 'ubuntu-24.04-arm'])}`).line(4, 'env: *env').line(4, 'steps:');
    out.line(6, '- *checkout').line(6, '- *install').line(6, '- *test');
  }
  return out;
}

function compositeAction(rng, repo, { root = false } = {}) {
  const out = new Out();
  const kind = root ? rng.weighted([[60, 'composite'], [25, 'docker'], [15, 'node']]) : rng.weighted([[85, 'composite'], [15, 'docker']]);
  out.line(0, `name: ${q(`${rng.pick(WORDS)} ${rng.pick(['setup', 'release', 'deploy', 'lint', 'cache', 'notify'])}`)}`);
  out.line(0, `description: ${rng.pick(['Sets up the toolchain and caches dependencies', 'Publishes release artifacts', 'Runs the project linters', 'Deploys the preview environment'])}`);
  if (root) out.line(0, 'author: ' + repo.org).line(0, 'branding:').line(2, `icon: ${rng.pick(['package', 'shield', 'upload-cloud'])}`).line(2, `color: ${rng.pick(['blue', 'green', 'purple'])}`);
  out.line(0, 'inputs:');
  const nInputs = rng.int(1, 6);
  for (let i = 0; i < nInputs; i++) {
    const name = rng.pick(['version', 'token', 'working-directory', 'python-version', 'registry', 'dry-run', 'args', 'cache-key', 'environment']) + (i ? `-${i}` : '');
    out.line(2, `${name}:`).line(4, `description: ${q(`The ${name.replace(/-/g, ' ')}`)}`).line(4, `required: ${rng.chance(0.3)}`);
    if (rng.chance(0.6)) out.line(4, `default: ${q(rng.pick(['', 'latest', '.', '${{ github.token }}', 'false']))}`);
  }
  if (kind === 'composite') {
    out.line(0, 'outputs:').line(2, 'result:').line(4, 'description: Result of the run').line(4, 'value: ${{ steps.main.outputs.result }}');
  }
  out.line(0, 'runs:');
  if (kind === 'docker') {
    out.line(2, "using: 'docker'").line(2, `image: ${rng.pick(['Dockerfile', `docker://ghcr.io/${repo.org}/${repo.name}:latest`, 'docker://alpine:3.20', `docker://python@sha256:${rng.hex(64)}`])}`);
    out.line(2, 'args:').line(4, '- ${{ inputs.version }}');
    return out;
  }
  if (kind === 'node') {
    out.line(2, "using: 'node20'").line(2, "main: 'dist/index.js'");
    if (rng.chance(0.5)) out.line(2, "post: 'dist/cleanup.js'");
    return out;
  }
  out.line(2, 'using: "composite"').line(2, 'steps:');
  const n = rng.int(1, 7);
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.35)) {
      const key = rng.pick(['setupPython', 'setupNode', 'cache', 'upload', 'pypiPublish', 'githubScript', 'setupUv', 'dockerLogin']);
      const withs = key === 'pypiPublish' ? [['password', rng.chance(0.5) ? '${{ inputs.token }}' : '${{ env.PYPI_TOKEN }}']] : key === 'dockerLogin' ? [['username', '${{ github.actor }}'], ['password', '${{ inputs.token }}']] : rng.chance(0.5) ? [['cache-dependency-path', '**/requirements*.txt']] : undefined;
      step(out, 4, [['uses', uses(rng, repo, key)], ['with', withs]]);
    } else {
      step(out, 4, [
        ['id', i === n - 1 ? 'main' : undefined],
        ['name', rng.chance(0.6) ? rng.pick(['Install', 'Configure', 'Run', 'Publish', 'Report']) : undefined],
        ['shell', rng.pick(['bash', 'bash', 'bash', 'pwsh', 'sh'])],
        ['working-directory', rng.chance(0.3) ? '${{ inputs.working-directory }}' : undefined],
        ['env', rng.chance(0.5) ? [['INPUT_VERSION', '${{ inputs.version }}'], ['GH_TOKEN', '${{ github.token }}']] : undefined],
        ['run', script(rng, repo, {}, 3, 35)],
      ]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Corpus

function repoFiles(rng, repo) {
  const files = [];
  const wf = (name, out) => files.push([`.github/workflows/${name}`, out.toString(repo.crlf)]);
  wf(rng.pick(['ci.yml', 'tests.yml', 'ci.yaml', 'test.yml', 'build.yml']), ciWorkflow(rng, repo));
  if (rng.chance(0.75)) wf(rng.pick(['release.yml', 'publish.yml', 'pypi.yml', 'release.yaml', 'cd.yml']), releaseWorkflow(rng, repo));
  if (repo.lang === 'docker' || rng.chance(0.3)) wf('docker.yml', dockerWorkflow(rng, repo));
  if (rng.chance(0.35)) {
    wf('reusable-build.yml', reusableDefinition(rng, repo));
    wf(rng.pick(['pipeline.yml', 'main.yml', 'orchestrate.yml']), reusableCaller(rng, repo));
  }
  if (rng.chance(0.45)) wf('codeql.yml', codeqlWorkflow(rng, repo));
  if (rng.chance(0.35)) wf('docs.yml', docsWorkflow(rng, repo));
  const autos = rng.weighted([[40, 0], [35, 1], [25, 2]]);
  for (let i = 0; i < autos; i++) wf(`automation-${i}.yml`, automationWorkflow(rng, repo));
  if (rng.chance(0.3)) wf('nightly.yml', nightlyWorkflow(rng, repo));
  if (rng.chance(0.15)) wf('matrix-anchors.yml', anchorsWorkflow(rng, repo));
  const actions = rng.weighted([[55, 0], [25, 1], [15, 2], [5, 4]]);
  for (let i = 0; i < actions; i++) files.push([`.github/actions/${rng.pick(['setup', 'publish', 'lint', 'deploy', 'notify'])}-${i}/action.yml`, compositeAction(rng, repo).toString(repo.crlf)]);
  if (rng.chance(0.08)) files.push(['action.yml', compositeAction(rng, repo, { root: true }).toString(repo.crlf)]);
  return files;
}

/** Reads the stamp; returns the manifest when it matches, else undefined. */
export function readCorpus(dir, { seed = DEFAULT_SEED, targetFiles = DEFAULT_TARGET_FILES } = {}) {
  const stampPath = path.join(dir, STAMP);
  if (!existsSync(stampPath)) return undefined;
  try {
    const stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
    if (stamp.version !== CORPUS_VERSION || stamp.seed !== seed || stamp.targetFiles !== targetFiles) return undefined;
    if (!Array.isArray(stamp.list) || stamp.list.some((file) => !existsSync(path.join(dir, file)))) return undefined;
    return stamp;
  } catch {
    return undefined;
  }
}

/** Generates the corpus into `dir` (replacing it) and returns its stamp. */
export function generateCorpus(dir, { seed = DEFAULT_SEED, targetFiles = DEFAULT_TARGET_FILES } = {}) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(seed);
  const files = [];
  const hash = createHash('sha256');
  let bytes = 0;
  for (let index = 0; files.length < targetFiles; index++) {
    const repo = makeRepo(rng, index);
    for (const [relative, text] of repoFiles(rng, repo)) {
      const full = path.join(dir, repo.dir, relative);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, text);
      const display = `${repo.dir}/${relative}`;
      // Every file must be valid YAML: a benchmark of error paths would measure the wrong thing.
      const doc = parseDocument(text);
      if (doc.errors.length) throw new Error(`generated invalid YAML in ${display}: ${doc.errors[0].message}`);
      files.push(display);
      hash.update(`${display}\0${text}\0`);
      bytes += Buffer.byteLength(text);
    }
  }
  files.sort();
  // The hash covers paths and contents in generation order: equal hashes mean equal corpora.
  const stamp = { version: CORPUS_VERSION, seed, targetFiles, files: files.length, bytes, sha256: hash.digest('hex'), list: files };
  writeFileSync(path.join(dir, STAMP), JSON.stringify(stamp));
  return stamp;
}
