// Task templates ("New Task from Template"): folders under media/templates copied into the
// user's workspace with `{{TASK_NAME}}` replaced by the task's name.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { ConfigError } from './errors';
import { l10n } from './l10n';

export interface TaskTemplate {
  id: string;
  title: string;
  description: string;
  /** builds with no registry (on the local cluster's base image) */
  offline: boolean;
  dir: string;
  /** paths relative to `dir` */
  files: string[];
}

export interface TemplateVars {
  taskName: string;
}

/** Known templates: titles and descriptions are here so they can be translated. */
function describe(id: string): { title: string; description: string; offline: boolean } | undefined {
  switch (id) {
    case 'shell-square':
      return {
        title: l10n.t('Square numbers (shell, offline)'),
        description: l10n.t('busybox + redis-cli consumer on the local base image; builds with no registry. Pops 100 items at a time, pushes n:n*n.'),
        offline: true,
      };
    case 'python-sqrt':
      return {
        title: l10n.t('Square roots (Python)'),
        description: l10n.t('The seed square-root example: python:3.11-slim, multi-stage, redis.from_url on the whole URL. Needs a registry and PyPI to build.'),
        offline: false,
      };
    default:
      return undefined;
  }
}

/** media/templates next to the bundle (dist/) or the sources (src/core/). */
export function defaultTemplatesDir(): string {
  const candidates = [resolve(__dirname, '../media/templates'), resolve(__dirname, '../../media/templates')];
  return candidates.find((c) => existsSync(c)) ?? candidates[0];
}

async function filesUnder(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(p, base)));
    else if (entry.isFile()) out.push(relative(base, p).split('\\').join('/'));
  }
  return out.sort();
}

export async function listTemplates(templatesDir = defaultTemplatesDir()): Promise<TaskTemplate[]> {
  if (!existsSync(templatesDir)) return [];
  const out: TaskTemplate[] = [];
  for (const entry of await readdir(templatesDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(templatesDir, entry.name);
    const known = describe(entry.name);
    const readme = existsSync(join(dir, 'README.md')) ? await readFile(join(dir, 'README.md'), 'utf8') : '';
    const firstParagraph = readme.split(/\n\s*\n/).find((p) => p.trim() && !p.startsWith('#'))?.replace(/\s+/g, ' ').trim() ?? '';
    out.push({
      id: entry.name,
      title: known?.title ?? entry.name,
      description: known?.description ?? firstParagraph,
      offline: known?.offline ?? false,
      dir,
      files: await filesUnder(dir),
    });
  }
  // the offline one first: it is the one that works everywhere
  return out.sort((a, b) => Number(b.offline) - Number(a.offline) || a.id.localeCompare(b.id));
}

/** Docker container names are `idm-<task>-<node>-<n>`, so the task name must suit them. */
export function validateTaskName(name: string): string | undefined {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(name)) {
    return l10n.t('Use letters, digits, "-", "_" or "." for the task name (up to 63, starting with a letter or digit).');
  }
  return undefined;
}

function substitute(text: string, vars: TemplateVars): string {
  return text.replace(/\{\{TASK_NAME\}\}/g, vars.taskName);
}

const TEXT = /\.(sh|py|md|txt|toml|json|ya?ml|js|ts|go|rs|cfg|ini)$|(^|\/)(Dockerfile|\.dockerignore)$/;

/** `parent/name`, or `parent/name-2`, `-3`… when that exists: a folder a template can fill
 *  without overwriting anything. */
export function freeFolder(parent: string, name: string, exists: (p: string) => boolean): string {
  let candidate = join(parent, name);
  for (let i = 2; exists(candidate); i++) candidate = join(parent, `${name}-${i}`);
  return candidate;
}

/**
 * Copies template `id` into `target` (created when missing). Refuses to overwrite existing
 * files unless `overwrite`. Returns the absolute paths written.
 */
export async function createFromTemplate(
  id: string,
  target: string,
  vars: TemplateVars,
  opts: { templatesDir?: string; overwrite?: boolean } = {},
): Promise<string[]> {
  const problem = validateTaskName(vars.taskName);
  if (problem) throw new ConfigError('missingField', problem);
  const template = (await listTemplates(opts.templatesDir)).find((t) => t.id === id);
  if (!template) {
    throw new ConfigError('missingField', l10n.t('There is no task template named {id}. Pick one from the list.', { id }));
  }
  if (!opts.overwrite) {
    const taken = template.files.filter((f) => existsSync(join(target, f)));
    if (taken.length) {
      throw new ConfigError('io', l10n.t('{folder} already has {files}. Choose an empty folder, or allow overwriting.', { folder: target, files: taken.join(', ') }), target);
    }
  }
  const written: string[] = [];
  try {
    for (const f of template.files) {
      const from = join(template.dir, f);
      const to = join(target, f);
      await mkdir(join(to, '..'), { recursive: true });
      if (TEXT.test(f)) await writeFile(to, substitute(await readFile(from, 'utf8'), vars), { mode: (await stat(from)).mode & 0o777 });
      else await copyFile(from, to);
      written.push(to);
    }
  } catch (e) {
    throw new ConfigError('io', l10n.t('Could not write the template into {folder}: {error}. Check that the folder is writable.', { folder: target, error: (e as Error).message }), target, { cause: e });
  }
  return written;
}
