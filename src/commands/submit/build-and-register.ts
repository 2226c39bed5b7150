// gridcore.buildAndRegister: Dockerfile -> image (-> registry) -> task on the hub.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DockerError, isGridCoreError } from '../../core/errors';
import type { GridCoreService } from '../../core/service-api';
import { validateTaskName } from '../../core/templates';
import type { Platform } from '../../core/types';
import { formatCount } from '../../core/numbers';
import { queueNaming } from '../../ui/settings';
import { pickCluster } from '../args';
import type { CommandContext, CommandRegistry } from '../registry';
import { defaultTag, defaultTaskName, isDockerfileName, isRegistryAuthFailure, isValidTag, platformTag, registrationRequest, registryHost, registryTag, tasksAhead } from '../../ui-model/build-plan';

/** Every answer can come in the argument (tests, other commands); the rest is asked. */
interface BuildArgs {
  dockerfile?: string;
  tag?: string;
  taskName?: string;
  cluster?: string;
  inputQueue?: string;
  outputQueue?: string;
  platforms?: Platform[];
  /** Redis URLs the task gets instead of the cluster's */
  inputRedis?: string;
  outputRedis?: string;
}

const MULTI_PLATFORMS: Platform[] = ['linux/amd64', 'linux/arm64'];

export function registerBuildCommand(registry: CommandRegistry, ctx: CommandContext): void {
  let channel: vscode.OutputChannel | undefined;
  const buildLog = () => (channel ??= (() => {
    const c = vscode.window.createOutputChannel(vscode.l10n.t('GridCore Build'));
    ctx.extension.subscriptions.push(c);
    return c;
  })());

  registry.register('gridcore.buildAndRegister', async (arg?: unknown) => {
    const a: BuildArgs = arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? (arg as BuildArgs) : {};
    const dockerfile = a.dockerfile ?? (await pickDockerfile(arg instanceof vscode.Uri ? arg : undefined));
    if (!dockerfile) return;
    const folder = path.dirname(dockerfile);
    const taskName = a.taskName ?? (await askTaskName(folder));
    if (!taskName) return;
    const tagKey = `gridcore.imageTag:${folder}`;
    const tag = a.tag ?? (await askTag(ctx.extension.workspaceState.get<string>(tagKey) ?? defaultTag(taskName)));
    if (!tag) return;
    await ctx.extension.workspaceState.update(tagKey, tag);
    const cluster = a.cluster ?? (await pickCluster(ctx.service, vscode.l10n.t('Register the task on which cluster?')));
    if (!cluster) return;
    const queues = a.inputQueue && a.outputQueue ? { input: a.inputQueue, output: a.outputQueue } : await askQueues(taskName);
    if (!queues) return;
    const profile = await ctx.service.profiles.get(cluster);
    const remote = !profile?.local;
    const platforms = a.platforms ?? (remote ? await askPlatforms() : []);
    if (!platforms) return;

    const log = buildLog();
    log.show(true);
    log.appendLine(vscode.l10n.t('Building {tag} from {file}', { tag, file: dockerfile }));
    const built = await buildAll(ctx.service, log, dockerfile, tag, platforms);
    if (!built) return;

    let images = built;
    if (remote) {
      if (profile?.registry) {
        const pushed = await pushAll(ctx, log, cluster, profile.registry, built);
        if (!pushed) return;
        images = pushed;
      } else {
        const go = vscode.l10n.t('Register Anyway');
        const answer = await vscode.window.showWarningMessage(
          vscode.l10n.t('Cluster {cluster} has no registry, so its nodes cannot pull {tag} from this machine.', { cluster, tag }),
          { modal: true, detail: vscode.l10n.t('Set a registry in the cluster\'s profile, or make sure every node already has the image.') },
          go,
        );
        if (answer !== go) return;
      }
    }

    const resolved = await ctx.service.profiles.resolve(cluster);
    const redis = { input: a.inputRedis ?? resolved.redisUrl, output: a.outputRedis ?? resolved.redisUrl };
    const req = registrationRequest(taskName, redis, queues, platforms, images);
    const { started, view } = await ctx.service.registerTask(cluster, req, { folder });
    await ctx.monitors.refresh(cluster);
    const ahead = tasksAhead(view, taskName);
    const text = started
      ? vscode.l10n.t('Task {task} registered on {cluster} and started: nodes are pulling {image}.', { task: taskName, cluster, image: images[0] })
      : ahead === 1
        ? vscode.l10n.t('Task {task} registered on {cluster}: it waits behind 1 other task.', { task: taskName, cluster })
        : vscode.l10n.t('Task {task} registered on {cluster}: it waits behind {n} other tasks.', { task: taskName, cluster, n: formatCount(ahead) });
    log.appendLine(text);
    const push = vscode.l10n.t('Push Data…');
    const results = vscode.l10n.t('Open Results');
    void vscode.window.showInformationMessage(text, push, results).then((pick) => {
      if (pick === push) return vscode.commands.executeCommand('gridcore.pushData', { cluster, taskName });
      if (pick === results) return vscode.commands.executeCommand('gridcore.openResults', { cluster, taskName });
      return undefined;
    });
    return { started, images };
  }, {
    restricted: () =>
      vscode.l10n.t("Build and Register Task is off in Restricted Mode: building runs the commands of the workspace's Dockerfile on this machine. Trust this folder to turn it on."),
  });
}

/** Builds one image, or one per platform; undefined after a failure already shown. */
async function buildAll(service: GridCoreService, log: vscode.OutputChannel, dockerfile: string, tag: string, platforms: Platform[]): Promise<string[] | undefined> {
  const targets = platforms.length ? platforms.map((p) => ({ platform: p as Platform | undefined, tag: platformTag(tag, p) })) : [{ platform: undefined, tag }];
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Building {tag}', { tag }), cancellable: true },
      async (progress, token) => {
        for (const t of targets) {
          if (t.platform) log.appendLine(vscode.l10n.t('Platform {platform}: {tag}', { platform: t.platform, tag: t.tag }));
          await service.images.build({
            context: path.dirname(dockerfile),
            dockerfile: path.basename(dockerfile),
            tag: t.tag,
            platform: t.platform,
            signal: token,
            onLog(line) {
              log.appendLine(line);
              if (/^Step \d+\/\d+ :/.test(line)) progress.report({ message: line.slice(0, 80) });
            },
          });
        }
      },
    );
    return targets.map((t) => t.tag);
  } catch (e) {
    await showBuildFailure(log, dockerfile, e);
    return undefined;
  }
}

export async function showBuildFailure(log: vscode.OutputChannel, dockerfile: string, e: unknown): Promise<void> {
  if (!(e instanceof DockerError)) throw e;
  if (e.code === 'cancelled') {
    log.appendLine(e.message);
    void vscode.window.showInformationMessage(e.message);
    return;
  }
  if (e.log) {
    log.appendLine(vscode.l10n.t('---- output of the failed step ----'));
    log.appendLine(e.log);
  }
  log.appendLine(e.message);
  log.show(true);
  if (e.location) {
    const doc = await vscode.workspace.openTextDocument(dockerfile);
    const line = Math.max(0, Math.min(doc.lineCount - 1, e.location.line - 1));
    const range = doc.lineAt(line).range;
    await vscode.window.showTextDocument(doc, { selection: range, preserveFocus: false });
  }
  const showLog = vscode.l10n.t('Show Build Log');
  if ((await vscode.window.showErrorMessage(e.message, showLog)) === showLog) log.show();
}

/** Tags each image with the registry's name and pushes it; undefined after a failure. */
async function pushAll(ctx: CommandContext, log: vscode.OutputChannel, cluster: string, registry: string, tags: string[]): Promise<string[] | undefined> {
  const secretKey = `gridcore.registryLogin/${cluster}`;
  const remoteTags = tags.map((t) => registryTag(registry, t));
  let login = parseLogin(await ctx.extension.secrets.get(secretKey));
  if (!login) {
    const fromProfile = (await ctx.service.profiles.secrets(cluster)).registryPassword;
    if (fromProfile) login = { password: fromProfile };
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Pushing images to {registry}', { registry }), cancellable: true },
        async (_progress, token) => {
          for (let i = 0; i < tags.length; i++) {
            await ctx.service.images.tag(tags[i], remoteTags[i]);
            log.appendLine(vscode.l10n.t('Pushing {tag}', { tag: remoteTags[i] }));
            await ctx.service.images.push(remoteTags[i], { username: login?.username, password: login?.password, signal: token, onLog: (l) => log.appendLine(l) });
          }
        },
      );
      return remoteTags;
    } catch (e) {
      const authProblem = isGridCoreError(e) && e.code === 'pushFailed' && isRegistryAuthFailure(e.message);
      if (!authProblem || attempt > 0) {
        if (isGridCoreError(e) && e.code === 'cancelled') return undefined;
        throw e;
      }
      login = await askLogin(registryHost(registry));
      if (!login) return undefined;
      await ctx.extension.secrets.store(secretKey, JSON.stringify(login));
    }
  }
  return undefined;
}

export function parseLogin(raw: string | undefined): { username?: string; password: string } | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as { username?: string; password?: string };
    return v.password ? { username: v.username, password: v.password } : undefined;
  } catch {
    return undefined;
  }
}

async function askLogin(host: string): Promise<{ username: string; password: string } | undefined> {
  const username = await vscode.window.showInputBox({ prompt: vscode.l10n.t('User name for registry {host}', { host }), ignoreFocusOut: true });
  if (!username) return undefined;
  const password = await vscode.window.showInputBox({ prompt: vscode.l10n.t('Password for registry {host} (kept in the editor\'s secret storage)', { host }), password: true, ignoreFocusOut: true });
  return password ? { username, password } : undefined;
}

export async function pickDockerfile(uri: vscode.Uri | undefined): Promise<string | undefined> {
  let candidates: vscode.Uri[];
  if (uri) {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.type & vscode.FileType.File) return uri.fsPath;
    candidates = await vscode.workspace.findFiles(new vscode.RelativePattern(uri, '**/{Dockerfile,Dockerfile.*,*.Dockerfile}'), '**/node_modules/**', 50);
  } else {
    const active = vscode.window.activeTextEditor?.document;
    if (active && !active.isUntitled && isDockerfileName(active.fileName)) return active.fileName;
    candidates = await vscode.workspace.findFiles('**/{Dockerfile,Dockerfile.*,*.Dockerfile}', '**/node_modules/**', 50);
  }
  if (!candidates.length) {
    throw new DockerError('noDockerfile', vscode.l10n.t('No Dockerfile found{where}. Create one, or start from "GridCore: New Task from Template".', { where: uri ? ` (${uri.fsPath})` : '' }));
  }
  if (candidates.length === 1) return candidates[0].fsPath;
  const pick = await vscode.window.showQuickPick(
    candidates.map((c) => ({ label: vscode.workspace.asRelativePath(c), path: c.fsPath })).sort((x, y) => x.label.localeCompare(y.label)),
    { placeHolder: vscode.l10n.t('Which Dockerfile?') },
  );
  return pick?.path;
}

async function askTaskName(folder: string): Promise<string | undefined> {
  const v = await vscode.window.showInputBox({
    prompt: vscode.l10n.t('Task name'),
    value: defaultTaskName(folder),
    validateInput: (s) => validateTaskName(s.trim()),
  });
  return v?.trim();
}

async function askTag(value: string): Promise<string | undefined> {
  const v = await vscode.window.showInputBox({
    prompt: vscode.l10n.t('Image tag'),
    value,
    validateInput: (s) => (isValidTag(s.trim()) ? undefined : vscode.l10n.t('Not a valid image name: use lower-case name[:tag], e.g. gridcore-task/sqrt:latest')),
  });
  return v?.trim();
}

async function askQueues(task: string): Promise<{ input: string; output: string } | undefined> {
  const d = queueNaming(task);
  const custom = vscode.l10n.t('Other queue names…');
  const pick = await vscode.window.showQuickPick([`${d.input} → ${d.output}`, custom], { placeHolder: vscode.l10n.t('Input and output queues') });
  if (!pick) return undefined;
  if (pick !== custom) return d;
  const input = await vscode.window.showInputBox({ prompt: vscode.l10n.t('Input queue'), value: d.input });
  if (!input) return undefined;
  const output = await vscode.window.showInputBox({ prompt: vscode.l10n.t('Output queue'), value: d.output });
  return output ? { input: input.trim(), output: output.trim() } : undefined;
}

async function askPlatforms(): Promise<Platform[] | undefined> {
  const native = vscode.l10n.t('This machine\'s platform');
  const multi = vscode.l10n.t('linux/amd64 and linux/arm64 (one image each)');
  const pick = await vscode.window.showQuickPick([native, multi], { placeHolder: vscode.l10n.t('Build for which platforms?') });
  if (!pick) return undefined;
  return pick === multi ? MULTI_PLATFORMS : [];
}
