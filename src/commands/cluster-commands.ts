// Cluster profiles: add, edit, remove, select, import from the skill's files, refresh,
// diagnose, logs. Tokens and Redis URLs go to SecretStorage through the service.
import * as vscode from 'vscode';
import { ConfigError } from '../core/errors';
import type { GridCoreService } from '../core/service-api';
import { diagnosisMarkdown, stalledCheck } from '../ui-model/diagnosis-report';
import { pickCluster, resolveCluster, targetOf } from './args';
import { reloadAndRefresh } from './refresh';
import type { CommandContext, CommandModule } from './registry';

interface ClusterInput {
  name: string;
  computehubUrl: string;
  token: string;
  redisUrl: string;
}

function validUrl(value: string, schemes: string[]): string | undefined {
  try {
    const u = new URL(value.trim());
    if (schemes.includes(u.protocol)) return undefined;
  } catch {
    // falls through to the message
  }
  return vscode.l10n.t('Enter a URL starting with {0}', schemes.map((s) => `${s}//`).join(' / '));
}

async function askCluster(service: GridCoreService, initial?: ClusterInput): Promise<ClusterInput | undefined> {
  const existing = new Set((await service.profiles.list()).map((p) => p.name));
  const title = initial ? vscode.l10n.t('Edit Cluster {0}', initial.name) : vscode.l10n.t('Add Cluster');
  const name =
    initial?.name ??
    (await vscode.window.showInputBox({
      title,
      prompt: vscode.l10n.t('A name for this cluster'),
      placeHolder: 'prod', // l10n-ignore: an example value, not prose
      validateInput: (v) =>
        !v.trim() ? vscode.l10n.t('Enter a name') : existing.has(v.trim()) ? vscode.l10n.t('A cluster named {0} exists already', v.trim()) : undefined,
    }));
  if (!name) return undefined;
  const computehubUrl = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('ComputeHub URL'),
    placeHolder: 'http://hub.example.com:8080', // l10n-ignore: an example value
    value: initial?.computehubUrl,
    ignoreFocusOut: true,
    validateInput: (v) => validUrl(v, ['http:', 'https:']),
  });
  if (!computehubUrl) return undefined;
  const token = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('ComputeHub token (the `token` in computehub.toml); kept in the editor\'s secret storage'),
    password: true,
    value: initial?.token,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter the token')),
  });
  if (!token) return undefined;
  const redisUrl = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('Redis URL, whole, with its password (redis://:PASSWORD@host:6379/0); kept in the editor\'s secret storage'),
    password: true,
    value: initial?.redisUrl,
    ignoreFocusOut: true,
    validateInput: (v) => validUrl(v, ['redis:', 'rediss:']),
  });
  if (!redisUrl) return undefined;
  return { name: name.trim(), computehubUrl: computehubUrl.trim(), token: token.trim(), redisUrl: redisUrl.trim() };
}

async function showWarnings(warnings: Array<{ file: string; message: string }>): Promise<void> {
  for (const w of warnings) void vscode.window.showWarningMessage(`${w.file}: ${w.message}`);  // l10n-ignore: message is already localized
}

async function importFromSkill(ctx: CommandContext): Promise<string[] | undefined> {
  try {
    const { imported, warnings } = await ctx.service.profiles.importFromSkill();
    await showWarnings(warnings);
    if (!imported.length) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No cluster found in the skill\'s files ({0}).', ctx.service.profiles.skillFiles().join(', ')));
      return imported;
    }
    if (!(await ctx.service.profiles.getActive())) await ctx.service.profiles.setActive(imported[0]);
    void vscode.window.showInformationMessage(vscode.l10n.t('Imported clusters: {0}', imported.join(', ')));
    await Promise.all(imported.map((name) => reloadAndRefresh(ctx, name)));
    return imported;
  } catch (e) {
    if (e instanceof ConfigError && e.file) {
      const open = vscode.l10n.t('Open File');
      const pick = await vscode.window.showErrorMessage(e.message, open);
      if (pick === open) await vscode.window.showTextDocument(vscode.Uri.file(e.file));
      return undefined;
    }
    throw e;
  }
}

/** Offers a re-import when the skill's TOML files change (once per burst of writes). */
function watchSkillFiles(ctx: CommandContext): vscode.Disposable[] {
  let timer: NodeJS.Timeout | undefined;
  const onChange = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const profiles = await ctx.service.profiles.list();
      if (!profiles.some((p) => p.source === 'skill')) return;
      const reimport = vscode.l10n.t('Re-import');
      const pick = await vscode.window.showInformationMessage(vscode.l10n.t('The skill\'s cluster files changed. Re-import the clusters?'), reimport);
      if (pick === reimport) await vscode.commands.executeCommand('gridcore.importFromSkill');
    }, 1000);
  };
  const watchers = ctx.service.profiles.skillFiles().map((file) => {
    const uri = vscode.Uri.file(file);
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), uri.path.split('/').pop() ?? ''));
    w.onDidChange(onChange);
    w.onDidCreate(onChange);
    return w;
  });
  return [...watchers, { dispose: () => clearTimeout(timer) }];
}

export const clusterCommands: CommandModule = (registry, ctx) => {
  const { service } = ctx;

  registry.register('gridcore.addCluster', async () => {
    const input = await askCluster(service);
    if (!input) return undefined;
    const profile = await service.profiles.save({ ...input, source: 'extension' });
    if (!(await service.profiles.getActive())) await service.profiles.setActive(profile.name);
    ctx.logger.info(`cluster ${profile.name} added (${profile.computehubUrl})`);
    await reloadAndRefresh(ctx, profile.name);
    void vscode.window.showInformationMessage(vscode.l10n.t('Cluster {0} added.', profile.name));
    return profile.name;
  });

  registry.register('gridcore.editCluster', async (arg?: unknown) => {
    const name = targetOf(arg).cluster ?? (await pickCluster(service, vscode.l10n.t('Choose the cluster to edit')));
    if (!name) return undefined;
    const profile = await service.profiles.get(name);
    if (!profile) throw new ConfigError('unknownCluster', vscode.l10n.t('Cluster {0} no longer exists. Refresh the Clusters view.', name));
    const resolved = await service.profiles.resolve(name).catch(() => undefined);
    const input = await askCluster(service, {
      name,
      computehubUrl: profile.computehubUrl,
      token: resolved?.token ?? '',
      redisUrl: resolved?.redisUrl ?? profile.redisUrl,
    });
    if (!input) return undefined;
    await service.profiles.save({ ...input, registry: profile.registry, source: profile.source === 'local' ? 'local' : 'extension' });
    await reloadAndRefresh(ctx, name);
    return name;
  });

  registry.register('gridcore.removeCluster', async (arg?: unknown) => {
    const name = targetOf(arg).cluster ?? (await pickCluster(service, vscode.l10n.t('Choose the cluster to remove')));
    if (!name) return false;
    const remove = vscode.l10n.t('Remove');
    const pick = await vscode.window.showWarningMessage(
      vscode.l10n.t('Remove cluster {0}?', name),
      { modal: true, detail: vscode.l10n.t('Its token and Redis URL are deleted from this editor. The cluster itself and its data are not touched.') },
      remove,
    );
    if (pick !== remove) return false;
    await service.profiles.remove(name);
    if ((await service.profiles.getActive()) === name) await service.profiles.setActive(undefined);
    // Nothing to poll: the views drop the cluster.
    await Promise.all([ctx.clusters.reload(), ctx.statusBar.follow()]);
    return true;
  });

  registry.register('gridcore.selectCluster', async (arg?: unknown) => {
    const name = targetOf(arg).cluster ?? (await pickCluster(service, vscode.l10n.t('Choose the active cluster')));
    if (!name) return undefined;
    await service.profiles.setActive(name);
    await reloadAndRefresh(ctx, name);
    return name;
  });

  registry.register('gridcore.importFromSkill', () => importFromSkill(ctx));
  for (const d of watchSkillFiles(ctx)) ctx.extension.subscriptions.push(d);

  registry.register('gridcore.refresh', () => reloadAndRefresh(ctx));

  registry.register('gridcore.loadMore', (arg?: unknown) => {
    const cluster = targetOf(arg).cluster;
    const asked = arg && typeof arg === 'object' ? (arg as { which?: unknown }).which : undefined;
    // 'pending', or a node status page ("nodes:Running"); the completed tasks otherwise.
    const which = typeof asked === 'string' && (asked === 'pending' || asked.startsWith('nodes:')) ? asked : 'completed';
    if (cluster) ctx.clusters.loadMore(cluster, which);
  });

  registry.register('gridcore.diagnoseCluster', async (arg?: unknown) => {
    const cluster = await resolveCluster(service, arg, vscode.l10n.t('Choose the cluster to diagnose'));
    if (!cluster) return undefined;
    const checks = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Diagnosing cluster {0}…', cluster) },
      () => service.diagnose(cluster),
    );
    // A stalled task is the monitor's fact (every view shows the same one), not a new probe.
    const stalled = ctx.monitors.get(cluster).snapshot?.stalled;
    if (stalled) checks.push(stalledCheck(stalled));
    for (const c of checks) ctx.logger.info(`diagnose ${cluster} ${c.id}: ${c.ok ? 'ok' : `FAILED ${c.code ?? ''}`} ${c.detail}`);
    await ctx.docs.show(`diagnosis/${cluster}`, diagnosisMarkdown(cluster, checks, new Date()));
    const failed = checks.filter((c) => !c.ok);
    if (failed.length) void vscode.window.showWarningMessage(vscode.l10n.t('Cluster {0}: {1} of {2} checks failed. See the report.', cluster, failed.length, checks.length));
    else void vscode.window.showInformationMessage(vscode.l10n.t('Cluster {0}: all checks passed.', cluster));
    return checks;
  });

  registry.register('gridcore.showLogs', () => ctx.channel.show(true));
};
