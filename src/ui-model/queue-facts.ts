// A task's queue counts for Finish's confirmation (the command and the chat/MCP tool: one source
// for both) and Task Details: the input and output lengths, the input's failed list and, when
// asked, the items in reliable consumers' processing lists, in one Redis round trip. A Redis that does
// not answer leaves the counts out (the confirmation then says nothing of them, never a guess).
import { itemsIn } from '../core/inflight';
import type { GridCoreService } from '../core/service-api';

export interface QueueFacts {
  input?: number;
  output?: number;
  failed?: number;
  inputQueue?: string;
  inFlight?: { items: number; lists: number };
}

export async function queueFacts(
  service: GridCoreService,
  cluster: string,
  q: { input?: string; output?: string },
  warn: (message: string) => void,
  opts: { inFlight?: boolean } = {},
): Promise<QueueFacts> {
  const names = [q.input, q.output].filter((n): n is string => !!n);
  if (!names.length) return {};
  try {
    const inputs = q.input ? [q.input] : [];
    const p = await (await service.queues(cluster)).probe(names, opts.inFlight ? inputs : [], inputs);
    const lists = (q.input ? p.inFlight?.[q.input] ?? [] : []).filter((l) => l.length > 0);
    return {
      input: q.input ? p.lengths[q.input] : undefined,
      output: q.output ? p.lengths[q.output] : undefined,
      failed: q.input ? p.failed?.[q.input] : undefined,
      inputQueue: q.input,
      inFlight: opts.inFlight && q.input && p.inFlight ? { items: itemsIn(lists), lists: lists.length } : undefined,
    };
  } catch (e) {
    warn(`queue lengths on ${cluster}: ${e instanceof Error ? e.message : String(e)}`);
    return { inputQueue: q.input };
  }
}
