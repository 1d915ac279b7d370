import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queue } from 'bullmq';
import { OVERDUE_GRACE_MS } from '../compliance/compliance-report.js';
import { noticeCounts } from '../notices/notice-repository.js';
import { DELIVERY_ALARMS, type DeliveryAlarms } from '../delivery/delivery-alarms.js';
import { deliveryHealth } from '../delivery/delivery-repository.js';
import type { Db } from '../storage/database.js';

/**
 * Prometheus metrics. Counts of notices come from the database at each scrape (the record,
 * the same from every process); latencies are observed where they happen.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'driftstopp_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly deliveryLatency = new Histogram({
    name: 'driftstopp_delivery_latency_seconds',
    help: 'From a notice’s due instant to its acceptance by the SMTP server or CMS, per channel',
    labelNames: ['channel'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 1800],
    registers: [this.registry],
  });
  readonly deliveriesFinished = new Counter({
    name: 'driftstopp_deliveries_total',
    help: 'Deliveries finished by this process, by channel and outcome',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly deliveryFailures = new Counter({
    name: 'driftstopp_delivery_failures_total',
    help: 'Failed delivery attempts in this process, by channel and kind: transient (retried), permanent (failed at once), programming (the batch ends)',
    labelNames: ['channel', 'kind'] as const,
    registers: [this.registry],
  });

  constructor(options: { db?: Db; defaultMetrics?: boolean; alarms?: DeliveryAlarms } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'driftstopp_' });
    const { db } = options;
    if (db) {
      new Gauge({
        name: 'driftstopp_notices',
        help: 'Notices by status; "late" sent after the rule\'s deadline; "overdue" pending over 5 minutes past due',
        labelNames: ['status'] as const,
        registers: [this.registry],
        async collect() {
          const counts = await noticeCounts(db, new Date(), OVERDUE_GRACE_MS);
          this.reset();
          for (const [status, n] of counts) this.set({ status }, n);
        },
      });
      const alarms = options.alarms ?? DELIVERY_ALARMS;
      new Gauge({
        name: 'driftstopp_deliveries',
        help: 'Deliveries not going out: "pending" and "sending" now; "retrying" failing for over 15 minutes; "stalled" claimed by a worker that stopped renewing its claim over a minute ago; "failed" for good, of windows that have not ended',
        labelNames: ['status'] as const,
        registers: [this.registry],
        async collect() {
          const health = await deliveryHealth(db, new Date(), alarms);
          this.reset();
          for (const [status, n] of Object.entries(health)) this.set({ status }, n);
        },
      });
    }
  }

  /** Queue depths, read from Redis at each scrape. */
  watchQueues(queues: Record<string, Queue>): void {
    new Gauge({
      name: 'driftstopp_queue_jobs',
      help: 'BullMQ jobs by queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [name, queue] of Object.entries(queues)) {
          const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
          for (const [state, n] of Object.entries(counts)) this.set({ queue: name, state }, n);
        }
      },
    });
  }
}
