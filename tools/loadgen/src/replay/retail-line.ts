import { type WireEvent } from '../simulator/simulated-event.js';
import { type TimeZone } from '../time/time-zone.js';
import { type CsvRecord } from './csv-reader.js';
import { type InvoiceDateFormat } from './invoice-date.js';

/**
 * One order line of the common public retail export (UCI "Online Retail": InvoiceNo, StockCode,
 * Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country; "Online Retail II" spells
 * Invoice, Price and Customer ID) as a purchase — or a refund when the invoice is cancelled
 * (InvoiceNo starting with C) or the quantity is negative, sent with a positive quantity.
 */
export interface RetailColumns {
  invoice: number;
  stockCode: number;
  description?: number;
  quantity: number;
  invoiceDate: number;
  unitPrice: number;
  customerId?: number;
  country?: number;
  /** fields a line must have */
  width: number;
}

const HEADER_NAMES: Record<keyof Omit<RetailColumns, 'width'>, readonly string[]> = {
  invoice: ['invoiceno', 'invoice', 'invoicenumber'],
  stockCode: ['stockcode'],
  description: ['description'],
  quantity: ['quantity'],
  invoiceDate: ['invoicedate'],
  unitPrice: ['unitprice', 'price'],
  customerId: ['customerid'],
  country: ['country'],
};
const REQUIRED = ['invoice', 'stockCode', 'quantity', 'invoiceDate', 'unitPrice'] as const;
const DISPLAY_NAMES: Record<(typeof REQUIRED)[number], string> = {
  invoice: 'InvoiceNo',
  stockCode: 'StockCode',
  quantity: 'Quantity',
  invoiceDate: 'InvoiceDate',
  unitPrice: 'UnitPrice',
};

export class ReplayFormatError extends Error {}

/** Column positions from the header line; names are matched without case, spaces or underscores. */
export function retailColumns(header: readonly string[]): RetailColumns {
  const normalized = header.map((name) => name.replace(/[\s_]/g, '').toLowerCase());
  const found: Partial<RetailColumns> = { width: header.length };
  for (const [key, names] of Object.entries(HEADER_NAMES) as Array<[keyof typeof HEADER_NAMES, readonly string[]]>) {
    const index = normalized.findIndex((name) => names.includes(name));
    if (index >= 0) found[key] = index;
  }
  const missing = REQUIRED.filter((key) => found[key] === undefined);
  if (missing.length > 0) {
    throw new ReplayFormatError(
      `the CSV header lacks ${missing.map((key) => DISPLAY_NAMES[key]).join(', ')} ` +
        `(expected InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country; got ${header.join(', ')})`,
    );
  }
  return found as RetailColumns;
}

export interface RetailLineOptions {
  /** ISO 4217 code of UnitPrice */
  currency: string;
  /** minor-unit digits of the currency (for the expected amounts) */
  currencyExponent: number;
  dateFormat: InvoiceDateFormat;
  timeZone: TimeZone;
  /** prepended to every event id, e.g. to replay one file twice as different events */
  idPrefix: string;
}

export const BAD_LINE_REASONS = [
  'malformed_csv',
  'wrong_field_count',
  'missing_invoice',
  'missing_stock_code',
  'invalid_quantity',
  'invalid_date',
  'invalid_price',
] as const;
export type BadLineReason = (typeof BAD_LINE_REASONS)[number];

/** A readable line: its event without `occurred_at` (the replay clock sets it) and the reference amounts. */
export interface RetailLine {
  line: number;
  kind: 'purchase' | 'refund';
  /** InvoiceDate as an instant, epoch ms UTC */
  invoiceTime: number;
  event: WireEvent;
  quantity: number;
  /** UnitPrice in minor units of the currency, rounded half up like the cleaner (docs/cleaning.md row 17) */
  priceMinor: number;
  /** price × quantity in minor units: what the cleaner's amount_minor will be */
  amountMinor: number;
}

export type RetailLineResult =
  { ok: true; line: RetailLine } | { ok: false; line: number; reason: BadLineReason; detail: string };

const QUANTITY = /^[+-]?\d+$/;
const PRICE = /^\d+(?:\.\d+)?$|^\.\d+$/;

export function readRetailLine(
  record: CsvRecord,
  columns: RetailColumns,
  options: RetailLineOptions,
): RetailLineResult {
  const bad = (reason: BadLineReason, detail: string): RetailLineResult => ({
    ok: false,
    line: record.line,
    reason,
    detail,
  });
  if (record.error) return bad('malformed_csv', record.error.replace(/_/g, ' '));
  if (record.fields.length !== columns.width) {
    return bad('wrong_field_count', `${record.fields.length} fields, the header has ${columns.width}`);
  }
  const field = (index: number | undefined) => (index === undefined ? '' : record.fields[index].trim());
  const invoice = field(columns.invoice);
  if (invoice === '') return bad('missing_invoice', 'InvoiceNo is empty');
  const stockCode = field(columns.stockCode);
  if (stockCode === '') return bad('missing_stock_code', 'StockCode is empty');
  const quantityText = field(columns.quantity);
  const signedQuantity = QUANTITY.test(quantityText) ? Number(quantityText) : Number.NaN;
  if (!Number.isSafeInteger(signedQuantity) || signedQuantity === 0) {
    return bad('invalid_quantity', `Quantity "${quantityText}" is not a non-zero whole number`);
  }
  const dateText = field(columns.invoiceDate);
  const invoiceTime = options.dateFormat.read(dateText, options.timeZone);
  if (invoiceTime === undefined) {
    return bad('invalid_date', `InvoiceDate "${dateText}" does not match the date format ${options.dateFormat.text}`);
  }
  const price = field(columns.unitPrice);
  if (!PRICE.test(price)) return bad('invalid_price', `UnitPrice "${price}" is not a non-negative decimal`);

  const refund = /^c/i.test(invoice) || signedQuantity < 0;
  const quantity = Math.abs(signedQuantity);
  const customer = field(columns.customerId);
  const country = field(columns.country);
  const description = field(columns.description);
  const event: WireEvent = {
    event_id: `${options.idPrefix}${invoice}-${record.line}`,
    type: refund ? 'refund' : 'purchase',
    // No customer: an anonymous shopper whose session is the invoice.
    user_id: customer === '' ? `anon-${invoice}` : customer,
    session_id: `inv-${invoice}`,
    product_id: stockCode,
    quantity,
    price: unambiguousPrice(price),
    currency: options.currency,
    order_id: invoice,
  };
  if (country !== '') event.country = country;
  if (description !== '') event.attributes = { description: description.slice(0, 200) };
  const priceMinor = toMinorUnits(price, options.currencyExponent);
  return {
    ok: true,
    line: {
      line: record.line,
      kind: refund ? 'refund' : 'purchase',
      invoiceTime,
      event,
      quantity,
      priceMinor,
      amountMinor: priceMinor * quantity,
    },
  };
}

/**
 * The CSV's UnitPrice (always a dot decimal) written so the cleaner reads the same number: it takes
 * one separator before exactly three digits after a 1–3 digit whole part ("1.655") as a possible
 * thousands group and refuses it (docs/cleaning.md row 15), and wants a digit before the point.
 * A trailing zero and a leading zero change no value: "1.655" → "1.6550", ".5" → "0.5".
 */
export function unambiguousPrice(price: string): string {
  const [whole, fraction] = price.split('.');
  if (fraction === undefined) return price;
  return `${whole || '0'}.${fraction.length === 3 ? `${fraction}0` : fraction}`;
}

/** A non-negative decimal in minor units, rounded half up (exact: digits, never float arithmetic). */
export function toMinorUnits(decimal: string, exponent: number): number {
  const [whole, fraction = ''] = decimal.split('.');
  const kept = fraction.slice(0, exponent).padEnd(exponent, '0');
  const roundUp = fraction.length > exponent && fraction[exponent] >= '5' ? 1n : 0n;
  return Number(BigInt(`${whole || '0'}${kept}`) + roundUp);
}
