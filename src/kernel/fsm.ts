/**
 * Lifecycles written as data (Vendure style): a table of allowed transitions, checked in one
 * place. `transition` answers a result, never throws, so a service can turn a refused
 * transition into a receipt or a DomainError as its context requires.
 */
export interface Transition<S extends string, E extends string> {
  from: S | readonly S[];
  event: E;
  to: S;
}

export interface StateMachine<S extends string, E extends string> {
  readonly name: string;
  readonly states: readonly S[];
  readonly initial: S;
  readonly terminal: readonly S[];
  transition(from: S, event: E): { ok: true; to: S } | { ok: false; from: S; event: E; allowed: E[] };
  eventsFrom(state: S): E[];
  can(from: S, event: E): boolean;
}

export function defineStateMachine<S extends string, E extends string>(def: {
  name: string;
  states: readonly S[];
  initial: S;
  terminal?: readonly S[];
  transitions: readonly Transition<S, E>[];
}): StateMachine<S, E> {
  const table = new Map<S, Map<E, S>>();
  for (const s of def.states) table.set(s, new Map());
  for (const t of def.transitions) {
    const froms: readonly S[] = Array.isArray(t.from) ? t.from : [t.from as S];
    for (const f of froms) {
      const row = table.get(f);
      if (!row) throw new Error(`${def.name}: unknown state "${f}" in transition ${t.event}`);
      if (!def.states.includes(t.to)) throw new Error(`${def.name}: unknown target state "${t.to}"`);
      if (row.has(t.event)) throw new Error(`${def.name}: duplicate transition ${f} --${t.event}-->`);
      row.set(t.event, t.to);
    }
  }
  const terminal = def.terminal ?? [];
  for (const s of terminal) {
    if ((table.get(s)?.size ?? 0) > 0) throw new Error(`${def.name}: terminal state "${s}" has exits`);
  }
  return {
    name: def.name,
    states: def.states,
    initial: def.initial,
    terminal,
    transition(from, event) {
      const to = table.get(from)?.get(event);
      if (to !== undefined) return { ok: true, to };
      return { ok: false, from, event, allowed: [...(table.get(from)?.keys() ?? [])] };
    },
    eventsFrom: (state) => [...(table.get(state)?.keys() ?? [])],
    can: (from, event) => table.get(from)?.has(event) ?? false,
  };
}
