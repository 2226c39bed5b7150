// The task author's loop in a real VS Code: Try Task Locally writes the build's and the
// container's lines live to the "GridCore Trial" channel, shows its report and opens the
// results view on the copied results; Show Container Logs on the local cluster's node streams
// the lines of the node's container as it runs. Needs the Docker engine at DOCKER_HOST.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TrialReport } from '../../../src/core/trial/types';
import { answeringMessages, env, freePort, gridcore, startTestHub, stopLocalClusterConfirmed, until } from './helpers/gridcore';

const BASE = 'gridcore/busybox-redis:local';
const TICK_IMAGE = 'gridcore-e2e/tick:1';

function trialFolder(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'gridcore-e2e-trial-')), 'square');
  mkdirSync(dir);
  const consumer = readFileSync(join(env('GRIDCORE_E2E_REPO'), 'media', 'templates', 'shell-square', 'consumer.sh'), 'utf8').split('{{TASK_NAME}}').join('square');
  writeFileSync(join(dir, 'consumer.sh'), consumer);
  // says hello first, so that a line of the container is in the log before any result
  writeFileSync(join(dir, 'Dockerfile'), `FROM ${BASE}\nCOPY consumer.sh /app/consumer.sh\nENTRYPOINT ["/bin/sh", "-c", "echo consumer starting for $TASK_NAME; exec /bin/sh /app/consumer.sh"]\n`);
  return join(dir, 'Dockerfile');
}

describe('the task author\'s loop', function () {
  before(function () {
    if (!process.env.GRIDCORE_E2E_DOCKER) {
      console.log(`  skipped: ${process.env.GRIDCORE_E2E_DOCKER_SKIP ?? 'no Docker engine'}`);
      this.skip();
    }
  });

  it('Try Task Locally shows the live log, the report and the results', async function () {
    this.timeout(120_000);
    const api = await gridcore();
    const dockerfile = trialFolder();
    await vscode.window.showTextDocument(vscode.Uri.file(dockerfile));
    const out = (await vscode.commands.executeCommand('gridcore.tryTask', {
      dockerfile,
      sample: { kind: 'range', from: 1, to: 10 },
      cluster: null,
      tag: 'gridcore-e2e/trial-square:1',
      openResults: true,
    })) as { report: TrialReport; markdown: string } | undefined;
    assert.ok(out, 'the command returned nothing: it failed (see the GridCore Trial output)');
    const { report, markdown } = out;
    assert.equal(report.stop, 'consumed');
    assert.deepEqual(new Set(report.results), new Set(Array.from({ length: 10 }, (_, i) => `${i + 1}:${(i + 1) ** 2}`)));
    assert.deepEqual(report.findings, []);
    assert.ok(report.itemsPerSecond && report.itemsPerSecond > 0);

    const lines = api.channelLines!()['GridCore Trial'] ?? [];
    const hello = lines.findIndex((l) => /^\[0\] consumer starting for gridcore-trial-/.test(l));
    const summary = lines.findIndex((l) => l.startsWith('— Trial of gridcore-e2e/trial-square:1'));
    assert.ok(lines.some((l) => l.startsWith('[build] ')), 'no build line in the trial log');
    assert.ok(hello >= 0 && summary > hello, `the container's line must come before the summary:\n${lines.slice(-20).join('\n')}`);

    // the report: a read-only markdown document
    await until('the report document', () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'gridcore-doc' && d.uri.path.startsWith('/trial/')), 20_000);
    assert.match(markdown, /items\/s from one container/);
    assert.match(markdown, /## Findings\n\nNone/);
    // the results view, on the copy (the scratch queues are gone)
    const panel = await until('the results panel of the trial', () => api.resultsPanels!().find((p) => p.queue === report.outputQueue), 20_000);
    await until('a page of results posted', () => api.resultsPanels!().find((p) => p.queue === report.outputQueue)?.posted.some((m) => m.type === 'response' && m.ok), 20_000);
    assert.match(panel.cluster, /trial/);
  });

  describe('Show Container Logs', function () {
    before(async function () {
      this.timeout(180_000);
      const cfg = vscode.workspace.getConfiguration('gridcore.localCluster');
      await cfg.update('hubPort', await freePort(), vscode.ConfigurationTarget.Global);
      await cfg.update('redisPort', await freePort(), vscode.ConfigurationTarget.Global);
      await cfg.update('parallelism', 1, vscode.ConfigurationTarget.Global);
      const context = mkdtempSync(join(tmpdir(), 'gridcore-e2e-tick-'));
      writeFileSync(join(context, 'Dockerfile'), `FROM ${BASE}\nENTRYPOINT ["/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo tick $i; sleep 1; done"]\n`);
      const api = await gridcore();
      await api.service!.images.build({ context, tag: TICK_IMAGE });
      assert.equal(await vscode.commands.executeCommand('gridcore.startLocalCluster'), 'local', 'the local cluster did not start');
    });

    after(async function () {
      this.timeout(60_000);
      await stopLocalClusterConfirmed();
      const cfg = vscode.workspace.getConfiguration('gridcore.localCluster');
      for (const k of ['hubPort', 'redisPort', 'parallelism']) await cfg.update(k, undefined, vscode.ConfigurationTarget.Global);
      await (await gridcore()).service?.profiles.remove('local').catch(() => undefined);
    });

    it('on a node of the local cluster streams its container\'s lines', async function () {
      this.timeout(120_000);
      const api = await gridcore();
      const nodes = await until('the local node', async () => {
        const list = await (await api.service!.hub('local')).listNodes();
        return list.length ? list : undefined;
      }, 30_000);
      const nodeId = nodes[0].id;
      const started = (await vscode.commands.executeCommand('gridcore.showContainerLogs', { cluster: 'local', nodeId })) as { following?: boolean } | undefined;
      assert.equal(started?.following, true);
      await api.service!.registerTask('local', { name: 'e2e-tick', image: TICK_IMAGE });
      const channel = `GridCore Containers: ${hostname()}`;
      const ticks = () => (api.channelLines!()[channel] ?? []).filter((l) => /^\[e2e-tick#0\] tick \d+$/.test(l));
      await until('a tick from the node\'s container', () => ticks().length >= 1, 60_000);
      const first = ticks().length;
      await until('more ticks while it runs', () => ticks().length >= first + 2, 30_000);
    });
  });
});

describe('Show Container Logs of a remote node', function () {
  it('says that the logs live on the node\'s machine, and how to read them there', async function () {
    this.timeout(30_000);
    const hub = await startTestHub('remote-logs-token');
    const api = await gridcore();
    await api.service!.profiles.save({ name: 'remote-logs', computehubUrl: hub.url, redisUrl: env('GRIDCORE_E2E_REDIS_URL'), token: hub.token });
    try {
      const nodeId = await hub.addNode({ hostname: 'far-away-box' });
      const { result, shown } = await answeringMessages(
        () => undefined,
        async (shown) => ({ result: (await vscode.commands.executeCommand('gridcore.showContainerLogs', { cluster: 'remote-logs', nodeId })) as { remote?: boolean } | undefined, shown }),
      );
      assert.equal(result?.remote, true);
      assert.equal(shown.length, 1);
      assert.match(shown[0].message, /far-away-box/);
      assert.match(shown[0].message, /docker logs -f/);
    } finally {
      await api.service!.profiles.remove('remote-logs');
      await hub.close();
    }
  });
});
