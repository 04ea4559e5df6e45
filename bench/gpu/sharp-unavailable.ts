/**
 * Stands in for `sharp` in the cluster bundle bench/gpu/prepare.sh builds (esbuild `--alias:sharp=`): sharp is
 * libvips behind a native addon, which a single-file bundle cannot carry and a GPU machine without node_modules
 * cannot load. The Sonar job never decodes an image; anything that would (image data sets, thumbnails, overlays)
 * fails with this error instead of the whole bundle failing to load. A default export, as sharp's own.
 */
export default function sharpUnavailable(): never {
  throw new Error('sharp (image decoding) is not in this bundle: bench/gpu/prepare.sh builds it for the tabular Sonar job only');
}
