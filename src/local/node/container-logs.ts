// "Show Container Logs" of a node on this machine: follows every container of the node, the
// running ones from their last lines and each new one (a restart, a task switch) from its
// first, through Docker's event stream rather than polling. Lines carry the container's task
// and instance, Redis URLs masked.
import type Docker from 'dockerode';
import { nodeContainerOf } from '../../core/docker/container-names';
import { maskContainerText } from '../../core/docker/containers';
import { demuxLines } from '../../core/docker/log-lines';

export interface ContainerLogFollower {
  /** containers followed so far */
  readonly followed: number;
  dispose(): void;
}

export interface FollowOptions {
  /** lines of an already running container shown first (default 50) */
  tail?: number;
  secrets?: string[];
  /** a container started, exited, or could not be followed (already prefixed) */
  onNote?(line: string): void;
}

/** `[task#instance]`, from our labels or upstream's idm-<task>-<node>-<n> name. */
function prefixOf(name: string, labels: Record<string, string> | undefined, nodeId: string): string {
  const who = nodeContainerOf({ Labels: labels, Names: [name] }, [nodeId]);
  return who ? `[${who.task}#${who.instance}]` : `[${name.replace(/^\//, '')}]`;
}

export async function followNodeContainers(docker: Docker, nodeId: string, onLine: (line: string) => void, o: FollowOptions = {}): Promise<ContainerLogFollower> {
  const streams = new Set<NodeJS.ReadableStream & { destroy?(): void }>();
  const following = new Set<string>();
  const names = new Map<string, string>();
  let disposed = false;
  const note = (line: string) => (o.onNote ?? onLine)(line);

  const follow = async (id: string, name: string, labels: Record<string, string> | undefined, tail: number | undefined) => {
    if (disposed || following.has(id)) return;
    following.add(id);
    const prefix = prefixOf(name, labels, nodeId);
    names.set(id, prefix);
    try {
      const stream = (await docker.getContainer(id).logs({ follow: true, stdout: true, stderr: true, ...(tail !== undefined ? { tail } : {}) })) as unknown as NodeJS.ReadableStream & { destroy?(): void };
      if (disposed) return stream.destroy?.();
      streams.add(stream);
      void demuxLines(stream, (line, kind) => onLine(`${prefix}${kind === 'err' ? ' stderr' : ''} ${maskContainerText(line, o.secrets ?? [])}`)).then(() => streams.delete(stream));
    } catch (e) {
      note(`${prefix} ${(e as Error).message}`);
    }
  };

  // Events first, then the list: a container started in between is seen by one or the other
  // (follow() ignores the second sighting).
  const events = (await docker.getEvents({ filters: { type: ['container'], event: ['start', 'die'] } })) as unknown as NodeJS.ReadableStream & { destroy?(): void };
  streams.add(events);
  let pending = '';
  events.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const raw = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let ev: { status?: string; Action?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
      try {
        ev = JSON.parse(raw);
      } catch {
        continue;
      }
      const id = ev.Actor?.ID ?? ev.id;
      const attrs = ev.Actor?.Attributes ?? {};
      const name = attrs.name ?? '';
      if (!id || !nodeContainerOf({ Labels: attrs, Names: [name] }, [nodeId])) continue;
      const action = ev.Action ?? ev.status;
      if (action === 'start') {
        note(`${prefixOf(name, attrs, nodeId)} ── started (${id.slice(0, 12)})`);
        void follow(id, name, attrs, undefined);
      } else if (action === 'die') {
        note(`${names.get(id) ?? prefixOf(name, attrs, nodeId)} ── exited with code ${attrs.exitCode ?? '?'}`);
      }
    }
  });

  for (const c of await docker.listContainers({ all: false })) {
    if (nodeContainerOf(c, [nodeId])) await follow(c.Id, c.Names[0] ?? c.Id, c.Labels, o.tail ?? 50);
  }

  return {
    get followed() {
      return following.size;
    },
    dispose() {
      disposed = true;
      for (const s of streams) s.destroy?.();
      streams.clear();
    },
  };
}
