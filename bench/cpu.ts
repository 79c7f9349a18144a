import { existsSync, readFileSync } from 'node:fs';

/** How `mainThreadCpuMs` reads the clock on this machine. */
export type CpuClockSource = 'process.threadCpuUsage' | '/proc/thread-self/schedstat' | 'process.cpuUsage';

type ThreadCpuUsage = () => { user: number; system: number };
const threadCpuUsage = (process as { threadCpuUsage?: ThreadCpuUsage }).threadCpuUsage;

// Node 23.9+ reads the calling thread's CPU time itself. Node 20 cannot, but Linux can: the first
// field of /proc/thread-self/schedstat is the calling thread's time on a CPU, in ns (the open runs
// on the thread that calls readFileSync, here the main thread). It is brought up to date when the
// thread is switched out, so read after the event loop has slept (as the benchmark's window
// boundaries are) it is exact to a few µs. process.cpuUsage() is the last resort: it adds V8's
// helper threads (concurrent GC, compilers) to the main thread.
const SCHEDSTAT = '/proc/thread-self/schedstat';

/** Where the CPU time comes from. */
export const cpuClockSource: CpuClockSource =
  typeof threadCpuUsage === 'function' ? 'process.threadCpuUsage'
  : existsSync(SCHEDSTAT) && Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) > 0 ? '/proc/thread-self/schedstat'
  : 'process.cpuUsage';

/** CPU time the main thread has used so far, ms: time on a CPU, not wall time, so other processes do not count. */
export function mainThreadCpuMs(): number {
  switch (cpuClockSource) {
    case 'process.threadCpuUsage': {
      const { user, system } = threadCpuUsage!();
      return (user + system) / 1000;
    }
    case '/proc/thread-self/schedstat':
      return Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6;
    case 'process.cpuUsage': {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    }
  }
}

/**
 * Time the main thread spent ready but waiting for a CPU, ms (the second field of schedstat): how
 * busy the machine was. Undefined where schedstat is not available.
 */
export function mainThreadWaitMs(): number | undefined {
  if (!existsSync(SCHEDSTAT)) return undefined;
  return Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[1]) / 1e6;
}
