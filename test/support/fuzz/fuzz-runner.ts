import { DisclosureOracle } from './disclosure-oracle';
import { RawRequest, send } from './fuzz-client';
import { CorpusCase } from './malformed-requests';
import { answerProblems, HttpAnswer } from './response-checks';

export interface FuzzCaller {
  token: string;
  purpose: string;
}

export interface Outcome {
  answer: HttpAnswer;
  problems: string[];
  codes: string[];
}

export interface FuzzRunner {
  /** Sends one request as a caller (unless it brings its own authorization) and checks the answer. */
  exchange(req: RawRequest, caller: FuzzCaller): Promise<Outcome>;
  /** Runs corpus cases in turn; returns every problem, each named by its case. */
  corpus(cases: readonly CorpusCase[], caller: FuzzCaller): Promise<string[]>;
}

/**
 * Requests to one hub on loopback, each with a request id of its own, checked by `answerProblems` and, when
 * there is one, the disclosure oracle (which reads that hub's audit trail).
 */
export function fuzzRunner(
  port: number,
  options: { boundMs: number; seed: number; oracle?: DisclosureOracle },
): FuzzRunner {
  let sequence = 0;
  const exchange = async (req: RawRequest, caller: FuzzCaller): Promise<Outcome> => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${caller.token}`,
      'x-purpose': caller.purpose,
      'x-case-reference': `FUZZ-${sequence}`,
      'x-request-id': `fuzz-${options.seed}-${sequence++}`,
      ...req.headers,
    };
    const answer = await send(port, { ...req, headers }, options.boundMs);
    const problems = answerProblems(answer, options.boundMs);
    if (options.oracle && answer.requestId)
      problems.push(
        ...(await options.oracle.problems(answer.requestId, `${req.path} ${String(req.body ?? '')}`, answer.text)),
      );
    return { answer, problems, codes: codesOf(answer.text) };
  };
  return {
    exchange,
    async corpus(cases, caller) {
      const found: string[] = [];
      for (const item of cases) {
        const contentType =
          item.contentType === undefined
            ? item.body !== undefined
              ? 'application/json'
              : undefined
            : item.contentType;
        const headers = { ...(contentType ? { 'content-type': contentType } : {}), ...item.headers };
        const outcome = await exchange(
          { method: item.method ?? 'POST', path: item.path ?? '/graphql', body: item.body, headers },
          caller,
        );
        const problems = [...outcome.problems];
        if (item.statuses && outcome.answer.elapsedMs !== undefined && !item.statuses.includes(outcome.answer.status)) {
          problems.push(`HTTP ${outcome.answer.status}, expected ${item.statuses.join(' or ')}`);
        }
        if (item.code && (outcome.codes.length === 0 || outcome.codes.some((code) => code !== item.code)))
          problems.push(`codes ${outcome.codes.join(', ') || 'none'}, expected ${item.code}`);
        if (item.notCode && outcome.codes.includes(item.notCode)) problems.push(`code ${item.notCode}`);
        found.push(...problems.map((problem) => `${item.label}: ${problem} ${outcome.answer.text.slice(0, 200)}`));
      }
      return found;
    },
  };
}

/** The codes of a GraphQL answer's errors; none for anything else. */
export function codesOf(text: string): string[] {
  try {
    const body = JSON.parse(text) as { errors?: { extensions?: { code?: unknown } }[] };
    return Array.isArray(body.errors) ? body.errors.map((error) => String(error.extensions?.code)) : [];
  } catch {
    return [];
  }
}
