import type Router from '@koa/router';
import type { EngineApi, SchedulerStatus } from '../../engine/engine-api.js';
import { schedulerStatusJson } from '../serializers.js';

type Command = 'start' | 'stop' | 'pause' | 'resume';

/** Scheduler control; every command answers with the resulting status (a refused transition is 409). */
export const registerSchedulerRoutes = (router: Router, engine: EngineApi): void => {
  const commands: Readonly<Record<Command, () => SchedulerStatus>> = {
    start: () => engine.startScheduler(),
    stop: () => engine.stopScheduler(),
    pause: () => engine.pauseScheduler(),
    resume: () => engine.resumeScheduler(),
  };
  router.get('/api/scheduler/status', (ctx) => {
    ctx.body = schedulerStatusJson(engine.schedulerStatus());
  });
  for (const [name, run] of Object.entries(commands)) {
    router.post(`/api/scheduler/${name}`, (ctx) => {
      ctx.body = schedulerStatusJson(run());
    });
  }
};
