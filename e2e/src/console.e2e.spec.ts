import { MetricsClient } from '@pulse/client';
import { proto } from '@pulse/contracts';
import {
  ensureChromium,
  ensureLocalSecrets,
  freePort,
  LocalPlatform,
  portsWithOffset,
  PrivateNats,
  sharedCassandraEnv,
  workspaceRoot,
} from '@pulse/testing';

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

// The web console in headless Chromium against the whole platform (every service a process, own
// NATS, the shared Cassandra): three hours of a small shop's minutes with one spike are sent through
// the gateway; the page must show them, follow new events live, and show the alert the forecast
// service's watcher raises for the spike.
const MINUTE = 60_000;
const TENANT = 'console';
const HISTORY_MINUTES = 180;
const SPIKE_MINUTES_AGO = 20;
const LATENESS_MS = 120_000;
const ARTIFACT = join(workspaceRoot, '.run/artifacts/console.png');

interface ShopEvent {
  event_id: string;
  type: string;
  occurred_at: number;
  user_id: string;
  session_id: string;
  product_id?: string;
  category?: string;
  price?: string;
  quantity?: number;
  currency?: string;
  order_id?: string;
  country: string;
}

const PRODUCTS = [
  { id: 'SKU-1', category: 'kitchen' },
  { id: 'SKU-2', category: 'kitchen' },
  { id: 'SKU-3', category: 'garden' },
];
const COUNTRIES = ['GB', 'DE', 'FR'];

/** One minute of the shop: views, carts, checkouts and 4–6 one-line orders (×8 in the spike minute). */
function minuteOfShop(minute: number, tag: string, spike: boolean): ShopEvent[] {
  const events: ShopEvent[] = [];
  const orders = (spike ? 8 : 1) * (4 + (Math.floor(minute / MINUTE) % 3));
  for (let i = 0; i < Math.max(orders, 6); i += 1) {
    const product = PRODUCTS[i % PRODUCTS.length];
    const base = {
      user_id: `u-${tag}-${i}`,
      session_id: `s-${tag}-${i}`,
      country: COUNTRIES[i % COUNTRIES.length],
      product_id: product.id,
      category: product.category,
    };
    const at = (second: number) => minute + second * 1000 + i * 100;
    events.push({ ...base, event_id: `${tag}-${i}-view`, type: 'product_view', occurred_at: at(5) });
    if (i < orders) {
      events.push({ ...base, event_id: `${tag}-${i}-cart`, type: 'add_to_cart', occurred_at: at(15) });
      events.push({ ...base, event_id: `${tag}-${i}-checkout`, type: 'checkout', occurred_at: at(25) });
      // Prices 9.00–11.00 GBP, so revenue has some noise for the forecast intervals.
      const pence = 900 + ((Math.floor(minute / MINUTE) * 7 + i * 13) % 201);
      events.push({
        ...base,
        event_id: `${tag}-${i}-buy`,
        type: 'purchase',
        occurred_at: at(35),
        price: (pence / 100).toFixed(2),
        quantity: 1,
        currency: 'GBP',
        order_id: `o-${tag}-${i}`,
      });
    }
  }
  return events;
}

const revenueOf = (events: ShopEvent[]) =>
  events
    .filter((e) => e.type === 'purchase')
    .reduce((sum, e) => sum + Math.round(Number(e.price) * 100) * (e.quantity ?? 1), 0);

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

const moneyText = (minor: number) =>
  new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(minor / 100);

describe('web console in headless Chromium (every service a process, own NATS)', () => {
  const runDir = join(workspaceRoot, '.run/test/e2e-console');
  const secrets = ensureLocalSecrets(runDir, [TENANT]);
  const apiKey = secrets.apiKeys[TENANT];
  const sent: ShopEvent[] = [];
  let nats: PrivateNats;
  let platform: LocalPlatform;
  let metrics: MetricsClient;
  let browser: Browser;
  let page: Page;
  let spikeStart: number;
  let gateway: string;

  async function send(events: ShopEvent[]): Promise<void> {
    const response = await fetch(gateway, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({ events }),
    });
    const body = (await response.json()) as { accepted: number; rejected: unknown[] };
    expect({ status: response.status, rejected: body.rejected }).toEqual({ status: 202, rejected: [] });
    sent.push(...events);
  }

  /** What the page shows for its current range, from the page's own range attributes. */
  async function pageRange(): Promise<{ from: number; to: number }> {
    const range = page.locator('#range');
    return { from: Number(await range.getAttribute('data-from')), to: Number(await range.getAttribute('data-to')) };
  }

  beforeAll(async () => {
    const executablePath = ensureChromium();
    nats = new PrivateNats(await freePort());
    await nats.start();
    const ports = portsWithOffset(12_000, { console: true });
    gateway = `http://127.0.0.1:${ports.gatewayHttp}/v1/events`;
    const lateness = { PULSE_AGGREGATOR_ALLOWED_LATENESS_MS: String(LATENESS_MS) };
    platform = new LocalPlatform({
      runDir,
      ports,
      secrets,
      keyspace: `pulse_console_${Date.now().toString(36)}`,
      infraEnv: sharedCassandraEnv(nats.url),
      extraEnv: {
        // The gateway's gRPC port is not part of PlatformPorts: a free one, beside any other platform.
        'ingest-gateway': { PULSE_INGEST_GRPC_PORT: String(await freePort()) },
        // The shop sells in GBP: no conversion, so the page must show exactly the prices sent.
        cleaner: { PULSE_CLEANER_TENANT_BASE_CURRENCIES: `${TENANT}:GBP` },
        // Windows close two minutes after their end, idle partitions follow the wall clock.
        aggregator: { ...lateness, PULSE_AGGREGATOR_IDLE_TIMEOUT_MS: '1000' },
        // The watcher starts later, once the shop's history is in (see the alert test).
        forecast: { ...lateness, PULSE_FORECAST_WATCH_KEYS_FILE: '' },
        console: { PULSE_CONSOLE_FORECAST_REFRESH_MS: '5000' },
      },
    });
    await platform.start();
    metrics = new MetricsClient({ address: `127.0.0.1:${ports.storeGrpc}`, apiKey });
    browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1500 } });
    page.on('pageerror', (error) => process.stderr.write(`[console page] ${error.message}\n`));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    metrics?.close();
    const codes = await platform?.stop();
    await nats?.destroy();
    // Graceful shutdown: the console ends its live streams and exits 0 like every service.
    expect(codes).toEqual({ console: 0, 'ingest-gateway': 0, cleaner: 0, aggregator: 0, store: 0, forecast: 0 });
  }, 120_000);

  it('renders the shop’s numbers sent through the gateway: KPIs, charts, top lists, countries, funnel', async () => {
    const now = Date.now();
    const thisMinute = Math.floor(now / MINUTE) * MINUTE;
    spikeStart = thisMinute - SPIKE_MINUTES_AGO * MINUTE;
    // In time order, one minute per request, so no partition sees an event behind its watermark.
    for (let m = thisMinute - HISTORY_MINUTES * MINUTE; m < thisMinute; m += MINUTE) {
      await send(minuteOfShop(m, `h${m}`, m === spikeStart));
    }
    const expectedEvents = sent.length;
    await waitFor('every event in the store', 90_000, async () => {
      const series = await metrics.getSeries({
        metric: 'events',
        granularity: proto.pulse.store.v1.Granularity.GRANULARITY_HOUR,
        from: thisMinute - (HISTORY_MINUTES + 60) * MINUTE,
        to: thisMinute + MINUTE,
      });
      return series.points.reduce((sum, p) => sum + p.value, 0) === expectedEvents ? true : undefined;
    });

    await page.goto(platform.consoleUrl!);
    await page.getByTestId('api-key').fill(apiKey);
    await page.getByTestId('sign-in').click();
    await page.getByTestId('tenant').filter({ hasText: TENANT }).waitFor();
    await page.locator('[data-testid=connection][data-state=live]').waitFor();

    // The KPIs are the shop's own numbers over the page's range (recomputed here from what was sent).
    await waitFor('the KPIs of the sent events', 30_000, async () => {
      const { from, to } = await pageRange();
      const inRange = sent.filter((e) => e.occurred_at >= from && e.occurred_at < to);
      const shown = {
        events: await page.getByTestId('kpi-events').textContent(),
        revenue: await page.getByTestId('kpi-revenue').textContent(),
        orders: await page.getByTestId('kpi-orders').textContent(),
      };
      const expected = {
        events: inRange.length.toLocaleString('en-GB'),
        revenue: moneyText(revenueOf(inRange)),
        orders: inRange.filter((e) => e.type === 'purchase').length.toLocaleString('en-GB'),
      };
      if (JSON.stringify(shown) !== JSON.stringify(expected)) {
        throw new Error(`shown ${JSON.stringify(shown)}, expected ${JSON.stringify(expected)}`);
      }
      return true;
    });
    expect(await page.locator('[data-testid=chart-revenue] canvas').count()).toBe(1);
    expect(await page.getByTestId('top-products').locator('li').count()).toBe(3);
    expect(await page.getByTestId('top-products').locator('li').first().textContent()).toContain('SKU-1');
    expect(await page.getByTestId('top-categories').textContent()).toContain('kitchen');
    expect(await page.getByTestId('countries').locator('tbody tr').allTextContents()).toHaveLength(3);
    expect(await page.getByTestId('funnel').locator('li').allTextContents()).toHaveLength(4);
    expect(await page.getByTestId('pipeline').locator('tbody tr').count()).toBe(3);
  }, 240_000);

  it('updates without a reload when new events arrive', async () => {
    await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));
    const before = await page.getByTestId('kpi-revenue').textContent();
    const now = Date.now();
    const fresh: ShopEvent[] = [0, 1, 2].map((i) => ({
      event_id: `live-${now}-${i}`,
      type: 'purchase',
      occurred_at: now,
      user_id: `u-live-${i}`,
      session_id: `s-live-${i}`,
      product_id: 'SKU-9',
      category: 'garden',
      price: '77.77',
      quantity: 1,
      currency: 'GBP',
      order_id: `o-live-${now}-${i}`,
      country: 'GB',
    }));
    await send(fresh);
    const after = await waitFor('the revenue to include the new events', 30_000, async () => {
      const { from, to } = await pageRange();
      const expected = moneyText(revenueOf(sent.filter((e) => e.occurred_at >= from && e.occurred_at < to)));
      const shown = await page.getByTestId('kpi-revenue').textContent();
      if (shown !== expected) throw new Error(`shown ${shown}, expected ${expected}`);
      return shown;
    });
    expect(after).not.toBe(before);
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await page.getByTestId('top-products').filter({ hasText: 'SKU-9' }).waitFor();
  }, 60_000);

  it('shows the alert the forecast watcher raises for the spike, live, with the forecast band', async () => {
    // The watcher starts now, over minute windows, and judges the last 30 closed ones: the spike
    // 20 minutes ago is among them, with more than the 120 minutes of history a 1m model needs before it.
    await platform.reconfigure('forecast', {
      PULSE_FORECAST_WATCH_KEYS_FILE: secrets.watchKeysFile,
      PULSE_FORECAST_WATCH_GRANULARITIES: '1m',
      PULSE_FORECAST_WATCH_INTERVAL_MS: '2000',
      PULSE_FORECAST_WATCH_TOP_PRODUCTS: '0',
      PULSE_FORECAST_WATCH_CATCH_UP_WINDOWS: '30',
    });
    const id = `${TENANT}:revenue:all:1m:${spikeStart}`;
    const alert = page.locator(`[data-testid=alerts] li[data-alert-id="${id}"]`);
    await alert.waitFor({ timeout: 120_000 });
    expect(await alert.textContent()).toMatch(/spike: revenue/);
    await page.locator('[data-testid=alerts-mode]').filter({ hasText: '(live)' }).waitFor({ timeout: 30_000 });
    await page.locator('#band-revenue').filter({ hasText: 'forecast:' }).waitFor({ timeout: 60_000 });

    mkdirSync(join(ARTIFACT, '..'), { recursive: true });
    await page.screenshot({ path: ARTIFACT, fullPage: true });
  }, 240_000);
});
