import { existsSync, mkdirSync } from 'node:fs';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { Browser, chromium, Page } from 'playwright-core';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { Principal, Role } from '../../src/engine/principal';
import { LifeEventSubscriptionsService } from '../../src/life-events/subscriptions/life-event-subscriptions.service';
import { SingleViewHub, startSingleViewHub } from '../support/single-view-hub';

jest.setTimeout(480_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  // In CI the browser is installed by .ci/run: its absence there is a failure, not a skip.
  if (process.env.CI) throw new Error(`the browser suite needs Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  process.stdout.write(`console browser suite skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)\n`);
}
/** `CONSOLE_SCREENSHOTS=1` writes the pages the README shows to docs/screenshots/. */
const SCREENSHOTS =
  process.env.CONSOLE_SCREENSHOTS === '1' ? join(__dirname, '..', '..', 'docs', 'screenshots') : undefined;

const admin: Principal = { subject: 'admin-console', organisation: 'council', roles: [Role.Admin] };

/**
 * The console in a real browser (Debian's Chromium, driven by playwright-core): what an account manager
 * does on a home visit, on a tablet-sized screen, without a mouse where it matters, with axe-core checking
 * every page against WCAG 2.2 AA.
 */
(available ? describe : describe.skip)('console in a browser', () => {
  let hub: SingleViewHub;
  let base: string;
  let browser: Browser;
  let household: { id: string; familyName: string; dateOfBirth: string; person: string };

  beforeAll(async () => {
    hub = await startSingleViewHub({
      households: 40,
      seed: 'console-browser',
      env: { CONSOLE_COUNCIL_NAME: 'Demo Borough Council' },
    });
    const server = hub.app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A person known to benefits and at least one other source, all of whose records agree on name and date of birth, whose household is on the account manager's team caseload.
    const [row] = await hub.db.dataSource.query(`
      select m.household_id::text as id, m.person_id::text as person,
             r.demographics->>'familyName' as "familyName", r.demographics->>'dateOfBirth' as "dateOfBirth"
        from household_membership m
        join person_link l on l.person_id = m.person_id join source_record r on r.id = l.source_record_id
       where m.valid_to is null and r.demographics ? 'dateOfBirth' and r.demographics ? 'familyName'
         and (select count(distinct r2.source) from person_link l2 join source_record r2 on r2.id = l2.source_record_id where l2.person_id = m.person_id) > 1
         and exists (select 1 from person_link l3 join source_record r3 on r3.id = l3.source_record_id where l3.person_id = m.person_id and r3.source = 'benefits')
         and not exists (select 1 from person_link l4 join source_record r4 on r4.id = l4.source_record_id
                          where l4.person_id = m.person_id
                            and (r4.demographics->>'familyName' is distinct from r.demographics->>'familyName'
                              or r4.demographics->>'dateOfBirth' is distinct from r.demographics->>'dateOfBirth'))
       order by m.household_id, m.person_id limit 1`);
    household = row;
    await hub.app
      .get(CaseAssignmentsService)
      .assign({ subjectKind: 'household', subjectId: household.id, team: 'early-help-north' }, admin);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  /** A browser context whose waits allow for a loaded machine (CI runners share their cores). */
  const newContext = async (options: { viewport: { width: number; height: number } }) => {
    const context = await browser.newContext(options);
    context.setDefaultTimeout(90_000);
    context.setDefaultNavigationTimeout(90_000);
    return context;
  };
  /** Does `action` (a click, a key) and waits for the page it leads to; on failure, says where the browser is instead. */
  const go = async (page: Page, action: () => Promise<unknown>, url: RegExp) => {
    await action();
    try {
      await page.waitForURL(url);
    } catch (error) {
      const main = await page
        .locator('main')
        .innerText()
        .catch(() => '');
      throw new Error(`${String(error).split('\n')[0]}; the browser is at ${page.url()}: ${main.slice(0, 400)}`, {
        cause: error,
      });
    }
  };
  const accessible = async (page: Page) => {
    const results = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
      .analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
  };
  const fitsWidth = async (page: Page) =>
    expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
  const shot = async (page: Page, name: string, fullPage = true) => {
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
  };

  it('an account manager signs in, chooses a purpose, finds a family and opens their household, on a tablet', async () => {
    const context = await newContext({ viewport: { width: 768, height: 1024 } });
    const page = await context.newPage();
    await page.goto(`${base}/console`);
    await accessible(page);
    await shot(page, 'sign-in');
    await go(page, () => page.getByRole('button', { name: 'Account manager' }).click(), /\/console\/purpose$/);
    await accessible(page);
    // Keyboard only: to the early help purpose, choose it, on to Continue.
    await page.getByLabel('Early help').focus();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Continue' }).focus();
    await go(page, () => page.keyboard.press('Enter'), /\/console\/caseload$/);
    await accessible(page);
    await fitsWidth(page);
    await shot(page, 'caseload');
    await expect(
      page.getByTestId('caseload-households').locator(`a[href="/console/households/${household.id}"]`).count(),
    ).resolves.toBe(1);
    await expect(page.getByTestId('changes').getByText('Joined the household').count()).resolves.toBeGreaterThan(0);
    await go(page, () => page.getByRole('link', { name: 'Search', exact: true }).click(), /\/console\/search$/);
    await accessible(page);
    await page.getByLabel('Family name').fill(household.familyName);
    await page.getByLabel('Date of birth').fill(household.dateOfBirth);
    await go(page, () => page.getByRole('button', { name: 'Search' }).click(), /\/console\/search\?/);
    await accessible(page);
    await fitsWidth(page);
    await shot(page, 'search');
    const results = page.getByTestId('results');
    await expect(results.getByRole('link').count()).resolves.toBeGreaterThan(0);
    await go(
      page,
      () => page.locator(`a[href="/console/people/${household.person}"]`).click(),
      new RegExp(`/console/people/${household.person}$`),
    );
    await accessible(page);
    await fitsWidth(page);
    await shot(page, 'person');
    await expect(page.getByTestId('person-name').textContent()).resolves.toContain(household.familyName);
    await go(
      page,
      () => page.getByRole('link', { name: 'Open the household' }).click(),
      new RegExp(`/console/households/${household.id}$`),
    );
    await accessible(page);
    await fitsWidth(page);
    await shot(page, 'household');
    await expect(page.getByTestId('members').locator('tbody tr').count()).resolves.toBeGreaterThan(0);
    await context.close();
  });

  it('shows a source outage as a banner, and withheld values as markers, at 1366×768', async () => {
    const context = await newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    await page.goto(`${base}/console`);
    await page.getByRole('button', { name: 'Account manager' }).click();
    await page.goto(`${base}/console/people/${household.person}?purpose=EARLY_HELP`);
    await expect(page.getByTestId('purpose').textContent()).resolves.toBe('Early help');
    hub.sources.fail('benefits', { mode: '500' });
    try {
      await page.reload();
      await expect(page.getByTestId('outage').count()).resolves.toBeGreaterThan(0);
      await expect(page.getByTestId('outage').first().textContent()).resolves.toMatch(/Benefits/);
      await accessible(page);
    } finally {
      hub.sources.fail('benefits', undefined);
    }
    // Someone not on the caseload: existence and holding team only, the rest marked withheld with the reason.
    const [other] = await hub.db.dataSource.query(
      `select person_id::text as id from household_membership where valid_to is null and household_id <> $1 order by person_id limit 1`,
      [household.id],
    );
    await page.goto(`${base}/console/people/${other.id}`);
    await expect(page.getByTestId('withheld').count()).resolves.toBeGreaterThan(3);
    await expect(page.getByTestId('withheld').first().textContent()).resolves.toMatch(/withheld\s+\S+/);
    await accessible(page);
    await shot(page, 'withheld');
    // Break the glass for them: the page asks why and for how long, warns that the DPO reviews it.
    await page.getByTestId('break-glass').click();
    await accessible(page);
    await page
      .getByLabel('Why can this not wait?')
      .fill('Police report a child at risk at this address tonight; no caseworker yet.');
    await page.getByLabel('30 minutes').check();
    await go(
      page,
      () => page.getByRole('button', { name: 'Break the glass' }).click(),
      new RegExp(`/console/people/${other.id}$`),
    );
    await expect(page.getByText('You broke the glass for this person').count()).resolves.toBe(1);
    await accessible(page);
    await context.close();
  });

  it('the DPO sees the trail, a timeline of who saw a person, and the event search, all accessible', async () => {
    const context = await newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    await page.goto(`${base}/console`);
    await go(page, () => page.getByRole('button', { name: 'DPO' }).click(), /\/console\/purpose$/);
    await page.goto(`${base}/console/dpo`);
    await expect(page.getByTestId('chain').textContent()).resolves.toMatch(/Intact/);
    await accessible(page);
    await shot(page, 'dpo');
    await page.getByLabel("Who has seen a person's record: person id").fill(household.person);
    await go(
      page,
      () => page.getByRole('button', { name: 'Show the timeline' }).click(),
      new RegExp(`/console/dpo/people/${household.person}$`),
    );
    await expect(page.getByTestId('timeline').textContent()).resolves.toMatch(/person\.view/);
    await accessible(page);
    await shot(page, 'dpo-timeline');
    await page.goto(`${base}/console/dpo/events?operation=person.`);
    await accessible(page);
    await context.close();
  });

  /** Presses Tab until the focused element matches (at most `max` presses); fails when it never does. */
  const tabTo = async (page: Page, matches: string, max = 60) => {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate<boolean>(`document.activeElement?.matches(${JSON.stringify(matches)}) ?? false`)) return;
    }
    throw new Error(`Tab never reached ${matches}`);
  };
  /** The focused element shows that it has focus (GOV.UK's yellow focus state: an outline or a box shadow). */
  const focusVisible = async (page: Page) =>
    expect(
      await page.evaluate<boolean>(`(() => {
        const style = getComputedStyle(document.activeElement);
        return style.outlineStyle !== 'none' || style.boxShadow !== 'none' || style.backgroundColor === 'rgb(255, 221, 0)';
      })()`),
    ).toBe(true);

  it('works with the keyboard alone: sign in, purpose, search, a person, their household', async () => {
    const context = await newContext({ viewport: { width: 768, height: 1024 } });
    const page = await context.newPage();
    await page.goto(`${base}/console`);
    await tabTo(page, 'form:has(input[name="persona"][value="0"]) button');
    await focusVisible(page);
    await go(page, () => page.keyboard.press('Enter'), /\/console\/purpose$/);
    // Tab reaches the radio group once; the arrow keys move within it (and choose).
    await tabTo(page, 'input[name="purpose"]');
    await focusVisible(page);
    for (let i = 0; i < 20; i++) {
      if (await page.evaluate<boolean>(`document.activeElement?.value === 'EARLY_HELP'`)) break;
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Space');
    await expect(page.getByLabel('Early help').isChecked()).resolves.toBe(true);
    await tabTo(page, 'form[action="/console/purpose"] button');
    await focusVisible(page);
    await go(page, () => page.keyboard.press('Enter'), /\/console\/caseload$/);
    await tabTo(page, 'a[href="/console/search"]');
    await focusVisible(page);
    await go(page, () => page.keyboard.press('Enter'), /\/console\/search$/);
    await tabTo(page, '#familyName');
    await page.keyboard.type(household.familyName);
    await tabTo(page, '#dateOfBirth');
    await page.keyboard.type(household.dateOfBirth);
    await go(page, () => page.keyboard.press('Enter'), /\/console\/search\?/);
    await tabTo(page, `a[href="/console/people/${household.person}"]`);
    await focusVisible(page);
    await go(page, () => page.keyboard.press('Enter'), new RegExp(`/console/people/${household.person}$`));
    await tabTo(page, `a[href="/console/households/${household.id}"]`, 200);
    await go(page, () => page.keyboard.press('Enter'), new RegExp(`/console/households/${household.id}$`));
    await expect(page.getByTestId('member-file').count()).resolves.toBeGreaterThan(0);
    await context.close();
  });

  it('fits a tablet (768×1024) and a laptop (1366×768) on every main page of each role, accessibly', async () => {
    const pagesOf: Record<string, string[]> = {
      'Account manager': [
        '/console/caseload?purpose=EARLY_HELP',
        `/console/households/${household.id}`,
        `/console/people/${household.person}`,
        `/console/search?familyName=${encodeURIComponent(household.familyName)}&dateOfBirth=${household.dateOfBirth}`,
      ],
      DPO: [
        '/console/dpo',
        '/console/dpo/activity',
        '/console/dpo/break-glass?status=all',
        '/console/dpo/anomalies',
        `/console/dpo/people/${household.person}/subject-access`,
        '/console/dpo/events?operation=person.',
      ],
      'Data steward': ['/console/reviews', '/console/life-events'],
      Registrar: ['/console/life-events', '/console/life-events/new'],
    };
    for (const viewport of [
      { width: 768, height: 1024 },
      { width: 1366, height: 768 },
    ]) {
      for (const [persona, paths] of Object.entries(pagesOf)) {
        const context = await newContext({ viewport });
        const page = await context.newPage();
        await page.goto(`${base}/console`);
        await go(page, () => page.getByRole('button', { name: persona, exact: true }).click(), /\/console\/purpose$/);
        for (const path of paths) {
          const response = await page.goto(`${base}${path}`);
          expect({ path, status: response?.status() }).toEqual({ path, status: 200 });
          expect({
            path,
            viewport: viewport.width,
            fits: await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth'),
          }).toEqual({ path, viewport: viewport.width, fits: true });
          if (viewport.width === 1366) await accessible(page);
        }
        if (viewport.width === 1366 && persona === 'DPO') {
          await page.goto(`${base}/console/dpo/activity`);
          await shot(page, 'dpo-activity');
          await page.goto(`${base}/console/dpo/people/${household.person}/subject-access`);
          await shot(page, 'dpo-subject-access', false);
        }
        if (viewport.width === 1366 && persona === 'Account manager') {
          await page.goto(`${base}/console/caseload`);
          await shot(page, 'caseload');
          await page.goto(`${base}/console/households/${household.id}`);
          await shot(page, 'household');
        }
        await context.close();
      }
    }
  });

  it('a registrar reports a change of address once, on a tablet, and reads who is told', async () => {
    await hub.app.get(LifeEventSubscriptionsService).seedDemo();
    const context = await newContext({ viewport: { width: 768, height: 1024 } });
    const page = await context.newPage();
    await page.goto(`${base}/console`);
    await go(page, () => page.getByRole('button', { name: 'Registrar' }).click(), /\/console\/purpose$/);
    await page.getByLabel('Tell Us Once').check();
    await go(page, () => page.getByRole('button', { name: 'Continue' }).click(), /\/console\/life-events$/);
    await accessible(page);
    await go(page, () => page.getByRole('button', { name: 'Report a life event' }).click(), /\/life-events\/new$/);
    await accessible(page);
    await page.getByLabel('A change of address').check();
    await page.getByLabel('Address line 1').fill('Flat 3, 10 New Road');
    await page.getByLabel('Postcode', { exact: true }).fill('se5 9aa');
    const lastWeek = new Date(Date.now() - 7 * 86_400_000);
    const dateGroup = page.getByRole('group', { name: 'When did it happen?' });
    await dateGroup.getByLabel('Day').fill(String(lastWeek.getUTCDate()));
    await dateGroup.getByLabel('Month').fill(String(lastWeek.getUTCMonth() + 1));
    await dateGroup.getByLabel('Year').fill(String(lastWeek.getUTCFullYear()));
    await page.getByLabel('Evidence reference').fill(`EDRMS:MV-${Date.now()}`);
    await page.getByLabel('Their hub id (optional)').fill(household.person);
    await fitsWidth(page);
    await shot(page, 'life-event-form');
    await page.getByRole('button', { name: 'Report it' }).click();
    await page.getByTestId('reported').waitFor();
    await expect(page.getByTestId('reported').innerText()).resolves.toMatch(/^Reported/);
    await expect(page.getByTestId('status').innerText()).resolves.toBe('Accepted');
    await expect(page.getByTestId('deliveries').locator('tbody tr').count()).resolves.toBeGreaterThan(0);
    await accessible(page);
    await fitsWidth(page);
    await shot(page, 'life-event');
    await context.close();
  });

  it('the data steward sees both records of a pair side by side, accessibly, and decides one', async () => {
    const context = await newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    await page.goto(`${base}/console`);
    await go(page, () => page.getByRole('button', { name: 'Data steward' }).click(), /\/console\/purpose$/);
    // A pair to decide, if this borough's matching left none: two members of one household, queued as the
    // matcher queues pairs it cannot decide (the HTTP suite decides one the matcher queued itself).
    await hub.db.dataSource.query(`
      insert into match_review (record_a, record_b, weight, probability, reason, explanation)
      select least(a.id, b.id), greatest(a.id, b.id), 4.2, 0.62, 'household members the records cannot tell apart',
             jsonb_build_object('method', 'probabilistic', 'weight', 4.2, 'probability', 0.62, 'decision', 'review',
               'priorWeight', -6.3, 'hardNegatives', '[]'::jsonb, 'cautions', '[]'::jsonb,
               'fields', jsonb_build_array(jsonb_build_object('comparison', 'familyName', 'level', 'exact', 'weight', 2.9),
                                           jsonb_build_object('comparison', 'address', 'level', 'same UPRN', 'weight', 3.4)))
        from household_membership m1 join household_membership m2 on m2.household_id = m1.household_id and m2.person_id > m1.person_id
        join person_link la on la.person_id = m1.person_id join source_record a on a.id = la.source_record_id
        join person_link lb on lb.person_id = m2.person_id join source_record b on b.id = lb.source_record_id
       where m1.valid_to is null and m2.valid_to is null and not exists (select 1 from match_review where status = 'pending')
       limit 1
      on conflict do nothing`);
    await page.goto(`${base}/console/reviews`);
    const before = await page.getByTestId('review').count();
    expect(before).toBeGreaterThan(0);
    await accessible(page);
    await shot(page, 'reviews');
    await go(
      page,
      () => page.getByTestId('review').first().getByRole('button', { name: 'Different people' }).click(),
      /\/console\/reviews$/,
    );
    await expect(page.getByTestId('pending').textContent()).resolves.toMatch(/waiting for a decision: \d+\./);
    await context.close();
  });
});
