import { severityRank, type FindingDraft } from '../findings/finding.ts';
import type { GitLabJob, GitLabPipeline } from '../models/gitlab/types.ts';
import type { RuleContext } from './rule.ts';

/**
 * A script line written once can run in many GitLab jobs: `default: before_script`, a template
 * every job `extends`, a `!reference`. Rules that judge script lines report such a line once, at
 * the severity of the job that holds the most, naming the other jobs, instead of once per job.
 */
export class PerLine {
  private readonly groups = new Map<string, { draft: FindingDraft; jobs: GitLabJob[]; worst: GitLabJob }>();

  /** `identity` names what was found independently of the job (`set -x`, a command's text). */
  add(job: GitLabJob, identity: string, draft: Omit<FindingDraft, 'key'>): void {
    const path = (draft.span as { path?: string }).path ?? '';
    const where = `${path}:${draft.span.offset}:${draft.span.endOffset}:${identity}`;
    const group = this.groups.get(where);
    const full: FindingDraft = { ...draft, key: `gitlab/${path}/${identity}` };
    if (!group) {
      this.groups.set(where, { draft: full, jobs: [job], worst: job });
      return;
    }
    group.jobs.push(job);
    if (severityRank(full.severity ?? 'info') > severityRank(group.draft.severity ?? 'info')) {
      group.draft = full;
      group.worst = job;
    }
  }

  flush(context: RuleContext<any>): void {
    for (const { draft, jobs, worst } of this.groups.values()) {
      const others = jobs.filter((job) => job !== worst);
      const also = others.length
        ? ` (the line also runs in ${others.length === 1 ? 'job' : 'jobs'} ${others.slice(0, 4).map((job) => `\`${job.name}\``).join(', ')}${others.length > 4 ? ` and ${others.length - 4} more` : ''})`
        : '';
      context.report({ ...draft, message: draft.message + also });
    }
    this.groups.clear();
  }
}

/** Runs `check` over every job that can run, then reports each line once. */
export function perLine(pipeline: GitLabPipeline, context: RuleContext<any>, check: (job: GitLabJob, lines: PerLine) => void): void {
  const lines = new PerLine();
  for (const job of pipeline.jobs) if (!job.hidden) check(job, lines);
  lines.flush(context);
}
