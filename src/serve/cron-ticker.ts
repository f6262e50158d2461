import { Cron } from "croner";
import type { Miniflare } from "miniflare";

/**
 * Fires the Worker's scheduled() handler at the start of every minute its Cron Triggers
 * (wrangler.toml [triggers]) match, in UTC as Cloudflare does: schedules run under `serve` as
 * they do when deployed. A failed tick is reported and the next minute tries again.
 */
export function startCronTicker(mf: Miniflare, crons: string[], report: (line: string) => void): () => void {
  const triggers = crons.map((expression) => ({ expression, cron: new Cron(expression, { timezone: "UTC", paused: true }) }));
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    const next = Math.floor(Date.now() / 60_000) * 60_000 + 60_000;
    timer = setTimeout(() => void tick(next).finally(schedule), next - Date.now());
  };
  const tick = async (minute: number) => {
    const worker = await mf.getWorker();
    for (const { expression, cron } of triggers) {
      if (!cron.match(new Date(minute))) continue;
      await worker.scheduled({ cron: expression, scheduledTime: new Date(minute) }).catch((error: Error) => report(`Ratchet: scheduled event ${expression} failed: ${error.message}`));
    }
  };
  if (triggers.length > 0) schedule();
  return () => clearTimeout(timer);
}
