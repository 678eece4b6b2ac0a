import 'uplot/dist/uPlot.min.css';
import './styles.css';

import { type AlertView, type RankedRead, type Snapshot } from '../src/dashboard/dashboard-snapshot.js';
import { TimeChart } from './charts.js';
import { dimensionLabel, formatClock, formatCount, formatMoney, formatPercent, formatTime } from './format.js';
import { SseParser } from './sse-reader.js';

const KEY_STORAGE = 'pulse.console.apiKey';

const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
};

function element(tag: string, className?: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

class AuthError extends Error {}

const charts = {
  revenue: new TimeChart(byId('chart-revenue'), 'revenue', formatMoney, true),
  orders: new TimeChart(byId('chart-orders'), 'orders', formatCount, true),
  conversion: new TimeChart(byId('chart-conversion'), 'conversion', formatPercent, false),
  shoppers: new TimeChart(byId('chart-shoppers'), 'shoppers', formatCount, false),
};

let stream: AbortController | undefined;

function setConnection(state: 'connecting' | 'live' | 'offline', text: string = state): void {
  const node = byId('connection');
  node.dataset.state = state;
  node.textContent = text;
}

function showSignIn(error = ''): void {
  stream?.abort();
  byId('dashboard').hidden = true;
  byId('session').hidden = true;
  byId('sign-in').hidden = false;
  byId('sign-in-error').textContent = error;
  byId<HTMLInputElement>('api-key').focus();
}

async function signIn(apiKey: string): Promise<void> {
  const response = await fetch('api/session', { headers: { 'x-api-key': apiKey } });
  if (response.status === 401 || response.status === 403) {
    const problem = (await response.json().catch(() => ({}))) as { detail?: string };
    throw new AuthError(problem.detail ?? 'this key is not accepted');
  }
  if (!response.ok) throw new Error(`the console answered ${response.status}`);
  const { tenant } = (await response.json()) as { tenant: string };
  sessionStorage.setItem(KEY_STORAGE, apiKey);
  byId('tenant').textContent = tenant;
  byId('sign-in').hidden = true;
  byId('session').hidden = false;
  byId('dashboard').hidden = false;
  void watch(apiKey);
}

/** Reads the SSE stream; reconnects after the server's retry delay when it ends or fails. */
async function watch(apiKey: string): Promise<void> {
  stream?.abort();
  const controller = new AbortController();
  stream = controller;
  const parser = new SseParser();
  while (!controller.signal.aborted) {
    setConnection('connecting');
    try {
      const response = await fetch('api/stream', { headers: { 'x-api-key': apiKey }, signal: controller.signal });
      if (response.status === 401 || response.status === 403) {
        sessionStorage.removeItem(KEY_STORAGE);
        showSignIn('The key is no longer accepted.');
        return;
      }
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      setConnection('live');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const event of parser.push(value)) {
          if (event.event === 'snapshot') render(JSON.parse(event.data) as Snapshot);
          if (event.event === 'bye') setConnection('offline', 'console restarting');
        }
      }
    } catch (error) {
      if (controller.signal.aborted) return;
      console.warn('live stream interrupted', error);
    }
    setConnection('offline', 'reconnecting');
    await new Promise((resolve) => setTimeout(resolve, parser.retry ?? 2_000));
  }
}

function renderBars(list: HTMLElement, rows: RankedRead[] | null, format: (v: number) => string): void {
  list.replaceChildren();
  if (!rows) return void list.append(element('li', 'empty', 'not available'));
  if (rows.length === 0) return void list.append(element('li', 'empty', 'no data in the last hour'));
  const max = Math.max(...rows.map((row) => row.value), 1);
  for (const row of rows) {
    const item = element('li');
    const fill = element('span', 'fill');
    fill.style.width = `${(100 * row.value) / max}%`;
    item.append(
      fill,
      element('span', 'name', dimensionLabel(row.dimension)),
      element('span', 'num', format(row.value)),
    );
    list.append(item);
  }
}

function renderAlerts(alerts: AlertView[], mode: Snapshot['alertsMode']): void {
  byId('alerts-mode').textContent = {
    live: '(live)',
    polling: '(polling)',
    unavailable: '(forecast service unavailable)',
  }[mode];
  const list = byId('alerts');
  list.replaceChildren();
  if (alerts.length === 0) return void list.append(element('li', 'empty', 'no alerts in the last day'));
  for (const alert of alerts) {
    const item = element('li', alert.severity);
    item.dataset.alertId = alert.id;
    const money = alert.metric === 'revenue' || alert.metric === 'refund_amount';
    const value = (v: number) => (money ? formatMoney(v) : formatCount(v));
    const where = alert.dimension === 'all' ? '' : ` · ${alert.dimension}`;
    item.append(
      element('strong', '', `${alert.severity} ${alert.direction}: ${alert.metric}${where}`),
      element(
        'div',
        '',
        `${value(alert.actual)} against ${value(alert.expectedLower)}–${value(alert.expectedUpper)} expected`,
      ),
      element(
        'div',
        'when',
        `${alert.granularity} window ${formatTime(alert.windowStart)} · raised ${formatClock(alert.raisedAt)}`,
      ),
    );
    list.append(item);
  }
}

function render(snapshot: Snapshot): void {
  const { kpis, chart } = snapshot;
  byId('kpi-revenue').textContent = kpis ? formatMoney(kpis.revenue) : '–';
  byId('kpi-orders').textContent = kpis ? formatCount(kpis.orders) : '–';
  byId('kpi-conversion').textContent = kpis ? formatPercent(kpis.conversion) : '–';
  byId('kpi-shoppers').textContent = kpis ? formatCount(kpis.uniqueShoppers) : '–';
  byId('kpi-events').textContent = kpis ? formatCount(kpis.events) : '–';
  const range = byId('range');
  range.textContent = `${formatTime(snapshot.range.from)} – ${formatTime(snapshot.range.to)}`;
  range.dataset.from = String(snapshot.range.from);
  range.dataset.to = String(snapshot.range.to);
  byId('updated').textContent = `updated ${formatClock(snapshot.generatedAt)}`;

  if (chart) {
    for (const metric of ['revenue', 'orders'] as const) {
      charts[metric].update({
        times: chart.times,
        actual: chart[metric],
        band: chart.forecast[metric],
        markers: chart.markers[metric],
      });
      const band = chart.forecast[metric];
      byId(`band-${metric}`).textContent = band ? `forecast: ${band.model}, 80% and 95% bands` : '(no forecast yet)';
    }
    charts.conversion.update({ times: chart.times, actual: chart.conversion });
    charts.shoppers.update({ times: chart.times, actual: chart.uniqueShoppers });
  }

  renderBars(byId('top-products'), snapshot.topProducts, formatMoney);
  renderBars(byId('top-categories'), snapshot.topCategories, formatMoney);
  renderBars(
    byId('funnel'),
    snapshot.funnel?.map((stage) => ({
      dimension: stage.stage.replace('_', ' '),
      value: stage.sessions,
      overflow: false,
    })) ?? null,
    formatCount,
  );
  if (snapshot.funnel) {
    const items = byId('funnel').querySelectorAll('li .num');
    snapshot.funnel.forEach((stage, i) => {
      const node = items[i];
      if (node && i > 0) node.textContent += ` (${formatPercent(stage.conversionFromFirst)})`;
    });
  }

  const countries = byId('countries');
  countries.replaceChildren();
  for (const row of snapshot.countries ?? []) {
    const tr = element('tr');
    tr.append(
      element('td', '', row.overflow ? '(others)' : row.country),
      element('td', '', formatCount(row.events)),
      element('td', '', formatCount(row.orders)),
      element('td', '', formatMoney(row.revenue)),
    );
    countries.append(tr);
  }

  renderAlerts(snapshot.alerts, snapshot.alertsMode);

  const lag = byId('lag');
  lag.replaceChildren();
  for (const stage of snapshot.pipeline?.lag ?? []) {
    const tr = element('tr');
    tr.append(
      element('td', '', stage.stage),
      element('td', '', stage.stream),
      element('td', '', formatCount(stage.consumers)),
      element('td', '', formatCount(stage.pending)),
      element('td', '', formatCount(stage.ackPending)),
    );
    lag.append(tr);
  }
  byId('dlq').textContent = snapshot.pipeline ? formatCount(snapshot.pipeline.dlq) : 'n/a';
  byId('late').textContent = snapshot.pipeline ? formatCount(snapshot.pipeline.late) : 'n/a';

  const problems = byId('problems');
  problems.replaceChildren(
    ...Object.entries(snapshot.problems).map(([section, why]) => element('li', '', `${section}: ${why}`)),
  );
}

byId('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = byId<HTMLInputElement>('api-key').value.trim();
  signIn(key).catch((error: Error) =>
    showSignIn(error instanceof AuthError ? error.message : `cannot reach the console: ${error.message}`),
  );
});
byId('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(KEY_STORAGE);
  showSignIn();
});

const saved = sessionStorage.getItem(KEY_STORAGE);
if (saved) signIn(saved).catch(() => showSignIn('Sign in again.'));
else showSignIn();
