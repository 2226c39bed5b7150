// Where containers on Docker's default network reach this machine: the default bridge's
// gateway (docker0, 172.17.0.1 unless configured otherwise). Upstream's gridnode has no network
// setting, so its containers always sit there, and `127.0.0.1` in a task's Redis URL would be
// the container itself.
import { spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import type Docker from 'dockerode';
import { GridCoreError } from '../../core/errors';
import { l10n } from '../../core/l10n';

interface BridgeNetwork {
  IPAM?: { Config?: Array<{ Gateway?: string; Subnet?: string }> };
  Options?: Record<string, string>;
}

const IPV4 = /^\d+(\.\d+){3}$/;

/** The IPv4 address of interface `name`. Node lists only interfaces that are up and running,
 *  and docker0 is down until a container joins it; `ip` shows it in any state. */
function interfaceAddress(name: string): string | undefined {
  const listed = networkInterfaces()[name]?.find((a) => a.family === 'IPv4')?.address;
  if (listed) return listed;
  const r = spawnSync('ip', ['-4', '-o', 'addr', 'show', 'dev', name], { encoding: 'utf8', timeout: 3000 });
  return /\binet (\d+(?:\.\d+){3})\//.exec(r.stdout ?? '')?.[1];
}

/** The first host of an IPv4 subnet (Docker's default gateway choice). */
function firstHost(subnet: string | undefined): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(subnet ?? '');
  if (!m) return undefined;
  const bits = Number(m[5]);
  const base = m.slice(1, 5).reduce((n, o) => n * 256 + Number(o), 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const host = ((base & mask) >>> 0) + 1;
  return [24, 16, 8, 0].map((s) => (host >>> s) & 255).join('.');
}

/** The gateway of the engine's `bridge` network, or undefined when it has none (`--bridge=none`).
 *  The default bridge often lists no Gateway; its address is then the one of its interface
 *  (docker0) on this machine, where the local cluster's engine runs, else the subnet's first host. */
export async function bridgeGateway(docker: Docker): Promise<string | undefined> {
  let net: BridgeNetwork;
  try {
    net = (await docker.getNetwork('bridge').inspect()) as BridgeNetwork;
  } catch {
    return undefined;
  }
  const v4 = net.IPAM?.Config?.find((c) => (c.Gateway && IPV4.test(c.Gateway)) || /^\d+(\.\d+){3}\/\d+$/.test(c.Subnet ?? ''));
  if (v4?.Gateway && IPV4.test(v4.Gateway)) return v4.Gateway;
  return interfaceAddress(net.Options?.['com.docker.network.bridge.name'] ?? 'docker0') ?? firstHost(v4?.Subnet);
}

export async function requireBridgeGateway(docker: Docker): Promise<string> {
  const gateway = await bridgeGateway(docker);
  if (gateway) return gateway;
  throw new GridCoreError(
    'local',
    'noBridge',
    l10n.t("This Docker engine has no default bridge network (it runs with --bridge=none). Upstream's gridnode starts its containers on that network, so they could not reach the cluster's Redis. Run the engine with its default bridge, or use the built-in node (clear the gridcore.localCluster.gridnodePath setting)."),
  );
}
