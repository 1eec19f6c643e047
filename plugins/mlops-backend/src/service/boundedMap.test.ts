import { setNewest } from './boundedMap';

const full = () =>
  new Map([
    ['a', 1],
    ['b', 2],
  ]);

describe('setNewest', () => {
  it('drops the oldest entry once the map is full', () => {
    const map = full();
    setNewest(map, 'c', 3, 2);
    expect([...map]).toEqual([
      ['b', 2],
      ['c', 3],
    ]);
  });

  it('makes a key set again the newest, without dropping another', () => {
    const map = full();
    setNewest(map, 'a', 10, 2);
    expect([...map]).toEqual([
      ['b', 2],
      ['a', 10],
    ]);
  });
});
