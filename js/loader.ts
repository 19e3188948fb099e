/* The `_esm` of every Player and PlayerControls: a small module that imports the front end
 * (static/widget.js, ~600 kB) once per page and renders with it.
 *
 * anywidget imports each model's `_esm` from a Blob URL of its own, and a browser never frees a
 * module it imported: with the whole front end in every `_esm`, each Player cost a copy in the
 * saved notebook and ~1.6 MB of JS memory per cell re-run. Instead the kernel holds the front end
 * once, in a shared widget model (Python: cleo_player.widget.frontend.FrontEnd, referenced by the
 * `_frontend` trait); this loader imports it from there the first time, keyed by the hash of its
 * code (two kernels running different versions get one copy each), and every later view on the
 * page reuses it from globalThis. The Python side fills in the two placeholders below. */
import type { AnyModel, RenderProps } from "@anywidget/types";

const SHA256 = "__CLEO_BUNDLE_SHA256__";
const ENTRY: string = "__CLEO_ENTRY__"; // "player" or "controls"

type Render = (props: RenderProps) => Promise<() => void>;
interface FrontEndModule {
  default: { render: Render };
  controls: { render: Render };
}

const cache = ((globalThis as unknown as { __cleoPlayerFrontEnds?: Map<string, Promise<FrontEndModule>> })
  .__cleoPlayerFrontEnds ??= new Map());

async function importFrontEnd(model: AnyModel): Promise<FrontEndModule> {
  const ref = String(model.get("_frontend") ?? "");
  if (!ref) throw new Error("cleo-player: this widget names no front end (its _frontend trait is empty).");
  const frontEnd = (await model.widget_manager.get_model(ref.replace(/^IPY_MODEL_/, ""))) as AnyModel;
  const sha = String(frontEnd.get("sha256"));
  if (sha !== SHA256) {
    throw new Error(`cleo-player: the kernel's front end (${sha.slice(0, 12)}) is not this widget's (${SHA256.slice(0, 12)}).`);
  }
  const url = URL.createObjectURL(new Blob([String(frontEnd.get("code"))], { type: "text/javascript" }));
  try {
    return (await import(/* webpackIgnore: true */ url)) as FrontEndModule;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The front end of this version, imported once per page. */
function frontEnd(model: AnyModel): Promise<FrontEndModule> {
  let loading = cache.get(SHA256);
  if (!loading) {
    loading = importFrontEnd(model);
    cache.set(SHA256, loading);
    loading.catch(() => cache.delete(SHA256)); // a later view may try again
  }
  return loading;
}

export default {
  async render(props: RenderProps): Promise<() => void> {
    const mod = await frontEnd(props.model);
    return (ENTRY === "controls" ? mod.controls : mod.default).render(props);
  },
};
