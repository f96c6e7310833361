import { formatMetric, markdownTable } from './study-report';

describe('markdownTable', () => {
  it('writes one row per loss: AP, AP50, rare-class AP and rare-class recall at IoU 0.5, three decimals', () => {
    const runs = [
      { label: 'CE', metrics: { ap: 0.1234, ap50: 0.3, rareAp: 0, rareAp50: 0, rareRecall50: 0.0625 } },
      { label: 'focal (γ = 2, α = 0.25)', metrics: { ap: 0.2, ap50: 0.45678, rareAp: 0.0996, rareAp50: 0.2, rareRecall50: -1 } },
    ];
    expect(markdownTable(runs, 'triangle')).toBe(
      [
        '| loss | AP | AP50 | rare-class AP (triangle) | rare-class recall @ IoU 0.5 (triangle) |',
        '| --- | ---: | ---: | ---: | ---: |',
        '| CE | 0.123 | 0.300 | 0.000 | 0.063 |',
        '| focal (γ = 2, α = 0.25) | 0.200 | 0.457 | 0.100 | – |',
        '',
      ].join('\n'),
    );
  });

  it('formats −1 (undefined, no ground truth) as a dash', () => {
    expect([formatMetric(-1), formatMetric(0), formatMetric(1)]).toEqual(['–', '0.000', '1.000']);
  });
});
