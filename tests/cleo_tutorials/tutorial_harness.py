"""Runs a tutorial script with an entry point and compares what the player shows with brian2.

Each ``tut_*.py`` beside this file is a shortened copy of one of cleo's documentation tutorials,
written the way the tutorial (and so a user) writes it: module-level variables that brian2 finds
in the caller's namespace, subgroups, several runs, ``sim.reset()``. The script reads one global
set by :func:`run_tutorial`, ``ENTRY``:

- ``"recorder"``: ``rec = Recorder(...)``; ``sim.inject(rec, <groups>)`` after the other devices;
  ``sim.run(T)``; at the end ``player = Player(rec, **plotargs)``.
- ``"player"``: ``player = Player(sim, **plotargs)`` before running; ``player.run(T)`` in place of
  each ``sim.run(T)`` (called from module level or from a function defined in the script, as a
  user would).

Before the entry point the script calls :func:`ground_truth` with the groups the tutorial shows
and its plot arguments: this adds brian2 ``SpikeMonitor``\\ s (one per source group, so subgroups
are cut out of their parent's monitor by index) that the tests compare the recording with.
While a script runs, what each Player streams to the browser during ``player.run`` is kept
(:class:`LiveRun`), to check the live view against the Recorder.
"""

from __future__ import annotations

import runpy
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Iterator

HERE = Path(__file__).resolve().parent
TUTORIALS = (
    "optogenetics",
    "electrodes",
    "all_optical",
    "multi_opto",
    "PI_ctrl",
    "on_off_ctrl",
    "video_visualization",
    "advanced_lfp",
    "neo",
    "optimal_ctrl",
)
ENTRIES = ("recorder", "player")  # the two entry points every script has
RETRY = "retry"  # tut_electrodes.py only: Player(sim) raised, the user names the groups


@dataclass
class GroundTruth:
    """What one player should show: these groups, in this order, styled by these plotargs;
    and brian2's own record of their spikes."""

    sim: Any
    groups: list[Any]
    plotargs: dict
    monitors: dict[str, Any] = field(default_factory=dict)  # source group name -> SpikeMonitor

    def spikes(self, group: Any) -> tuple[np.ndarray, np.ndarray]:
        """(indices within ``group``, times in s) of its spikes, as brian2 recorded them."""
        source, start, stop = _source_range(group)
        mon = self.monitors[source.name]
        i = np.asarray(mon.i[:], dtype=np.int64)
        t = np.asarray(mon.t_[:], dtype=np.float64)
        keep = (i >= start) & (i < stop)
        return i[keep] - start, t[keep]


def ground_truth(sim: Any, groups: list[Any], plotargs: dict | None = None) -> GroundTruth:
    """Add a ``SpikeMonitor`` on the source of every group in ``groups`` to ``sim.network``.

    Call it before the Recorder / Player is injected: injection stores the network (the state
    ``sim.reset()`` restores), and a restore fails on objects added after the last store."""
    from brian2 import SpikeMonitor

    truth = GroundTruth(sim, list(groups), dict(plotargs or {}))
    for group in groups:
        source, _, _ = _source_range(group)
        if source.name not in truth.monitors:
            mon = SpikeMonitor(source, record=True, name=f"truth_{source.name}")
            sim.network.add(mon)
            truth.monitors[source.name] = mon
    return truth


def _source_range(group: Any) -> tuple[Any, int, int]:
    from brian2.groups.subgroup import Subgroup

    if isinstance(group, Subgroup):
        return group.source, int(group.start), int(group.stop)
    return group, 0, len(group)


@dataclass
class LiveRun:
    """One ``player.run(T)`` as the browser would have seen it: the frames the view held when
    the run began, the frames the Recorder held then, and each live message sent during the
    run with a snapshot of the recording at that moment."""

    player: Any
    frames_in_view: int
    frames_in_recorder: int
    messages: list[tuple[dict, list, Any]] = field(default_factory=list)


@dataclass
class TutorialRun:
    """The outcome of one script run: its globals, or the traceback of what it raised."""

    name: str
    entry: str
    globals: dict = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0
    live: list[LiveRun] = field(default_factory=list)

    def require(self) -> dict:
        """The script's globals; fails the test with the script's traceback if it raised."""
        if self.error is not None:
            raise AssertionError(f"tut_{self.name}.py (ENTRY={self.entry!r}) raised:\n{self.error}")
        return self.globals

    def pairs(self) -> list[tuple[Any, GroundTruth]]:
        """Each GroundTruth of the script with the one Player that plays its simulator."""
        from cleo_player import Player

        g = self.require()
        truths = [v for v in g.values() if isinstance(v, GroundTruth)]
        players = [v for v in g.values() if isinstance(v, Player)]
        assert truths, f"tut_{self.name}.py declared no ground_truth(...)"
        out = []
        for truth in truths:
            mine = [p for p in players if p.recorder.sim is truth.sim]
            assert len(mine) == 1, (
                f"tut_{self.name}.py: expected one Player of the simulator whose groups are "
                f"{[grp.name for grp in truth.groups]}, found {len(mine)}"
            )
            out.append((mine[0], truth))
        return out


def run_tutorial(name: str, entry: str) -> TutorialRun:
    """Run ``tut_<name>.py`` as a fresh module namespace with ``ENTRY = entry``.

    brian2's global clock and code generation target are restored afterwards (tutorials set
    ``defaultclock.dt``), so runs do not leak into each other or into other tests."""
    import time

    import brian2 as b2

    assert entry in ENTRIES or (entry == RETRY and name == "electrodes"), (name, entry)
    dt, target = b2.defaultclock.dt, b2.prefs.codegen.target
    path = HERE / f"tut_{name}.py"
    run = TutorialRun(name, entry)
    t0 = time.perf_counter()
    try:
        with _watching_live(run.live):
            run.globals = runpy.run_path(str(path), init_globals={"ENTRY": entry}, run_name=f"tut_{name}")
    except Exception:  # noqa: BLE001 (any failure of the tutorial is reported by the tests that use the run)
        run.error = traceback.format_exc()
    finally:
        run.seconds = time.perf_counter() - t0
        b2.defaultclock.dt = dt
        b2.prefs.codegen.target = target
    return run


@contextmanager
def _watching_live(live: list[LiveRun]) -> Iterator[None]:
    """Record what every Player streams while it runs (``Player.send`` wrapped; a run begins
    when the Player adds its frame listener to the Recorder). Nothing wraps ``Player.run``
    itself: a wrapper would add a frame between the script and brian2's namespace lookup."""
    from cleo_player import Player, Recorder

    original_send, original_add = Player.send, Recorder.add_listener
    players: list[Any] = []

    def add_listener(rec: Any, listener: Any) -> None:
        for player in players:
            if player.recorder is rec:
                n_view = int(player._meta.get("n_frames", 0))
                live.append(LiveRun(player, n_view, rec.recording.n_frames))
        original_add(rec, listener)

    def send(player: Any, content: dict, buffers: list | None = None) -> None:
        runs = [r for r in live if r.player is player]
        if runs and content.get("type") == "append":
            runs[-1].messages.append((dict(content), list(buffers or []), player.recorder.recording))
        original_send(player, content, buffers)

    original_init = Player.__init__

    def init(player: Any, *args: Any, **kwargs: Any) -> None:
        players.append(player)
        original_init(player, *args, **kwargs)

    Player.send, Recorder.add_listener, Player.__init__ = send, add_listener, init  # type: ignore[method-assign]
    try:
        yield
    finally:
        Player.send, Recorder.add_listener, Player.__init__ = original_send, original_add, original_init  # type: ignore[method-assign]
