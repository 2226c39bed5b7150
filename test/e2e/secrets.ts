// Every token and Redis password the e2e runs hand to the extension. The secrets audit
// (secrets-audit.ts) looks for each of them in every file the runs wrote: they must live in
// SecretStorage only. Distinctive values, so a hit is never a coincidence.
export const E2E_SECRETS = {
  redisPassword: 'e2e-redis-pw-5f3a91',
  exthostToken: 'e2e-token-3141-b7c2',
  wrongToken: 'not-the-token-9d84e6',
  buildToken: 'e2e-build-token-42c1f0',
  uiToken: 'ui-e2e-token-2718-e05a',
  registryPassword: 'e2e-registry-pw-8b17d3',
  wrongRegistryPassword: 'not-the-registry-pw-61c0aa',
  restartToken: 'e2e-restart-token-7a2d59',
  restartRedisPassword: 'e2e-restart-redis-pw-c4e813',
} as const;
