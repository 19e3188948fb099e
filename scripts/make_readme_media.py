"""Make the README's screenshot and short gif of the player (docs/screenshot.png, docs/player.gif).

Runs the demo simulation, opens its standalone HTML in headless Chromium, and captures the
player frame by frame (stepping the frame and turning the camera a little each time).
Run: .venv/bin/python scripts/make_readme_media.py
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from browser_helpers import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 (the tests' Chromium and flags)


def main() -> None:
    """Make the README's media (see the module docstring)."""
    from playwright.sync_api import sync_playwright

    from cleo_player.demo import main as demo

    with tempfile.TemporaryDirectory() as tmp:
        html = demo(["--out", str(Path(tmp) / "demo.html")])
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 860, "height": 600}, device_scale_factor=1)
            page.goto(html.as_uri())
            page.wait_for_selector(".cleo-canvas")
            player = page.locator(".cleo-player")

            def show(frame: int, azimuth: float = 0.0) -> Image.Image:
                page.evaluate(
                    """([f, az]) => {
                        const v = [...window.__cleoPlayers][0];
                        window.cleoPlayerModel.set("frame", f);
                        const c = v.camera, t = v.orbit.target;
                        const d = c.position.clone().sub(t);
                        d.applyAxisAngle({x: 0, y: 0, z: 1, isVector3: true}, az);
                        c.position.copy(t).add(d); c.lookAt(t); v.render();
                    }""",
                    [frame, azimuth],
                )
                return Image.open(io.BytesIO(player.screenshot())).convert("RGB")

            show(23).save(DOCS / "screenshot.png", optimize=True)
            frames = [show(f, 0.015).resize((480, 287), Image.LANCZOS) for f in range(10, 58)]
            browser.close()
    # one palette for all frames, from a montage of several (flashes, light on and off)
    sample = frames[:: max(len(frames) // 8, 1)]
    montage = Image.new("RGB", (sample[0].width, sample[0].height * len(sample)))
    for i, f in enumerate(sample):
        montage.paste(f, (0, i * f.height))
    palette = montage.quantize(colors=64, method=Image.Quantize.MAXCOVERAGE)
    gif = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    gif[0].save(DOCS / "player.gif", save_all=True, append_images=gif[1:], duration=90, loop=0, optimize=True)
    for name in ("screenshot.png", "player.gif"):
        print(DOCS / name, f"{(DOCS / name).stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
