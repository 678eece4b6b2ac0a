import { TENANT_BASE_CURRENCY, type TrueEvent } from './shop-dataset.js';

/**
 * The test's own aggregation, written from DESIGN.md's definitions and independent of the
 * aggregator's code: per (tenant, granularity, UTC window, dimension) the sums, the distinct sets
 * behind `orders`, and exact sets for the metrics Pulse sketches.
 */
export interface ReferenceRow {
  sums: Record<string, number>;
  orders: Set<string>;
  distinct: Record<string, Set<string>>;
}

const SIZES = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
const COUNT_OF: Record<TrueEvent['type'], string> = {
  page_view: 'page_views',
  product_view: 'product_views',
  add_to_cart: 'add_to_cart',
  checkout: 'checkouts',
  purchase: 'purchases',
  refund: 'refunds',
};
const STAGE_OF: Partial<Record<TrueEvent['type'], string>> = {
  product_view: 'funnel_viewed',
  add_to_cart: 'funnel_added',
  checkout: 'funnel_checked_out',
  purchase: 'funnel_purchased',
};

function decimal(text: string): { num: bigint; den: bigint } {
  const [whole, fraction = ''] = text.split('.');
  return { num: BigInt(whole + fraction), den: 10n ** BigInt(fraction.length) };
}

/** amount (minor units of `from`) in minor units of `to`, through the table's quote, half up. */
export function convert(amountMinor: number, from: string, to: string, rates: Record<string, string>): number {
  if (from === to) return amountMinor;
  const a = decimal(rates[from]);
  const b = decimal(rates[to]);
  const num = BigInt(amountMinor) * a.num * b.den;
  const den = a.den * b.num;
  return Number((2n * num + den) / (2n * den));
}

export function referenceRows(events: Iterable<TrueEvent>, rates: Record<string, string>): Map<string, ReferenceRow> {
  const rows = new Map<string, ReferenceRow>();
  for (const event of events) {
    const dimensions = ['all', `country:${event.country}`, `channel:${event.channel}`];
    if (event.productId) dimensions.push(`product:${event.productId}`, `category:${event.category}`);
    const amount =
      event.priceMinor === undefined
        ? 0
        : convert(
            event.priceMinor * (event.quantity ?? 1),
            event.currency ?? '',
            TENANT_BASE_CURRENCY[event.tenant],
            rates,
          );
    for (const [granularity, size] of Object.entries(SIZES)) {
      const start = Math.floor(event.occurredAt / size) * size;
      for (const dimension of dimensions) {
        const key = `${event.tenant}|${granularity}|${start}|${dimension}`;
        let row = rows.get(key);
        if (!row) {
          row = { sums: {}, orders: new Set(), distinct: {} };
          rows.set(key, row);
        }
        const add = (metric: string, value: number) => (row.sums[metric] = (row.sums[metric] ?? 0) + value);
        const note = (metric: string, value: string) => (row.distinct[metric] ??= new Set()).add(value);
        add('events', 1);
        add(COUNT_OF[event.type], 1);
        if (event.type === 'purchase') {
          add('units', event.quantity ?? 1);
          add('revenue', amount);
          if (event.orderId) row.orders.add(event.orderId);
        }
        if (event.type === 'refund') add('refund_amount', amount);
        note('unique_users', event.user);
        note('unique_sessions', event.session);
        const stage = STAGE_OF[event.type];
        if (stage) note(stage, event.session);
      }
    }
  }
  for (const row of rows.values()) row.sums.orders = row.orders.size;
  return rows;
}
