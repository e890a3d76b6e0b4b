import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { loadOfficialAreas } from '../../pipelines/areas/load-official-areas.ts';
import { fixtureRows } from './scb-key-workbooks.ts';

describe('data/areas/kommuner.csv against SCB’s own DeSO→RegSO key', () => {
  it('has exactly the kommun codes and names of SCB’s DeSO 2018 key (data/areas/README.md)', () => {
    const ours = loadOfficialAreas(resolve(import.meta.dirname, '../../data')).kommuner.map((k) => [k.code, k.name]);
    const scb = fixtureRows('kommuner-in-scb-deso2018-key.csv').slice(1);
    expect(ours).toEqual(scb);
  });
});
