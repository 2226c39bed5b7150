// Defaults for the service's settings; the editor's configuration overrides any of them.
import type { ServiceDeps, ServiceSettings } from './service-api';

export const DEFAULT_SETTINGS: ServiceSettings = {
  hubTimeoutMs: 10_000,
  redisTimeoutMs: 5_000,
  dockerTimeoutMs: 30_000,
  pushBatchSize: 1_000,
};

/** Current settings; unset, non-numeric or non-positive values fall back to the defaults. */
export function currentSettings(deps: Pick<ServiceDeps, 'settings'>): ServiceSettings {
  const given = deps.settings?.() ?? {};
  const out = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(DEFAULT_SETTINGS) as Array<keyof ServiceSettings>) {
    const v = given[key];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) out[key] = v;
  }
  return out;
}
