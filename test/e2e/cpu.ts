/** The CPU time of the browser a test drives (Linux /proc). */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system) used so far by the Chromium processes this test process
 * started (the browser, its renderers with their workers, the GPU process), read from
 * /proc: on a shared machine the CPU time a page costs, unlike its wall time, does not
 * grow with the other programs' load. Undefined where /proc is missing.
 */
export function chromiumCpuSeconds(): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  const isChromium = new Map<number, boolean>();
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces), counted from field 3.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(e);
      parent.set(pid, Number(rest[1]));
      cpu.set(pid, Number(rest[11]) + Number(rest[12]));
      isChromium.set(pid, /chrom/i.test(stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))));
    } catch {
      /* the process ended meanwhile */
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  let ticks = 0;
  for (const [pid, t] of cpu) if (isChromium.get(pid) && descends(pid)) ticks += t;
  // USER_HZ is 100 on Linux.
  return ticks / 100;
}
