/**
 * CPU time of this process for the benchmarks: the comparable figure on a shared machine, where
 * wall time drifts with other jobs.
 *
 * @module
 */

/** CPU seconds (user + system) of this process, all threads, from /proc (Linux); else NaN. */
export function processCpuSeconds(): number {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields after the command: state is index 0, utime 11, stime 12 (in clock ticks, 100 Hz).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}
