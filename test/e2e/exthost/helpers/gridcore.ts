// What the extension-host suites share: the extension's test API, a hub of our own with a
// fake node and tasks registered over HTTP as a GridNode and a user would, and a wait loop.
import * as vscode from 'vscode';
import type { GridCoreExtensionApi } from '../../../../src/extension';
import { startHub } from '../../../../src/local/hub/server';

export const EXTENSION_ID = 'gridcore-dev.gridcore-vscode';

export function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run these suites through test/e2e/vscode.test.ts`);
  return v;
}

export async function gridcore(): Promise<GridCoreExtensionApi> {
  const ext = vscode.extensions.getExtension<GridCoreExtensionApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

/** Replaces vscode.window.showErrorMessage while `fn` runs: a failing command awaits the
 *  user's answer to its error, so the test answers it and keeps the text. */
export async function capturingErrors<T>(fn: (errors: string[]) => Promise<T>): Promise<T> {
  const window = vscode.window as { showErrorMessage: (...a: unknown[]) => Thenable<unknown> };
  const original = window.showErrorMessage;
  const errors: string[] = [];
  window.showErrorMessage = async (message: unknown) => {
    errors.push(String(message));
    return undefined;
  };
  try {
    return await fn(errors);
  } finally {
    window.showErrorMessage = original;
  }
}

export interface ShownMessage {
  kind: 'warning' | 'information';
  message: string;
  modal: boolean;
  detail?: string;
  items: string[];
}

/** Replaces vscode.window.showWarningMessage and showInformationMessage while `fn` runs: each
 *  message is kept and answered with the item whose title `answer` returns (undefined:
 *  dismissed), as a user would click it; no notification waits for a click that never comes. */
export async function answeringMessages<T>(answer: (m: ShownMessage) => string | undefined, fn: (shown: ShownMessage[]) => Promise<T>): Promise<T> {
  type Show = (...a: unknown[]) => Thenable<unknown>;
  const window = vscode.window as unknown as Record<'showWarningMessage' | 'showInformationMessage', Show>;
  const originals = { showWarningMessage: window.showWarningMessage, showInformationMessage: window.showInformationMessage };
  const shown: ShownMessage[] = [];
  const fake = (kind: ShownMessage['kind']): Show => async (message: unknown, ...rest: unknown[]) => {
    // (message, options?, ...items): options is the one argument that is neither a string nor has a title
    const options = rest.length && typeof rest[0] === 'object' && rest[0] !== null && !('title' in rest[0]) ? (rest.shift() as vscode.MessageOptions) : undefined;
    const title = (i: unknown) => (typeof i === 'string' ? i : String((i as vscode.MessageItem).title));
    const m: ShownMessage = { kind, message: String(message), modal: !!options?.modal, detail: options?.detail, items: rest.map(title) };
    shown.push(m);
    const pick = answer(m);
    return pick === undefined ? undefined : rest.find((i) => title(i) === pick);
  };
  window.showWarningMessage = fake('warning');
  window.showInformationMessage = fake('information');
  try {
    return await fn(shown);
  } finally {
    Object.assign(window, originals);
  }
}

/** Polls `probe` (refreshing the extension first) until it returns something truthy. */
export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const api = await gridcore();
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    await api.refresh();
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const tree = api.treeItems().map((i) => `${'  '.repeat(i.depth)}${i.label} | ${i.description ?? ''} [${i.icon ?? ''}]`);
      throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}\ntree now:\n${tree.join('\n')}\nstatus bar: ${api.statusBar().text}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface TestHub {
  url: string;
  token: string;
  post(path: string, body?: unknown): Promise<Response>;
  /** Registers a node the way a GridNode does: register, then one heartbeat. */
  addNode(n: { hostname: string; architecture?: string; cpu_count?: number; status?: 'Running' | 'Idle' | 'Error'; active_containers?: number }): Promise<string>;
  close(): Promise<void>;
}

/** A hub of our own on `port` (default: any free one), as in the extension host. */
export async function startTestHub(token: string, port = 0): Promise<TestHub> {
  const hub = await startHub({ port, token });
  const post = async (path: string, body?: unknown) => {
    const res = await fetch(hub.url + path, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  return {
    url: hub.url,
    token,
    post,
    addNode: async (n) => {
      const reg = (await (await post('/gridnode/register', { hostname: n.hostname, architecture: n.architecture ?? 'x86_64', cpu_count: n.cpu_count ?? 4 })).json()) as { node_id: string };
      await post('/gridnode/heartbeat', { node_id: reg.node_id, status: n.status ?? 'Running', active_containers: n.active_containers ?? n.cpu_count ?? 4 });
      return reg.node_id;
    },
    close: () => hub.close(),
  };
}

/** A port nothing listens on now. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** A free port with nothing listening: a hub that is not running. */
export async function deadUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

/** Stop Local Cluster as a user who confirms its question (asked while the queues hold items:
 *  they survive the stop, and the user hears how many first). */
export function stopLocalClusterConfirmed(): Promise<unknown> {
  const stop = 'Stop Local Cluster';
  return answeringMessages((m) => (m.modal && m.items.includes(stop) ? stop : undefined), async () => await vscode.commands.executeCommand('gridcore.stopLocalCluster'));
}
