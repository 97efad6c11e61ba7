/**
 * The growing user population and its profile events: every user starts with a
 * `profile_creation`, most verify their e-mail soon after, and returning users now and then
 * update their profile or reset their password.
 *
 * Profile records carry a snapshot of the name and category at that moment (`a`, `b` of the
 * scheduled record), because the user may change them again before the record is written.
 *
 * @module
 */

import { MINUTE, SECOND } from "./time.ts";
import { PROFILES, type User, type World } from "./world.ts";

/** Profile action indices (PROFILE_ACTIONS order). */
export const PROFILE_CREATION = 0;
const PROFILE_UPDATE = 1;
const PASSWORD_RESET = 2;
const EMAIL_VERIFICATION = 3;

/** Chance that a session belongs to a brand-new user. */
export const NEW_USER_SHARE = 0.25;
/** Chance that a new user verifies their e-mail (within minutes). */
const VERIFY_SHARE = 0.75;
/** Chance that a returning user's session includes a profile update. */
const UPDATE_SHARE = 0.05;
/** Chance that a returning user resets their password before the session. */
const RESET_SHARE = 0.02;

/** Session users seen so far (indices), for preferential choice of returning users. */
const SESSION_MEMORY = 1 << 16;

/** Chooses who acts: new users join, loyal users come back more often. */
export class Population {
  readonly #world: World;
  readonly #recent = new Int32Array(SESSION_MEMORY);
  #recentCount = 0;

  constructor(world: World) {
    this.#world = world;
  }

  /**
   * The user of a session starting at `t`, and when their session can begin (after their
   * creation or password reset, if any).
   */
  visitor(t: number): { user: User; begin: number } {
    const world = this.#world;
    const random = world.random;
    const users = world.users;
    let user: User;
    let begin = t;
    if (users.length === 0 || random.chance(NEW_USER_SHARE)) {
      user = this.#create(t);
      begin = t + 5 * SECOND + random.exponential(40 * SECOND);
    } else {
      // Half uniform, half proportional to past sessions: a few loyal users visit a lot.
      user = this.#recentCount > 0 && random.chance(0.5)
        ? users[this.#recent[random.int(Math.min(this.#recentCount, SESSION_MEMORY))]]
        : users[random.int(users.length)];
      if (random.chance(RESET_SHARE)) {
        world.schedule(t, PROFILES, PASSWORD_RESET, user, null, null, user.name, user.category);
        begin = t + 20 * SECOND + random.exponential(60 * SECOND);
      }
    }
    this.#recent[this.#recentCount++ % SESSION_MEMORY] = user.n - 1;
    return { user, begin };
  }

  /** Maybe a profile update at `t`, during a returning user's session. */
  maybeUpdate(user: User, t: number): void {
    const world = this.#world;
    const random = world.random;
    if (t - user.createdAt < 30 * MINUTE || !random.chance(UPDATE_SHARE)) return;
    if (random.chance(0.6)) user.category = world.catalog.drawCategory(random);
    else user.name = random.int(world.pools.names.length);
    world.schedule(t, PROFILES, PROFILE_UPDATE, user, null, null, user.name, user.category);
  }

  #create(t: number): User {
    const world = this.#world;
    const random = world.random;
    const n = world.users.length + 1;
    const user: User = {
      n,
      id: `user_${n}`,
      createdAt: t,
      name: random.int(world.pools.names.length),
      category: world.catalog.drawCategory(random),
    };
    world.users.push(user);
    world.schedule(t, PROFILES, PROFILE_CREATION, user, null, null, user.name, user.category);
    if (random.chance(VERIFY_SHARE)) {
      const at = t + 30 * SECOND + random.exponential(6 * MINUTE);
      world.schedule(at, PROFILES, EMAIL_VERIFICATION, user, null, null, user.name, user.category);
    }
    return user;
  }
}
