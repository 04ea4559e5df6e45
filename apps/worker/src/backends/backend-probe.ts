/** What trying one backend found: ready (with the device string the worker registers) or unusable (and why). */
export type Probe = { ok: true; device: string; detail: string } | { ok: false; reason: string; cause?: unknown };

/** The seam between the worker and its optional backend packages (tfjs-node, webgpu); tests substitute fakes. */
export interface ModuleLoader {
  isInstalled(specifier: string): boolean;
  load(specifier: string): Promise<unknown>;
}
