/**
 * Collects the parameters of one statement and hands out their placeholders, so no `$n` is ever
 * counted by hand: `const p = new SqlParams(); db.rows(\`… WHERE id = ${p.add(id)}\`, p.values)`.
 */
export class SqlParams {
  private readonly collected: unknown[];

  constructor(values: readonly unknown[] = []) {
    this.collected = [...values];
  }

  /** Adds `value` and returns its placeholder (`$1`, `$2`, …). */
  add(value: unknown): string {
    this.collected.push(value);
    return `$${this.collected.length}`;
  }

  /** The values in placeholder order, to pass beside the statement. */
  get values(): unknown[] {
    return [...this.collected];
  }

  /** An independent copy: one statement can extend the parameters of another (a page and its count). */
  copy(): SqlParams {
    return new SqlParams(this.collected);
  }
}

/** A WHERE's conditions and the parameters they name; `conditions` are joined with AND. */
export interface SqlFilter {
  conditions: string[];
  params: SqlParams;
}

/** The conditions of `filter` as the text after WHERE. */
export function whereOf(filter: SqlFilter): string {
  return filter.conditions.join(' AND ');
}

/**
 * Constants written into a statement's text as SQL literals (`'A', 'B'`), for an IN list or an
 * ARRAY: with the values in the text the planner can prove that a partial index whose predicate
 * names them applies, which it cannot for a parameter. Quotes are doubled, so any text is safe.
 */
export function sqlLiterals(values: readonly string[]): string {
  return values.map((value) => `'${value.replaceAll("'", "''")}'`).join(', ');
}
