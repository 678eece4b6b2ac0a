import { EVENT_TYPES, type EventType } from '@pulse/contracts';

import { normalizeText } from './text.js';

const KNOWN = new Set<string>(EVENT_TYPES);

/**
 * `"Add-To-Cart"`, `"add to cart"`, `"ADD_TO_CART"`, `"addToCart"` → `add_to_cart`: camelCase is
 * split, case folded, spaces and hyphens become `_`. Only the seven contract types come out.
 */
export function normalizeEventType(value: unknown): EventType | undefined {
  const text = normalizeText(value, 64);
  if (text === undefined) return undefined;
  const snake = text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[\s_-]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return KNOWN.has(snake) ? (snake as EventType) : undefined;
}
