'use client';

import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { decodeCaseVolume, type CaseVolume } from '../viewer/case-volume-format.ts';
import {
  clampSlice, draggedWindow, foregroundBySlice, initialWindow, intensityRange, renderSlice, sliceOf, type IntensityWindow, type MaskOverlay, type Rgb,
} from '../viewer/slice-render.ts';

/** Ground truth in green, the prediction in magenta: told apart by colour-blind readers too (green/magenta, not green/red). */
const TRUTH_COLOR: Rgb = [0, 200, 83];
const PREDICTION_COLOR: Rgb = [230, 40, 210];
/** The canvas's longest side on screen, in CSS pixels; the slice is scaled to it keeping its millimetre aspect. */
const DISPLAY_SIDE = 512;

export interface WindowPreset {
  name: string;
  center: number;
  width: number;
}

/**
 * A segmentation case scrolled slice by slice: fetched once as binary from `src` and painted on a canvas here, with
 * window/level (presets for CT, sliders, or a drag on the image: right widens, down raises the centre), the mouse wheel
 * or arrow keys through depth, and the true and predicted masks overlaid. The case's voxels stay in the browser
 * (about 6 bytes a voxel with both masks); only the visible slice is repainted.
 */
export function SliceViewer({ src, presets }: { src: string; presets: WindowPreset[] }) {
  const [volume, setVolume] = useState<CaseVolume | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    const abort = new AbortController();
    void (async () => {
      try {
        const response = await fetch(src, { signal: abort.signal, cache: 'no-store' });
        if (!response.ok) throw new Error((await response.text()).trim() || `HTTP ${response.status}`);
        setVolume(decodeCaseVolume(await response.arrayBuffer()));
      } catch (err) {
        if (!abort.signal.aborted) setError((err as Error).message);
      }
    })();
    return () => abort.abort();
  }, [src]);
  if (error) {
    return (
      <p className="error" role="alert">
        Cannot load the case: {error}
      </p>
    );
  }
  if (!volume) return <p className="muted" role="status">Loading the case…</p>;
  return <LoadedViewer volume={volume} presets={presets} />;
}

function LoadedViewer({ volume, presets }: { volume: CaseVolume; presets: WindowPreset[] }) {
  const { header, image, mask, prediction } = volume;
  const [depth, height, width] = header.shape;
  const range = useMemo(() => intensityRange(image), [image]);
  const span = Math.max(1, range.max - range.min);
  const hu = header.units === 'HU';
  const firstPreset = presets[0] ?? { name: 'full', center: (range.min + range.max) / 2, width: span };
  const [windowing, setWindowing] = useState<IntensityWindow>(() => initialWindow(header.units, range, firstPreset));
  // Open where the true (else predicted) mask has the most voxels, so the overlay is in view at once.
  const [slice, setSlice] = useState(() => {
    const labels = mask ?? prediction;
    if (!labels) return Math.floor(depth / 2);
    const counts = foregroundBySlice(labels, header.shape);
    return counts.indexOf(Math.max(...counts));
  });
  const [showTruth, setShowTruth] = useState(true);
  const [truthStyle, setTruthStyle] = useState<MaskOverlay['style']>('outline');
  const [showPrediction, setShowPrediction] = useState(true);
  const [opacity, setOpacity] = useState(0.5);
  const canvas = useRef<HTMLCanvasElement>(null);
  const drag = useRef<{ x: number; y: number; start: IntensityWindow } | undefined>(undefined);

  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return;
    const overlays: MaskOverlay[] = [];
    if (mask && showTruth) overlays.push({ mask: sliceOf(mask, header.shape, slice), color: TRUTH_COLOR, opacity: truthStyle === 'outline' ? 1 : opacity, style: truthStyle });
    if (prediction && showPrediction) overlays.push({ mask: sliceOf(prediction, header.shape, slice), color: PREDICTION_COLOR, opacity, style: 'fill' });
    const pixels = context.createImageData(width, height);
    renderSlice(pixels.data, sliceOf(image, header.shape, slice), height, width, windowing, overlays);
    context.putImageData(pixels, 0, 0);
  }, [image, mask, prediction, header.shape, height, width, slice, windowing, showTruth, truthStyle, showPrediction, opacity]);

  // React's wheel listener is passive and cannot keep the page from scrolling; this one can.
  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    const onWheel = (event: WheelEvent) => {
      if (depth < 2) return;
      event.preventDefault();
      setSlice((current) => clampSlice(current + Math.sign(event.deltaY), depth));
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, [depth]);

  const onPointerDown = (event: PointerEvent<HTMLCanvasElement>) => {
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { x: event.clientX, y: event.clientY, start: windowing };
  };
  const onPointerMove = (event: PointerEvent<HTMLCanvasElement>) => {
    const from = drag.current;
    if (from) setWindowing(draggedWindow(from.start, event.clientX - from.x, event.clientY - from.y, span));
  };
  const onPointerUp = () => {
    drag.current = undefined;
  };
  const onKeyDown = (event: KeyboardEvent<HTMLCanvasElement>) => {
    const step = { ArrowUp: 1, ArrowRight: 1, PageUp: 10, ArrowDown: -1, ArrowLeft: -1, PageDown: -10 }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    setSlice((current) => clampSlice(current + step, depth));
  };

  const [dz, dy, dx] = header.spacing;
  const scale = DISPLAY_SIDE / Math.max(width * (dx || 1), height * (dy || 1));
  const centerBounds = hu ? { min: Math.min(range.min, -1350), max: Math.max(range.max, 400) } : range;
  const windowLabel = `window centre ${formatNumber(windowing.center)}, width ${formatNumber(windowing.width)}${hu ? ' HU' : ''}`;
  return (
    <div className="viewer">
      <figure className="viewer-image">
        <canvas
          id="viewer-canvas"
          ref={canvas}
          width={width}
          height={height}
          style={{ width: `${Math.round(width * (dx || 1) * scale)}px`, height: `${Math.round(height * (dy || 1) * scale)}px` }}
          tabIndex={0}
          role="img"
          aria-label={`Case ${header.id}, slice ${slice + 1} of ${depth}, ${windowLabel}. Arrow keys change the slice; drag to change the window.`}
          data-slice={slice}
          data-center={windowing.center}
          data-width={windowing.width}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={onPointerUp}
          onKeyDown={onKeyDown}
        />
        <figcaption id="viewer-status" role="status">
          Slice {slice + 1} of {depth} · {windowLabel} · {width}x{height} voxels, {formatNumber(dx)}x{formatNumber(dy)}x{formatNumber(dz)} mm
          {header.scored && (
            <>
              {' '}· Dice {header.dice.toFixed(3)}, IoU {header.iou.toFixed(3)}
            </>
          )}
        </figcaption>
      </figure>
      <div className="viewer-controls">
        {depth > 1 && (
          <div className="field">
            <label htmlFor="viewer-slice">Slice</label>
            <input id="viewer-slice" type="range" min={0} max={depth - 1} step={1} value={slice} onChange={(e) => setSlice(Number(e.target.value))} />
          </div>
        )}
        <fieldset>
          <legend>Window</legend>
          <div className="viewer-presets">
            {hu &&
              presets.map((p) => (
                <button key={p.name} type="button" aria-pressed={windowing.center === p.center && windowing.width === p.width} onClick={() => setWindowing({ center: p.center, width: p.width })}>
                  {capitalize(p.name)} {p.center}/{p.width}
                </button>
              ))}
            <button type="button" onClick={() => setWindowing({ center: (range.min + range.max) / 2, width: span })}>
              Full range
            </button>
          </div>
          <div className="field">
            <label htmlFor="viewer-center">Centre (level): {formatNumber(windowing.center)}</label>
            <input id="viewer-center" type="range" min={Math.floor(centerBounds.min)} max={Math.ceil(centerBounds.max)} step="any" value={windowing.center} onChange={(e) => setWindowing({ ...windowing, center: Number(e.target.value) })} />
          </div>
          <div className="field">
            <label htmlFor="viewer-width">Width: {formatNumber(windowing.width)}</label>
            <input id="viewer-width" type="range" min={1} max={Math.ceil(Math.max(span, hu ? 4000 : span) * 2)} step="any" value={windowing.width} onChange={(e) => setWindowing({ ...windowing, width: Number(e.target.value) })} />
          </div>
        </fieldset>
        <fieldset>
          <legend>Masks</legend>
          {mask ? (
            <div className="viewer-toggle">
              <input id="viewer-truth" type="checkbox" checked={showTruth} onChange={(e) => setShowTruth(e.target.checked)} />
              <label htmlFor="viewer-truth">
                <span className="swatch" style={{ background: rgb(TRUTH_COLOR) }} aria-hidden="true" /> Ground truth
              </label>
              <select id="viewer-truth-style" aria-label="Ground truth drawn as" value={truthStyle} onChange={(e) => setTruthStyle(e.target.value === 'fill' ? 'fill' : 'outline')}>
                <option value="outline">outline</option>
                <option value="fill">filled</option>
              </select>
            </div>
          ) : (
            <p className="muted">No ground truth for this case ({header.split}).</p>
          )}
          {prediction ? (
            <div className="viewer-toggle">
              <input id="viewer-prediction" type="checkbox" checked={showPrediction} onChange={(e) => setShowPrediction(e.target.checked)} />
              <label htmlFor="viewer-prediction">
                <span className="swatch" style={{ background: rgb(PREDICTION_COLOR) }} aria-hidden="true" /> Prediction
              </label>
            </div>
          ) : null}
          <div className="field">
            <label htmlFor="viewer-opacity">Opacity: {Math.round(opacity * 100)}%</label>
            <input id="viewer-opacity" type="range" min={0} max={1} step={0.05} value={opacity} onChange={(e) => setOpacity(Number(e.target.value))} />
          </div>
        </fieldset>
      </div>
    </div>
  );
}

const rgb = ([r, g, b]: Rgb): string => `rgb(${r}, ${g}, ${b})`;
const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
const formatNumber = (value: number): string => String(Math.round(value * 100) / 100);
