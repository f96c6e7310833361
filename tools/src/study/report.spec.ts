import { convergenceTable, type LossSummary, type ShareSummary } from './report';

describe('convergenceTable', () => {
  const loss = (lossId: string, label: string, lateGains: (number | null)[], meanCurveLateGain: number | null): LossSummary =>
    ({ lossId, label, lateGains, meanCurveLateGain }) as unknown as LossSummary;

  it('marks each seed and the mean curve ✓ below 0.01 AP gained in the last quarter, ✗ otherwise, – when it cannot say', () => {
    const share = {
      main: [loss('ce', 'CE', [0.003, 0.013, -0.001], 0.0099), loss('focal', 'FL', [0.01, null, 0.2], null)],
      sweep: [{ gamma: 2, alpha: 0.25, summary: loss('focal', 'FL', [], null) }, { gamma: 5, alpha: 0.25, summary: loss('fl-g5', 'FL (γ = 5)', [0, 0, 0], 0) }],
    } as unknown as ShareSummary;
    expect(convergenceTable(share, 3).split('\n')).toEqual([
      '| loss | seed 0 | seed 1 | seed 2 | mean curve |',
      '| --- | ---: | ---: | ---: | ---: |',
      '| CE | +0.003 ✓ | +0.013 ✗ | -0.001 ✓ | +0.010 ✓ |',
      '| FL | +0.010 ✗ | – | +0.200 ✗ | – |',
      '| FL (γ = 5) | +0.000 ✓ | +0.000 ✓ | +0.000 ✓ | +0.000 ✓ |',
    ]);
  });
});
