import { defineRule } from './rule.ts';

const DIGEST = /^sha256:[0-9a-f]{64}$/i;

export default defineRule({
  meta: {
    id: 'unpinned-base-image',
    summary: 'Dockerfile `FROM` image not pinned to an `@sha256:` digest',
    severity: 'medium',
    confidence: 'high',
    docs: {
      why: `A tag such as \`python:3.12-slim\` is a name the registry maps to whatever image was pushed under it
last: the maintainers rebuild it for every base-OS update, and anyone who controls the repository (or
its registry account) can push something else under the same name. Every build then starts from an
image nobody reviewed, and what a release image contains cannot be reproduced later. Only a digest
(\`image@sha256:<hex>\`) names fixed content, which is why Docker's build best practices recommend
pinning base images to a digest when builds must be reproducible and reviewed. The builder stages of a multi-stage build matter as much as the final one: what they
produce is copied into it.

\`FROM scratch\` and references to earlier stages (\`FROM builder\`) are not reported. An image written
with \`ARG\`s (\`FROM python:\${PY_VERSION}-slim\`) is resolved through the defaults of the \`ARG\`s
declared before the first \`FROM\`; when an \`ARG\` has no default the image is chosen with
\`--build-arg\` at build time, which cordon cannot see, so it is reported low with low confidence.`,
      example: `FROM python:3.12-slim AS build
RUN pip install --require-hashes -r requirements.txt

FROM gcr.io/distroless/python3`,
      fix: `Pin each base image to its digest, and keep the tag for people and update tools (Dependabot and
Renovate update the digest with the tag):

\`\`\`dockerfile
FROM python:3.12-slim@sha256:<digest> AS build
\`\`\`

\`docker buildx imagetools inspect python:3.12-slim\` prints the digest of a tag.`,
      references: [
        'https://docs.docker.com/build/building/best-practices/#pin-base-image-versions',
        'https://docs.docker.com/reference/dockerfile/#from',
      ],
    },
  },

  dockerfile(file, context) {
    for (const stage of file.stages) {
      const { from } = stage;
      const image = from.image;
      if (!image.raw || from.scratch || from.stageRef !== undefined) continue;
      if (image.digest && DIGEST.test(image.digest)) continue;
      const stageName = from.alias ? ` (stage \`${from.alias}\`)` : '';
      if (image.unresolved.length) {
        context.report({
          message: `\`FROM ${image.raw}\`${stageName} depends on build argument${image.unresolved.length > 1 ? 's' : ''} ${image.unresolved.map((name) => `\`${name}\``).join(', ')} without a default: the image is chosen at build time and not pinned to a digest here`,
          span: image.span,
          severity: 'low',
          confidence: 'low',
          key: `from/${stage.index}/${image.raw}`,
        });
        continue;
      }
      const shown = image.raw === image.resolved ? `\`${image.raw}\`` : `\`${image.raw}\` (\`${image.resolved}\` with the ARG defaults)`;
      const what = image.tag ? `is pinned only by the tag \`${image.tag}\`, which the registry can point at another image` : 'has no tag or digest: it is whatever `latest` is at build time';
      context.report({
        message: `Base image ${shown}${stageName} ${what}. Pin it to \`@sha256:<digest>\``,
        span: image.span,
        key: `from/${stage.index}/${image.raw}`,
      });
    }
  },
});
