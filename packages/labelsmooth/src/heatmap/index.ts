// Heatmaps of N×K matrices (smoothed targets, softmax, gradients): SVG with labels, and a
// label-free PNG. No DOM and no native dependency: the same code runs in Node and browsers.
export { renderHeatmap, renderHeatmapWithLayout, escapeXml, formatValue, niceTicks, heatmapColour } from './svg';
export type { HeatmapOptions, HeatmapLayout, HeatmapData } from './svg';
export { renderHeatmapPng, encodePng, zlibStored } from './png';
export type { HeatmapPngOptions } from './png';
export { viridis, viridisRgb, VIRIDIS_SIZE } from './viridis';
