import type { BenchOptions } from '../lib/options.js';
import type { Comparison } from '../lib/report.js';

export interface ScenarioResult {
  comparisons: Comparison[];
  /** What the table cannot say: sizes, failures, generator CPU, which fallback was used. */
  notes: string[];
}

export type Scenario = (options: BenchOptions) => Promise<ScenarioResult>;

export const KIB = 1024;

/** The load generator's CPU as a share of one core over a phase: near 100% means it, not the server, set the pace. */
export function generatorShare(cpuMs: number, seconds: number): string {
  return `${Math.round(cpuMs / 10 / Math.max(seconds, 0.001))}%`;
}
