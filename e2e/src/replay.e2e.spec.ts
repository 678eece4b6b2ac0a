import { MetricsClient, millis } from '@pulse/client';
import { proto } from '@pulse/contracts';
import {
  ensureLocalSecrets,
  freePlatformPorts,
  freePort,
  LocalPlatform,
  PrivateNats,
  sharedCassandraEnv,
  workspaceRoot,
  type PlatformPorts,
} from '@pulse/testing';

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import cassandra from 'cassandra-driver';

// Issue 9, point 6: loadgen's replay mode end to end. The test writes a small retail CSV (the UCI
// "Online Retail" columns) of one shop day in Tokyo, runs the built loadgen as a process against
// the real gateway, and reads the aggregates back over gRPC: revenue, refund_amount, orders and
// units per hour and per day, for all events, per product and per country, through GetSeries,
// Breakdown and TopDimensions. The reference is computed here from the CSV text with plain code
// (its own CSV parser, its own date reading, money as integer minor units), not with loadgen's.
//
// Time: the shop day is three days ago, written in Asia/Tokyo (UTC+9, no DST), 07:05–13:50 local,
// so its events fall on two UTC days (22:05 the day before … 04:50): a wrong zone moves revenue
// between hours and days. The events are in the past, so the aggregator gets an allowed lateness of
// ten days. The tenant's base currency is the replay's currency (GBP), so no rate is involved.
const { Granularity } = proto.pulse.store.v1;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const TENANT = 'replay-e2e';
const CURRENCY = 'GBP';
const ZONE = 'Asia/Tokyo';
const ZONE_OFFSET_MS = 9 * HOUR;
const SUM_READ = ['revenue', 'refund_amount', 'orders', 'units', 'purchases', 'refunds'] as const;
type SumRead = (typeof SUM_READ)[number];
/** The shop's country names → the ISO codes the cleaner keeps (docs/cleaning.md rows 42–43). */
const COUNTRY_CODES: Record<string, string> = { 'United Kingdom': 'GB', EIRE: 'IE', France: 'FR' };

/**
 * The shop day: multi-line invoices, two cancelled invoices (C…, negative quantities), invoices
 * without CustomerID, three countries, descriptions with commas and quotes, unit prices with three
 * decimals or four (rounded half up to pence), and one "Adjust bad debt" line with a negative price that
 * loadgen must skip. `{D}` is the local date.
 */
const CSV_LINES = [
  'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
  '700101,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,{D} 7:05,2.55,17850,United Kingdom',
  '700101,71053,WHITE METAL LANTERN,6,{D} 7:05,3.39,17850,United Kingdom',
  '700101,84406B,"CREAM CUPID HEARTS COAT HANGER, SET OF 2",8,{D} 7:05,2.75,17850,United Kingdom',
  '700102,84879,ASSORTED COLOUR BIRD ORNAMENT,32,{D} 7:40,1.69,13047,United Kingdom',
  '700102,22745,"POPPYS PLAYHOUSE ""BEDROOM""",6,{D} 7:40,2.10,13047,United Kingdom',
  '700102,85123A,WHITE HANGING HEART T-LIGHT HOLDER,4,{D} 7:40,2.55,13047,United Kingdom',
  '700103,22728,ALARM CLOCK BAKELIKE PINK,24,{D} 8:15,3.75,12583,France',
  '700103,POST,POSTAGE,3,{D} 8:15,18,12583,France',
  '700103,22086,PAPER CHAIN KIT 50S CHRISTMAS,12,{D} 8:15,2.95,12583,France',
  '700104,22960,JAM MAKING SET WITH JARS,12,{D} 8:50,3.75,,United Kingdom',
  '700104,21754,HOME BUILDING BLOCK WORD,3,{D} 8:50,5.95,,United Kingdom',
  '700104,21773,DECORATIVE ROSE BATHROOM BOTTLE,2,{D} 8:50,1.655,,United Kingdom',
  'C700105,71053,WHITE METAL LANTERN,-2,{D} 9:20,3.39,17850,United Kingdom',
  '700106,22086,PAPER CHAIN KIT 50S CHRISTMAS,24,{D} 9:45,2.55,14911,EIRE',
  '700106,47566,PARTY BUNTING,4,{D} 9:45,4.95,14911,EIRE',
  '700106,22197,SMALL POPCORN HOLDER,100,{D} 9:45,0.085,14911,EIRE',
  '700107,22423,REGENCY CAKESTAND 3 TIER,1,{D} 10:30,12.75,,EIRE',
  '700108,B,Adjust bad debt,1,{D} 10:45,-11062.06,,United Kingdom',
  '700109,22138,BAKING SET 9 PIECE RETROSPOT,3,{D} 11:10,4.95,12680,France',
  '700109,23084,RABBIT NIGHT LIGHT,12,{D} 11:10,2.08,12680,France',
  '700109,85123A,WHITE HANGING HEART T-LIGHT HOLDER,2,{D} 11:10,2.95,12680,France',
  'C700110,23084,RABBIT NIGHT LIGHT,-3,{D} 12:05,2.08,12680,France',
  'C700110,22138,BAKING SET 9 PIECE RETROSPOT,-1,{D} 12:05,4.95,12680,France',
  '700111,22633,HAND WARMER UNION JACK,6,{D} 12:20,1.85,17850,United Kingdom',
  '700111,22632,HAND WARMER RED POLKA DOT,6,{D} 12:20,1.85,17850,United Kingdom',
  '700111,84879,ASSORTED COLOUR BIRD ORNAMENT,16,{D} 12:20,1.69,17850,United Kingdom',
  '700111,22960,JAM MAKING SET WITH JARS,1,{D} 12:20,4.2549,17850,United Kingdom',
  '700112,22899,CHILDRENS APRON DOLLY GIRL,6,{D} 13:05,2.10,14646,EIRE',
  '700112,22197,SMALL POPCORN HOLDER,50,{D} 13:05,0.085,14646,EIRE',
  '700113,22728,ALARM CLOCK BAKELIKE PINK,2,{D} 13:50,3.75,,United Kingdom',
  '700113,POST,POSTAGE,1,{D} 13:50,18.00,,United Kingdom',
  '700113,47566,PARTY BUNTING,3,{D} 13:50,4.945,,United Kingdom',
];

// ---- the reference: plain code over the CSV text ----------------------------------------------

/** RFC 4180 records (quoted fields with commas and doubled quotes; LF or CRLF). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length > 0) records.push([...record, field]);
  return records;
}

/** "2.55" → 255, "18" → 1800, "0.085" → 9 (half up), "4.2549" → 425; undefined when not a price. */
function pence(price: string): number | undefined {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(price);
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  const kept = Number((fraction + '00').slice(0, 2));
  const roundUp = fraction.length > 2 && Number(fraction[2]) >= 5 ? 1 : 0;
  return Number(match[1]) * 100 + kept + roundUp;
}

/** "M/D/YYYY H:mm" in Tokyo → epoch ms UTC. */
function tokyoInstant(text: string): number {
  const match = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})$/.exec(text);
  if (!match) throw new Error(`the test's own CSV has a bad date: ${text}`);
  const [, month, day, year, hour, minute] = match.map(Number);
  return Date.UTC(year, month - 1, day, hour, minute) - ZONE_OFFSET_MS;
}

interface CsvEvent {
  invoice: string;
  refund: boolean;
  at: number;
  product: string;
  country: string;
  user: string;
  quantity: number;
  amount: number;
}

interface WindowSums extends Record<SumRead, number> {
  orderIds: Set<string>;
}

/** Key of one aggregate: granularity, window start (ISO) and dimension. */
const keyOf = (granularity: '1h' | '1d', start: number, dimension: string) =>
  `${granularity} ${new Date(start).toISOString()} ${dimension}`;

interface Reference {
  events: CsvEvent[];
  badLines: number;
  /** every (granularity, window, dimension) → its sums */
  windows: Map<string, Record<SumRead, number>>;
  products: string[];
  countries: string[];
  /** distinct shoppers per UTC day (an invoice without CustomerID is its own anonymous shopper) */
  usersPerDay: Map<number, number>;
}

function referenceOf(csv: string): Reference {
  const [header, ...rows] = parseCsv(csv);
  const column = (name: string) => header.indexOf(name);
  const events: CsvEvent[] = [];
  let badLines = 0;
  for (const row of rows) {
    const unit = pence(row[column('UnitPrice')]);
    if (unit === undefined) {
      badLines += 1; // the "Adjust bad debt" line: a negative price is no sale
      continue;
    }
    const invoice = row[column('InvoiceNo')];
    const signed = Number(row[column('Quantity')]);
    const quantity = Math.abs(signed);
    const customer = row[column('CustomerID')];
    events.push({
      invoice,
      refund: invoice.startsWith('C') || signed < 0,
      at: tokyoInstant(row[column('InvoiceDate')]),
      product: row[column('StockCode')],
      country: COUNTRY_CODES[row[column('Country')]],
      user: customer === '' ? `anonymous shopper of ${invoice}` : customer,
      quantity,
      amount: unit * quantity,
    });
  }
  const sums = new Map<string, WindowSums>();
  const users = new Map<number, Set<string>>();
  for (const event of events) {
    for (const [granularity, size] of [
      ['1h', HOUR],
      ['1d', DAY],
    ] as const) {
      const start = Math.floor(event.at / size) * size;
      for (const dimension of ['all', `product:${event.product}`, `country:${event.country}`]) {
        const key = keyOf(granularity, start, dimension);
        let window = sums.get(key);
        if (!window) {
          window = { revenue: 0, refund_amount: 0, orders: 0, units: 0, purchases: 0, refunds: 0, orderIds: new Set() };
          sums.set(key, window);
        }
        if (event.refund) {
          window.refunds += 1;
          window.refund_amount += event.amount;
        } else {
          window.purchases += 1;
          window.units += event.quantity;
          window.revenue += event.amount;
          window.orderIds.add(event.invoice);
        }
      }
    }
    const day = Math.floor(event.at / DAY) * DAY;
    users.set(day, (users.get(day) ?? new Set()).add(event.user));
  }
  const windows = new Map<string, Record<SumRead, number>>();
  for (const [key, { orderIds, ...rest }] of sums) windows.set(key, { ...rest, orders: orderIds.size });
  return {
    events,
    badLines,
    windows,
    products: [...new Set(events.map((event) => event.product))].sort(),
    countries: [...new Set(events.map((event) => event.country))].sort(),
    usersPerDay: new Map([...users].map(([day, set]) => [day, set.size])),
  };
}

/** Totals per dimension of a kind over the hour windows (what Breakdown adds up), sorted by name. */
function totalsOf(windows: Map<string, Record<SumRead, number>>, kind: string): Map<string, Record<SumRead, number>> {
  const totals = new Map<string, Record<SumRead, number>>();
  for (const [key, sums] of windows) {
    const [granularity, , dimension] = key.split(' ');
    if (granularity !== '1h' || !dimension.startsWith(`${kind}:`)) continue;
    const total = totals.get(dimension) ?? {
      revenue: 0,
      refund_amount: 0,
      orders: 0,
      units: 0,
      purchases: 0,
      refunds: 0,
    };
    for (const metric of SUM_READ) total[metric] += sums[metric];
    totals.set(dimension, total);
  }
  return new Map([...totals].sort(([a], [b]) => (a < b ? -1 : 1)));
}

// ---- the run ------------------------------------------------------------------------------------

interface LoadgenRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runLoadgen(args: string[], timeoutMs: number): Promise<LoadgenRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(workspaceRoot, 'dist/tools/loadgen/src/main.js'), ...args], {
      cwd: workspaceRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('loadgen replay of a retail CSV through the real services: the aggregates equal the CSV sums', () => {
  const began = Date.now();
  const runDir = join(workspaceRoot, '.run/test/e2e-replay');
  const secrets = ensureLocalSecrets(runDir, [TENANT]);
  const keyspace = `pulse_e2e_replay_${Date.now().toString(36)}`;
  // The local shop day: three days ago (inside the minute, hour and day retention).
  const localDay = new Date(Math.floor((began - 3 * DAY) / DAY) * DAY);
  const dateText = `${localDay.getUTCMonth() + 1}/${localDay.getUTCDate()}/${localDay.getUTCFullYear()}`;
  const csv = CSV_LINES.map((line) => line.replace('{D}', dateText)).join('\r\n') + '\r\n';
  const reference = referenceOf(csv);
  // Every window the day can touch: the UTC day before the local day, and the local day.
  const from = localDay.getTime() - DAY;
  const to = localDay.getTime() + DAY;
  const csvDir = mkdtempSync(join(tmpdir(), 'pulse-replay-e2e-'));
  const csvFile = join(csvDir, 'online-retail.csv');
  let ports: PlatformPorts;
  let nats: PrivateNats;
  let platform: LocalPlatform;
  let metrics: MetricsClient;
  let replayEnded = 0;

  /** Every hour and day aggregate of `all`, each product and each country the CSV has, as read. */
  async function readWindows(): Promise<Map<string, Record<SumRead, number>>> {
    const dimensions = [
      'all',
      ...reference.products.map((product) => `product:${product}`),
      ...reference.countries.map((country) => `country:${country}`),
    ];
    const read = new Map<string, Record<SumRead, number>>();
    const requests = dimensions.flatMap((dimension) =>
      (
        [
          ['1h', Granularity.GRANULARITY_HOUR],
          ['1d', Granularity.GRANULARITY_DAY],
        ] as const
      ).map(async ([name, granularity]) => {
        const response = await metrics.getSeries({ metrics: [...SUM_READ], dimension, granularity, from, to });
        for (const point of response.points) {
          const values = Object.fromEntries(SUM_READ.map((metric, i) => [metric, point.values[i]]));
          read.set(keyOf(name, millis(point.windowStart), dimension), values as Record<SumRead, number>);
        }
      }),
    );
    await Promise.all(requests);
    return new Map([...read].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  const sortedReference = () => new Map([...reference.windows].sort(([a], [b]) => (a < b ? -1 : 1)));

  beforeAll(async () => {
    writeFileSync(csvFile, csv);
    ports = await freePlatformPorts();
    // A NATS server of this test's own: no other run's streams, consumers or checkpoints.
    nats = new PrivateNats(await freePort());
    await nats.start();
    platform = new LocalPlatform({
      runDir,
      ports,
      secrets,
      keyspace,
      partitions: 4,
      infraEnv: sharedCassandraEnv(nats.url),
      extraEnv: {
        'ingest-gateway': { PULSE_INGEST_GRPC_PORT: String(await freePort()) },
        cleaner: { PULSE_CLEANER_TENANT_BASE_CURRENCIES: `${TENANT}:${CURRENCY}` },
        aggregator: {
          // The day is three days old: nothing of it may be late, whatever the partitions see first.
          PULSE_AGGREGATOR_ALLOWED_LATENESS_MS: String(10 * DAY),
          PULSE_AGGREGATOR_EMIT_INTERVAL_MS: '250',
          PULSE_AGGREGATOR_COARSE_EMIT_INTERVAL_MS: '500',
        },
      },
    });
    await platform.start();
    metrics = new MetricsClient({ address: `127.0.0.1:${ports.storeGrpc}`, apiKey: secrets.apiKeys[TENANT] });
  }, 240_000);

  afterAll(async () => {
    metrics?.close();
    const codes = await platform?.stop();
    await nats?.destroy();
    rmSync(csvDir, { recursive: true, force: true });
    const cql = new cassandra.Client({
      contactPoints: [process.env.PULSE_CASSANDRA_CONTACT_POINTS!],
      localDataCenter: process.env.PULSE_CASSANDRA_LOCAL_DC!,
    });
    await cql.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await cql.shutdown();
    expect(Object.values(codes ?? {}).every((code) => code === 0)).toBe(true);
  }, 120_000);

  it('replays every readable line as a purchase or refund (cancelled invoices as refunds) and skips the bad one', async () => {
    const run = await runLoadgen(
      [
        'replay',
        '--file',
        csvFile,
        '--target',
        `http://127.0.0.1:${ports.gatewayHttp}`,
        '--api-key',
        secrets.apiKeys[TENANT],
        '--currency',
        CURRENCY,
        '--date-format',
        'M/D/YYYY H:mm',
        '--time-zone',
        ZONE,
        '--backfill',
        // Small batches, several in flight: the events reach the gateway in more than one request.
        '--batch-size',
        '8',
        '--json',
        '--quiet',
      ],
      60_000,
    );
    replayEnded = Date.now();
    if (run.code !== 0) throw new Error(`loadgen exited ${run.code}: ${run.stderr}`);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
      send: { sent: number; accepted: number; duplicates: number; rejected: number; failed: number };
      source: { lines: number; purchases: number; refunds: number; badLines: number; badByReason: object };
    };
    const refunds = reference.events.filter((event) => event.refund).length;
    expect(refunds).toBe(3);
    expect(summary.source).toMatchObject({
      lines: CSV_LINES.length - 1,
      purchases: reference.events.length - refunds,
      refunds,
      badLines: reference.badLines,
      badByReason: { invalid_price: 1 },
    });
    expect(summary.send).toMatchObject({
      sent: reference.events.length,
      accepted: reference.events.length,
      duplicates: 0,
      rejected: 0,
      failed: 0,
    });
  }, 90_000);

  it('stores per hour and per day, for all events, each product and each country, the sums computed from the CSV', async () => {
    const expected = sortedReference();
    const deadline = Date.now() + 60_000;
    let read = await readWindows();
    while (!isDeepStrictEqual(read, expected) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      read = await readWindows();
    }
    const visibleAfter = (Date.now() - replayEnded) / 1000;

    const rows = [...expected.keys()].filter((key) => key.endsWith(' all'));
    const table = rows.map((key) => {
      const [granularity, start] = key.split(' ');
      const cells = (['revenue', 'refund_amount', 'orders', 'units'] as const).map(
        (metric) => `${metric} ${expected.get(key)![metric]}/${read.get(key)?.[metric] ?? '-'}`,
      );
      return `  ${granularity} ${start}  ${cells.join('  ')}`;
    });
    const matching = [...expected].filter(([key, sums]) => isDeepStrictEqual(read.get(key), sums)).length;
    process.stdout.write(
      `\n[e2e replay] ${CSV_LINES.length - 1} CSV lines of ${dateText} (${ZONE}) → ${reference.events.length} events; ` +
        `all windows, CSV/read (pence ${CURRENCY}):\n${table.join('\n')}\n` +
        `  ${matching}/${expected.size} (granularity, window, dimension) aggregates equal over ` +
        `${reference.products.length} products and ${reference.countries.length} countries; ` +
        `${read.size} read; visible ${visibleAfter.toFixed(1)} s after loadgen exited, ${((Date.now() - began) / 1000).toFixed(1)} s after the test began\n`,
    );

    expect(read).toEqual(expected);
    // The shop day in Tokyo spans two UTC days and seven hours.
    expect([...expected.keys()].filter((key) => key.startsWith('1d') && key.endsWith(' all'))).toHaveLength(2);
    expect([...expected.keys()].filter((key) => key.startsWith('1h') && key.endsWith(' all'))).toHaveLength(7);
  }, 90_000);

  it('counts distinct shoppers per day: customers once, each invoice without CustomerID as its own', async () => {
    const response = await metrics.getSeries({
      metric: 'unique_users',
      granularity: Granularity.GRANULARITY_DAY,
      from,
      to,
    });
    const read = new Map(response.points.map((point) => [millis(point.windowStart), point.value]));
    expect(read).toEqual(reference.usersPerDay);
  }, 30_000);

  it('Breakdown per product and per country over the hours adds up to the CSV totals', async () => {
    for (const kind of ['product', 'country']) {
      const rows: Array<[string, Record<SumRead, number>]> = [];
      for await (const page of metrics.breakdownPages({
        kind,
        granularity: Granularity.GRANULARITY_HOUR,
        from,
        to,
        metrics: [...SUM_READ],
        pageSize: 7,
      })) {
        for (const row of page.rows) {
          expect(row.overflow).toBe(false);
          rows.push([
            row.dimension,
            Object.fromEntries(SUM_READ.map((m, i) => [m, row.values[i]])) as Record<SumRead, number>,
          ]);
        }
      }
      expect(new Map(rows)).toEqual(totalsOf(reference.windows, kind));
      expect(rows.map(([dimension]) => dimension)).toEqual([...totalsOf(reference.windows, kind).keys()]);
    }
  }, 30_000);

  it('TopDimensions ranks products by revenue and countries by refunded amount as the CSV does', async () => {
    const rank = (kind: string, metric: SumRead) =>
      [...totalsOf(reference.windows, kind)]
        .map(([dimension, sums]) => ({ dimension, value: sums[metric] }))
        .sort((a, b) => b.value - a.value || (a.dimension < b.dimension ? -1 : 1));

    const products = await metrics.topDimensions({ kind: 'product', metric: 'revenue', from, to, k: 5 });
    expect(products.dimensions.map(({ rank: r, dimension, value }) => ({ rank: r, dimension, value }))).toEqual(
      rank('product', 'revenue')
        .slice(0, 5)
        .map((entry, i) => ({ rank: i + 1, ...entry })),
    );
    expect(products.totalDimensions).toBe(reference.products.length);

    const countries = await metrics.topDimensions({ kind: 'country', metric: 'refund_amount', from, to, k: 10 });
    expect(countries.dimensions.map(({ dimension, value }) => ({ dimension, value }))).toEqual(
      rank('country', 'refund_amount'),
    );
  }, 30_000);

  it('shows the cancelled invoices as refunds, not as sales: in their hour, country and products', async () => {
    const cancelled = reference.events.filter((event) => event.invoice.startsWith('C'));
    expect(new Set(cancelled.map((event) => event.invoice))).toEqual(new Set(['C700105', 'C700110']));
    for (const event of cancelled) {
      const hour = Math.floor(event.at / HOUR) * HOUR;
      const lines = cancelled.filter((other) => other.invoice === event.invoice);
      const read = (dimension: string) =>
        metrics
          .getSeries({
            metrics: ['refunds', 'refund_amount', 'revenue', 'orders', 'units'],
            dimension,
            granularity: Granularity.GRANULARITY_HOUR,
            from: hour,
            to: hour + HOUR,
          })
          .then((series) => series.points.map((point) => [millis(point.windowStart), ...point.values]));
      // The cancellation's hour holds nothing else of its country or product: no revenue, order or unit.
      expect(await read(`country:${event.country}`)).toEqual([
        [hour, lines.length, lines.reduce((sum, line) => sum + line.amount, 0), 0, 0, 0],
      ]);
      expect(await read(`product:${event.product}`)).toEqual([[hour, 1, event.amount, 0, 0, 0]]);
    }
    // 2 × 3.39 + 3 × 2.08 + 1 × 4.95, in pence.
    const day = await metrics.getSeries({
      metric: 'refund_amount',
      granularity: Granularity.GRANULARITY_DAY,
      from,
      to,
    });
    expect(day.points.reduce((sum, point) => sum + point.value, 0)).toBe(678 + 624 + 495);
  }, 30_000);
});
