"""A player file replayed in a fresh interpreter (``Player("run.npz")``, no cleo imported) draws
the same first frame, pixel for pixel, as the player that saved it: network, light, extras."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import numpy as np
import pytest
from browser_helpers import assert_draws_network, canvas_rgb, open_offline, pixel_stats, poll, readout, save_stage

pytestmark = pytest.mark.browser

ROOT = "#cleo-player-root"

REPLAY = """
import sys
from cleo_player import Player
player = Player(sys.argv[1])
player.save_html(sys.argv[2])
print(sorted(m for m in ("cleo", "neo", "xarray", "pandas") if m in sys.modules))
"""


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict[str, Any]:
    """The seed tutorial after 100 ms with a green box extra: its page, and the page of its file
    replayed in another interpreter."""
    import brian2 as b2
    import pythreejs as p3

    from cleo_player import Player, Recorder
    from cleo_player.examples import seed_tutorial

    d = tmp_path_factory.mktemp("player_file")
    s = seed_tutorial()
    rec = Recorder(dt=1 * b2.ms, devices="all")
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(100 * b2.ms)
    s.fibers.max_value_viz = np.max(s.fibers.irradiance)
    player = Player(s.sim, **s.plotargs)
    player.add(p3.Mesh(p3.BoxGeometry(300, 300, 100), p3.MeshBasicMaterial(color="#00ff00"), position=(-600, 0, 150)))
    original = player.save_html(d / "original.html")
    npz = player.save(d / "run.npz")
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(REPLAY), str(npz), str(d / "replayed.html")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]", f"replaying imported cleo: {out.stdout}"
    return {"original": original, "replayed": d / "replayed.html"}


def test_replayed_file_draws_the_first_frame_like_the_original(saved, new_page, artifacts_dir):
    pages = {name: open_offline(new_page, saved[name], ROOT).page for name in ("original", "replayed")}
    for page in pages.values():
        assert readout(page, ROOT) == (0.0, 100.0)

    def same() -> Any:
        a, b = (canvas_rgb(pages[name], ROOT) for name in ("original", "replayed"))
        differ = int((np.abs(a.astype(np.int16) - b.astype(np.int16)).max(-1) > 0).sum())
        return (a, b) if differ == 0 else None

    a, b = poll(same, timeout_s=20, what="the two pages' first frames to be identical")
    stats = pixel_stats(a)
    for name, page in pages.items():
        save_stage(page, ROOT, artifacts_dir, f"player-file-{name}", stats)
    assert_draws_network(stats, "original page, frame 0")
    assert stats.light >= 100, stats.summary()  # the 473 nm light
    green = (a[..., 1] > 150) & (a[..., 0] < 80) & (a[..., 2] < 80)
    assert green.sum() > 500, "the green box extra is drawn"
    assert np.array_equal(a, b)
    for page in pages.values():
        assert "Light" in page.inner_text(f"{ROOT} .cleo-legend")
