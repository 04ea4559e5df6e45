import type { WindowSetting } from './dicom-header.ts';

/** Common CT windows in Hounsfield units (center / width). */
export const WINDOW_PRESETS = {
  lung: { center: -600, width: 1500 },
  mediastinum: { center: 40, width: 400 },
  brain: { center: 40, width: 80 },
} as const satisfies Record<string, WindowSetting>;

export type WindowPreset = keyof typeof WINDOW_PRESETS;

function windowOf(window: WindowSetting | WindowPreset): WindowSetting {
  return typeof window === 'string' ? WINDOW_PRESETS[window] : window;
}

/**
 * Maps modality values (HU) through a window to [0, 1] with the DICOM linear VOI function (PS3.3 C.11.2.1.2.1):
 * at or below center - 0.5 - (width - 1) / 2 gives 0, above center - 0.5 + (width - 1) / 2 gives 1, linear between.
 * The usual preprocessing before a network; one pass, one float32 array.
 */
export function windowToUnit(values: ArrayLike<number>, window: WindowSetting | WindowPreset): Float32Array {
  const { center, width } = windowOf(window);
  if (!(width >= 1)) throw new RangeError(`window width ${width} is below 1 (DICOM requires >= 1)`);
  const low = center - 0.5 - (width - 1) / 2;
  const high = center - 0.5 + (width - 1) / 2;
  const out = new Float32Array(values.length);
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] ?? 0;
    out[index] = value <= low ? 0 : value > high ? 1 : (value - (center - 0.5)) / (width - 1) + 0.5;
  }
  return out;
}

/** As windowToUnit, scaled to 0..255 and rounded: for PNG previews and 8-bit training shards. */
export function windowToUint8(values: ArrayLike<number>, window: WindowSetting | WindowPreset): Uint8Array {
  const unit = windowToUnit(values, window);
  const out = new Uint8Array(unit.length);
  for (let index = 0; index < unit.length; index += 1) out[index] = Math.round((unit[index] ?? 0) * 255);
  return out;
}
