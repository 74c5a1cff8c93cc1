/**
 * CPU time used by the bench's processes, from Linux's /proc/<pid>/stat: with it a run shows which
 * process a figure was bound by (the server, or the load generator on a small machine).
 */
import { readFileSync } from 'node:fs';

/** Linux reports CPU times in clock ticks of 1/100 s (USER_HZ) on every common platform. */
const MS_PER_TICK = 10;

/** User plus system CPU time (ms) the process has used so far; NaN where /proc cannot tell. */
export function cpuTimeMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return parseCpuTimeMs(stat);
  } catch {
    return Number.NaN;
  }
}

/**
 * The user and system times of a `/proc/<pid>/stat` line (fields 14 and 15), in ms. The command
 * name (field 2) may hold spaces and parentheses, so fields are counted after its last `)`.
 */
export function parseCpuTimeMs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  return (user + system) * MS_PER_TICK;
}

/** Runs `work` and answers, beside its result, the CPU ms each named process used meanwhile. */
export async function withCpu<T>(
  pids: Record<string, number | undefined>,
  work: () => Promise<T>,
): Promise<{ result: T; cpuMs: Record<string, number> }> {
  const before = Object.entries(pids).map(([name, pid]) => [name, pid, cpuTimeMs(pid)] as const);
  const result = await work();
  const cpuMs: Record<string, number> = {};
  for (const [name, pid, start] of before) cpuMs[name] = cpuTimeMs(pid) - start;
  return { result, cpuMs };
}
