import type { LoadBalancer } from './load-balancer.js';
import { balancerPortMessage, unusableBecause } from './preflight.js';

/** Where the endpoint goes when its csdef port cannot be bound (80 needs privileges on most systems). */
const FALLBACK_PORTS_FROM = 8080;
const FALLBACK_PORTS_TRIED = 100;

/**
 * Binds the load balancer: to `forced` (--port) or fail; else the csdef port, else 8080 or the
 * next free one. Resolves to the port it listens on.
 */
export async function listenOnEndpoint(balancer: LoadBalancer, csdefPort: number, forced: number | undefined): Promise<number> {
  if (forced !== undefined) {
    try {
      return await balancer.listen(forced);
    } catch (error) {
      throw new Error(balancerPortMessage(forced, unusableBecause(error)));
    }
  }
  const candidates = [csdefPort, ...Array.from({ length: FALLBACK_PORTS_TRIED }, (_, i) => FALLBACK_PORTS_FROM + i)];
  for (const port of candidates) {
    try {
      return await balancer.listen(port);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    }
  }
  throw new Error(`emulator: ports ${csdefPort} and ${FALLBACK_PORTS_FROM}-${FALLBACK_PORTS_FROM + FALLBACK_PORTS_TRIED - 1} are all in use`);
}
