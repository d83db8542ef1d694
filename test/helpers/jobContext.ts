/** A JobContext for running worker jobs in Node: counts progress, and can cancel after N pauses. */
import { Cancelled, type JobContext } from '../../src/jobs/jobs.ts';

export function jobContext(cancelAfter = Infinity): JobContext & { progressCount: number } {
  let pauses = 0;
  const ctx = {
    progressCount: 0,
    progress() {
      ctx.progressCount++;
    },
    async pause() {
      if (++pauses > cancelAfter) throw new Cancelled('superseded');
    },
  };
  return ctx;
}
