/**
 * Node's flags among `execArgv` that profile a process (`--cpu-prof`, `--heap-prof` and their
 * `-dir`, `-name`, `-interval` options, as `--flag=value` or `--flag value`), so that an emulator
 * started under a profiler profiles its instances too (`node --cpu-prof --cpu-prof-dir DIR
 * scripts/emulator/compiled.mjs`): a cluster worker inherits none of its primary's flags here,
 * since the primary's loader flags (tsx) must not reach compiled JavaScript.
 */
const PROFILING_FLAG = /^--(cpu|heap)-prof(-(dir|name|interval))?(=.*)?$/;
const TAKES_VALUE = /^--(cpu|heap)-prof-(dir|name|interval)$/;

export function profilingFlags(execArgv: readonly string[]): string[] {
  const flags: string[] = [];
  for (let index = 0; index < execArgv.length; index += 1) {
    const flag = execArgv[index]!;
    if (!PROFILING_FLAG.test(flag)) continue;
    flags.push(flag);
    if (TAKES_VALUE.test(flag) && index + 1 < execArgv.length) flags.push(execArgv[++index]!);
  }
  return flags;
}
