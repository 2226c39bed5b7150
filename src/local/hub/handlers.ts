// One function per upstream route. Request shapes are upstream's serde structs, so the
// same bodies are accepted and rejected with the same texts.

import type { HeartbeatRequest, NodeRegisterRequest, RegisterTaskRequest } from '../../core/types';
import type { Logger } from '../../core/ports';
import { l10n } from '../../core/l10n';
import { decodeJsonBody, tooLarge, type StructSchema, type Decoded } from './axum-json';
import { reply, type RequestContext, type Reply, type RouteDef } from './http';
import { NodeRegistry, platformOf } from './nodes';
import { TaskList } from './tasks';

const optString = { kind: 'option', inner: { kind: 'string' } } as const;

const createTaskSchema: StructSchema = {
  name: 'CreateTaskRequest',
  fields: [
    { name: 'name', type: { kind: 'string' } },
    { name: 'image', type: optString },
    { name: 'images', type: { kind: 'option', inner: { kind: 'stringMap' } } },
    { name: 'input_redis', type: optString },
    { name: 'output_redis', type: optString },
    { name: 'input_queue', type: optString },
    { name: 'output_queue', type: optString },
  ],
};

const registerNodeSchema: StructSchema = {
  name: 'RegisterNodeRequest',
  fields: [
    { name: 'node_id', type: optString },
    { name: 'hostname', type: { kind: 'string' } },
    { name: 'architecture', type: { kind: 'string' } },
    { name: 'cpu_count', type: { kind: 'u32' } },
  ],
};

const heartbeatSchema: StructSchema = {
  name: 'HeartbeatRequest',
  fields: [
    { name: 'node_id', type: { kind: 'string' } },
    { name: 'status', type: { kind: 'enum', name: 'NodeRuntimeStatus', variants: ['Running', 'Idle', 'Error'] } },
    { name: 'active_containers', type: { kind: 'u32' } },
  ],
};

export const STOP_FALSE = Buffer.from('{"stop_requested":false}');
export const STOP_TRUE = Buffer.from('{"stop_requested":true}');

// What a GridNode sends every heartbeat, byte for byte (serde's field order, no spaces, an
// ASCII node id without escapes). A body of exactly this form decodes the same through the
// full serde-shaped parser, so it skips that parser; anything else takes the full path.
const CANONICAL_HEARTBEAT = /^\{"node_id":"([\x20\x21\x23-\x5b\x5d-\x7e]*)","status":"(Running|Idle|Error)","active_containers":(0|[1-9][0-9]{0,9})\}$/;

function canonicalHeartbeat(ctx: RequestContext, bytes: Buffer): HeartbeatRequest | undefined {
  return canonicalHeartbeatBody(ctx.headers['content-type'], bytes);
}

/** The heartbeat in `bytes` when it has exactly the form a GridNode sends, else undefined
 *  (then the full parser decides, with serde's errors). */
export function canonicalHeartbeatBody(contentType: string | undefined, bytes: Buffer): HeartbeatRequest | undefined {
  if (contentType !== 'application/json' || bytes.length > 512) return undefined;
  const m = CANONICAL_HEARTBEAT.exec(bytes.toString('latin1'));
  if (!m) return undefined;
  const active = Number(m[3]);
  if (active > 4294967295) return undefined;
  return { node_id: m[1], status: m[2] as HeartbeatRequest['status'], active_containers: active };
}

async function body<T>(ctx: RequestContext, schema: StructSchema, fast?: (ctx: RequestContext, bytes: Buffer) => T | undefined): Promise<Decoded<T>> {
  const ct = ctx.headers['content-type'];
  const bytes = await ctx.readBody();
  const quick = bytes && fast?.(ctx, bytes);
  if (quick) return { ok: true, value: quick };
  const decoded = decodeJsonBody<T>(ct, bytes ?? Buffer.alloc(0), schema);
  // axum checks the content type before it buffers the body.
  if (!bytes && decoded.ok === false && decoded.rejection.status === 415) return decoded;
  if (!bytes) return { ok: false, rejection: tooLarge };
  return decoded;
}

function rejected(d: Decoded<unknown> & { ok: false }): Reply {
  return reply(d.rejection.status, { text: d.rejection.text });
}

export interface HubState {
  tasks: TaskList;
  nodes: NodeRegistry;
  logger: Logger;
}

export function routes(s: HubState): RouteDef[] {
  const { tasks, nodes, logger } = s;
  return [
    { path: '/health', public: true, methods: [['GET', () => reply(200, { text: 'OK' })]] },
    {
      path: '/api/tasks',
      methods: [
        [
          'POST',
          async (ctx) => {
            const d = await body<RegisterTaskRequest>(ctx, createTaskSchema);
            if (!d.ok) return rejected(d);
            tasks.add(d.value);
            logger.info(l10n.t("Task '{name}' registered", { name: d.value.name }));
            return reply(201);
          },
        ],
        ['GET', () => reply(200, { json: tasks.listJson() })],
      ],
    },
    {
      path: '/api/tasks/finish',
      methods: [
        [
          'POST',
          () => {
            const r = tasks.finish();
            if (!r) return reply(400, { text: 'No current task running' });
            logger.info(l10n.t("Task '{name}' completed", { name: r.completed }));
            return reply(200, { json: JSON.stringify(r) });
          },
        ],
      ],
    },
    {
      path: '/api/tasks/next',
      methods: [
        [
          'POST',
          () => {
            const r = tasks.next();
            if (!r) return reply(400, { text: 'No more tasks available' });
            return reply(200, { json: JSON.stringify(r) });
          },
        ],
      ],
    },
    { path: '/api/nodes', methods: [['GET', () => reply(200, { json: nodes.listJson() })]] },
    {
      path: '/api/nodes/{id}/stop',
      methods: [
        [
          'POST',
          (ctx) => {
            const id = ctx.params.id;
            if (!nodes.requestStop(id)) return reply(404, { text: `Node ${id} not found` });
            logger.info(l10n.t("Stop requested for node '{id}'", { id }));
            return reply(200);
          },
        ],
      ],
    },
    {
      path: '/gridnode/register',
      methods: [
        [
          'POST',
          async (ctx) => {
            const d = await body<NodeRegisterRequest>(ctx, registerNodeSchema);
            if (!d.ok) return rejected(d);
            const id = nodes.register(d.value);
            logger.info(l10n.t("Node '{id}' registered with {cpus} CPUs", { id, cpus: d.value.cpu_count }));
            const current = tasks.configJson(platformOf(d.value.architecture));
            // RegisterNodeResponse field order: node_id, current_task.
            return reply(200, { json: `{"node_id":${JSON.stringify(id)},"current_task":${current}}` });
          },
        ],
      ],
    },
    {
      path: '/gridnode/heartbeat',
      methods: [
        [
          'POST',
          async (ctx) => {
            const d = await body<HeartbeatRequest>(ctx, heartbeatSchema, canonicalHeartbeat);
            if (!d.ok) return rejected(d);
            return reply(200, { json: nodes.heartbeat(d.value) ? STOP_TRUE : STOP_FALSE });
          },
        ],
      ],
    },
    {
      path: '/gridnode/task',
      methods: [['GET', (ctx) => reply(200, { json: tasks.configJson(ctx.query.get('platform') ?? 'linux/amd64') })]],
    },
  ];
}
