import fc from 'fast-check';
import Value from 'typebox/value';

/**
 * The smallest request a route's own schema accepts, built from the OpenAPI document the app
 * serves (`app.swagger()`): required properties only, each with a value of its type — an enum's
 * first value, a format's canonical example, a string matching its pattern, a number inside its
 * bounds. The tenancy walk sends these instead of `{}`, so a write with a foreign id gets past
 * schema validation and is refused (or not) by the service's ownership check.
 */

export type JsonSchema = {
  type?: string | string[];
  $ref?: string;
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  minProperties?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  multipleOf?: number;
  nullable?: boolean;
  default?: unknown;
  [k: string]: unknown;
};

export interface OpenApiOperation {
  parameters?: { in: string; name: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

const FORMATS: Record<string, string> = {
  'date-time': '2026-11-26T10:30:00.000Z',
  date: '2026-11-26',
  time: '10:30:00Z',
  email: 'probe@example.com',
  uri: 'https://example.com/probe',
  url: 'https://example.com/probe',
  'uri-reference': '/probe',
  hostname: 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
};

export class SchemaSampler {
  constructor(
    private readonly doc: OpenApiDoc,
    /**
     * Values by property name for strings the schema leaves open but a service checks (a credit
     * level is one of AA, A, B, C): used only where the schema states no enum, pattern or format.
     */
    private readonly hints: Readonly<Record<string, unknown>> = {},
    /** What a `format: uuid` value is: a row id the caller names (nil by default). */
    private readonly uuid = '00000000-0000-7000-8000-000000000000',
  ) {}

  /** The OpenAPI operation of a Fastify route (`/a/:id` is `/a/{id}` there). */
  operation(method: string, url: string): OpenApiOperation | undefined {
    return this.doc.paths[url.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
  }

  /** The JSON body schema of an operation, if it takes JSON. */
  bodySchema(op: OpenApiOperation | undefined): JsonSchema | undefined {
    return op?.requestBody?.content?.['application/json']?.schema;
  }

  /** Required query parameters, sampled, as a query string (empty when there are none). */
  query(op: OpenApiOperation | undefined): string {
    const q = new URLSearchParams();
    for (const p of op?.parameters ?? []) {
      if (p.in !== 'query' || !p.required) continue;
      const v = this.sample(p.schema ?? { type: 'string' });
      q.set(p.name, Array.isArray(v) ? v.map(String).join(',') : String(v));
    }
    return q.toString();
  }

  /** Whether the schema accepts the value (the sampler's own check: a 400 is then the service's). */
  accepts(schema: JsonSchema, value: unknown): { ok: boolean; errors: string } {
    const plain = this.resolveAll(schema) as never;
    if (Value.Check(plain, value)) return { ok: true, errors: '' };
    const errors = [...Value.Errors(plain, value)].map((e) => `${e.instancePath || '/'} ${e.message}`);
    return { ok: false, errors: errors.join('; ') };
  }

  /**
   * A value the schema accepts: with `full`, every property of every object is filled, not only
   * the required ones (a service may want what its schema leaves optional, a rejection's reason).
   */
  sample(schema: JsonSchema, variant = 0, full = false): unknown {
    const s = this.resolve(schema);
    if ('const' in s) return s.const;
    if (s.enum?.length) return s.enum[0];
    if (s.allOf?.length) {
      const parts = s.allOf.map((x) => this.sample(x, variant, full));
      return parts.every((p) => p && typeof p === 'object' && !Array.isArray(p)) ? Object.assign({}, ...parts) : parts[0];
    }
    const branches = s.anyOf ?? s.oneOf;
    if (branches?.length) {
      const nonNull = branches.find((b) => this.resolve(b).type !== 'null') ?? branches[0]!;
      return this.sample(nonNull, variant, full);
    }
    const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : s.properties ? ['object'] : [];
    const type = types.find((t) => t !== 'null') ?? types[0];
    switch (type) {
      case 'object': {
        const out: Record<string, unknown> = {};
        // The required properties, then optional ones in order while `minProperties` wants more.
        const optional = Object.keys(s.properties ?? {}).filter((k) => !(s.required ?? []).includes(k));
        const wanted = full ? optional.length : Math.max(0, (s.minProperties ?? 0) - (s.required ?? []).length);
        const names = [...(s.required ?? []), ...optional.slice(0, wanted)];
        for (const name of names) out[name] = this.property(name, s.properties?.[name] ?? {}, variant, full);
        return out;
      }
      case 'array': {
        const n = Math.max(s.minItems ?? 0, full ? 1 : 0);
        return Array.from({ length: n }, (_, i) => this.sample(s.items ?? {}, variant + i, full));
      }
      case 'string':
        return this.string(s, variant);
      case 'integer':
      case 'number':
        return this.number(s, type === 'integer', variant);
      case 'boolean':
        return false;
      case 'null':
        return null;
      default:
        return s.default ?? 'x';
    }
  }

  private property(name: string, schema: JsonSchema, variant: number, full: boolean): unknown {
    const s = this.resolve(schema);
    const open = s.type === 'string' && !s.enum && !('const' in s) && !s.pattern && !s.format;
    return open && name in this.hints ? this.hints[name] : this.sample(schema, variant, full);
  }

  private string(s: JsonSchema, variant: number): string {
    if (s.format === 'uuid') return this.uuid;
    const min = s.minLength ?? 1;
    const max = s.maxLength ?? Math.max(min, 64);
    if (s.pattern) {
      const re = new RegExp(s.pattern, 'u');
      const fits = (x: string): boolean => [...x].length >= min && [...x].length <= max && re.test(x);
      if (s.format && FORMATS[s.format] && fits(FORMATS[s.format]!)) return FORMATS[s.format]!;
      // Deterministic: the same seed gives the same sample on every run.
      const candidates = fc.sample(fc.stringMatching(re), { numRuns: 200, seed: 9 + variant });
      const found = candidates.find(fits);
      if (found !== undefined) return found;
      throw new Error(`no sample for pattern ${s.pattern} within ${min}..${max}`);
    }
    if (s.format && FORMATS[s.format]) return FORMATS[s.format]!;
    const base = `probe${variant === 0 ? '' : variant}`;
    return base.padEnd(min, 'x').slice(0, max);
  }

  private number(s: JsonSchema, integer: boolean, variant: number): number {
    let lo = typeof s.minimum === 'number' ? s.minimum : -Infinity;
    if (typeof s.exclusiveMinimum === 'number') lo = Math.max(lo, s.exclusiveMinimum + (integer ? 1 : 0.01));
    let hi = typeof s.maximum === 'number' ? s.maximum : Infinity;
    if (typeof s.exclusiveMaximum === 'number') hi = Math.min(hi, s.exclusiveMaximum - (integer ? 1 : 0.01));
    let v = Number.isFinite(lo) ? lo : 1;
    v = Math.max(v, Math.min(1 + variant, hi));
    if (s.multipleOf) v = Math.ceil(v / s.multipleOf) * s.multipleOf;
    if (integer) v = Math.ceil(v);
    return Math.min(v, hi);
  }

  private resolve(s: JsonSchema): JsonSchema {
    let cur = s;
    for (let i = 0; i < 10 && cur.$ref; i++) {
      const name = /^#\/components\/schemas\/(.+)$/.exec(cur.$ref)?.[1];
      const next = name ? this.doc.components?.schemas?.[name] : undefined;
      if (!next) throw new Error(`unresolved ${cur.$ref}`);
      cur = next;
    }
    return cur;
  }

  /** A copy with every `$ref` to the document's components inlined, for the check. */
  private resolveAll(s: unknown, depth = 0): unknown {
    if (depth > 40 || s === null || typeof s !== 'object') return s;
    if (Array.isArray(s)) return s.map((x) => this.resolveAll(x, depth + 1));
    const r = (s as JsonSchema).$ref ? this.resolve(s as JsonSchema) : s;
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, this.resolveAll(v, depth + 1)]));
  }
}
