import { exportedSampleNames, metricNames } from './observability-files';

describe('metricNames', () => {
  it('finds the metrics of an expression, not its functions, labels, ranges or grouping labels', () => {
    expect(
      metricNames(`histogram_quantile(0.99,
        sum by (le, route) (rate(http_request_duration_seconds_bucket{route!~"/health/.*|rate(x)"}[5m]))
      ) > 2.5 and on (instance) up_metric == bool 1e3`),
    ).toEqual(['http_request_duration_seconds_bucket', 'up_metric']);
  });

  it('finds every side of a ratio, and metrics written with a colon', () => {
    expect(
      metricNames('sum(rate(a_total{x="1"}[$__rate_interval])) / sum without (job) (rate(b:rate5m[5m]))'),
    ).toEqual(['a_total', 'b:rate5m']);
  });
});

describe('exportedSampleNames', () => {
  it('expands histograms and summaries into the sample names PromQL reads', () => {
    const names = exportedSampleNames(
      [
        '# HELP h help',
        '# TYPE h histogram',
        '# TYPE s summary',
        '# TYPE c_total counter',
        '# TYPE g gauge',
        'g 1',
      ].join('\n'),
    );
    expect([...names].sort()).toEqual([
      'c_total',
      'g',
      'h_bucket',
      'h_count',
      'h_sum',
      's',
      's_count',
      's_sum',
    ]);
  });
});
