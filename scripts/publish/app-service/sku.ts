import { PublishError } from '../errors.js';

/**
 * The default plan: Premium v3's smallest size. Free and Shared have no Always On and allow one
 * instance; Basic caps WebSockets at 350 concurrent connections per instance and scales by hand
 * only; Standard and above have no WebSocket cap and autoscale. Of those, Premium v3 is the current
 * hardware generation and goes to 30 instances (Standard to 10). `--sku S1` is the other sensible
 * choice. Prices: see docs/deploy.md (no figures are written down here on purpose).
 */
export const DEFAULT_APP_SERVICE_SKU = 'P0v3';

export interface PlanSku {
  name: string;
  tier: string;
  /** Most instances the tier allows in one plan (Azure App Service limits). */
  maxInstances: number;
  /** Said once, before anything is sent, when the tier works but has a catch for a chat. */
  warning?: string;
}

const TIERS: { pattern: RegExp; tier: string; maxInstances: number; warning?: string }[] = [
  { pattern: /^B[1-3]$/, tier: 'Basic', maxInstances: 3, warning: 'Basic allows at most 350 concurrent WebSocket connections per instance and no autoscale; Standard (S1) or Premium v3 (P0v3) have no such cap' },
  { pattern: /^S[1-3]$/, tier: 'Standard', maxInstances: 10 },
  { pattern: /^P[1-3]v2$/, tier: 'PremiumV2', maxInstances: 30 },
  { pattern: /^P[0-3]v3$/, tier: 'PremiumV3', maxInstances: 30 },
  { pattern: /^P[1-5]mv3$/, tier: 'PremiumMV3', maxInstances: 30 },
];

/** `p0V3` -> `{ name: 'P0v3', tier: 'PremiumV3' }`; refuses tiers that cannot run the chat as configured. */
export function planSku(requested: string, instances: number): PlanSku {
  const name = requested.toUpperCase().replace(/MV(\d)$/, 'mv$1').replace(/V(\d)$/, 'v$1');
  if (/^(F1|D1|FREE|SHARED)$/.test(name)) {
    throw new PublishError(
      `--sku ${requested}: Free and Shared plans have no Always On, run one instance and cap WebSockets at 5 (Free) or 35 (Shared) connections`,
      `pass --sku P0v3 (the default) or --sku S1, or B1 for a small test`,
    );
  }
  const known = TIERS.find(({ pattern }) => pattern.test(name));
  if (!known) {
    throw new PublishError(
      `--sku ${requested}: not a Linux App Service plan size publish knows (B1-B3, S1-S3, P1v2-P3v2, P0v3-P3v3, P1mv3-P5mv3)`,
      'pass one of those; `az appservice list-locations --sku <name> --linux-workers-enabled` shows where a size is offered',
    );
  }
  if (instances > known.maxInstances) {
    throw new PublishError(
      `${instances} instances, but a ${known.tier} plan (${name}) allows at most ${known.maxInstances}`,
      `pass --instances ${known.maxInstances} or fewer, or a larger tier with --sku (P0v3 allows 30)`,
    );
  }
  return { name, tier: known.tier, maxInstances: known.maxInstances, ...(known.warning ? { warning: known.warning } : {}) };
}
