import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 2 });

export interface ChartSeries {
  label: string;
  color: string;
  /** Drawn dashed: a limit or a budget rather than a measurement. */
  dashed?: boolean;
  /** Formats a value in the legend. */
  format?: (value: number) => string;
}

export interface ChartProps {
  /** The chart's accessible name; the numbers are also in the tables beside it. */
  label: string;
  /** x: Unix seconds, then one array per series (null: no value). */
  data: [number[], ...Array<Array<number | null>>];
  series: ChartSeries[];
  height?: number;
  /** Draw the series as bars rather than lines. */
  bars?: boolean;
}

/** A uPlot chart that follows its container's width and redraws when its data changes. */
export function Chart({ label, data, series, height = 220, bars = false }: ChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((entry) => entry.label).join('|') + String(bars);

  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const options: uPlot.Options = {
      width: Math.max(240, element.clientWidth),
      height,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [
        { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.2)' } },
        {
          stroke: 'currentColor',
          grid: { stroke: 'rgba(128,128,128,0.2)' },
          size: 56,
          values: (_plot, ticks) => ticks.map((tick) => compact.format(tick)),
        },
      ],
      series: [
        {},
        ...series.map((entry) => ({
          label: entry.label,
          stroke: entry.color,
          width: 2,
          points: { show: false },
          ...(entry.dashed ? { dash: [6, 4] } : {}),
          ...(bars && !entry.dashed
            ? { fill: `${entry.color}55`, paths: uPlot.paths.bars?.({ size: [0.8, 40] }) }
            : {}),
          ...(entry.format
            ? {
                value: (_plot: uPlot, value: number | null) =>
                  value === null ? '–' : (entry.format as (value: number) => string)(value),
              }
            : {}),
        })),
      ],
    };
    plot.current = new uPlot(options, data as uPlot.AlignedData, element);
    const observer = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(240, element.clientWidth), height }),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // A new set of series needs a new chart; new data alone is set below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return <div class="chart" role="img" aria-label={label} ref={container} />;
}
