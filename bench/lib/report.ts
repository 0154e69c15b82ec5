/** One measured quantity of a scenario: per run, the baseline's and chatapp's values. */
export interface Comparison {
  scenario: string;
  metric: string;
  baseline: number[];
  chatapp: number[];
  /** Digits after the point when printing values. */
  digits: number;
  /** The target, as text (e.g. "≤ 1.5×"). */
  target: string;
}

/** A comparison with no values yet. */
export function comparison(scenario: string, metric: string, digits: number, target = '-'): Comparison {
  return { scenario, metric, baseline: [], chatapp: [], digits, target };
}

export interface Row {
  scenario: string;
  metric: string;
  baseline: string;
  chatapp: string;
  'ratio (spread)': string;
  target: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** "median (min-max)" over the runs, or "median" for a single run. */
function spread(values: number[], digits: number): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return 'n/a';
  const m = median(finite).toFixed(digits);
  if (finite.length === 1) return m;
  return `${m} (${Math.min(...finite).toFixed(digits)}-${Math.max(...finite).toFixed(digits)})`;
}

/** The ratio chatapp / baseline is taken run by run (the two ran back to back), then summarised. */
export function toRow(comparison: Comparison): Row {
  const ratios = comparison.chatapp.map((value, run) => value / (comparison.baseline[run] ?? Number.NaN));
  return {
    scenario: comparison.scenario,
    metric: comparison.metric,
    baseline: comparison.baseline.length === 0 ? 'none' : spread(comparison.baseline, comparison.digits),
    chatapp: spread(comparison.chatapp, comparison.digits),
    'ratio (spread)': comparison.baseline.length === 0 ? '-' : `${spread(ratios, 2)}×`,
    target: comparison.target,
  };
}

export function printTable(comparisons: Comparison[], notes: string[]): void {
  console.log('');
  console.table(comparisons.map(toRow));
  for (const note of notes) console.log(`  - ${note}`);
}
