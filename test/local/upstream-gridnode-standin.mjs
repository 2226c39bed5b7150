// Stands in for upstream's `gridnode` binary where its behaviour decides whether a task runs:
// it reads no arguments, finds gridnode.toml through IDM_GRIDCORE_CONFIG, and rewrites the
// file from its own settings only (server_url, token, node_id, parallelism, heartbeat_interval,
// stop_timeout, container_memory; defaults written out; unknown keys such as network_mode
// dropped), as upstream does when it writes node_id back. The wrapper then runs our node on
// that file with `--lifecycle upstream`: upstream's container lifecycle, defects included
// (containers never restarted within a task, a stop request that leaves running containers,
// Docker's default network, no labels, a task poll every 10 s; see computehub-api.md,
// "How the upstream GridNode behaves").
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parse, stringify } from 'smol-toml';

const file = process.env.IDM_GRIDCORE_CONFIG;
if (!file) {
  console.error('Error: no config (the stand-in, like upstream, reads IDM_GRIDCORE_CONFIG only)');
  process.exit(1);
}
const doc = parse(readFileSync(file, 'utf8'));
const kept = {
  server_url: doc.server_url,
  token: doc.token,
  ...(doc.node_id === undefined ? {} : { node_id: doc.node_id }),
  parallelism: doc.parallelism ?? cpus().length,
  heartbeat_interval: doc.heartbeat_interval ?? 30,
  stop_timeout: doc.stop_timeout ?? 30,
  container_memory: doc.container_memory ?? 1024,
};
writeFileSync(file, stringify(kept) + '\n');
