"""``player.run(T, ...)`` resolves the names in a model's equations exactly as ``sim.run(T, ...)``
called at the same place: module level (a script run with runpy), inside a function, with an
explicit ``namespace=``, and with an explicit ``level=``.

The models here pass no ``namespace`` to brian2: their equations read ``tau`` and ``drive``
from wherever the run is called, as cleo's tutorials do. Each test runs one copy of a network
with ``player.run`` and an identical copy with ``sim.run`` at the same place, and compares the
spikes; ``drive`` takes different values at module level and in the calling function, so a run
that resolves names in the wrong frame gives other spikes (or a brian2 KeyError).
"""

from __future__ import annotations

import runpy
import textwrap
from pathlib import Path
from typing import Any

import brian2 as b2
import numpy as np
import pytest

from cleo_player import Player
from cleo_player.examples import quiet_brian

tau = 10 * b2.ms  # module-level names of this test module: what the wrong frame would see
drive = 0.5  # below threshold: no spikes at all if this one is used

N = 12
EQS = "dv/dt = (drive * k - v) / tau : 1\nk : 1"


def build() -> tuple[Any, Any, Any]:
    """A fresh network (no namespace given) with coordinates, and its SpikeMonitor."""
    import cleo

    quiet_brian()
    b2.prefs.codegen.target = "numpy"
    ng = b2.NeuronGroup(N, EQS, threshold="v > 1", reset="v = 0", method="exact")
    ng.k = "0.9 + 0.05 * i"
    cleo.coords.assign_coords_rand_rect_prism(ng, xlim=(0, 0.1), ylim=(0, 0.1), zlim=(0.1, 0.2))
    mon = b2.SpikeMonitor(ng)
    return cleo.CLSimulator(b2.Network(ng, mon)), ng, mon


def spikes(mon: Any) -> list[tuple[int, float]]:
    return sorted(zip(np.asarray(mon.i).tolist(), np.round(np.asarray(mon.t_) * 1e6).tolist(), strict=True))


def player_spikes(player: Player) -> list[tuple[int, float]]:
    g = player.recording.groups[0]
    return sorted(zip(g.spike_i.tolist(), np.round(g.spike_t * 1e6).tolist(), strict=True))


SCRIPT = """
import brian2 as b2
from cleo_player import Player
from test_run_namespace import build, spikes, player_spikes

tau = 5 * b2.ms   # the equations read these, from this module
drive = 3.0

sim_a, _, mon_a = build()
player = Player(sim_a)
player.run(20 * b2.ms, progress=False)
sim_b, _, mon_b = build()
sim_b.run(20 * b2.ms)
RESULT = (player_spikes(player), spikes(mon_a), spikes(mon_b))
"""


@pytest.fixture
def script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    path = tmp_path / "model.py"
    path.write_text(textwrap.dedent(SCRIPT))
    return path


def test_module_level_names_of_a_script(script: Path) -> None:
    """Run as a script (runpy, ``__main__``): the equations read the script's globals."""
    recorded, monitored, with_sim_run = runpy.run_path(str(script), run_name="__main__")["RESULT"]
    assert len(with_sim_run) > 20  # drive = 3 here (0.5 in this module: no spikes)
    assert monitored == with_sim_run
    assert recorded == monitored


def test_names_of_the_calling_function() -> None:
    tau = 4 * b2.ms  # shadow this module's tau and drive
    drive = 2.5
    sim_a, _, mon_a = build()
    player = Player(sim_a)
    player.run(15 * b2.ms, progress=False)
    sim_b, _, mon_b = build()
    sim_b.run(15 * b2.ms)
    assert (tau, drive) == (4 * b2.ms, 2.5)  # both names are read by the runs above
    assert len(spikes(mon_b)) > 20
    assert spikes(mon_a) == spikes(mon_b)
    assert player_spikes(player) == spikes(mon_a)


def test_explicit_namespace() -> None:
    namespace = {"tau": 6 * b2.ms, "drive": 4.0}
    sim_a, _, mon_a = build()
    Player(sim_a).run(10 * b2.ms, progress=False, namespace=namespace)
    sim_b, _, mon_b = build()
    sim_b.run(10 * b2.ms, namespace=namespace)
    assert len(spikes(mon_b)) > 20
    assert spikes(mon_a) == spikes(mon_b)


def run_with_player_one_level_up(player: Player) -> None:
    player.run(10 * b2.ms, progress=False, level=2)  # names of this function's caller


def run_with_sim_one_level_up(sim: Any) -> None:
    sim.run(10 * b2.ms, level=2)  # level=1 (the default) is this function


def test_explicit_level() -> None:
    tau = 3 * b2.ms
    drive = 2.0
    sim_a, _, mon_a = build()
    run_with_player_one_level_up(Player(sim_a))
    sim_b, _, mon_b = build()
    run_with_sim_one_level_up(sim_b)
    assert (tau, drive) == (3 * b2.ms, 2.0)
    assert len(spikes(mon_b)) > 20
    assert spikes(mon_a) == spikes(mon_b)


def test_names_missing_everywhere_fail_as_with_sim_run() -> None:
    sim_a, ng_a, _ = build()
    sim_b, ng_b, _ = build()
    ng_a.run_regularly("v = v * unknown_factor")
    ng_b.run_regularly("v = v * unknown_factor")
    player = Player(sim_a)
    with pytest.raises(Exception, match="unknown_factor") as from_player:
        player.run(1 * b2.ms, progress=False)
    with pytest.raises(Exception, match="unknown_factor") as from_sim:
        sim_b.run(1 * b2.ms)
    assert type(from_player.value) is type(from_sim.value)


@pytest.mark.parametrize("level", [-1, 1.5, "1", True])
def test_level_must_be_a_frame_count(level: Any) -> None:
    sim, _, _ = build()
    with pytest.raises(ValueError, match="level"):
        Player(sim).run(1 * b2.ms, progress=False, level=level)
