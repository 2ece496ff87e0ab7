import { Cell, escapeHtml } from './console-cells';

/**
 * Charts drawn on the server as SVG, so that they show without JavaScript: each has a title and a
 * description for screen readers (role="img"), and the page shows the same numbers as a table beside it.
 * Colours are the GOV.UK palette, each at least 3:1 against white (WCAG 1.4.11); the legend names every
 * series in text, so colour is never the only cue.
 */

const PALETTE = ['#1d70b8', '#d4351c', '#00703c', '#4c2c92', '#912b88', '#b58840', '#28a197', '#505a5f'];
const OTHER = 'other';

export interface Series {
  name: string;
  /** One count per category (bar). */
  counts: number[];
}

export interface Chart {
  /** The SVG, safe to put in the page as it is (every text escaped). */
  svg: string;
  /** The same numbers as a table (GOV.UK table macro). */
  head: { text: string; format?: string }[];
  rows: (Cell | { text: string; format?: string })[][];
  total: number;
}

/** At most `max` series: the largest ones, the rest summed as "other". */
export function topSeries(series: Series[], max = PALETTE.length): Series[] {
  const sorted = [...series].sort((a, b) => sum(b.counts) - sum(a.counts) || a.name.localeCompare(b.name));
  if (sorted.length <= max) return sorted;
  const kept = sorted.slice(0, max - 1);
  const rest = sorted.slice(max - 1);
  return [...kept, { name: OTHER, counts: rest[0].counts.map((_, i) => sum(rest.map((s) => s.counts[i]))) }];
}

/**
 * A stacked bar chart: one bar per category (a day, a weight band), one colour per series, a legend, and
 * the y axis from 0 to the largest bar. `id` makes the title and description ids unique on the page.
 */
export function stackedBars(
  id: string,
  title: string,
  description: string,
  categories: string[],
  series: Series[],
  options: { categoryHeading?: string; labelEvery?: number } = {},
): Chart {
  const width = 720;
  const height = 260;
  const left = 44;
  const bottom = 40;
  const top = 12;
  const plotHeight = height - top - bottom;
  const plotWidth = width - left - 8;
  const totals = categories.map((_, i) => sum(series.map((s) => s.counts[i] ?? 0)));
  const max = Math.max(1, ...totals);
  const step = niceStep(max);
  const yMax = Math.ceil(max / step) * step;
  const slot = plotWidth / Math.max(1, categories.length);
  const barWidth = Math.max(2, slot * 0.7);
  const labelEvery = options.labelEvery ?? Math.max(1, Math.ceil(categories.length / 10));
  const y = (value: number) => top + plotHeight - (value / yMax) * plotHeight;
  const parts: string[] = [];
  for (let tick = 0; tick <= yMax; tick += step) {
    parts.push(
      `<line x1="${left}" x2="${width - 8}" y1="${y(tick)}" y2="${y(tick)}" stroke="#b1b4b6" stroke-width="1"/>`,
      `<text x="${left - 6}" y="${y(tick) + 4}" text-anchor="end" font-size="12" fill="#0b0c0c">${tick}</text>`,
    );
  }
  categories.forEach((category, i) => {
    const x = left + i * slot + (slot - barWidth) / 2;
    let base = 0;
    series.forEach((s, k) => {
      const value = s.counts[i] ?? 0;
      if (!value) return;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(base + value).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(y(base) - y(base + value)).toFixed(1)}" fill="${PALETTE[k % PALETTE.length]}"><title>${escapeHtml(`${category}, ${s.name}: ${value}`)}</title></rect>`,
      );
      base += value;
    });
    if (i % labelEvery === 0)
      parts.push(
        `<text x="${(x + barWidth / 2).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle" font-size="12" fill="#0b0c0c">${escapeHtml(category)}</text>`,
      );
  });
  const legend = series
    .map(
      (s, k) =>
        `<li class="console-legend__item"><svg width="14" height="14" aria-hidden="true" focusable="false"><rect width="14" height="14" fill="${PALETTE[k % PALETTE.length]}"/></svg> ${escapeHtml(s.name)}</li>`,
    )
    .join('');
  const svg =
    `<figure class="console-chart" data-testid="chart-${escapeHtml(id)}">` +
    `<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${id}-title ${id}-desc" focusable="false" font-family="GDS Transport, arial, sans-serif">` +
    `<title id="${id}-title">${escapeHtml(title)}</title><desc id="${id}-desc">${escapeHtml(description)}</desc>` +
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotHeight}" stroke="#0b0c0c"/>` +
    parts.join('') +
    `</svg>` +
    (series.length > 1 || series[0]?.name ? `<ul class="console-legend">${legend}</ul>` : '') +
    `</figure>`;
  return {
    svg,
    head: [
      { text: options.categoryHeading ?? 'Day' },
      ...series.map((s) => ({ text: s.name, format: 'numeric' })),
      { text: 'Total', format: 'numeric' },
    ],
    rows: categories.map((category, i) => [
      { text: category },
      ...series.map((s) => ({ text: String(s.counts[i] ?? 0), format: 'numeric' })),
      { text: String(totals[i]), format: 'numeric' },
    ]),
    total: sum(totals),
  };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** A tick step of 1, 2 or 5 × 10^n giving at most about five gridlines. */
function niceStep(max: number): number {
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(Math.max(rough, 1)));
  for (const m of [1, 2, 5, 10]) if (m * power >= rough) return m * power;
  return 10 * power;
}
