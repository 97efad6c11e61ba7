/**
 * Turns a scheduled record into its JSON line, written as UTF-8 bytes (see {@linkcode Line})
 * from pieces encoded once ({@linkcode Piece}): the fixed text between values, merged with the values drawn from
 * small enumerations (an event type, a page…) into one piece per combination. Field order
 * follows the contract, `event_id` first. The output equals `JSON.stringify` of the same event
 * (tests check it).
 *
 * @module
 */

import {
  CATEGORIES,
  CLICK_EVENTS,
  DELIVERY_STATUSES,
  DEVICES,
  ORDER_STATUSES,
  PAGES,
  PAYMENT_METHODS,
  PROFILE_ACTIONS,
  REFERRERS,
} from "../schema/events.ts";
import { Line, LINE_ROOM, Piece } from "./_line.ts";
import type { Catalog } from "./catalog.ts";
import { CITY_JSON } from "./deliveries.ts";
import { totalCents } from "./orders.ts";
import type { Pools } from "./pools.ts";
import type { Random } from "./random.ts";
import { CLICKSTREAM, DELIVERIES, ORDERS, type Scheduled, type Session } from "./world.ts";

const q = JSON.stringify;
const utf8 = (text: string) => new Piece(text);

const EVENT_ID = utf8('{"event_id":"');
/** Per click event: what follows the event_id. */
const CLICK_EVENT = CLICK_EVENTS.map((e) => utf8(`","event":${q(e)},"user_id":"user_`));
/** Per page × referrer × device: what follows the timestamp, up to the session id. */
const CLICK_CONTEXT = PAGES.map((page) =>
  REFERRERS.map((referrer) =>
    DEVICES.map((device) =>
      utf8(`","page":${q(page)},"referrer":${q(referrer)},"device":${q(device)},"session_id":"`)
    )
  )
);
const PRODUCT_ID = utf8('","product_id":');
const SEARCH_QUERY = utf8(',"search_query":');
/** The end of a click line without a product or a query. */
const NEITHER = utf8('","product_id":null,"search_query":null}');
const ORDER_ID = utf8('","order_id":"order_');
const ORDER_USER = utf8('","user_id":"user_');
const ITEMS = utf8('","items":[');
const FIRST_ITEM = utf8('{"product_id":');
const NEXT_ITEM = utf8(',{"product_id":');
const QUANTITY = utf8(',"quantity":');
const PRICE = utf8(',"price":');
const TOTAL = utf8('],"total_amount":');
/** Per payment method × status: what follows the total, up to the session id. */
const ORDER_TAIL = PAYMENT_METHODS.map((payment) =>
  ORDER_STATUSES.map((status) =>
    utf8(`,"payment_method":${q(payment)},"status":${q(status)},"session_id":"`)
  )
);
const PROFILE_USER = utf8('","user_id":"user_');
/** Per profile action: what follows the timestamp, up to the e-mail's user number. */
const PROFILE_ACTION = PROFILE_ACTIONS.map((a) =>
  utf8(`","action":${q(a)},"details":{"email":"user`)
);
const EMAIL_DOMAIN = utf8('@example.com","name":');
/** Per category: the end of a profile line. */
const PROFILE_TAIL = CATEGORIES.map((c) => utf8(`,"preferred_category":${q(c)}}}`));
const COURIER = utf8('","delivery_person_id":"dp_');
/** Per delivery status: what follows the timestamp, up to the location. */
const DELIVERY_STATUS = DELIVERY_STATUSES.map((s) =>
  utf8(`","status":${q(s)},"current_location":`)
);
const CITY = CITY_JSON.map(utf8);
const END = utf8("}");
const END_QUOTED = utf8('"}');

/** The key (the KEY_FIELD's value, unquoted) of a scheduled record. */
export function keyOf(item: Scheduled): string {
  const topic = item.topic;
  return topic === ORDERS
    ? item.order!.id
    : topic === DELIVERIES
    ? `order_${item.query}`
    : item.user!.id;
}

/** The header event type: the click event, "order", the profile action or the delivery status. */
export function eventTypeOf(item: Scheduled): string {
  switch (item.topic) {
    case CLICKSTREAM:
      return CLICK_EVENTS[item.type];
    case ORDERS:
      return "order";
    case DELIVERIES:
      return DELIVERY_STATUSES[item.type];
    default:
      return PROFILE_ACTIONS[item.type];
  }
}

/** Encodes scheduled records as JSON lines. */
export class Encoder {
  readonly #catalog: Catalog;
  /** Per name of the pool: the name as JSON. */
  readonly #names: readonly Piece[];
  /** Per product: its id as JSON. */
  readonly #productJson: readonly Piece[];
  /** Per product: its price as a JSON number. */
  readonly #priceJson: readonly Piece[];
  /** Per search query: as JSON. */
  readonly #queries: readonly Piece[];
  /** Per product: the end of a click line on it (no query). */
  readonly #productEnd: readonly Piece[];
  /** Per search query: the end of a click line with it (no product). */
  readonly #queryEnd: readonly Piece[];

  constructor(catalog: Catalog, pools: Pools) {
    this.#catalog = catalog;
    this.#names = pools.names.map(utf8);
    this.#productJson = catalog.ids.map((id) => utf8(q(id)));
    this.#priceJson = Array.from(catalog.priceCents, (cents) => utf8(String(cents / 100)));
    this.#queries = catalog.queries.map(utf8);
    this.#productEnd = catalog.ids.map((id) =>
      utf8(`","product_id":${q(id)},"search_query":null}`)
    );
    this.#queryEnd = catalog.queries.map((query) =>
      utf8(`","product_id":null,"search_query":${query}}`)
    );
  }

  /**
   * Writes the JSON line (no newline) of `item` at the end of `line` (just begun), with an
   * event_id drawn from `ids`, and returns `line`.
   */
  encode(item: Scheduled, ids: Random, line: Line): Line {
    line.put(EVENT_ID);
    line.uuid(ids.uint32(), ids.uint32(), ids.uint32(), ids.uint32());
    if (item.topic === CLICKSTREAM) this.#click(item, line);
    else if (item.topic === ORDERS) this.#order(item, line);
    else if (item.topic === DELIVERIES) this.#delivery(item, line);
    else this.#profile(item, line);
    if (line.end - line.start > LINE_ROOM) throw new Error(`Line too long: ${line.text()}`);
    return line;
  }

  #click(item: Scheduled, line: Line): void {
    const session = item.session!;
    line.put(CLICK_EVENT[item.type]);
    line.int(item.user!.n);
    line.timestamp(item.t);
    line.put(CLICK_CONTEXT[item.a][session.referrer][session.device]);
    sessionId(line, session);
    // A click has a product or a query or neither: one piece for the whole end of the line.
    if (item.query < 0) line.put(item.b >= 0 ? this.#productEnd[item.b] : NEITHER);
    else if (item.b < 0) line.put(this.#queryEnd[item.query]);
    else {
      line.put(PRODUCT_ID);
      line.put(this.#productJson[item.b]);
      line.put(SEARCH_QUERY);
      line.put(this.#queries[item.query]);
      line.put(END);
    }
  }

  #order(item: Scheduled, line: Line): void {
    const order = item.order!;
    line.put(ORDER_ID);
    line.int(order.n);
    line.put(ORDER_USER);
    line.int(order.user.n);
    line.timestamp(item.t);
    line.put(ITEMS);
    for (let i = 0; i < order.products.length; i++) {
      const p = order.products[i];
      line.put(i === 0 ? FIRST_ITEM : NEXT_ITEM);
      line.put(this.#productJson[p]);
      line.put(QUANTITY);
      line.int(order.quantities[i]);
      line.put(PRICE);
      line.put(this.#priceJson[p]);
      line.put(END);
    }
    line.put(TOTAL);
    line.ascii(String(totalCents(order, this.#catalog.priceCents) / 100));
    line.put(ORDER_TAIL[order.payment][order.status]);
    sessionId(line, order.session);
    line.put(END_QUOTED);
  }

  #profile(item: Scheduled, line: Line): void {
    const n = item.user!.n;
    line.put(PROFILE_USER);
    line.int(n);
    line.timestamp(item.t);
    line.put(PROFILE_ACTION[item.type]);
    line.int(n);
    line.put(EMAIL_DOMAIN);
    line.put(this.#names[item.a]);
    line.put(PROFILE_TAIL[item.b]);
  }

  #delivery(item: Scheduled, line: Line): void {
    line.put(ORDER_ID);
    line.int(item.query);
    line.put(COURIER);
    line.int(item.b);
    line.timestamp(item.t);
    line.put(DELIVERY_STATUS[item.type]);
    line.put(CITY[item.a]);
    line.put(END);
  }
}

/** The session's UUID, unquoted. */
function sessionId(line: Line, session: Session): void {
  const id = session.id;
  line.uuid(id[0], id[1], id[2], id[3]);
}
