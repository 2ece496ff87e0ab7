import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Logger } from '@nestjs/common';
import { csrfSync } from 'csrf-sync';
import express, { NextFunction, Request, Response, Router } from 'express';
import nunjucks from 'nunjucks';
import type { Pool } from 'pg';
import { demoPersonas } from '../auth/demo-personas';
import { requestIdOf } from '../common/request-id';
import type { DevTokenIssuer } from '../auth/dev-token.service';
import type { Principal } from '../engine/principal';
import type { CouncilSignIn } from './council-sign-in';
import {
  ALERT_READ_MUTATION,
  AlertItem,
  alertRow,
  ALERTS_QUERY,
  CASELOAD_HOUSEHOLD_QUERY,
  CASELOAD_PERSON_QUERY,
  CASELOAD_QUERY,
  CaseChange,
  caseChanges,
  caseloadRow,
  HOUSEHOLD_QUERY,
  householdPage,
  outages,
  PERSON_QUERY,
  personPage,
  PURPOSES_QUERY,
  SEARCH_QUERY,
  searchRows,
} from './console-pages';
import { consoleSessions, ConsoleUser, SessionSettings } from './console-session';
import { cell, link, ukDay } from './console-cells';
import {
  ACCEPT_REVIEW,
  REJECT_REVIEW,
  REVIEWS_QUERY,
  reviewItem,
  SPLIT_RECORD,
  splittable,
  weightBands,
  WEIGHTS_QUERY,
} from './console-steward';
import { stackedBars, topSeries } from './console-charts';
import { ApiAnswer, ApiCall, HubApi, otherErrors, streamFromHub, withheldByPath } from './hub-api';
import {
  ACCEPT_LIFE_EVENT_MATCH,
  LIFE_EVENT_QUERY,
  LIFE_EVENT_STATUS_FILTERS,
  LIFE_EVENT_TYPES,
  LIFE_EVENTS_QUERY,
  LifeEventForm,
  errorsByField,
  lifeEventForm,
  lifeEventRow,
  receiptPage,
  REJECT_LIFE_EVENT_MATCH,
  REPORT_LIFE_EVENT,
  reportInput,
  reportProblems,
  RETRY_LIFE_EVENT_DELIVERY,
  WITHDRAW_LIFE_EVENT,
} from './console-life-events';
import { RECEIPT_READERS } from '../life-events/life-events.resolver';
import {
  activitySeries,
  ActivityDay,
  anomalyTables,
  BREAK_GLASS_QUERY,
  BREAK_GLASS_STATUSES,
  breakGlassGrant,
  DPO_ACTIVITY_QUERY,
  DPO_ANOMALIES_QUERY,
  DPO_EVENTS_QUERY,
  DPO_OVERVIEW_QUERY,
  DPO_SAR_QUERY,
  DPO_TIMELINE_QUERY,
  EVENT_FILTERS,
  EVENT_HEAD,
  eventRow,
  REPORT_EVENT_HEAD,
  reportEventRow,
  REVIEW_BREAK_GLASS,
  sourceRecordRows,
  timelineItem,
} from './console-dpo';

export interface ConsoleDependencies {
  pool: Pool;
  session: SessionSettings;
  /** Persona sign-in: only where the hub signs dev tokens (never in production). */
  devTokens?: DevTokenIssuer;
  /** Sign-in with the council's identity provider, when configured. */
  councilSignIn?: CouncilSignIn;
  /** The hub's own bearer-token verification: a signed-in user is what their token is on the API. */
  verify(token: string): Promise<Principal>;
  /** The hub's GraphQL API, run in process with the user's token: every page's way to personal data. */
  api: HubApi;
  /** The council's name for the pages' header and footer (CONSOLE_COUNCIL_NAME); absent, the service's alone. */
  councilName?: string;
}

const govukDir = join(dirname(require.resolve('govuk-frontend/package.json')), 'dist');
/**
 * The page templates and stylesheet, read from the source tree whether the hub runs from src/ (tests) or
 * dist/ (npm start): the directory above this file's that holds package.json is the project's root.
 */
const viewsDir = join(projectRoot(__dirname), 'src', 'console', 'views');

function projectRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'package.json'))) return dir;
  throw new Error(`no package.json above ${from}`);
}
const mojDir = dirname(require.resolve('@ministryofjustice/frontend/package.json'));
const PERSONA_TOKEN_SECONDS = 8 * 3600;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Persona buttons: one per demo persona, labelled with its name ("Account manager"). */
export const consolePersonas = demoPersonas.map((persona, index) => ({
  id: String(index),
  name: persona.label.charAt(0).toUpperCase() + persona.label.slice(1),
  token: persona.token,
}));

/** The GOV.UK and MoJ stylesheets, their asset URLs moved under /console/assets. */
function stylesheet(file: string): string {
  return readFileSync(file, 'utf8').replace(/url\(\/assets\//g, 'url(/console/assets/');
}

/**
 * The console at `/console`: server-rendered GOV.UK pages that call the hub's own GraphQL API for
 * everything personal (docs/console.md). Sessions and CSRF here; decisions and audit in the API.
 */
export function consoleRouter(deps: ConsoleDependencies): Router {
  const logger = new Logger('Console');
  const views = new nunjucks.Environment(
    new nunjucks.FileSystemLoader([viewsDir, govukDir, mojDir], { noCache: false }),
    { autoescape: true, throwOnUndefined: false },
  );
  views.addGlobal('councilName', deps.councilName);
  // The MoJ components' own Nunjucks filters (mojDate for the timeline).
  const mojFilters = (
    require(join(mojDir, 'moj', 'filters', 'all.js')) as () => Record<string, (...args: unknown[]) => unknown>
  )();
  for (const [name, filter] of Object.entries(mojFilters)) views.addFilter(name, filter);
  // A map, not an object: `/static/constructor` must not find Object's own properties.
  const css = new Map([
    ['govuk-frontend.min.css', stylesheet(join(govukDir, 'govuk', 'govuk-frontend.min.css'))],
    ['moj-frontend.min.css', stylesheet(join(mojDir, 'moj', 'moj-frontend.min.css'))],
    ['console.css', readFileSync(join(viewsDir, 'console.css'), 'utf8')],
  ]);
  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    getTokenFromRequest: (req) => (req.body as Record<string, string> | undefined)?._csrf,
  });

  const router = express.Router({ caseSensitive: true, strict: true });
  router.use((req, res, next) => {
    const nonce = randomBytes(16).toString('base64');
    res.locals.cspNonce = nonce;
    res.setHeader(
      'Content-Security-Policy',
      [
        "default-src 'self'",
        `script-src 'self' 'nonce-${nonce}'`,
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
      ].join('; '),
    );
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  router.get('/static/:file', (req, res, next) => {
    const file = req.params.file;
    const stylesheetText = css.get(file);
    if (stylesheetText !== undefined)
      return void res.type('text/css').setHeader('Cache-Control', 'public, max-age=3600').send(stylesheetText);
    if (file === 'govuk-frontend.min.js')
      return void res.sendFile(join(govukDir, 'govuk', file), {
        maxAge: 3_600_000,
        headers: { 'Cache-Control': 'public, max-age=3600' },
      });
    if (file === 'init.js')
      return void res
        .type('text/javascript')
        .send("import { initAll } from '/console/static/govuk-frontend.min.js';\ninitAll();\n");
    next();
  });
  router.use('/assets', express.static(join(govukDir, 'govuk', 'assets'), { maxAge: '1h', fallthrough: false }));
  router.use(express.urlencoded({ extended: false, limit: '20kb', parameterLimit: 50 }));
  router.use(...consoleSessions(deps.pool, deps.session));
  // A redirect goes out only once the session is saved: express-session saves at the end of a response
  // but sends a response with a body (a redirect has one) before the save completes, so the browser's next
  // request could read the session as it was before (signed out, no purpose), as it did on a busy machine.
  router.use((req, res, next) => {
    const redirect = res.redirect.bind(res) as (status: number, url: string) => void;
    res.redirect = ((status: number, url: string) => {
      if (!req.session) return redirect(status, url);
      req.session.save((error) => (error ? next(error) : redirect(status, url)));
    }) as typeof res.redirect;
    next();
  });
  router.use((req, res, next) => {
    res.locals.csrfToken = generateToken(req);
    res.locals.user = req.session.user;
    res.locals.purpose = req.session.purpose;
    res.locals.purposeName = req.session.purposeName ?? req.session.purpose;
    res.locals.caseReference = req.session.caseReference;
    next();
  });
  router.use(csrfSynchronisedProtection);

  const render = (res: Response, view: string, locals: Record<string, unknown>, status = 200) => {
    const navigation = navigationFor(res.locals.user, res.locals.purposeName).map((item) => ({
      ...item,
      active: item.section === locals.section,
    }));
    views.render(`${view}.njk`, { ...res.locals, ...locals, navigation }, (error, html) => {
      // Answered already (a client gone, an error handled elsewhere): nothing more to send.
      if (res.headersSent) return;
      if (error) {
        logger.error(`page ${view} failed to render: ${error.message}`);
        logger.debug(error.stack ?? '');
        res.status(500).type('text/plain').send('The page could not be shown.');
        return;
      }
      res.status(status).type('html').send(html);
    });
  };
  // Every problem page names the page's request id: the one its access-log line, its response header and the
  // audit events of its calls carry.
  const problem = (res: Response, status: number, title: string, lines: string[], code?: string) =>
    render(res, 'error', { title, lines, code, requestId: requestIdOf(res.req) }, status);

  /** An async page: whatever it throws goes to the error page. */
  const asyncPage =
    (handler: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) =>
      void handler(req, res).catch(next);

  const signedIn = (req: Request, res: Response, next: NextFunction) => {
    if (req.session.user) return next();
    req.session.returnTo = req.originalUrl;
    res.redirect(303, '/console');
  };

  /** The call a page makes for the signed-in user, with the purpose and case reference they chose. */
  const callFor = (req: Request, personId?: string): ApiCall => {
    const grant = personId ? req.session.breakGlass?.[personId] : undefined;
    return {
      token: req.session.user!.token,
      purpose: req.session.purpose,
      caseReference: req.session.caseReference,
      breakGlass: grant && grant.expiresAt > Date.now() ? grant.id : undefined,
    };
  };

  /** The purpose comes first: a page with personal data is not asked for without one (or with one in the link). */
  const choosePurpose = async (req: Request, res: Response, next: NextFunction) => {
    const offered = typeof req.query.purpose === 'string' ? req.query.purpose : undefined;
    if (offered && offered !== req.session.purpose) {
      const known = (await activePurposes(req)).find((p) => p.code === offered);
      if (!known)
        return problem(res, 400, 'Unknown purpose', [`${offered} is not a purpose the hub knows.`], 'BAD_PURPOSE');
      choose(req, res, known);
    }
    if (req.session.purpose) return next();
    req.session.returnTo = req.originalUrl;
    res.redirect(303, '/console/purpose');
  };

  const purposeChosen = (req: Request, res: Response, next: NextFunction) =>
    void choosePurpose(req, res, next).catch(next);

  const activePurposes = async (req: Request): Promise<Purpose[]> => {
    const answer = await deps.api.ask<{ purposes: Purpose[] }>(req, { token: req.session.user!.token }, PURPOSES_QUERY);
    return (answer.data?.purposes ?? []).filter((p) => p.active);
  };

  /** The session's purpose from now on (the page being answered shows it too), without a case reference. */
  const choose = (req: Request, res: Response, purpose: Purpose, caseReference?: string) => {
    req.session.purpose = purpose.code;
    req.session.purposeName = purpose.name;
    req.session.caseReference = caseReference;
    res.locals.purpose = purpose.code;
    res.locals.purposeName = purpose.name;
    res.locals.caseReference = caseReference;
  };

  /** A refusal of the whole request (no agreement, a case reference needed, forbidden): a page that says so. */
  const refused = (res: Response, answer: ApiAnswer<unknown>): boolean => {
    if (answer.status === 401) {
      res.redirect(303, '/console');
      return true;
    }
    const errors = otherErrors(answer.errors).filter((error) => !(error.extensions?.code ?? '').startsWith('SOURCE_'));
    if (answer.data && Object.values(answer.data as object).some((value) => value !== null) && answer.status === 200)
      return false;
    const first = errors[0] ?? answer.errors[0];
    if (!first) return false;
    const code = first.extensions?.code ?? 'ERROR';
    const status = code === 'BAD_USER_INPUT' ? 400 : code === 'NOT_FOUND' ? 404 : 403;
    problem(res, status, code === 'NOT_FOUND' ? 'Not found' : 'You cannot see this', [first.message], code);
    return true;
  };

  router.get('/', (req, res) => {
    if (req.session.user)
      return res.redirect(303, req.session.purpose ? landing(req.session.user) : '/console/purpose');
    render(res, 'sign-in', {
      title: 'Sign in',
      personas: deps.devTokens?.enabled ? consolePersonas : [],
      oidc: Boolean(deps.councilSignIn),
    });
  });

  router.post('/sign-in/persona', (req, res, next) => {
    const persona = deps.devTokens?.enabled ? consolePersonas.find((p) => p.id === req.body.persona) : undefined;
    if (!persona)
      return problem(res, 400, 'Unknown persona', ['Choose one of the personas on the sign-in page.'], 'BAD_PERSONA');
    const returnTo = req.session.returnTo;
    void deps.devTokens!.issue({ ...persona.token, ttlSeconds: PERSONA_TOKEN_SECONDS }).then((token) => {
      // A new session id at sign-in, so that an id planted before it is worth nothing.
      req.session.regenerate((error) => {
        if (error) return next(error);
        const user: ConsoleUser = {
          token,
          tokenExpiresAt: Math.floor(Date.now() / 1000) + PERSONA_TOKEN_SECONDS,
          name: persona.name,
          subject: persona.token.subject,
          organisation: persona.token.organisation,
          roles: persona.token.roles,
          team: persona.token.team,
          via: 'persona',
        };
        req.session.user = user;
        req.session.signedInAt = Date.now();
        logger.log(`signed in as persona ${persona.name} (${persona.token.subject})`);
        res.redirect(303, safeReturn(returnTo) ?? '/console/purpose');
      });
    }, next);
  });

  router.post(
    '/sign-in',
    asyncPage(async (req, res) => {
      if (!deps.councilSignIn)
        return problem(res, 404, 'Page not found', ['Sign-in with a council account is not configured.'], 'NOT_FOUND');
      const { url, pending } = await deps.councilSignIn.start();
      req.session.oidc = pending;
      res.redirect(303, url);
    }),
  );

  router.get(
    '/sign-in/callback',
    asyncPage(async (req, res) => {
      const pending = req.session.oidc;
      if (!deps.councilSignIn || !pending)
        return problem(res, 400, 'Sign-in expired', ['Start again from the sign-in page.'], 'SIGN_IN_EXPIRED');
      req.session.oidc = undefined;
      let finished;
      let principal: Principal;
      try {
        finished = await deps.councilSignIn.finish(req.originalUrl.split('?')[1] ?? '', pending);
        principal = await deps.verify(finished.accessToken);
      } catch (error) {
        logger.warn(`console sign-in refused: ${error instanceof Error ? error.message : String(error)}`);
        const code = (error as { code?: string }).code;
        return problem(
          res,
          403,
          'You cannot sign in to the hub',
          ['Your account was not accepted for the hub. Ask your administrator to check your roles and organisation.'],
          typeof code === 'string' ? code : 'SIGN_IN_FAILED',
        );
      }
      const returnTo = req.session.returnTo;
      await new Promise<void>((resolve, reject) =>
        req.session.regenerate((error) => (error ? reject(error) : resolve())),
      );
      req.session.user = {
        token: finished.accessToken,
        tokenExpiresAt: finished.expiresAt,
        name: finished.name ?? principal.subject,
        subject: principal.subject,
        organisation: principal.organisation,
        roles: principal.roles,
        team: principal.team,
        via: 'oidc',
      };
      req.session.signedInAt = Date.now();
      logger.log(`signed in with the council's identity provider: ${principal.subject} (${principal.organisation})`);
      res.redirect(303, safeReturn(returnTo) ?? '/console/purpose');
    }),
  );

  router.post('/sign-out', (req, res, next) => {
    req.session.destroy((error) => {
      if (error) return next(error);
      res.clearCookie('hub_console', { path: '/console' });
      res.redirect(303, '/console');
    });
  });

  router.get(
    '/purpose',
    signedIn,
    asyncPage(async (req, res) => {
      const answer = await deps.api.ask<{
        purposes: { code: string; name: string; description: string; active: boolean }[];
      }>(req, { token: req.session.user!.token }, PURPOSES_QUERY);
      if (refused(res, answer)) return;
      renderPurpose(req, res, answer.data?.purposes ?? []);
    }),
  );

  const renderPurpose = (
    req: Request,
    res: Response,
    purposes: { code: string; name: string; description: string; active: boolean }[],
    errors: { purposeError?: string; caseReferenceError?: string } = {},
  ) =>
    render(
      res,
      'purpose',
      {
        title: 'Choose a purpose',
        section: 'purpose',
        purposeItems: purposes
          .filter((p) => p.active)
          .map((p) => ({
            value: p.code,
            text: p.name,
            hint: { text: p.description },
            checked: p.code === req.session.purpose,
          })),
        errors: [
          ...(errors.purposeError ? [{ text: errors.purposeError, href: '#purpose' }] : []),
          ...(errors.caseReferenceError ? [{ text: errors.caseReferenceError, href: '#caseReference' }] : []),
        ],
        ...errors,
      },
      errors.purposeError || errors.caseReferenceError ? 400 : 200,
    );

  router.post(
    '/purpose',
    signedIn,
    asyncPage(async (req, res) => {
      const purpose = String(req.body.purpose ?? '');
      const caseReference = String(req.body.caseReference ?? '').trim();
      const answer = await deps.api.ask<{ purposes: Purpose[] }>(
        req,
        { token: req.session.user!.token },
        PURPOSES_QUERY,
      );
      const purposes = answer.data?.purposes ?? [];
      const chosen = purposes.find((p) => p.active && p.code === purpose);
      const purposeError = chosen ? undefined : 'Choose why you are looking';
      const caseReferenceError =
        caseReference && !/^[A-Za-z0-9][A-Za-z0-9/_.-]{0,63}$/.test(caseReference)
          ? 'A case reference is letters, digits and / _ . - (at most 64)'
          : undefined;
      if (purposeError || caseReferenceError)
        return renderPurpose(req, res, purposes, { purposeError, caseReferenceError });
      choose(req, res, chosen!, caseReference || undefined);
      const returnTo = safeReturn(req.session.returnTo);
      req.session.returnTo = undefined;
      res.redirect(303, returnTo ?? landing(req.session.user!));
    }),
  );

  /** "What changed recently": over the last 7, 30 (the default) or 90 days. */
  const CHANGE_WINDOWS = [7, 30, 90];
  /** At most this many cases are opened for one caseload page (each is one audited view). */
  const CASELOAD_PAGE = 30;

  router.get(
    '/caseload',
    signedIn,
    purposeChosen,
    asyncPage(async (req, res) => {
      const days = CHANGE_WINDOWS.includes(Number(req.query.days)) ? Number(req.query.days) : 30;
      // Days in the UK, as the page shows them (a timestamp just after midnight in summer is the UK's next day).
      const today = ukDay(new Date());
      const since = ukDay(new Date(Date.now() - days * 86_400_000));
      const [list, alerts] = await Promise.all([
        deps.api.ask<{
          myCaseload: {
            subjectKind: string;
            subjectId: string;
            team: string;
            userSubject?: string | null;
            validFrom: string;
          }[];
        }>(req, callFor(req), CASELOAD_QUERY),
        // Life events of people whose case is held here (Tell Us Once), released under the same purpose.
        deps.api.ask<{ notifications: AlertItem[] }>(req, callFor(req), ALERTS_QUERY),
      ]);
      if (refused(res, list)) return;
      const alertWithheld = withheldByPath(alerts.errors);
      const alertRows = (alerts.data?.notifications ?? []).map((alert, index) => alertRow(alert, index, alertWithheld));
      const alertProblem = alerts.data ? undefined : otherErrors(alerts.errors)[0]?.message;
      const assignments = list.data?.myCaseload ?? [];
      const shown = assignments.slice(0, CASELOAD_PAGE);
      const rows = await Promise.all(
        shown.map(async (assignment) => {
          const household = assignment.subjectKind.toLowerCase() === 'household';
          const answer = await deps.api.ask<Record<string, Record<string, unknown> | null>>(
            req,
            callFor(req),
            household ? CASELOAD_HOUSEHOLD_QUERY : CASELOAD_PERSON_QUERY,
            { id: assignment.subjectId },
          );
          const subject = answer.data?.[household ? 'household' : 'person'] ?? null;
          const refusal = subject ? undefined : otherErrors(answer.errors)[0]?.message;
          const href = `/console/${household ? 'households' : 'people'}/${assignment.subjectId}`;
          const changes = caseChanges(assignment.subjectKind, subject, since, today).map((change) => ({
            ...change,
            href,
          }));
          return { household, row: caseloadRow(assignment, subject, withheldByPath(answer.errors), refusal), changes };
        }),
      );
      const changes = rows
        .flatMap((r) => r.changes)
        .sort((a: CaseChange, b: CaseChange) => b.date.localeCompare(a.date))
        .slice(0, 100);
      render(res, 'caseload', {
        title: 'My caseload',
        section: 'caseload',
        alertRows,
        unreadAlerts: alertRows.filter((alert) => alert.unread).length,
        alertProblem,
        days,
        windows: CHANGE_WINDOWS.map((n) => ({ days: n, current: n === days })),
        changeRows: changes.map((change) => [cell(change.date), link(change.href, change.who), cell(change.what)]),
        households: rows.filter((r) => r.household).map((r) => r.row),
        people: rows.filter((r) => !r.household).map((r) => r.row),
        more: assignments.length - shown.length,
      });
    }),
  );

  // An alert marked read (the hub's markLifeEventNotificationRead: only the user's own or their team's).
  router.post(
    '/alerts/:id/read',
    signedIn,
    asyncPage(async (req, res) => {
      const call: ApiCall = { token: req.session.user!.token };
      const answer = await deps.api.ask<{ markLifeEventNotificationRead: boolean }>(req, call, ALERT_READ_MUTATION, {
        id: String(req.params.id),
      });
      if (refused(res, answer)) return;
      res.redirect(303, '/console/caseload#alerts');
    }),
  );

  // The DPO's pages: the trail's own queries, which the hub allows the DPO only and audits as the DPO's look.
  const dpoCall = (req: Request): ApiCall => ({ token: req.session.user!.token });
  const eventFilter = (req: Request) =>
    Object.fromEntries(
      EVENT_FILTERS.flatMap((name) => {
        const value = typeof req.query[name] === 'string' ? (req.query[name] as string).trim() : '';
        return value ? [[name, value]] : [];
      }),
    );

  router.get(
    '/dpo',
    signedIn,
    asyncPage(async (req, res) => {
      const call = dpoCall(req);
      const answer = await deps.api.ask<{
        verifyAuditChain: Record<string, unknown>;
        breakGlassReviews: Record<string, unknown>[];
        auditAnomalies: Record<string, unknown[] | string>;
      }>(req, call, DPO_OVERVIEW_QUERY);
      if (refused(res, answer)) return;
      const data = answer.data!;
      const anomalies = data.auditAnomalies;
      const count = (key: string) => (Array.isArray(anomalies?.[key]) ? anomalies[key].length : 0);
      render(res, 'dpo', {
        title: 'Data protection',
        section: 'dpo',
        chain: data.verifyAuditChain,
        reviews: (data.breakGlassReviews ?? []).map((grant) => [
          cell(grant.granteeSubject),
          cell(grant.granteeOrganisation),
          link(`/console/dpo/people/${String(grant.personId)}`, String(grant.personId).slice(0, 8)),
          cell(grant.purpose),
          cell(grant.reason),
          cell(String(grant.grantedAt).slice(0, 16).replace('T', ' ')),
          cell(grant.disclosures),
        ]),
        anomalyRows: [
          ['Unusual volume', count('volume')],
          ['Outside caseload', count('outsideCaseload')],
          ['Out of hours', count('outOfHours')],
          ['Broad case references', count('broadCaseReferences')],
          ['Over expected volume', count('flagged')],
        ].map(([key, value]) => ({ key: { text: key }, value: { text: String(value) } })),
      });
    }),
  );

  // Break-glass reviews: each grant with what it was used to see, and the DPO's outcome (reviewBreakGlass).
  const renderBreakGlassReviews = async (
    req: Request,
    res: Response,
    status: string,
    errors: { text: string; href: string }[] = [],
    values: Record<string, string> = {},
  ) => {
    const call = dpoCall(req);
    const answer = await deps.api.ask<{ breakGlassReviews: Record<string, unknown>[] }>(req, call, BREAK_GLASS_QUERY, {
      status,
    });
    if (refused(res, answer)) return;
    render(
      res,
      'dpo-break-glass',
      {
        title: 'Break-glass reviews',
        section: 'dpo',
        status,
        statuses: BREAK_GLASS_STATUSES.map((s) => ({ value: s, current: s === status })),
        grants: answer.data!.breakGlassReviews.map(breakGlassGrant),
        errors,
        values,
      },
      errors.length ? 400 : 200,
    );
  };

  router.get(
    '/dpo/break-glass',
    signedIn,
    asyncPage(async (req, res) => {
      const status = String(req.query.status ?? 'pending');
      if (!(BREAK_GLASS_STATUSES as readonly string[]).includes(status))
        return problem(
          res,
          400,
          'Unknown status',
          ['Choose pending, justified, not-justified or all.'],
          'BAD_USER_INPUT',
        );
      await renderBreakGlassReviews(req, res, status);
    }),
  );

  router.post(
    '/dpo/break-glass/:id',
    signedIn,
    asyncPage(async (req, res) => {
      const id = String(req.params.id);
      const outcome = String(req.body.outcome ?? '');
      const note = String(req.body.note ?? '').trim();
      const errors = [
        ...(['JUSTIFIED', 'NOT_JUSTIFIED'].includes(outcome)
          ? []
          : [{ text: 'Choose whether the access was justified', href: `#outcome-${id}` }]),
        ...(note ? [] : [{ text: 'Write a note of why you decided so', href: `#note-${id}` }]),
      ];
      if (errors.length) return renderBreakGlassReviews(req, res, 'pending', errors, { [id]: note });
      const call = dpoCall(req);
      const answer = await deps.api.ask<{ reviewBreakGlass: { id: string } | null }>(req, call, REVIEW_BREAK_GLASS, {
        input: { id, outcome, note },
      });
      if (!answer.data?.reviewBreakGlass) {
        const error = otherErrors(answer.errors)[0];
        if (error?.extensions?.code === 'BAD_USER_INPUT' || error?.extensions?.code === 'INVALID_ACCESS_RECORD')
          return renderBreakGlassReviews(req, res, 'pending', [{ text: error.message, href: `#note-${id}` }], {
            [id]: note,
          });
        if (refused(res, answer)) return;
        return problem(
          res,
          400,
          'The review was not recorded',
          [error?.message ?? 'The hub refused it.'],
          error?.extensions?.code,
        );
      }
      logger.log(`break-glass review recorded by ${req.session.user!.subject}`);
      res.redirect(303, '/console/dpo/break-glass?status=all');
    }),
  );

  // The anomaly report in full: every list, with links to the events behind each line.
  router.get(
    '/dpo/anomalies',
    signedIn,
    asyncPage(async (req, res) => {
      const day = (name: string) => {
        const value = typeof req.query[name] === 'string' ? (req.query[name] as string).trim() : '';
        return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : undefined;
      };
      const from = day('from');
      const to = day('to');
      const call = dpoCall(req);
      const answer = await deps.api.ask<{ auditAnomalies: Record<string, unknown> }>(req, call, DPO_ANOMALIES_QUERY, {
        from: from ? `${from}T00:00:00Z` : undefined,
        to: to ? `${to}T00:00:00Z` : undefined,
      });
      const inputProblems = otherErrors(answer.errors).filter((error) => error.extensions?.code === 'BAD_USER_INPUT');
      if (inputProblems.length)
        return problem(
          res,
          400,
          'Check the dates',
          inputProblems.map((e) => e.message),
          'BAD_USER_INPUT',
        );
      if (refused(res, answer)) return;
      const report = answer.data!.auditAnomalies;
      render(res, 'dpo-anomalies', {
        title: 'Unusual access',
        section: 'dpo',
        from: String(report.from).slice(0, 10),
        to: String(report.to).slice(0, 10),
        tables: anomalyTables(report),
      });
    }),
  );

  // Accesses over time, by organisation and by purpose: the hub counts the window's disclosures per day in
  // PostgreSQL (auditActivity), exactly however many there are; one call, audited as dpo.activity.
  const ACTIVITY_WINDOWS = [7, 30, 90];
  router.get(
    '/dpo/activity',
    signedIn,
    asyncPage(async (req, res) => {
      const days = ACTIVITY_WINDOWS.includes(Number(req.query.days)) ? Number(req.query.days) : 30;
      const call = dpoCall(req);
      const answer = await deps.api.ask<{
        auditActivity: { from: string; to: string; disclosures: number; days: ActivityDay[] };
      }>(req, call, DPO_ACTIVITY_QUERY, { input: { days } });
      if (refused(res, answer)) return;
      const activity = answer.data!.auditActivity;
      const dayList = activity.days.map((d) => d.day);
      const labels = dayList.map((d) => d.slice(5));
      const byOrganisation = stackedBars(
        'by-organisation',
        `Disclosures per day by organisation, last ${days} days`,
        `Stacked bars, one a day from ${dayList[0]} to ${dayList.at(-1)}, each split by the organisation shown the data. The table below gives the numbers.`,
        labels,
        topSeries(activitySeries(activity.days, 'byOrganisation', 'anonymous')),
      );
      const byPurpose = stackedBars(
        'by-purpose',
        `Disclosures per day by purpose, last ${days} days`,
        `Stacked bars, one a day from ${dayList[0]} to ${dayList.at(-1)}, each split by the purpose given. The table below gives the numbers.`,
        labels,
        topSeries(activitySeries(activity.days, 'byPurpose', 'no purpose given')),
      );
      render(res, 'dpo-activity', {
        title: 'Accesses over time',
        section: 'dpo',
        days,
        windows: ACTIVITY_WINDOWS.map((n) => ({ days: n, current: n === days })),
        disclosures: activity.disclosures,
        charts: [byOrganisation, byPurpose].map((chart, i) => ({
          ...chart,
          heading: i === 0 ? 'By organisation' : 'By purpose',
          days: chart.rows.filter((row) => row.at(-1) && (row.at(-1) as { text: string }).text !== '0'),
        })),
      });
    }),
  );

  router.get(
    '/dpo/events',
    signedIn,
    asyncPage(async (req, res) => {
      const filter = eventFilter(req);
      const after = typeof req.query.after === 'string' ? req.query.after : undefined;
      const call = dpoCall(req);
      const answer = await deps.api.ask<{
        auditEvents: { nodes: Record<string, unknown>[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
      }>(req, call, DPO_EVENTS_QUERY, { filter, after });
      const inputProblems = otherErrors(answer.errors).filter((error) => error.extensions?.code === 'BAD_USER_INPUT');
      if (!inputProblems.length && refused(res, answer)) return;
      const page = answer.data?.auditEvents;
      render(
        res,
        'dpo-events',
        {
          title: 'Audit events',
          section: 'dpo',
          filter,
          problems: inputProblems.map((error) => ({ text: error.message })),
          head: EVENT_HEAD,
          rows: (page?.nodes ?? []).map(eventRow),
          count: page?.nodes.length ?? 0,
          nextPage:
            page?.pageInfo.hasNextPage && page.pageInfo.endCursor
              ? `/console/dpo/events?${new URLSearchParams({ ...filter, after: page.pageInfo.endCursor })}`
              : undefined,
          csv: `/console/dpo/events.csv?${new URLSearchParams(filter)}`,
        },
        inputProblems.length ? 400 : 200,
      );
    }),
  );

  router.get(
    '/dpo/events.csv',
    signedIn,
    asyncPage(async (req, res) => {
      await streamFromHub(
        req,
        res,
        dpoCall(req),
        `/dpo/audit-events?${new URLSearchParams({ ...eventFilter(req), format: 'csv' })}`,
      );
    }),
  );

  router.get('/dpo/people', signedIn, (req, res) => {
    const id = typeof req.query.personId === 'string' ? req.query.personId.trim() : '';
    if (!UUID.test(id))
      return problem(res, 400, 'Not a person id', ['A person id is a UUID, as the hub shows it.'], 'BAD_USER_INPUT');
    res.redirect(303, `/console/dpo/people/${id}`);
  });

  router.get(
    '/dpo/people/:id',
    signedIn,
    asyncPage(async (req, res) => {
      const id = String(req.params.id);
      if (!UUID.test(id)) return problem(res, 404, 'Not found', ['There is no person at this address.'], 'NOT_FOUND');
      const after = typeof req.query.after === 'string' ? req.query.after : undefined;
      const call = dpoCall(req);
      const answer = await deps.api.ask<{
        personAccessTimeline: {
          nodes: Record<string, unknown>[];
          pageInfo: { endCursor: string | null; hasNextPage: boolean };
        };
      }>(req, call, DPO_TIMELINE_QUERY, { personId: id, after });
      if (refused(res, answer)) return;
      const page = answer.data!.personAccessTimeline;
      render(res, 'dpo-person', {
        title: 'Who has seen this record',
        section: 'dpo',
        personId: id,
        items: page.nodes.map(timelineItem),
        nextPage:
          page.pageInfo.hasNextPage && page.pageInfo.endCursor
            ? `/console/dpo/people/${id}?${new URLSearchParams({ after: page.pageInfo.endCursor })}`
            : undefined,
      });
    }),
  );

  router.get(
    '/dpo/people/:id/subject-access',
    signedIn,
    asyncPage(async (req, res) => {
      const id = String(req.params.id);
      if (!UUID.test(id)) return problem(res, 404, 'Not found', ['There is no person at this address.'], 'NOT_FOUND');
      const call = dpoCall(req);
      const answer = await deps.api.ask<{ subjectAccessReport: Record<string, unknown> }>(req, call, DPO_SAR_QUERY, {
        personId: id,
      });
      if (refused(res, answer)) return;
      const report = answer.data!.subjectAccessReport;
      const records = (report.sourceRecords as Record<string, unknown>[]) ?? [];
      render(res, 'dpo-subject-access', {
        title: 'Subject access report',
        section: 'dpo',
        report,
        personIds: report.personIds,
        generatedAt: String(report.generatedAt).slice(0, 19).replace('T', ' '),
        records: records.map((record) => ({
          title: `${String(record.source)} ${String(record.sourceKey)}`,
          rows: sourceRecordRows(record),
        })),
        head: REPORT_EVENT_HEAD,
        disclosures: ((report.disclosures as Record<string, unknown>[]) ?? []).map(reportEventRow),
        otherEvents: ((report.otherEvents as Record<string, unknown>[]) ?? []).map(reportEventRow),
      });
    }),
  );

  router.get(
    '/dpo/people/:id/subject-access.:format',
    signedIn,
    asyncPage(async (req, res) => {
      const id = String(req.params.id);
      const format = String(req.params.format);
      if (!UUID.test(id) || !['csv', 'json'].includes(format))
        return problem(res, 404, 'Not found', ['There is no such report.'], 'NOT_FOUND');
      await streamFromHub(req, res, dpoCall(req), `/dpo/subject-access/${id}?format=${format}`);
    }),
  );

  router.get(
    '/search',
    signedIn,
    purposeChosen,
    asyncPage(async (req, res) => {
      const text = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string).trim() : '');
      const query = {
        givenName: text('givenName'),
        familyName: text('familyName'),
        dateOfBirth: text('dateOfBirth'),
        postcode: text('postcode'),
      };
      const after = text('after');
      const input = Object.fromEntries(Object.entries(query).filter(([, value]) => value));
      if (Object.keys(input).length === 0)
        return render(res, 'search', { title: 'Find a person', section: 'search', query, problems: [] });
      const answer = await deps.api.ask<{
        searchPeople: {
          edges: Record<string, unknown>[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      }>(req, callFor(req), SEARCH_QUERY, { input: { ...input, first: 20, ...(after ? { after } : {}) } });
      const inputProblems = otherErrors(answer.errors).filter((error) => error.extensions?.code === 'BAD_USER_INPUT');
      if (inputProblems.length)
        return render(
          res,
          'search',
          {
            title: 'Find a person',
            section: 'search',
            query,
            problems: inputProblems.map((error) => ({ text: error.message, href: '#familyName' })),
          },
          400,
        );
      if (refused(res, answer)) return;
      const result = answer.data!.searchPeople;
      const withheld = withheldByPath(answer.errors);
      const nextPage =
        result.pageInfo.hasNextPage && result.pageInfo.endCursor
          ? `/console/search?${new URLSearchParams({ ...query, after: result.pageInfo.endCursor })}`
          : undefined;
      render(res, 'search', {
        title: 'Find a person',
        section: 'search',
        query,
        problems: [],
        results: result.edges,
        ranked: result.edges.some((edge) => typeof edge.score === 'number'),
        resultRows: searchRows(result.edges, withheld),
        nextPage,
      });
    }),
  );

  router.get(
    '/people/:id',
    signedIn,
    purposeChosen,
    asyncPage(async (req, res) => {
      const id = String(req.params.id);
      if (!UUID.test(id)) return problem(res, 404, 'Not found', ['There is no person at this address.'], 'NOT_FOUND');
      const answer = await deps.api.ask<{ person: Record<string, unknown> | null }>(
        req,
        callFor(req, id),
        PERSON_QUERY,
        { id },
      );
      if (refused(res, answer)) return;
      if (!answer.data?.person)
        return problem(res, 404, 'Not found', ['No person you may see has this id.'], 'NOT_FOUND');
      const withheld = withheldByPath(answer.errors);
      const page = personPage(answer.data.person, withheld, answer.errors);
      const grant = req.session.breakGlass?.[id];
      render(res, 'person', {
        lifeEventOffered: reportsLifeEvents(req.session.user),
        breakGlassOffered:
          holdsCases(req.session.user) && withheld.size > 0 && !(grant && grant.expiresAt > Date.now()),
        breakGlassUntil:
          grant && grant.expiresAt > Date.now() ? new Date(grant.expiresAt).toISOString().slice(11, 16) : undefined,
        title: page.name ?? 'Person',
        p: answer.data.person,
        withheld: Object.fromEntries(withheld),
        outages: outages(answer.errors),
        ...page,
      });
    }),
  );

  router.get(
    '/households/:id',
    signedIn,
    purposeChosen,
    asyncPage(async (req, res) => {
      const id = String(req.params.id);
      if (!UUID.test(id))
        return problem(res, 404, 'Not found', ['There is no household at this address.'], 'NOT_FOUND');
      const answer = await deps.api.ask<{ household: Record<string, unknown> | null }>(
        req,
        callFor(req),
        HOUSEHOLD_QUERY,
        { id },
      );
      if (refused(res, answer)) return;
      if (!answer.data?.household)
        return problem(res, 404, 'Not found', ['No household you may see has this id.'], 'NOT_FOUND');
      const withheld = withheldByPath(answer.errors);
      render(res, 'household', {
        title: 'Household',
        h: answer.data.household,
        withheld: Object.fromEntries(withheld),
        outages: outages(answer.errors),
        ...householdPage(answer.data.household, withheld, answer.errors),
      });
    }),
  );

  // The data steward's review queue: both records side by side, and the two decisions (merge or keep apart).
  router.get(
    '/reviews',
    signedIn,
    asyncPage(async (req, res) => {
      const after = typeof req.query.after === 'string' ? req.query.after : undefined;
      const call = dpoCall(req);
      const answer = await deps.api.ask<{
        matchReviews: { pending: number; nextCursor: string | null; items: Record<string, unknown>[] };
      }>(req, call, REVIEWS_QUERY, { after });
      if (refused(res, answer)) return;
      const page = answer.data!.matchReviews;
      // The distribution of the whole queue's weights: its pages, 100 at a time (at most 1,000 pairs).
      const weights: number[] = [];
      let cursor: string | null | undefined;
      let complete = false;
      for (let n = 0; n < 10; n++) {
        const more = await deps.api.ask<{
          matchReviews: { nextCursor: string | null; items: { explanation: { weight: number } }[] };
        }>(req, dpoCall(req), WEIGHTS_QUERY, { after: cursor });
        const items = more.data?.matchReviews;
        if (!items) break;
        weights.push(...items.items.map((item) => item.explanation.weight));
        cursor = items.nextCursor;
        if (!cursor) {
          complete = true;
          break;
        }
      }
      const bands = weightBands(weights);
      render(res, 'reviews', {
        title: 'Match review',
        section: 'reviews',
        pending: page.pending,
        weightsCounted: weights.length,
        weightsComplete: complete,
        weightChart: bands.categories.length
          ? stackedBars(
              'weights',
              'Match weights of the pairs waiting for review',
              `How many pairs waiting for a decision have each match weight, in bands one unit wide, from ${bands.categories[0]} to ${bands.categories.at(-1)}.`,
              bands.categories,
              [{ name: 'Pairs', counts: bands.counts }],
              { categoryHeading: 'Weight band', labelEvery: 1 },
            )
          : undefined,
        items: page.items.map((item) => ({ ...reviewItem(item), records: splittable(item) })),
        nextPage: page.nextCursor ? `/console/reviews?${new URLSearchParams({ after: page.nextCursor })}` : undefined,
      });
    }),
  );

  router.post(
    '/reviews/:id',
    signedIn,
    asyncPage(async (req, res) => {
      const decision = String(req.body.decision ?? '');
      if (!['accept', 'reject'].includes(decision))
        return problem(res, 400, 'Choose a decision', ['Same person, or different people.'], 'BAD_USER_INPUT');
      const note = String(req.body.note ?? '').trim();
      const call = dpoCall(req);
      const answer = await deps.api.ask<Record<string, { personId: string | null } | null>>(
        req,
        call,
        decision === 'accept' ? ACCEPT_REVIEW : REJECT_REVIEW,
        { id: String(req.params.id), ...(note ? { note } : {}) },
      );
      if (refused(res, answer)) return;
      res.redirect(303, '/console/reviews');
    }),
  );

  // Split a record out of its person, for good (the hub's splitSourceRecord, data stewards only, audited).
  router.post(
    '/split-record',
    signedIn,
    asyncPage(async (req, res) => {
      const record = String(req.body.record ?? '');
      const reason = String(req.body.reason ?? '').trim();
      if (!/^\d{1,18}$/.test(record))
        return problem(
          res,
          400,
          'Choose a record',
          ['Choose the record to split out of its person.'],
          'BAD_USER_INPUT',
        );
      if (reason.length < 10)
        return problem(
          res,
          400,
          'Give a reason',
          ['Say why this record is not the person it is linked to (at least 10 characters).'],
          'BAD_USER_INPUT',
        );
      const call = dpoCall(req);
      const answer = await deps.api.ask<{ splitSourceRecord: { personId: string | null } | null }>(
        req,
        call,
        SPLIT_RECORD,
        {
          id: record,
          reason,
        },
      );
      if (!answer.data?.splitSourceRecord) {
        const error = otherErrors(answer.errors)[0];
        const code = error?.extensions?.code ?? 'SPLIT_REFUSED';
        if (answer.status === 401 || code === 'FORBIDDEN' || code === 'UNAUTHENTICATED') {
          if (refused(res, answer)) return;
        }
        return problem(res, 400, 'The record was not split', [error?.message ?? 'The hub refused the split.'], code);
      }
      res.redirect(303, '/console/reviews');
    }),
  );

  // Break-glass: emergency access to one person off the caseload, time-boxed, with a written reason,
  // reviewed by the DPO. The grant is made by the API (breakGlass) and used on this person's pages only.
  const BREAK_GLASS_MUTATION = `mutation ConsoleBreakGlass($input: BreakGlassInput!) { breakGlass(input: $input) { id expiresAt } }`;
  const renderBreakGlass = (
    res: Response,
    id: string,
    values: Record<string, string>,
    errors: { text: string; href: string }[] = [],
  ) =>
    render(res, 'break-glass', { title: 'Break the glass', personId: id, values, errors }, errors.length ? 400 : 200);

  router.get('/people/:id/break-glass', signedIn, purposeChosen, (req, res) => {
    const id = String(req.params.id);
    if (!UUID.test(id) || !holdsCases(req.session.user))
      return problem(res, 404, 'Not found', ['There is nothing to open here.'], 'NOT_FOUND');
    renderBreakGlass(res, id, { minutes: '60' });
  });

  router.post(
    '/people/:id/break-glass',
    signedIn,
    purposeChosen,
    asyncPage(async (req, res) => {
      const id = String(req.params.id);
      if (!UUID.test(id) || !holdsCases(req.session.user))
        return problem(res, 404, 'Not found', ['There is nothing to open here.'], 'NOT_FOUND');
      const reason = String(req.body.reason ?? '').trim();
      const minutes = Number(req.body.minutes);
      const values = { reason, minutes: String(req.body.minutes ?? '') };
      if (reason.length < 30)
        return renderBreakGlass(res, id, values, [
          { text: 'Say why this cannot wait for a case to be assigned (at least 30 characters)', href: '#reason' },
        ]);
      if (![30, 60, 120].includes(minutes))
        return renderBreakGlass(res, id, values, [{ text: 'Choose how long you need', href: '#minutes' }]);
      const answer = await deps.api.ask<{ breakGlass: { id: string; expiresAt: string } | null }>(
        req,
        callFor(req),
        BREAK_GLASS_MUTATION,
        {
          input: {
            personId: id,
            purpose: req.session.purpose,
            reason,
            minutes,
            ...(req.session.caseReference ? { caseReference: req.session.caseReference } : {}),
          },
        },
      );
      const grant = answer.data?.breakGlass;
      if (!grant) {
        const error = otherErrors(answer.errors)[0];
        if (error?.extensions?.code === 'BAD_USER_INPUT' || error?.extensions?.code === 'INVALID_ACCESS_RECORD')
          return renderBreakGlass(res, id, values, [{ text: error.message, href: '#reason' }]);
        if (refused(res, answer)) return;
        return problem(
          res,
          403,
          'You cannot break the glass',
          [error?.message ?? 'The hub refused the grant.'],
          error?.extensions?.code,
        );
      }
      req.session.breakGlass = {
        ...req.session.breakGlass,
        [id]: { id: grant.id, expiresAt: new Date(grant.expiresAt).getTime() },
      };
      logger.log(`break-glass grant ${grant.id} for a person, by ${req.session.user!.subject}`);
      res.redirect(303, `/console/people/${id}`);
    }),
  );

  // Tell Us Once (registrars, and account managers reporting): the form, the receipt, the list of reports.
  const lifeEventCall = (req: Request): ApiCall => ({ token: req.session.user!.token });
  const notAReporter = (res: Response) =>
    problem(
      res,
      403,
      'You cannot see this',
      ['Life events are reported by registrars and account managers.'],
      'FORBIDDEN',
    );

  router.get(
    '/life-events',
    signedIn,
    asyncPage(async (req, res) => {
      const user = req.session.user;
      if (!readsReceipts(user) && !reportsLifeEvents(user)) return notAReporter(res);
      if (!readsReceipts(user))
        return render(res, 'life-events', { title: 'Tell us once', section: 'life-events', listed: false });
      const after = typeof req.query.after === 'string' ? req.query.after : undefined;
      const status =
        LIFE_EVENT_STATUS_FILTERS.find((filter) => filter.status && filter.status === req.query.status)?.status ?? '';
      const answer = await deps.api.ask<{
        lifeEvents: { items: Record<string, unknown>[]; nextCursor: string | null };
      }>(req, lifeEventCall(req), LIFE_EVENTS_QUERY, { after, filter: status ? { status } : undefined });
      if (refused(res, answer)) return;
      const page = answer.data!.lifeEvents;
      render(res, 'life-events', {
        title: 'Tell us once',
        section: 'life-events',
        listed: true,
        status,
        filters: LIFE_EVENT_STATUS_FILTERS.map((filter) => ({
          text: filter.text,
          href: `/console/life-events${filter.status ? `?status=${filter.status}` : ''}`,
          current: filter.status === status,
        })),
        rows: page.items.map(lifeEventRow),
        nextPage: page.nextCursor
          ? `/console/life-events?${new URLSearchParams({ ...(status ? { status } : {}), after: page.nextCursor })}`
          : undefined,
      });
    }),
  );

  const renderLifeEventForm = (
    res: Response,
    values: Partial<LifeEventForm>,
    errors: ReturnType<typeof reportProblems> = [],
  ) =>
    render(
      res,
      'life-event-form',
      {
        title: 'Report a life event',
        section: 'life-events',
        values,
        typeItems: LIFE_EVENT_TYPES.map((type) => ({ ...type, checked: values.type === type.value })),
        errors: errors.map(({ text, href }) => ({ text, href })),
        errorsById: errorsByField(errors),
      },
      errors.length ? 400 : 200,
    );

  router.get('/life-events/new', signedIn, (req, res) => {
    if (!reportsLifeEvents(req.session.user)) return notAReporter(res);
    const personId = typeof req.query.personId === 'string' && UUID.test(req.query.personId) ? req.query.personId : '';
    renderLifeEventForm(res, { personId });
  });

  const renderReceipt = (
    res: Response,
    event: Record<string, unknown>,
    extra: {
      justReported?: boolean;
      repeat?: boolean;
      retried?: string;
      values?: Record<string, string>;
      errors?: { text: string; href: string }[];
    } = {},
  ) =>
    render(
      res,
      'life-event',
      {
        title: 'Life event',
        section: 'life-events',
        id: String(event.id),
        r: receiptPage(event),
        canReadReceipts: readsReceipts(res.locals.user),
        canDecide: hasRole(res.locals.user, 'data-steward'),
        canRetry: hasRole(res.locals.user, 'dpo', 'admin'),
        retried: extra.retried,
        values: extra.values ?? {},
        errors: extra.errors ?? [],
        justReported: extra.justReported,
        repeat: extra.repeat,
      },
      extra.errors?.length ? 400 : 200,
    );

  router.post(
    '/life-events',
    signedIn,
    asyncPage(async (req, res) => {
      if (!reportsLifeEvents(req.session.user)) return notAReporter(res);
      const form = lifeEventForm(req.body as Record<string, unknown>);
      if (!LIFE_EVENT_TYPES.some((type) => type.value === form.type))
        return renderLifeEventForm(res, form, [{ text: 'Choose what happened', href: '#type', id: 'type' }]);
      const answer = await deps.api.ask<{ reportLifeEvent: Record<string, unknown> | null }>(
        req,
        lifeEventCall(req),
        REPORT_LIFE_EVENT,
        { input: reportInput(form) },
      );
      const event = answer.data?.reportLifeEvent;
      if (!event) {
        const problems = otherErrors(answer.errors).filter((error) =>
          ['INVALID_LIFE_EVENT', 'BAD_USER_INPUT', 'LIFE_EVENT_UNKNOWN_PERSON'].includes(error.extensions?.code ?? ''),
        );
        if (problems.length) return renderLifeEventForm(res, form, reportProblems(problems));
        if (refused(res, answer)) return;
        return problem(res, 500, 'The report was not made', ['Try again later.'], 'LIFE_EVENT_NOT_REPORTED');
      }
      renderReceipt(res, event, { justReported: true, repeat: event.repeat === true });
    }),
  );

  router.get(
    '/life-events/:id',
    signedIn,
    asyncPage(async (req, res) => {
      const id = String(req.params.id);
      if (!UUID.test(id))
        return problem(res, 404, 'Not found', ['There is no life event at this address.'], 'NOT_FOUND');
      const answer = await deps.api.ask<{ lifeEvent: Record<string, unknown> | null }>(
        req,
        lifeEventCall(req),
        LIFE_EVENT_QUERY,
        { id },
      );
      if (refused(res, answer)) return;
      renderReceipt(res, answer.data!.lifeEvent!);
    }),
  );

  // A data steward decides who a report by description is about (or that it is about no one in the index).
  router.post(
    '/life-events/:id/decide',
    signedIn,
    asyncPage(async (req, res) => {
      const id = String(req.params.id);
      const choice = typeof req.body.choice === 'string' ? req.body.choice : '';
      if (!UUID.test(id) || (choice !== 'none' && !UUID.test(choice)))
        return problem(
          res,
          400,
          'Nothing was decided',
          ['Choose the person the report is about, or no one.'],
          'BAD_USER_INPUT',
        );
      const note = typeof req.body.note === 'string' && req.body.note.trim() ? req.body.note.trim() : undefined;
      const answer = await deps.api.ask<Record<string, Record<string, unknown> | null>>(
        req,
        lifeEventCall(req),
        choice === 'none' ? REJECT_LIFE_EVENT_MATCH : ACCEPT_LIFE_EVENT_MATCH,
        choice === 'none' ? { id, note } : { id, personId: choice, note },
      );
      const event = answer.data && Object.values(answer.data)[0];
      if (event) return renderReceipt(res, event);
      const problems = otherErrors(answer.errors).filter((error) =>
        ['INVALID_LIFE_EVENT', 'BAD_USER_INPUT', 'LIFE_EVENT_INVALID_TRANSITION'].includes(
          error.extensions?.code ?? '',
        ),
      );
      if (problems.length)
        return problem(
          res,
          400,
          'Nothing was decided',
          problems.map((e) => e.message),
          problems[0].extensions?.code,
        );
      if (refused(res, answer)) return;
      problem(res, 500, 'Nothing was decided', ['Try again later.'], 'LIFE_EVENT_NOT_DECIDED');
    }),
  );

  // The DPO or an admin sends a dead-lettered delivery again; the receipt then shows it on its way.
  router.post(
    '/life-events/:id/deliveries/:delivery/retry',
    signedIn,
    asyncPage(async (req, res) => {
      const id = String(req.params.id);
      const delivery = String(req.params.delivery);
      if (!UUID.test(id) || !UUID.test(delivery))
        return problem(res, 404, 'Not found', ['There is no delivery at this address.'], 'NOT_FOUND');
      const answer = await deps.api.ask<{ retryLifeEventDelivery: { id: string; status: string } | null }>(
        req,
        lifeEventCall(req),
        RETRY_LIFE_EVENT_DELIVERY,
        { id: delivery },
      );
      if (!answer.data?.retryLifeEventDelivery) {
        if (answer.errors.some((error) => error.extensions?.code === 'LIFE_EVENT_DELIVERY_NOT_FOUND'))
          return problem(res, 404, 'Not found', ['There is no delivery at this address.'], 'NOT_FOUND');
        const problems = otherErrors(answer.errors).filter((error) =>
          ['BAD_USER_INPUT', 'LIFE_EVENT_DELIVERY_NOT_DEAD'].includes(error.extensions?.code ?? ''),
        );
        if (problems.length)
          return problem(
            res,
            409,
            'Not sent again',
            problems.map((e) => e.message),
            problems[0].extensions?.code,
          );
        if (refused(res, answer)) return;
        return problem(res, 500, 'Not sent again', ['Try again later.'], 'LIFE_EVENT_NOT_RETRIED');
      }
      const receipt = await deps.api.ask<{ lifeEvent: Record<string, unknown> | null }>(
        req,
        lifeEventCall(req),
        LIFE_EVENT_QUERY,
        { id },
      );
      if (refused(res, receipt)) return;
      const sent = ((receipt.data!.lifeEvent!.deliveries as Record<string, unknown>[]) ?? []).find(
        (d) => d.id === delivery,
      );
      renderReceipt(res, receipt.data!.lifeEvent!, { retried: String(sent?.recipient ?? 'its recipient') });
    }),
  );

  router.post(
    '/life-events/:id/withdraw',
    signedIn,
    asyncPage(async (req, res) => {
      const id = String(req.params.id);
      if (!UUID.test(id))
        return problem(res, 404, 'Not found', ['There is no life event at this address.'], 'NOT_FOUND');
      const reason = typeof req.body.reason === 'string' ? req.body.reason.trim() : '';
      const answer = await deps.api.ask<{ withdrawLifeEvent: Record<string, unknown> | null }>(
        req,
        lifeEventCall(req),
        WITHDRAW_LIFE_EVENT,
        { id, reason },
      );
      const event = answer.data?.withdrawLifeEvent;
      if (event) return renderReceipt(res, event);
      const problems = otherErrors(answer.errors).filter((error) =>
        ['INVALID_LIFE_EVENT', 'BAD_USER_INPUT', 'INVALID_ACCESS_RECORD'].includes(error.extensions?.code ?? ''),
      );
      // The reason refused: the receipt again (when this user may read it) with what is wrong.
      if (problems.length && readsReceipts(req.session.user)) {
        const current = await deps.api.ask<{ lifeEvent: Record<string, unknown> | null }>(
          req,
          lifeEventCall(req),
          LIFE_EVENT_QUERY,
          { id },
        );
        if (current.data?.lifeEvent)
          return renderReceipt(res, current.data.lifeEvent, {
            values: { reason },
            errors: problems.map((error) => ({ text: error.message, href: '#reason' })),
          });
      }
      if (problems.length)
        return problem(
          res,
          400,
          'The report was not withdrawn',
          problems.map((e) => e.message),
          'BAD_USER_INPUT',
        );
      if (refused(res, answer)) return;
      problem(res, 500, 'The report was not withdrawn', ['Try again later.'], 'LIFE_EVENT_NOT_WITHDRAWN');
    }),
  );

  // A form without (or with a stale) CSRF token, or anything else that went wrong: a page, never a stack trace.
  router.use((error: Error & { code?: string; status?: number }, req: Request, res: Response, _next: NextFunction) => {
    if (error.code === 'EBADCSRFTOKEN' || error.status === 403)
      return problem(res, 403, 'This form has expired', ['Go back, reload the page and try again.'], 'CSRF');
    logger.error(`console ${req.method} ${req.path} (request ${requestIdOf(req)}): ${error.message}`);
    problem(res, 500, 'Sorry, there is a problem with the service', ['Try again later.'], 'CONSOLE_ERROR');
  });
  router.use((req, res) => problem(res, 404, 'Page not found', [`There is nothing at ${req.path}.`], 'NOT_FOUND'));
  return router;
}

/** Whether the user holds one of these roles. */
function hasRole(user: ConsoleUser | undefined, ...roles: string[]): boolean {
  return Boolean(user?.roles.some((role) => roles.includes(role)));
}

/** Staff whose access rests on a caseload (account managers and caseworkers): caseload and break-glass. */
function holdsCases(user: ConsoleUser | undefined): boolean {
  return hasRole(user, 'account-manager', 'caseworker');
}

/** Who may report a life event (the API's rule decides each report): registrars, and account managers for their cases. */
function reportsLifeEvents(user: ConsoleUser | undefined): boolean {
  return hasRole(user, 'registrar', 'account-manager');
}

/** Who may read life events' receipts and the list of reports: the API's own list of readers. */
function readsReceipts(user: ConsoleUser | undefined): boolean {
  return hasRole(user, ...RECEIPT_READERS);
}

/** A purpose as the API lists it. */
interface Purpose {
  code: string;
  name: string;
  description: string;
  active: boolean;
}

/** The service navigation: the pages this user's roles have, then the purpose they chose (by name). */
function navigationFor(user: ConsoleUser | undefined, purpose: string | undefined) {
  if (!user) return [];
  return [
    ...(holdsCases(user) ? [{ href: '/console/caseload', text: 'My caseload', section: 'caseload' }] : []),
    ...(user.roles.includes('dpo') ? [{ href: '/console/dpo', text: 'Data protection', section: 'dpo' }] : []),
    ...(user.roles.includes('data-steward')
      ? [{ href: '/console/reviews', text: 'Match review', section: 'reviews' }]
      : []),
    ...(reportsLifeEvents(user) || readsReceipts(user)
      ? [{ href: '/console/life-events', text: 'Tell us once', section: 'life-events' }]
      : []),
    ...(user.roles.includes('registrar') ? [] : [{ href: '/console/search', text: 'Search', section: 'search' }]),
    { href: '/console/purpose', text: `Purpose: ${purpose ?? 'not chosen'}`, section: 'purpose' },
  ];
}

/** Where a user starts: staff who hold cases at their caseload, the DPO and data stewards at their pages, others at search. */
function landing(user: ConsoleUser): string {
  if (holdsCases(user)) return '/console/caseload';
  if (user.roles.includes('dpo')) return '/console/dpo';
  if (user.roles.includes('registrar')) return '/console/life-events';
  return user.roles.includes('data-steward') ? '/console/reviews' : '/console/search';
}

/** Only a path inside the console: never a redirect elsewhere. */
function safeReturn(target: string | undefined): string | undefined {
  return target && /^\/console(\/|$|\?)/.test(target) && !target.startsWith('//') ? target : undefined;
}
