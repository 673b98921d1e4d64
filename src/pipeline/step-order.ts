// The order of a pipeline's steps: pure functions over names and dependencies, no I/O.

/** What ordering needs of a step. */
export interface OrderedStep {
  readonly name: string;
  readonly dependsOn: readonly string[];
}

/** The steps in execution order, who depends on whom, and why they cannot all run (if so). */
export interface StepOrder<S extends OrderedStep> {
  readonly order: readonly S[];
  /** Direct dependents of each step, in execution order. */
  readonly dependents: ReadonlyMap<string, readonly string[]>;
  /** Why the steps cannot all run, naming the steps involved. */
  readonly problem?: { readonly message: string; readonly step: string };
}

/** Finds one dependency cycle among `blocked` steps, as the list of names along it. */
function findCycle(blocked: readonly OrderedStep[], byName: ReadonlyMap<string, OrderedStep>): string[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    if (state.get(name) === 'done') return undefined;
    state.set(name, 'visiting');
    path.push(name);
    for (const dependency of byName.get(name)?.dependsOn ?? []) {
      if (!byName.has(dependency)) continue;
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const step of blocked) {
    const cycle = visit(step.name);
    if (cycle) return cycle;
  }
  return [];
}

function problemOf(
  steps: readonly OrderedStep[],
  blocked: readonly OrderedStep[],
  byName: ReadonlyMap<string, OrderedStep>,
): NonNullable<StepOrder<OrderedStep>['problem']> {
  const unknown = steps.flatMap((step) =>
    step.dependsOn.filter((d) => !byName.has(d)).map((d) => `"${step.name}" depends on "${d}"`),
  );
  if (unknown.length > 0) {
    const first = steps.find((s) => s.dependsOn.some((d) => !byName.has(d)))!;
    return {
      message: `TokenFetchPipeline: unknown dependency: ${unknown.join(', ')} (no such step)`,
      step: first.name,
    };
  }
  const cycle = findCycle(blocked, byName);
  return {
    message: `TokenFetchPipeline: dependency cycle between steps ${cycle.map((name) => `"${name}"`).join(' → ')}`,
    step: cycle[0] ?? blocked[0]!.name,
  };
}

/**
 * Stable topological order: among the steps whose dependencies have run, list order wins. Steps
 * that cannot run (unknown dependency, cycle) come last, and `problem` says why.
 */
export function orderSteps<S extends OrderedStep>(steps: readonly S[]): StepOrder<S> {
  const byName = new Map<string, S>(steps.map((step) => [step.name, step]));
  const placed = new Set<string>();
  const order: S[] = [];
  for (;;) {
    const ready = steps.find((s) => !placed.has(s.name) && s.dependsOn.every((d) => placed.has(d)));
    if (ready === undefined) break;
    order.push(ready);
    placed.add(ready.name);
  }
  const blocked = steps.filter((s) => !placed.has(s.name));
  const all = [...order, ...blocked];
  const dependents = new Map<string, string[]>();
  for (const step of all) {
    for (const dependency of step.dependsOn) {
      const list = dependents.get(dependency) ?? [];
      list.push(step.name);
      dependents.set(dependency, list);
    }
  }
  if (blocked.length === 0) return { order: all, dependents };
  return { order: all, dependents, problem: problemOf(steps, blocked, byName) };
}

/** `name` and every step that depends on it, directly or not, in execution order. */
export function withDependents<S extends OrderedStep>(name: string, ordering: StepOrder<S>): string[] {
  const names = new Set([name]);
  for (const current of names)
    for (const dependent of ordering.dependents.get(current) ?? []) names.add(dependent);
  return ordering.order.filter((step) => names.has(step.name)).map((step) => step.name);
}
