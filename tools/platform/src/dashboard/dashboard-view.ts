/**
 * The dashboard as text: DashboardModel → lines that fit the terminal. Two columns from 90
 * columns on, one below; sections are dropped from the bottom when the terminal is short. Pure:
 * the clock and the terminal size come in with the call.
 */
import { type TrafficState } from '../traffic/demo-traffic.js';
import {
  type AlertLine,
  type DashboardModel,
  type ForecastView,
  type FunnelStep,
  type MinutePoint,
  type PanelResult,
} from './dashboard-model.js';
import {
  ANSI_STYLE,
  bar,
  clock,
  count,
  duration,
  fitWidth,
  money,
  percent,
  PLAIN_STYLE,
  sparkline,
  type Style,
} from './terminal-text.js';

export interface ViewOptions {
  width: number;
  height: number;
  color: boolean;
}

/** Minutes in the revenue and orders sparklines. */
export const MINUTES_SHOWN = 15;
const TWO_COLUMNS_FROM = 90;
/** A read older than this is marked stale. */
const STALE_MS = 10_000;

export function renderDashboard(model: DashboardModel, options: ViewOptions): string[] {
  const style = options.color ? ANSI_STYLE : PLAIN_STYLE;
  const width = Math.max(20, options.width);
  const twoColumns = width >= TWO_COLUMNS_FROM;
  const left = twoColumns ? Math.floor((width - 3) / 2) + 2 : width;
  const right = twoColumns ? width - left - 3 : width;
  const join = (a: string[], b: string[]) => {
    if (!twoColumns) return [...a, ...b];
    const rows = Math.max(a.length, b.length);
    return Array.from(
      { length: rows },
      (_, i) => `${fitWidth(a[i] ?? '', left)} ${style.dim('│')} ${fitWidth(b[i] ?? '', right)}`,
    );
  };
  const rule = style.dim('─'.repeat(width));

  const sections: string[][] = [
    headerLines(model, style),
    [rule],
    join(salesLines(model, left, style), topProductLines(model, style)),
    [rule],
    join(funnelLines(model, left, style), shopperLines(model, style)),
    [rule],
    forecastLines(model, width, style),
    [rule],
    alertLines(model, style),
  ];
  const lines: string[] = [];
  const height = Math.max(5, options.height);
  for (const section of sections) {
    if (lines.length + section.length > height) {
      const room = height - lines.length;
      if (room > 0 && section.length > 1) lines.push(...section.slice(0, room));
      break;
    }
    lines.push(...section);
  }
  while (lines.length > 0 && lines[lines.length - 1] === rule) lines.pop();
  return lines.map((line) => fitWidth(line, width).trimEnd());
}

/** The non-terminal form: one line per refresh. */
export function renderStatusLine(model: DashboardModel): string {
  const { code, exponent } = model.currency;
  const parts = [`t=${duration((model.now - model.startedAt) / 1000)}`];
  const traffic = model.traffic;
  if (traffic)
    parts.push(`traffic ${trafficStage(traffic)}`, `sent ${traffic.total.sent}`, `accepted ${traffic.total.accepted}`);
  const minutes = model.minutes.data;
  const last = minutes ? lastFullMinute(minutes, model.now) : undefined;
  if (last) parts.push(`revenue/min ${money(last.revenue, code, exponent)}`, `orders/min ${last.orders}`);
  const top = model.topProducts.data?.[0];
  if (top) parts.push(`top ${shortProduct(top.product)} ${money(top.revenue, code, exponent)}`);
  const purchased = model.funnel.data?.at(-1);
  const viewed = model.funnel.data?.[0];
  if (purchased && viewed) parts.push(`funnel ${count(viewed.sessions)}→${count(purchased.sessions)} sessions`);
  if (model.shoppers.data) parts.push(`shoppers ${model.shoppers.data.users}`);
  const forecast = model.forecast.data;
  if (forecast?.kind === 'ready')
    parts.push(
      `forecast next ${forecast.points.length} min ${money(sum(forecast.points.map((p) => p.value)), code, exponent)} (${modelName(forecast.model)})`,
    );
  else if (forecast) parts.push(`forecast needs ${forecast.required - forecast.have} more min`);
  if (model.alerts.data) parts.push(`alerts ${model.alerts.data.length}`);
  if (model.streams.data) parts.push(`late ${model.streams.data.late}`, `dlq ${model.streams.data.dlq}`);
  const errors = (['minutes', 'topProducts', 'funnel', 'shoppers', 'forecast', 'alerts', 'streams'] as const).filter(
    (name) => model[name].error,
  );
  if (errors.length > 0) parts.push(`errors: ${errors.map((name) => `${name}: ${model[name].error}`).join('; ')}`);
  if (traffic?.error) parts.push(`traffic error: ${traffic.error}`);
  const trace = tracedPurchaseLink(model);
  if (trace) parts.push(`trace of a purchase ${trace}`);
  return parts.join(' · ');
}

function headerLines(model: DashboardModel, style: Style): string[] {
  const up = duration((model.now - model.startedAt) / 1000);
  const title = `${style.bold('Pulse')} — live shop analytics · tenant ${model.tenant} · ${model.currency.code} · ${clock(model.now, true)} UTC · up ${up}`;
  const lines = [title];
  const traffic = model.traffic;
  if (!traffic || traffic.stage === 'history' || traffic.stage === 'catch-up' || model.progress.length > 0) {
    const latest = model.progress.at(-1);
    if (latest && (!traffic || traffic.stage !== 'live')) lines.push(style.cyan(`▸ ${latest}`));
  }
  if (traffic) lines.push(trafficLine(traffic, model, style));
  else lines.push(style.dim('traffic: not started yet'));
  const trace = tracedPurchaseLink(model);
  if (trace) {
    const age = duration(Math.max(0, model.now - (traffic?.lastTraced?.sentAt ?? model.now)) / 1000);
    lines.push(style.dim(`trace of a purchase (${age} ago): `) + trace);
  }
  return lines;
}

/** The trace viewer's page of the newest traced purchase, when there is a viewer and a purchase. */
export function tracedPurchaseLink(model: DashboardModel): string | undefined {
  const traced = model.traffic?.lastTraced;
  if (!model.tracesUiUrl || !traced) return undefined;
  return `${model.tracesUiUrl.replace(/\/+$/, '')}/traces/${traced.traceId}`;
}

function trafficStage(traffic: TrafficState): string {
  switch (traffic.stage) {
    case 'history':
      return `backfilling ${duration(traffic.historySeconds)} of history${traffic.backfillShare === undefined ? '' : ` ${percent(traffic.backfillShare, 0)}`}`;
    case 'catch-up':
      return 'flash sale (catch-up)';
    case 'live':
      return 'live';
    case 'stopped':
      return 'stopped';
    case 'failed':
      return 'failed';
  }
}

function trafficLine(traffic: TrafficState, model: DashboardModel, style: Style): string {
  const t = traffic.total;
  const parts = [
    `loadgen ${trafficStage(traffic)}`,
    `sent ${count(t.sent)}`,
    `accepted ${count(t.accepted)}`,
    `dup ${count(t.duplicates)}`,
    `rejected ${count(t.rejected)}`,
  ];
  if (t.failed > 0) parts.push(style.red(`failed ${count(t.failed)}`));
  const streams = model.streams;
  if (streams.data) parts.push(`late ${count(streams.data.late)}`, `DLQ ${count(streams.data.dlq)}`);
  else if (streams.error) parts.push(style.dim(`late/DLQ: ${streams.error}`));
  const line = parts.join(' · ');
  return traffic.error ? `${line} · ${style.red(traffic.error)}` : line;
}

/** The newest minute that has ended (the current one is still filling). */
function lastFullMinute(points: MinutePoint[], now: number): MinutePoint | undefined {
  const current = Math.floor(now / 60_000) * 60_000;
  return [...points].reverse().find((p) => p.windowStart < current);
}

function salesLines(model: DashboardModel, width: number, style: Style): string[] {
  const { code, exponent } = model.currency;
  const title = style.bold('Revenue & orders / min');
  const panel = model.minutes;
  if (!panel.data) return [title, placeholder(panel, style)];
  const points = panel.data.slice(-MINUTES_SHOWN);
  const last = lastFullMinute(points, model.now);
  const previous = last ? points.find((p) => p.windowStart === last.windowStart - 60_000) : undefined;
  const spark = (values: number[]) => {
    const line = sparkline(values);
    // two cells per minute when there is room: easier to read
    return width >= 2 * MINUTES_SHOWN + 30 ? [...line].map((c) => c + c).join('') : line;
  };
  const lastPoint = points.at(-1);
  const axis = lastPoint ? `${clock(points[0].windowStart)}…${clock(lastPoint.windowStart)}` : '';
  const trend = (a?: number, b?: number) =>
    a === undefined || b === undefined ? '' : a > b ? ' ↑' : a < b ? ' ↓' : ' →';
  return [
    title + staleMark(panel, model.now, style),
    `${style.green(spark(points.map((p) => p.revenue)))} ${last ? money(last.revenue, code, exponent) : '–'}/min${trend(last?.revenue, previous?.revenue)}`,
    `${style.cyan(spark(points.map((p) => p.orders)))} ${last ? count(last.orders) : '–'} orders/min${trend(last?.orders, previous?.orders)}`,
    style.dim(`${axis} UTC (${MINUTES_SHOWN} min) · value: last full minute`),
  ];
}

function topProductLines(model: DashboardModel, style: Style): string[] {
  const { code, exponent } = model.currency;
  const title = style.bold('Top 5 products by revenue today');
  const panel = model.topProducts;
  if (!panel.data) return [title, placeholder(panel, style)];
  if (panel.data.length === 0) return [title, style.dim('no purchases yet today')];
  const top = panel.data[0]?.revenue ?? 0;
  return [
    title + staleMark(panel, model.now, style),
    ...panel.data.slice(0, 5).map((p, i) => {
      const amount = money(p.revenue, code, exponent).padStart(11);
      return `${i + 1}. ${shortProduct(p.product).padEnd(10)} ${amount} ${style.green(bar(top > 0 ? p.revenue / top : 0, 14))}`;
    }),
  ];
}

const STAGE_LABELS: Record<string, string> = {
  viewed: 'viewed',
  added: 'added to cart',
  checked_out: 'checked out',
  purchased: 'purchased',
};

function funnelLines(model: DashboardModel, width: number, style: Style): string[] {
  const title = style.bold('Funnel today') + style.dim(' sessions · % of the step before');
  const panel = model.funnel;
  if (!panel.data) return [title, placeholder(panel, style)];
  const steps: FunnelStep[] = panel.data;
  const first = steps[0]?.sessions ?? 0;
  const barWidth = Math.max(4, Math.min(20, width - 36));
  const lines = [title + staleMark(panel, model.now, style)];
  steps.forEach((step, i) => {
    const label = (STAGE_LABELS[step.stage] ?? step.stage).padEnd(13);
    const conversion = i === 0 ? '' : percent(step.fromPrevious).padStart(6);
    lines.push(
      `${label} ${count(step.sessions).padStart(8)} ${style.cyan(bar(first > 0 ? step.sessions / first : 0, barWidth).padEnd(barWidth))} ${conversion}`,
    );
  });
  const last = steps.at(-1);
  if (last && first > 0) lines.push(style.dim(`viewed → purchased: ${percent(last.sessions / first)}`));
  return lines;
}

function shopperLines(model: DashboardModel, style: Style): string[] {
  const title = style.bold('Unique shoppers today');
  const panel = model.shoppers;
  if (!panel.data) return [title, placeholder(panel, style)];
  const { users, sessions, exact } = panel.data;
  return [
    title + staleMark(panel, model.now, style),
    `${style.bold(count(users))} shoppers · ${count(sessions)} sessions`,
    style.dim(exact ? 'exact counts' : 'HyperLogLog estimates (≈1.6 % error)'),
  ];
}

function forecastLines(model: DashboardModel, width: number, style: Style): string[] {
  const panel: PanelResult<ForecastView> = model.forecast;
  const { code, exponent } = model.currency;
  if (!panel.data) return [style.bold('Forecast'), placeholder(panel, style)];
  const forecast = panel.data;
  if (forecast.kind === 'needs-history') {
    const missing = Math.max(0, forecast.required - forecast.have);
    return [
      `${style.bold('Forecast')} ${style.yellow(`needs ${missing} more ${unitOf(forecast.granularity)}${missing === 1 ? '' : 's'} of history`)} (has ${forecast.have} closed ${forecast.granularity} windows of ${forecast.required})` +
        staleMark(panel, model.now, style),
    ];
  }
  const points = forecast.points;
  const total = sum(points.map((p) => p.value));
  const unit = unitOf(forecast.granularity);
  const head =
    `${style.bold('Forecast')} ${forecast.metric} per ${unit}, next ${points.length} ${unit}s · ` +
    `model ${modelName(forecast.model)} on ${forecast.historyWindows} closed ${forecast.granularity} windows`;
  const first = points[0];
  const level = percent(forecast.level, 0);
  const cells = Math.max(10, Math.min(points.length, width - 70));
  const step = Math.max(1, Math.ceil(points.length / cells));
  const sampled = points.filter((_, i) => i % step === 0).map((p) => p.value);
  const end = (points.at(-1)?.windowStart ?? 0) + (STEP_MS[forecast.granularity] ?? 60_000);
  const detail = first
    ? `${clock(first.windowStart)}: ${money(first.value, code, exponent)} (${level}: ${money(first.lower, code, exponent)}–${money(first.upper, code, exponent)}) · ` +
      `until ${clock(end)} ≈ ${style.bold(money(total, code, exponent))}`
    : 'no windows';
  return [head + staleMark(panel, model.now, style), `${style.green(sparkline(sampled))} ${detail}`];
}

function alertLines(model: DashboardModel, style: Style): string[] {
  const title = style.bold('Recent alerts (anomaly watcher)');
  const panel = model.alerts;
  if (!panel.data) return [title, placeholder(panel, style)];
  if (panel.data.length === 0)
    return [title + staleMark(panel, model.now, style), style.dim('none raised since the demo started')];
  const recent = [...panel.data].sort((a, b) => b.raisedAt - a.raisedAt).slice(0, 4);
  return [
    `${title} · ${panel.data.length} since start` + staleMark(panel, model.now, style),
    ...recent.map((alert) => alertLine(alert, model, style)),
  ];
}

export function alertLine(
  alert: AlertLine,
  model: Pick<DashboardModel, 'currency'>,
  style: Style = PLAIN_STYLE,
): string {
  const { code, exponent } = model.currency;
  const isMoney = alert.metric === 'revenue' || alert.metric === 'refund_amount';
  const value = (v: number) => (isMoney ? money(v, code, exponent) : count(v));
  const severity = alert.severity === 'critical' ? style.red('CRITICAL') : style.yellow('warning ');
  const what = `${alert.direction} ${alert.metric} ${alert.dimension === 'all' ? '' : `${shortProduct(alert.dimension)} `}`;
  return (
    `${clock(alert.windowStart)} ${alert.granularity} ${severity} ${what}` +
    `${value(alert.actual)} vs ${value(alert.expectedMean)} expected (95%: ${value(alert.expectedLower)}–${value(alert.expectedUpper)})`
  );
}

function placeholder(panel: PanelResult<unknown>, style: Style): string {
  return panel.error ? style.red(`unavailable: ${panel.error}`) : style.dim('waiting for the first answer…');
}

function staleMark(panel: PanelResult<unknown>, now: number, style: Style): string {
  // the status name only: the title has little room (the full reason is in the non-TTY line)
  if (panel.error) return ` ${style.red(`(stale: ${panel.error.split(' ')[0]})`)}`;
  if (panel.updatedAt !== undefined && now - panel.updatedAt > STALE_MS)
    return ` ${style.dim(`(${duration((now - panel.updatedAt) / 1000)} old)`)}`;
  return '';
}

function shortProduct(dimension: string): string {
  return dimension.replace(/^product:/, '');
}

function modelName(model: string): string {
  return model.replace(/^FORECAST_MODEL_/, '').toLowerCase();
}

const STEP_MS: Record<string, number> = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 };

function unitOf(granularity: string): string {
  return { '1m': 'minute', '1h': 'hour', '1d': 'day' }[granularity] ?? granularity;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
