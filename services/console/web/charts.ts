import uPlot from 'uplot';

import { type AlertMarker, type ForecastBand } from '../src/dashboard/dashboard-snapshot.js';

export interface ChartData {
  times: number[];
  actual: Array<number | null>;
  band?: ForecastBand;
  markers?: AlertMarker[];
}

const COLORS = { actual: '#2f6fed', mean: '#8a94a6', band80: 'rgba(47,111,237,0.18)', band95: 'rgba(47,111,237,0.08)' };

/** One time-series chart (uPlot): the actuals, and for some metrics the forecast band and alert markers. */
export class TimeChart {
  private plot?: uPlot;
  private markers: AlertMarker[] = [];

  constructor(
    private readonly element: HTMLElement,
    private readonly name: string,
    private readonly format: (value: number) => string,
    private readonly withBand: boolean,
  ) {
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(element);
  }

  update(data: ChartData): void {
    this.markers = data.markers ?? [];
    const seconds = data.times.map((t) => t / 1000);
    const none = data.times.map(() => null);
    const b = data.band;
    const columns: uPlot.AlignedData = this.withBand
      ? [
          seconds,
          data.actual,
          b?.mean ?? none,
          b?.upper95 ?? none,
          b?.lower95 ?? none,
          b?.upper80 ?? none,
          b?.lower80 ?? none,
        ]
      : [seconds, data.actual];
    if (!this.plot) this.plot = new uPlot(this.options(), columns, this.element);
    else this.plot.setData(columns);
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(200, this.element.clientWidth), height: 200 };
  }

  private options(): uPlot.Options {
    const value = (_: uPlot, v: number | null) => (v === null || v === undefined ? '–' : this.format(v));
    const hidden = { stroke: 'transparent', points: { show: false }, value };
    const series: uPlot.Series[] = [
      {},
      { label: this.name, stroke: COLORS.actual, width: 2, value, points: { show: false } },
    ];
    const bands: uPlot.Band[] = [];
    if (this.withBand) {
      series.push(
        { label: 'forecast', stroke: COLORS.mean, dash: [4, 4], width: 1, value, points: { show: false } },
        { ...hidden, label: '95% high' },
        { ...hidden, label: '95% low' },
        { ...hidden, label: '80% high' },
        { ...hidden, label: '80% low' },
      );
      bands.push({ series: [3, 4], fill: COLORS.band95 }, { series: [5, 6], fill: COLORS.band80 });
    }
    return {
      ...this.size(),
      series,
      bands,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true },
        y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(1, (max ?? 0) * 1.1)] },
      },
      axes: [{}, { values: (_u, ticks) => ticks.map((t) => this.format(t)), size: 70 }],
      hooks: { draw: [(u) => this.drawMarkers(u)] },
    };
  }

  /** An alert is a red (critical) or amber (warning) line at its window, with a triangle on top. */
  private drawMarkers(u: uPlot): void {
    const ctx = u.ctx;
    const { top, height } = u.bbox;
    for (const marker of this.markers) {
      const x = Math.round(u.valToPos(marker.time / 1000, 'x', true));
      if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
      ctx.save();
      ctx.strokeStyle = ctx.fillStyle = marker.severity === 'critical' ? '#d93a3a' : '#d98b00';
      ctx.lineWidth = 2 * devicePixelRatio;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      const s = 6 * devicePixelRatio;
      ctx.beginPath();
      if (marker.direction === 'spike') {
        ctx.moveTo(x - s, top + s * 1.6);
        ctx.lineTo(x + s, top + s * 1.6);
        ctx.lineTo(x, top);
      } else {
        ctx.moveTo(x - s, top);
        ctx.lineTo(x + s, top);
        ctx.lineTo(x, top + s * 1.6);
      }
      ctx.fill();
      ctx.restore();
    }
  }
}
