// Names for "Build and Register" that need no `vscode`: defaults for the task name and
// image tag, the registry name nodes pull, and per-platform tags.
import type { Platform, RegisterTaskRequest, TaskView } from '../core/types';

/** A folder name made fit for a task (and container) name. */
export function defaultTaskName(folder: string): string {
  const base = folder.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? '';
  const name = base.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '').slice(0, 63);
  return name || 'task';
}

export function defaultTag(task: string): string {
  return `gridcore-task/${task.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-')}:latest`;
}

// Docker reference grammar, simplified: [host[:port]/]path[:tag]; lower-case path.
const TAG = /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/;

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** `registry.example.com:5000/team` + `gridcore-task/sqrt:latest` -> `registry.example.com:5000/team/gridcore-task/sqrt:latest`. */
export function registryTag(registry: string, tag: string): string {
  const reg = registry.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  if (tag.startsWith(reg + '/')) return tag;
  // a tag that already names another registry keeps only its path
  const first = tag.split('/')[0];
  const path = tag.includes('/') && /[.:]|^localhost$/.test(first) ? tag.slice(first.length + 1) : tag;
  return `${reg}/${path}`;
}

/** `x/y:1` + linux/arm64 -> `x/y:1-arm64` (one image per platform, registered as `images`). */
export function platformTag(tag: string, platform: Platform): string {
  const suffix = platform.split('/').slice(1).join('');
  const lastSlash = tag.lastIndexOf('/');
  const colon = tag.indexOf(':', lastSlash + 1);
  return colon < 0 ? `${tag}:latest-${suffix}` : `${tag}-${suffix}`;
}

/** A refused push that a new login can fix (the registry's own words, as the engine relays them). */
export function isRegistryAuthFailure(message: string): boolean {
  return /auth|denied|401|403|credential/i.test(message);
}

/** The registry host of a registry setting, for credentials prompts. */
export function registryHost(registry: string): string {
  return registry.replace(/^[a-z]+:\/\//i, '').split('/')[0];
}

/** Lives with the Dockerfile reader (the diagnostics use it too, and do not import commands). */
export { isDockerfileName } from '../core/dockerfile-parse';
/** The hub request for images built (one, or one per platform in `platforms` order). */
export function registrationRequest(
  task: string,
  redis: { input: string; output: string },
  queues: { input: string; output: string },
  platforms: readonly Platform[],
  images: readonly string[],
): RegisterTaskRequest {
  const req: RegisterTaskRequest = { name: task, input_redis: redis.input, output_redis: redis.output, input_queue: queues.input, output_queue: queues.output };
  if (platforms.length) req.images = Object.fromEntries(platforms.map((p, i) => [p, images[i]]));
  else req.image = images[0];
  return req;
}

/** How many tasks run or wait before a task just registered (not started) gets its turn. */
export function tasksAhead(view: readonly TaskView[], task: string): number {
  const waiting = view.filter((t) => t.state === 'pending').findIndex((t) => t.name === task);
  return (view.some((t) => t.state === 'running') ? 1 : 0) + Math.max(0, waiting);
}
