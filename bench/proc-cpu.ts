/**
 * CPU time from Linux's /proc, for the benchmarks: the machine's, a process's, a thread's, and every
 * PostgreSQL process's. Milliseconds; null (or 0 for a process gone) where /proc is missing.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

function readOr(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** utime + stime (ms) of a /proc stat line: fields 14 and 15, counted after the command's closing parenthesis. */
function statCpuMs(stat: string): number {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
}

/** Busy and total CPU time of the machine so far (all cores). */
export function machineCpuMs(): { busy: number; total: number } | null {
  const line = readOr('/proc/stat')?.split('\n', 1)[0];
  if (!line) return null;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const total = f.slice(0, 8).reduce((x, y) => x + y, 0);
  const idle = f[3]! + f[4]!;
  return { busy: (total - idle) * TICK_MS, total: total * TICK_MS };
}

/** CPU time of a process so far, all its threads; 0 once it is gone. */
export function processCpuMs(pid: number): number {
  const stat = readOr(`/proc/${pid}/stat`);
  return stat === null ? 0 : statCpuMs(stat);
}

/** CPU time of each thread of this process so far, by kernel thread id (the main thread's is the pid). */
export function ownThreadsCpuMs(): Map<number, number> | null {
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return null;
  }
  const out = new Map<number, number>();
  for (const t of tasks) {
    const stat = readOr(`/proc/self/task/${t}/stat`);
    if (stat !== null) out.set(Number(t), statCpuMs(stat));
  }
  return out;
}

/**
 * CPU time of every live process named postgres on the machine (the database's share; a backend
 * that exits takes its time with it, the platform's pool keeps its backends).
 */
export function postgresCpuMs(): number {
  let total = 0;
  for (const p of readdirSync('/proc')) {
    if (/^\d+$/.test(p) && readOr(`/proc/${p}/comm`)?.trim() === 'postgres') total += processCpuMs(Number(p));
  }
  return total;
}
