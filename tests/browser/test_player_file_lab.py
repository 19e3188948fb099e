"""A player file replayed in a fresh JupyterLab kernel, before anything imported cleo, draws the
same first frame, pixel for pixel, as the player built from the simulation in the same
notebook (network, light, extras)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from browser_helpers import assert_draws_network, canvas_rgb, pixel_stats, poll, readout, save_stage, wait_for_render

pytestmark = pytest.mark.browser

NOTEBOOK = "player_file.ipynb"
READY = "READY Player("
REPLAYED, ORIGINAL = ".test-replayed", ".test-original"


@pytest.fixture(scope="module")
def player_file(jupyter_lab: Any) -> None:
    """``player_file.npz`` in the server's root: the seed tutorial after 100 ms with a green box."""
    import brian2 as b2
    import pythreejs as p3

    from cleo_player import Player, Recorder
    from cleo_player.examples import seed_tutorial

    s = seed_tutorial()
    rec = Recorder(dt=1 * b2.ms, devices="all")
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(100 * b2.ms)
    s.fibers.max_value_viz = np.max(s.fibers.irradiance)
    player = Player(s.sim, **s.plotargs)
    player.add(p3.Mesh(p3.BoxGeometry(300, 300, 100), p3.MeshBasicMaterial(color="#00ff00"), position=(-600, 0, 150)))
    player.save(jupyter_lab.root / "player_file.npz")


@pytest.fixture(scope="module")
def nb(lab_notebooks: Any, player_file: None) -> Any:  # noqa: ARG001 (written first)
    """The notebook, opened once the file it replays is written."""
    return lab_notebooks.get(NOTEBOOK, READY)


def test_replayed_in_a_fresh_kernel_like_the_original(nb, artifacts_dir):
    page = nb.page
    outputs = page.locator(".jp-OutputArea-output").all_text_contents()
    text = "\n".join(outputs)
    assert "CLEO IMPORTED False" in text, text
    assert "SAME DATA (meta, buffers, extras) [True, True, True]" in text, text
    for sel in (REPLAYED, ORIGINAL):
        wait_for_render(page, sel)
        assert readout(page, sel) == (0.0, 100.0)

    def same() -> Any:
        a, b = canvas_rgb(page, REPLAYED), canvas_rgb(page, ORIGINAL)
        return (a, b) if a.shape == b.shape and np.array_equal(a, b) else None

    a, _ = poll(same, timeout_s=30, what="the replayed and the original player to show the same first frame")
    stats = pixel_stats(a)
    save_stage(page, REPLAYED, artifacts_dir, "lab-player-file-replayed", stats)
    save_stage(page, ORIGINAL, artifacts_dir, "lab-player-file-original", stats)
    assert_draws_network(stats, "replayed player, frame 0")
    assert stats.light >= 100, stats.summary()
    green = (a[..., 1] > 150) & (a[..., 0] < 80) & (a[..., 2] < 80)
    assert green.sum() > 300, "the green box extra is drawn"
