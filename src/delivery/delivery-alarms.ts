const MINUTE = 60 * 1000;

/**
 * When a delivery that is not going out becomes worth telling an operator about. /readyz,
 * the metrics and the compliance report use the same limits, so they agree.
 */
export const DELIVERY_ALARMS = Object.freeze({
  /** A delivery failing and retried this long is more than a blip (a mail server restarting). */
  retryingAfterMs: 15 * MINUTE,
  /**
   * A claim not renewed this long: its worker died or hangs. Live workers renew their claims
   * every tenth of the takeover time (12 s of 2 minutes), so a minute is five missed beats.
   */
  stalledAfterMs: MINUTE,
});

export type DeliveryAlarms = typeof DELIVERY_ALARMS;
