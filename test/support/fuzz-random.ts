/**
 * A small seeded PRNG and the hostile scalar values the fuzz test draws from. Everything here is
 * a pure function of the generator's state, so a seed and a case number reproduce a case exactly.
 */

/** mulberry32: 32 bits of state, fast, good enough to pick test inputs (not for cryptography). */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The generator of case `index` under `seed`: each case reproduces alone, whatever ran before it. */
  static forCase(seed: number, index: number): Random {
    return new Random((seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0);
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  /** Picks one of `choices` with probability proportional to its weight. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T {
    const total = choices.reduce((sum, [weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [weight, value] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return choices[choices.length - 1][1];
  }

  /** `length` random UTF-16 code units: control characters, NULs, lone surrogates and all. */
  codeUnits(length: number): string {
    return String.fromCharCode(...Array.from({ length }, () => this.int(0, 0xffff)));
  }

  /** `length` random bytes. */
  bytes(length: number): Buffer {
    return Buffer.from(Array.from({ length }, () => this.int(0, 255)));
  }

  /** A random version-4-shaped UUID that names nothing in the database. */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(0, 15).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  }
}

/** One megabyte of text: past the HTTP body limit, and far past any field's length. */
export const ONE_MB = 1024 * 1024;

/**
 * Strings PostgreSQL cannot store or that are not valid Unicode text: every one of them must be
 * refused wherever it is sent (a NUL used to surface as `invalid byte sequence` from the driver).
 */
export function invalidText(random: Random): string {
  return random.pick([
    'a\u0000b',
    '\u0000',
    `${'x'.repeat(random.int(0, 40))}\u0000`,
    '\ud800',
    'lone low \udc00 surrogate',
    `mixed \u0000\ud83d end`,
  ]);
}

/** Strings that are valid text but hostile: huge, odd, injection-shaped or random. */
export function hostileString(random: Random): string {
  return random.weighted<() => string>([
    [3, () => invalidText(random)],
    [1, () => 'x'.repeat(ONE_MB + random.int(0, 16))],
    [2, () => 'y'.repeat(random.pick([0, 1, 500, 501, 1000, 70_000]))],
    [3, () => random.codeUnits(random.int(1, 64))],
    [2, () => random.bytes(random.int(1, 48)).toString('base64')],
    [2, () => Buffer.from(String(random.pick([2 ** 53, -1, 1e308, 0]))).toString('base64')],
    [3, () => cursorLike(random)],
    [2, () => random.pick(["' OR '1'='1", '"; --', '$1', '\\', '%00', '../../etc/passwd', '{}', '[]', ' '])],
    [1, () => random.pick(['\u202e', '\ufeff', '\u{1f4a9}'.repeat(100), 'é'.repeat(300), '\r\n\t'])],
  ])();
}

/**
 * Strings shaped like this API's cursors (base64url of a JSON array: a time in microseconds and a
 * uuid) with parts out of range, of the wrong type or the wrong number: past the format check,
 * they reach SQL.
 */
function cursorLike(random: Random): string {
  const micros = random.pick(['99999999999999999999', '-99999999999999999999', '0', '1', '9223372036854775808', '1e5']);
  const key = random.weighted<unknown[]>([
    [4, [micros, random.uuid()]],
    [1, [micros]],
    [1, [Number(micros), random.uuid()]],
    [1, [micros, random.uuid(), 'extra']],
    [1, [micros, invalidText(random)]],
  ]);
  return Buffer.from(JSON.stringify(key)).toString(random.pick(['base64url', 'base64'] as const));
}

/** Ints GraphQL's Int accepts but a page size or a count must not: zero, negatives, the 32-bit extremes. */
export function oddInt(random: Random): number {
  return random.pick([0, -1, -2147483648, 2147483647, 200, 201, 1]);
}

/** Values GraphQL's Int must refuse: past 32 bits, fractions, other types. */
export function notAnInt(random: Random): unknown {
  return random.pick<unknown>([2147483648, -2147483649, 2 ** 53, 1e308, 1.5, -0.0001, '1', 'NaN', true, [], {}]);
}

/** Any JSON value at all, for positions where a specific type is expected. */
export function wrongType(random: Random): unknown {
  return random.pick<unknown>([
    null,
    true,
    0,
    -7.25,
    '',
    'not the right type',
    [],
    [null],
    {},
    { nested: { deeper: [1, 'two'] } },
    random.uuid(),
  ]);
}

/** Ids that are malformed, unknown, or of the wrong kind, as GraphQL's ID accepts them (strings and ints). */
export function oddId(random: Random): string | number {
  return random.weighted<() => string | number>([
    [3, () => random.uuid()],
    [1, () => '00000000-0000-0000-0000-000000000000'],
    [2, () => random.pick(['', '1', '-1', '9'.repeat(40), 'not-a-uuid', '00000000-0000-0000-0000-00000000000g'])],
    [2, () => invalidText(random)],
    [1, () => random.int(-5, 5)],
    [1, () => hostileString(random)],
  ])();
}

/** Valid date-times at the edges of what PostgreSQL's timestamptz and JavaScript's Date hold. */
export function oddDateTime(random: Random): string {
  return random.pick([
    '0001-01-01T00:00:00Z',
    '1970-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
    '2026-02-29T00:00:00Z',
    '2026-06-30T23:59:60Z',
  ]);
}

/** Values the DateTime scalar must refuse. */
export function notADateTime(random: Random): unknown {
  return random.pick<unknown>([
    '2026-13-45T99:99:99Z',
    'yesterday',
    '0000-00-00T00:00:00Z',
    '-271821-04-20T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '2026-01-01',
    1_700_000_000,
    '',
  ]);
}
