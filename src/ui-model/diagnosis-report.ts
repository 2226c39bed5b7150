// Diagnose results as a markdown report, with the seed's troubleshooting advice per failure.
import { l10n } from '../core/l10n';
import type { DiagnosisCheck } from '../core/service-api';
import { formatLocalTime } from './format';
import { stalledText, type StalledTask } from './stalled';

// Passed / failed marks drawn like the codicons `pass-filled` and `error` (the Testing view's
// colours), as 16 px PNGs inline: emoji render as empty boxes where no emoji font is
// installed, the markdown preview has no codicon font, and its markdown-it accepts data:
// images only as PNG, GIF, JPEG or WebP (not SVG). The alt text reads in the text fallback.
const PASS = '![passed](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAABq0lEQVR4nKSTSy9DQRzFz0zrFZsSIYSNVyQeQYiGhaV4LPgAiESCFWVjZ2VHLhspkVjZFiHhIxALQkTDRoLGI6RN+rztnXHn3t7mVqlGz2byn5nfmfOfzFBkKev3ibkLyWaJEgfnxE44bxVznJBLQvipksOltTaH17yfmIuFc6kfCt1WZyt+PI7DAwubXO10HKcYLJyt9anlCTIRZQOGiWaweLVRJIfkGwJSno4rsOQhpES0JIwpzVL3/CcVC3IwNv4X3FJci6X2SZQVFItjKwi1jmlh9GVmTwc3F9VgtLYfz4E3fIR9MDNU74NohZVYMFjVg1yak4CbBFw3gEf/K7bc+4hxBWZGM+Dg+WIsybeht7wd0w0jyFNNGm3VGFNhT+Adm+49RFg0YWwwegKCSzG+hD6wc3eIysJSLHfMYKJ+CJ7gO5xuVxJsZuIJ9ELo1vuAnfsjMM7wpPbsvHUhrMgp92Iw2ktkjDspxZTal80wWbnehU/2p5wcj+8VjH4XcTnO1kfUOC5kIMYxLNlnDxItCElds3vihWnP9TeJNXWPASclMJTVZ/qPvgAAAP//8yVqlAAAAAZJREFUAwCDs7DeCzhjmQAAAABJRU5ErkJggg==)';
const FAIL = '![failed](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAABhElEQVR4nKRTO27CQBCdNctPighJF6pIgGiTjhsYsPnkAkkTJAqanCQNDSJSbpAQZPG5QbrQIihSpQYaCGA2s2t7bT6REDzJ9s7bfbMzT2MFTgTdJlipFJ0ul09ASBrDG5vuA2OfEb//mTSbY+954g0m2WwWfL4XXMZgP37ANB/PO53OToKJpql4axcOgWnmnCQKf4017QI/r86+EtstYIPDKieqeikTYBkPePuV2Esm4axeh1C5LM+HKhXB+RIJh4oBpfd8YZloGWZVNxzCotWCQKGAjjI8QSGgaYIzRyO3ClsjEjDG0oS4fs4bDSDBIASKRREvez3BecE1MgGKQ7CFWa22d+0WYGmona6PjOpshqtV8KsyFOuFYcAcffCU0AfHRMYHxQY3UQiw52k+Lx7hia6DEo+7elsjGp9lMte/lH5hEBVJUikwB4ONkr0cisfB1eo23O1+S+emun6HG29wAMh6XYq02x+yBY6IYbzzCQM+rv+Dj3LOEcsWvDjpZzoGfwAAAP//lelFqwAAAAZJREFUAwCsgI4gzoRDXgAAAABJRU5ErkJggg==)';

export function checkTitle(id: DiagnosisCheck['id']): string {
  switch (id) {
    case 'hubHealth':
      return l10n.t('Hub /health');
    case 'token':
      return l10n.t('Token');
    case 'redisPing':
      return l10n.t('Redis PING');
    case 'redisAuth':
      return l10n.t('Redis password');
    case 'queues':
      return l10n.t('Queue lengths');
    case 'nodes':
      return l10n.t('Nodes');
    case 'task':
      return l10n.t('Running task');
  }
}

/** Maps failure codes to the troubleshooting table (NOAUTH, 401, refused, node Error). */
export function adviceFor(check: DiagnosisCheck): string | undefined {
  if (check.ok) return undefined;
  switch (check.code) {
    case 'noauth':
    case 'wrongpass':
      return l10n.t('Redis password mismatch: use one password everywhere (the server, the task\'s Redis URLs, pushing).');
    case 'unauthorized':
      return l10n.t('The token is wrong: it must equal `token` in the hub\'s computehub.toml (and in credentials.toml for the skill).');
    case 'unreachable':
    case 'timeout':
      return check.id.startsWith('redis')
        ? l10n.t('Redis is not started or not reachable at that URL: start it, check host and port.')
        : l10n.t('The hub is not started or not reachable at that URL: start it (or the local cluster), check host and port.');
    case 'crashLoop':
      return l10n.t('Look at the last lines above for the item and the error; fix the consumer (or follow the reliable convention so bad items end in the failed list), then register a new image.');
    case 'stalled':
      return l10n.t('Run Restart Task on Nodes (the running task\'s context menu, or the stalled notice in the Tasks group): the only way upstream\'s hub makes its nodes start fresh containers.');
    default:
      return check.id === 'nodes'
        ? l10n.t('A node reports Error: check the task image (multi-stage build, ENTRYPOINT, no host binaries) and its Redis URL and password.')
        : undefined;
  }
}

/** The monitor's stalled fact as a failed check, so Diagnose says what the tree says. */
export function stalledCheck(s: StalledTask): DiagnosisCheck {
  return { id: 'task', ok: false, code: 'stalled', detail: stalledText(s) };
}

export function diagnosisMarkdown(cluster: string, checks: DiagnosisCheck[], at: Date): string {
  const lines = [`# ${l10n.t('Diagnosis of cluster {0}', cluster)}`, '', `_${formatLocalTime(at.toISOString())}_`, ''];
  const failed = checks.filter((c) => !c.ok).length;
  lines.push(failed ? l10n.t('{0} of {1} checks failed.', failed, checks.length) : l10n.t('All {0} checks passed.', checks.length), '');
  for (const c of checks) {
    lines.push(`## ${c.ok ? PASS : FAIL} ${checkTitle(c.id)}`, '', c.detail);
    const advice = adviceFor(c);
    if (advice) lines.push('', `> ${advice}`);
    lines.push('');
  }
  return lines.join('\n');
}
