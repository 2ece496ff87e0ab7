import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { Disclosure, KindResult, LoadKind, LoadPlan, LoadResult, operationOf, readAnswer } from './load-plan';

/**
 * The clients of `npm run bench:load`, in a process of their own so that they do not share the hub's event
 * loop: autocannon with the plan's connections against the hub on loopback, each request of a kind taken in
 * turn from a weighted round (so every connection sends the mix). Every request carries an id of its own
 * (`x-request-id`, echoed by the hub), by which its answer is read and its audit events are found later.
 * Driven over IPC by bench/load.ts.
 */
type Command = { cmd: 'run'; plan: LoadPlan } | { cmd: 'stop' };

/** The kinds in a round of 100 slots, spread out (not one kind's requests in a row). */
function round(kinds: LoadKind[]): number[] {
  const total = kinds.reduce((sum, k) => sum + k.weight, 0);
  const slots: { kind: number; at: number }[] = [];
  kinds.forEach((kind, index) => {
    const n = Math.max(1, Math.round((kind.weight / total) * 100));
    for (let i = 0; i < n; i++) slots.push({ kind: index, at: (i + 0.5) / n });
  });
  return slots.sort((a, b) => a.at - b.at || a.kind - b.kind).map((s) => s.kind);
}

async function run(plan: LoadPlan): Promise<LoadResult> {
  const order = round(plan.kinds);
  const results: KindResult[] = plan.kinds.map((k) => ({
    name: k.name,
    requests: 0,
    errors: 0,
    shown: 0,
    namedAllWithheld: 0,
    times: [],
  }));
  const turns = plan.kinds.map(() => 0);
  const sent = new Map<string, number>();
  const disclosures: Record<string, Disclosure> = {};
  const errorCauses: Record<string, number> = {};
  const errorSamples = new Set<string>();
  let next = 0;
  // The kind of the answer just read: autocannon reads the body (onResponse) and then, in the same turn,
  // reports the response's time ('response'), so the time belongs to it.
  let answered: number | undefined;

  const failed = (cause: string, sample: string) => {
    errorCauses[cause] = (errorCauses[cause] ?? 0) + 1;
    if (errorSamples.size < 10) errorSamples.add(sample.slice(0, 300));
  };

  const request: autocannon.AutocannonRequest = {
    method: 'POST',
    path: new URL(plan.endpoint).pathname,
    setupRequest: (req) => {
      const index = order[next % order.length];
      const kind = plan.kinds[index];
      const turn = turns[index]++;
      const id = `${plan.prefix}-${kind.name}-${next++}`;
      sent.set(id, index);
      const { caseReference, ...variables } = kind.variables[turn % kind.variables.length] as {
        caseReference?: string;
      };
      return {
        ...req,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${kind.tokens[turn % kind.tokens.length]}`,
          'x-request-id': id,
          ...kind.headers,
          ...(caseReference ? { 'x-case-reference': caseReference } : {}),
        },
        body: JSON.stringify({ query: kind.query, variables }),
      };
    },
    onResponse: (status, body, _context, headers) => {
      const id = String(headers['x-request-id'] ?? headers['X-Request-Id'] ?? '');
      const index = sent.get(id);
      answered = index;
      if (index === undefined) {
        failed('unknown request id', `HTTP ${status}: an answer without a request id the clients sent`);
        return;
      }
      sent.delete(id);
      const kind = plan.kinds[index];
      const answer = readAnswer(kind, status, body);
      results[index].requests += 1;
      results[index].shown += answer.persons.length;
      results[index].namedAllWithheld += answer.named.length;
      if (answer.errors.length > 0) {
        results[index].errors += 1;
        failed(answer.errors[0].split(':')[0], `${kind.name}: ${answer.errors.join('; ')}`);
      }
      disclosures[id] = { kind: kind.name, operation: operationOf(kind), persons: answer.persons, named: answer.named };
    },
  };

  const started = performance.now();
  const instance = autocannon({
    url: plan.endpoint,
    connections: plan.connections,
    duration: plan.seconds,
    timeout: 30,
    requests: [request],
  });
  instance.on('response', (_client, _status, _bytes, time) => {
    if (answered !== undefined) results[answered].times.push(time);
    answered = undefined;
  });
  instance.on('reqError', (error) => failed('socket error', `${error.name}: ${error.message}`));
  const result = await instance;
  const seconds = (performance.now() - started) / 1000;
  if (result.timeouts > 0) errorCauses.timeout = (errorCauses.timeout ?? 0) + result.timeouts;
  return {
    seconds,
    kinds: results,
    errorCauses,
    errorSamples: [...errorSamples],
    // The last request each connection built may never have been sent; those have no events either.
    unanswered: [...sent.keys()],
    disclosures,
    autocannon: { sent: result.requests.sent, errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx },
  };
}

process.on('message', (command: Command) => {
  if (command.cmd === 'stop') {
    process.send!({ ok: true, result: null });
    setImmediate(() => process.exit(0));
    return;
  }
  run(command.plan).then(
    (result) => process.send!({ ok: true, result }),
    (error: unknown) => process.send!({ ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
