import { findRequirements, installSites, type InstallSite } from '../analysis/pip-install.ts';
import type { FindingDraft } from '../findings/finding.ts';
import { FixUnavailableError, type Fix } from '../fixes/types.ts';
import { isHashed, unhashable, type RequirementLine, type RequirementsFile } from '../models/python/requirements.ts';
import { defineRule } from './rule.ts';

export default defineRule({
  meta: {
    id: 'unhashed-requirements',
    summary: 'requirements file without `--hash` on every line, or with hashes on some lines only',
    severity: 'medium',
    confidence: 'high',
    docs: {
      why: `pip checks what it downloads only in hash-checking mode: every requirement pinned with \`==\` and
given the \`--hash=sha256:…\` of each file it may install. Without hashes, \`pip install -r\` takes
whatever file the index (or a mirror, proxy or compromised account) serves under the pinned version
— and any dependency the file does not list. With hashes, a file that differs by one byte is
refused. pip's documentation recommends exactly this for deployments ("Secure installs"), and
\`pip-compile --generate-hashes\`, \`uv pip compile --generate-hashes\` and \`uv export\` write such files.

Hash-checking mode is all or nothing: **one** \`--hash\` anywhere in an install turns it on for the
whole install, files included with \`-r\` too, and then pip refuses any line without a hash, any
editable line (\`-e .\`, "there is no single file to hash"), any version-control requirement and any
local directory. A file with hashes on some lines only therefore fails to install: reported **high**,
on each line pip would refuse. (pip 26.2's \`--no-require-hashes\` checks only the hashes given; the
lines without are then reported medium.)

A file without any hash is reported **medium**, once, on its first requirement. Which files count:
every \`*requirements*.txt\` and \`requirements/*.txt\` the scan finds (constraints files are left to
\`unpinned-requirement\`), with the files they include through \`-r\`. A file that a workflow step, a
GitLab CI script or a Dockerfile \`RUN\` installs with \`pip install -r\` is reported with high
confidence and the install command as a related location; a file found only by its name, with
medium confidence. Files with no index requirement (only \`-e .\` or paths) are not reported.`,
      example: `# requirements.txt
django==5.0.6 \\
    --hash=sha256:8363ac062bb4ef7c3f12d078f6fa5d154031d129a15170a1066412af49d30905
requests==2.32.3          # no --hash: pip refuses the whole file
-e .                      # editable: cannot be hashed`,
      fix: `Compile the file with hashes and keep the project itself out of it:

\`\`\`sh
pip-compile --generate-hashes -o requirements.txt requirements.in
uv pip compile --generate-hashes -o requirements.txt requirements.in
uv export --format requirements-txt --no-emit-project -o requirements.txt
\`\`\`

Install with \`pip install --require-hashes -r requirements.txt\` (and the project with
\`pip install --no-deps .\`).

A file that already pins every dependency with \`==\` can be hashed in place from the index with
\`cordon lock hash requirements.txt\` or \`cordon fix --unsafe\` (unsafe: it needs the network, takes
the digests the index serves today, and turns on hash-checking mode).`,
      references: [
        'https://pip.pypa.io/en/stable/topics/secure-installs/',
        'https://pip.pypa.io/en/stable/reference/requirements-file-format/',
        'https://pip-tools.readthedocs.io/en/stable/#using-hashes',
        'https://docs.astral.sh/uv/concepts/projects/export/',
      ],
    },
  },

  repository(repository, context) {
    const dependencies = repository.dependencies;
    if (!dependencies) return;
    const sites = installSites(repository);
    // Which scanned files an install command names with `-r`.
    const referencedBy = new Map<string, InstallSite[]>();
    for (const site of sites) {
      for (const file of site.install.requirementFiles) {
        const status = findRequirements(dependencies, site.candidates(file.path));
        if (status.found) referencedBy.set(status.path, [...(referencedBy.get(status.path) ?? []), site]);
      }
    }
    // A file another scanned file includes is judged as part of that install, unless a command installs it directly.
    const included = new Set([...dependencies.requirementTrees.values()].flatMap((tree) => tree.files.filter((file) => file !== tree.root).map((file) => file.path)));
    const roots = dependencies.requirements.filter((file) => !file.constraintsFile && (!included.has(file.path) || referencedBy.has(file.path)));
    // Referenced files first, so a file reached from several roots is reported with the best confidence.
    roots.sort((a, b) => Number(referencedBy.has(b.path)) - Number(referencedBy.has(a.path)));
    for (const root of roots) {
      const tree = dependencies.requirementTrees.get(root.path);
      const files = (tree?.files ?? [root]).filter((file) => !(tree?.constraintFiles.has(file.path) ?? false));
      const lines = files.flatMap((file) => file.requirements.map((line) => ({ file, line })));
      const references = referencedBy.get(root.path) ?? [];
      const related = references.slice(0, 3).map((site) => ({ message: `installed here with \`${site.install.command.text.slice(0, 60)}\``, span: site.install.command.span, path: site.path }));
      const forced = files.find((file) => file.requireHashes)?.requireHashes;
      const forcedByCommand = references.find((site) => site.install.requireHashes || site.requireHashesEnv);
      const relaxed = files.some((file) => file.noRequireHashes);
      const hashedLine = lines.find(({ line }) => isHashed(line));
      if (hashedLine || forced || forcedByCommand) {
        for (const { file, line } of lines) {
          if (isHashed(line) && !unhashable(line)) continue;
          const trigger = hashedLine
            ? `\`${hashedLine.line.name ?? hashedLine.line.text}\`${hashedLine.file.path !== file.path ? ` in ${hashedLine.file.path}` : ''} has a --hash`
            : forced
              ? '`--require-hashes` is set in the requirements'
              : '`--require-hashes` is set where the file is installed';
          report(context, file, line, relaxed, trigger, related);
        }
        continue;
      }
      for (const file of files) {
        const installable = file.requirements.filter((line) => !unhashable(line) && line.source !== 'editable');
        const first = installable[0];
        if (!first) continue;
        const through = file === root ? '' : ` (included by ${tree?.includedBy.get(file.path)?.from ?? root.path})`;
        const referenced = references.length > 0;
        context.report({
          message: `No requirement in this file has a --hash${through}: pip installs whatever files the index serves for ${installable.length === 1 ? 'this requirement' : `these ${installable.length} requirements`}, and any dependency they pull in, unchecked${referenced ? ` (installed with \`pip install -r\`${references[0]!.place})` : ''}. Compile it with --generate-hashes`,
          span: first.requirementSpan,
          confidence: referenced ? 'high' : 'medium',
          key: 'none',
          path: file.path,
          related,
          fix: hashFix(file),
        });
      }
    }
  },
});

function report(
  context: { report(draft: FindingDraft): void },
  file: RequirementsFile,
  line: RequirementLine,
  relaxed: boolean,
  trigger: string,
  related: FindingDraft['related'],
): void {
  const reason = unhashable(line);
  const what = line.name ? `\`${line.name}\`` : `\`${line.text}\``;
  const message = relaxed
    ? `${what} has no --hash while other lines do: with --no-require-hashes pip installs it unchecked. Add its hashes`
    : reason
      ? `${what}: ${reason}. ${trigger}, so pip's hash-checking mode is on and refuses the whole install. Install it separately (\`pip install --no-deps .\`) or hash an archive instead`
      : `${what} has no --hash, but ${trigger}: pip's hash-checking mode is all or nothing and refuses the whole install. Add its hashes (compile the file with --generate-hashes)`;
  context.report({
    message,
    span: line.requirementSpan,
    severity: relaxed ? 'medium' : 'high',
    key: `partial/${line.normalizedName ?? line.text}`,
    path: file.path,
    related,
    ...(reason ? {} : { fix: hashFix(file, line) }),
  });
}

/**
 * Adds the missing `--hash=sha256:…` lines from the package index (`cordon lock hash`'s
 * machinery, through `FixServices.hashRequirements`): for the whole file, or for one line of a
 * file already in hash-checking mode. Unsafe and needs the network: the digests are whatever the
 * index serves today, and a file that was not in hash-checking mode then refuses every
 * dependency it does not pin.
 */
function hashFix(file: RequirementsFile, line?: RequirementLine): Fix {
  const what = line ? `\`${line.name ?? line.text}\` in ${file.path}` : file.path;
  return {
    title: `add --hash=sha256 lines to ${what} from the package index`,
    safety: 'unsafe',
    followUp: line
      ? ['the hashes are those of the files the index serves today: check them (`cordon lock verify`) before trusting them']
      : [
          'pip now installs this file in hash-checking mode and refuses any dependency it does not pin: make sure it lists the whole dependency tree (pip-compile or uv export output), or compile it with --generate-hashes instead',
          'the hashes are those of the files the index serves today: check them (`cordon lock verify`) before trusting them',
        ],
    async edits(services) {
      if (!services.hashRequirements) throw new FixUnavailableError('needs the package index (network), which this run cannot use');
      return services.hashRequirements(file.path, file.text, line ? { lines: [line.line] } : undefined);
    },
  };
}
