/**
 * Time series with uPlot: the finding's growth (its inuse and the heap
 * total, the detection window shaded and detected_at marked), the target's
 * heap total, and plain canvas sparklines.
 */
import uPlot from 'uplot';
import { bytes } from './format.js';

export interface Marks {
  /** Seconds since the Unix epoch. */
  windowFrom?: number;
  windowTo?: number;
  detectedAt?: number;
}

const WIDTH = (el: Element): number => Math.max(320, Math.min(1100, el.clientWidth || 900));

export function growthChart(el: HTMLElement, t: number[], lines: { label: string; values: number[]; stroke: string; fill?: string }[], marks: Marks = {}): uPlot {
  const opts: uPlot.Options = {
    width: WIDTH(el),
    height: 280,
    scales: { x: { time: true } },
    axes: [{}, { values: (_u, ticks) => ticks.map((v) => bytes(v)), size: 80 }],
    series: [{}, ...lines.map((l) => ({ label: l.label, stroke: l.stroke, fill: l.fill, width: 2, value: (_u: uPlot, v: number | null) => (v === null ? '' : bytes(v)) }))],
    hooks: {
      drawClear: [
        (u) => {
          // The detection window, shaded under the lines.
          if (marks.windowFrom === undefined || marks.windowTo === undefined) return;
          const x0 = u.valToPos(marks.windowFrom, 'x', true);
          const x1 = u.valToPos(marks.windowTo, 'x', true);
          const { top, height } = u.bbox;
          u.ctx.save();
          u.ctx.fillStyle = 'rgba(255, 170, 0, 0.15)';
          u.ctx.fillRect(Math.min(x0, x1), top, Math.abs(x1 - x0), height);
          u.ctx.restore();
        },
      ],
      draw: [
        (u) => {
          if (marks.detectedAt === undefined) return;
          const x = u.valToPos(marks.detectedAt, 'x', true);
          const { top, height } = u.bbox;
          u.ctx.save();
          u.ctx.strokeStyle = '#c0392b';
          u.ctx.setLineDash([6, 4]);
          u.ctx.lineWidth = 2;
          u.ctx.beginPath();
          u.ctx.moveTo(x, top);
          u.ctx.lineTo(x, top + height);
          u.ctx.stroke();
          u.ctx.fillStyle = '#c0392b';
          u.ctx.font = `${12 * devicePixelRatio}px sans-serif`;
          u.ctx.fillText('detected', x + 4, top + 14 * devicePixelRatio);
          u.ctx.restore();
        },
      ],
    },
  };
  return new uPlot(opts, [t, ...lines.map((l) => l.values)], el);
}

export function sparkline(values: number[], width = 120, height = 28): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  c.className = 'spark';
  const ctx = c.getContext('2d');
  if (!ctx || values.length < 2) return c;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const y = (v: number): number => height - 2 - ((v - min) / (max - min || 1)) * (height - 4);
  ctx.strokeStyle = '#2c7be5';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  values.forEach((v, i) => (i === 0 ? ctx.moveTo(0, y(v)) : ctx.lineTo((i / (values.length - 1)) * width, y(v))));
  ctx.stroke();
  return c;
}
