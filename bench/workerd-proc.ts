/** workerd's CPU time and memory from /proc, for the Worker benches (Linux; elsewhere their columns stay empty). */
import { readdir, readFile } from "node:fs/promises";

// Linux's USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on every mainstream build).
export const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcSample {
  /** CPU ticks (user + system) of every workerd process under this one (Miniflare spawns workerd as a child). */
  workerdTicks: number;
  workerdRssMiB: number;
  /** Machine-wide busy ticks (everything but idle and iowait, steal included), from /proc/stat. */
  machineBusyTicks: number;
}

/** A /proc snapshot; undefined where there is no /proc (not Linux), and the columns stay empty. */
export async function sampleProc(): Promise<ProcSample | undefined> {
  try {
    const procs = new Map<number, { ppid: number; comm: string; ticks: number; rssPages: number }>();
    for (const entry of await readdir("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
      const close = stat.lastIndexOf(")");
      if (close < 0) continue;
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const fields = stat.slice(close + 2).split(" "); // fields[0] is field 3 of proc(5): state
      procs.set(Number(entry), { ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]), rssPages: Number(fields[21]) });
    }
    const descends = (pid: number): boolean => {
      for (let p = procs.get(pid)?.ppid; p !== undefined && p > 1; p = procs.get(p)?.ppid) if (p === process.pid) return true;
      return false;
    };
    let workerdTicks = 0;
    let rssPages = 0;
    let found = false;
    for (const [pid, p] of procs) {
      if (p.comm.startsWith("workerd") && descends(pid)) {
        workerdTicks += p.ticks;
        rssPages += p.rssPages;
        found = true;
      }
    }
    const cpu = (await readFile("/proc/stat", "utf8")).split("\n")[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    const busy = cpu.reduce((a, b) => a + b, 0) - (cpu[3] ?? 0) - (cpu[4] ?? 0);
    if (!found) return undefined;
    return { workerdTicks, workerdRssMiB: (rssPages * 4096) / 1024 ** 2, machineBusyTicks: busy };
  } catch {
    return undefined;
  }
}

