// Diagnose results as a markdown report, with the seed's troubleshooting advice per failure.
import { l10n } from '../core/l10n';
import type { DiagnosisCheck } from '../core/service-api';
import { formatLocalTime } from './format';

// The codicons `pass-filled` and `error` (the Testing view's colours), drawn inline: emoji
// render as empty boxes where no emoji font is installed, and the markdown preview has no
// codicon font. The alt text reads in the plain-text fallback.
const icon = (alt: string, color: string, shape: string) =>
  `![${alt}](data:image/svg+xml;base64,${Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="${color}"/>${shape}</svg>`).toString('base64')})`;
const PASS = icon('passed', '#73C991', '<path d="M4.5 8.2l2.3 2.3 4.7-4.8" fill="none" stroke="#fff" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/>');
const FAIL = icon('failed', '#F14C4C', '<path d="M5.5 5.5l5 5M10.5 5.5l-5 5" fill="none" stroke="#fff" stroke-width="1.6" stroke-linecap="round"/>');

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
    default:
      return check.id === 'nodes'
        ? l10n.t('A node reports Error: check the task image (multi-stage build, ENTRYPOINT, no host binaries) and its Redis URL and password.')
        : undefined;
  }
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
