import request from 'supertest';
import { consolePersonas } from '../../src/console/console-router';

/** A console agent: supertest's, keeping the session cookie between requests. */
export type ConsoleAgent = ReturnType<typeof request.agent>;

/** The demo persona whose sign-in button is labelled `name` ("Account manager", "Registrar"...). */
export const consolePersona = (name: string) => consolePersonas.find((p) => p.name === name)!;

/** The CSRF token of a console page's forms. */
export const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/**
 * An agent signed in to the console at `base` with the persona's button, and with `purpose` chosen on the
 * purpose page when given; `chosen` is that choice's answer (its redirect says where the user lands).
 */
export async function signedInToConsole(
  base: string,
  name: string,
  purpose?: string,
): Promise<{ agent: ConsoleAgent; chosen?: request.Response }> {
  const agent = request.agent(base);
  const start = await agent.get('/console').expect(200);
  await agent
    .post('/console/sign-in/persona')
    .type('form')
    .send({ _csrf: csrfOf(start.text), persona: consolePersona(name).id })
    .expect(303);
  if (!purpose) return { agent };
  const form = await agent.get('/console/purpose').expect(200);
  const chosen = await agent
    .post('/console/purpose')
    .type('form')
    .send({ _csrf: csrfOf(form.text), purpose });
  return { agent, chosen };
}
