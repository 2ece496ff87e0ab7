import { CATEGORY_FIELDS } from '../single-view/models/service-records.model';
import { LIVE_SOURCES } from '../single-view/field-refs';
import { label } from './console-cells';
import { liveSections } from './console-pages';

describe('console pages: what each source holds about a person', () => {
  // The first source with two categories or more, by its field in the schema (housing, in the modules here).
  const [field, source] = Object.entries(LIVE_SOURCES).find(([, id]) => Object.keys(CATEGORY_FIELDS[id]).length > 1)!;
  const [held, empty, ...others] = Object.keys(CATEGORY_FIELDS[source]);

  it('shows a table for each category with records, and names the categories with none in one line', () => {
    const person = { [field]: { [held]: [{}], [empty]: [], ...Object.fromEntries(others.map((list) => [list, []])) } };
    const section = liveSections(person, new Map(), [], 'person').find((s) => s.lists.length > 0)!;
    expect(section.lists.map((list) => list.title)).toHaveLength(1);
    expect(section.lists[0].rows).toHaveLength(1);
    expect(section.noneHeld).toHaveLength(1 + others.length);
    // Continuing a sentence: "None held: homelessness applications."
    expect(section.noneHeld[0]).toMatch(/^[a-z]/);
  });

  it('keeps a withheld category as a heading with its marker, not among those with none held', () => {
    const person = { [field]: { [held]: [], [empty]: [] } };
    const reason = 'not released by agreement a v1 for EARLY_HELP';
    const sections = liveSections(person, new Map([[`person.${field}.${empty}`, reason]]), [], 'person');
    const section = sections.find((s) => s.lists.length > 0)!;
    expect(section.lists.map((list) => list.withheld)).toEqual([reason]);
    expect(section.noneHeld).toHaveLength(1 + others.length);
    expect(section.noneHeld.map((title) => title.toLowerCase())).not.toContain(label(empty).toLowerCase());
  });
});
