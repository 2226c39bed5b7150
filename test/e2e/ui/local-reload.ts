// The local cluster outlives the extension host (issue 22): Start Local Cluster from the
// palette, a 100,000-item job on it, then a Reload Window and a SIGKILL of the extension host
// while the job runs: the same supervisor keeps running, every result arrives, nothing was
// restarted. Then Stop Local Cluster in the (reloaded) window stops it, after asking (its
// queues hold items). Real Docker, the packaged extension's dist/local-cluster.js.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Docker from 'dockerode';
import Redis from 'ioredis';
import { stopAnyLocalCluster } from '../../../src/local/local-cluster-api';
import { healthOk } from '../../../src/local/cluster/hub';
import { clusterPaths, pidAlive, readJson, type ClusterLock } from '../../../src/local/cluster/state';
import type { CodeServer } from '../../support/code-server';
import { until } from '../../support/until';
import { buildFrom } from '../../local/fixtures';
import type { Texts } from './texts';
import { runCommand } from './workbench';

const IMAGE = 'gridcore-e2e/shell-square:reload';
const TASK = 'e2e-reload';
const COUNT = 100_000;

export interface LocalReloadStepsOptions {
  step: (name: string, fn: () => Promise<void>) => Promise<void>;
  vscode: CodeServer;
  tr: Texts;
}

/** The extension host of this code-server run (its HOME is in the run folder). */
function extensionHostPid(dir: string): number | undefined {
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const args = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (!/extensionHost/.test(args)) continue;
      if (readFileSync(`/proc/${p}/environ`, 'utf8').includes(`HOME=${join(dir, 'home')}\0`)) return Number(p);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

export async function runLocalReloadSteps(o: LocalReloadStepsOptions): Promise<void> {
  const page = o.vscode.page;
  const skillDir = join(o.vscode.dir, 'home', '.config', 'agents', 'skills', 'agent-idm-gridcore');
  const paths = clusterPaths(skillDir);
  let lock: ClusterLock | undefined;
  let redis: Redis | undefined;
  const results = () => redis!.llen(`${TASK}:out`);
  try {
    await o.step('starts the local cluster from the palette and runs a job on it', async () => {
      await runCommand(page, `GridCore: ${o.tr.nls('gridcore.startLocalCluster.title')}`);
      lock = await until('the local cluster is up', async () => {
        const l = readJson<ClusterLock>(paths.lock);
        return l && (await healthOk(l.hubUrl)) ? l : undefined;
      }, 240_000, 500);
      assert.equal(lock.detached, true, 'it runs in its own process tree');
      assert.equal(lock.startedBy, 'window');
      const socketPath = process.env.DOCKER_HOST!.slice('unix://'.length);
      const dir = resolve(__dirname, '../../../media/templates/shell-square');
      await buildFrom(new Docker({ socketPath }), Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')])), IMAGE);
      redis = new Redis(lock.redisUrl, { maxRetriesPerRequest: 1 });
      const res = await fetch(`${lock.hubUrl}/api/tasks`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${lock.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: TASK, image: IMAGE, input_redis: lock.redisUrl, output_redis: lock.redisUrl, input_queue: `${TASK}:in`, output_queue: `${TASK}:out` }),
      });
      assert.equal(res.status, 201);
      for (let i = 0; i < COUNT / 5000; i++) await redis.lpush(`${TASK}:in`, ...Array.from({ length: 5000 }, (_, k) => String(i * 5000 + k + 1)));
      await until('the job runs', async () => (await results()) > 0, 180_000, 200);
    });

    await o.step('a Reload Window during the job leaves the cluster and its job alone', async () => {
      const before = await results();
      assert.ok(before < COUNT, 'the job had ended before the reload');
      const reloaded = page.waitForEvent('load', { timeout: 60_000 });
      await runCommand(page, 'Developer: Reload Window');
      await reloaded;
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      assert.ok(pidAlive(lock!.pid), 'the supervisor went with the window');
      assert.equal(readJson<ClusterLock>(paths.lock)?.pid, lock!.pid, 'the same cluster');
      assert.ok((await results()) >= before);
    });

    await o.step('a SIGKILL of the extension host leaves them alone; the job ends with every result, nothing restarted', async () => {
      const host = await until('the extension host', () => extensionHostPid(o.vscode.dir), 60_000, 500);
      process.kill(host, 'SIGKILL');
      await until('the extension host is gone', () => !pidAlive(host), 10_000);
      assert.ok(pidAlive(lock!.pid), 'the supervisor died with the extension host');
      await until(`all ${COUNT} results`, async () => (await results()) === COUNT, 600_000, 500);
      const now = readJson<ClusterLock>(paths.lock)!;
      assert.equal(now.pid, lock!.pid);
      assert.deepEqual(now.nodeRestarts, [0], 'a node was restarted');
      assert.equal(now.redisRestarts, 0, 'Redis was restarted');
    });

    await o.step('Stop Local Cluster in the window stops it after asking', async () => {
      const reloaded = page.waitForEvent('load', { timeout: 60_000 });
      await runCommand(page, 'Developer: Reload Window');
      await reloaded;
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      // The palette lists the command once the restarted extension host has the extension
      // again (its `when` clause): on a loaded machine that can take a while after the reload.
      const title = `GridCore: ${o.tr.nls('gridcore.stopLocalCluster.title')}`;
      for (let attempt = 1; ; attempt++) {
        try {
          await runCommand(page, title);
          break;
        } catch (e) {
          if (attempt >= 6) throw e;
          await page.keyboard.press('Escape');
          await page.waitForTimeout(5000);
        }
      }
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 60_000 });
      await dialog.locator('.monaco-button', { hasText: o.tr.l10n('Stop Local Cluster') }).first().click();
      await until('the cluster stopped', () => !pidAlive(lock!.pid), 120_000, 500);
      assert.equal(await healthOk(lock!.hubUrl), false);
    });
  } finally {
    redis?.disconnect();
    await stopAnyLocalCluster({ skillDir }).catch(() => undefined);
  }
}
