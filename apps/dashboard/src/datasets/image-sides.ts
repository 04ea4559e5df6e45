/**
 * Square image sizes the upload form offers for a zip of class folders or segmentation slices; 224 is VGG16's input,
 * 64 trains fast on wasm, 128 and 256 divide by a 4- or 5-level U-Net's 2^depth.
 */
export const IMAGE_SIDES = [64, 128, 224, 256] as const;
export type ImageSide = (typeof IMAGE_SIDES)[number];

/** The side named by a form value, or undefined when it is not one of {@link IMAGE_SIDES}. */
export function imageSideFrom(value: string): ImageSide | undefined {
  return IMAGE_SIDES.find((side) => String(side) === value);
}
