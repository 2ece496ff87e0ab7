import type { Decision } from './decision';
import { SubjectTags } from './subject-tag';

const decision = (released: string[]): Decision => ({ effect: 'allow', released, withheld: [], reasons: [] });
const tagFor = (personId: string, released: string[] = ['x']) => ({
  subject: { personId },
  decision: decision(released),
});

describe("SubjectTags (a request's decisions, by result object)", () => {
  it('tags an object, and each object of a list, and leaves scalars alone', () => {
    const tags = new SubjectTags();
    const one = {};
    const list = [{}, {}, null, 'text'];
    const tag = tagFor('p1');
    tags.tag(one, tag);
    tags.tag(list, tag);
    expect(tags.of(one)).toBe(tag);
    expect(tags.of(list[0])).toBe(tag);
    expect(tags.of(list[1])).toBe(tag);
    expect(tags.of(null)).toBeUndefined();
    expect(tags.of('text')).toBeUndefined();
  });

  it('keeps the first tag: a nested person stays under their own decision', () => {
    const tags = new SubjectTags();
    const person = {};
    const own = tagFor('member');
    tags.tag(person, own);
    tags.tag(person, tagFor('parent'));
    expect(tags.of(person)).toBe(own);
  });

  it('leaves a frozen (shared) object untagged', () => {
    const tags = new SubjectTags();
    const shared = Object.freeze({});
    tags.tag(shared, tagFor('p1'));
    expect(tags.of(shared)).toBeUndefined();
  });

  it("writes nothing on the object, and one request never sees another's decisions", () => {
    const first = new SubjectTags();
    const second = new SubjectTags();
    const person = { id: 'p1' };
    first.tag(person, tagFor('p1'));
    expect(Reflect.ownKeys(person)).toEqual(['id']);
    expect(JSON.stringify(person)).toBe('{"id":"p1"}');
    expect(second.of(person)).toBeUndefined();
  });
});
