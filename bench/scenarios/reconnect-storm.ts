import type { BenchOptions } from '../lib/options.js';
import type { ScenarioResult } from './scenario.js';

export async function reconnectStorm(_options: BenchOptions): Promise<ScenarioResult> {
  throw new Error('reconnect: not written yet');
}
