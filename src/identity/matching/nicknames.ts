import { NICKNAME_GROUPS } from './nickname-table';

const groupsByName = new Map<string, number[]>();
NICKNAME_GROUPS.forEach((group, id) => {
  for (const name of new Set(group)) {
    const ids = groupsByName.get(name) ?? [];
    ids.push(id);
    groupsByName.set(name, ids);
  }
});

const NONE: readonly number[] = [];

/** The nickname groups (formal name and its diminutives) a folded given name belongs to, sorted. */
export function nicknameGroups(name: string): readonly number[] {
  return groupsByName.get(name) ?? NONE;
}

/** Two sorted group lists share a group: one name is a diminutive or variant of the other. */
export function shareNicknameGroup(a: readonly number[], b: readonly number[]): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) return true;
    if (a[i] < b[j]) i++;
    else j++;
  }
  return false;
}
