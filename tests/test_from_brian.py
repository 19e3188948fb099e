"""``Recording.from_brian``: plain brian2 runs (no cleo), subgroups, and runs made with the
``cpp_standalone`` device (built with g++ in a subprocess: brian2's device state is global)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import brian2 as b2
import numpy as np
import pytest

from cleo_player import Player, Recording

EQS = """
dv/dt = (drive - v) / (10*ms) : 1
drive : 1
x : meter
y : meter
z : meter
"""


def network(n: int = 120, seed: int = 3) -> tuple[b2.Network, b2.NeuronGroup, b2.SpikeMonitor, b2.SpikeMonitor]:
    """A group of ``n`` neurons on a line along x (10 um apart), a monitor of all of it and one of
    a subgroup (its middle third: neurons 40..79 of 120)."""
    b2.prefs.codegen.target = "numpy"
    b2.seed(seed)
    g = b2.NeuronGroup(n, EQS, threshold="v > 1", reset="v = 0", method="exact", name="line")
    g.drive = "1.1 + 0.5 * rand()"
    g.v = "rand()"
    g.x = "i * 10 * um"
    g.y = "sin(i) * 50 * um"
    g.z = "300 * um"
    mon = b2.SpikeMonitor(g, name="mon_all")
    sub = b2.SpikeMonitor(g[n // 3 : 2 * n // 3], name="mon_sub")
    net = b2.Network(g, mon, sub)
    net.run(25 * b2.ms)
    return net, g, mon, sub


@pytest.fixture(scope="module")
def run():
    return network()


def test_every_spike_in_its_frame(run):
    _, g, mon, sub = run
    rec = Recording.from_brian([mon, sub], dt=2 * b2.ms, names=["all", "middle"])
    assert [x.name for x in rec.groups] == ["all", "middle"] and [x.size for x in rec.groups] == [120, 40]
    assert rec.n_frames == 13 and rec.t_end == pytest.approx(0.025)  # ceil(25 / 2)
    np.testing.assert_allclose(rec.frame_t, np.arange(13) * 2e-3)
    all_, middle = rec.groups
    assert all_.n_spikes == mon.num_spikes > 100
    np.testing.assert_array_equal(all_.spike_i, np.asarray(mon.i))
    np.testing.assert_array_equal(all_.spike_t, np.asarray(mon.t_))
    np.testing.assert_array_equal(all_.spike_frames(), np.floor(np.asarray(mon.t_) / 2e-3 + 1e-9).astype(int))
    # a subgroup's neurons are indexed within it and placed where the group has them
    np.testing.assert_array_equal(middle.spike_i, np.asarray(sub.i))
    assert middle.spike_i.max() < 40
    np.testing.assert_allclose(middle.positions[:, 0], g.x_[40:80])
    np.testing.assert_allclose(all_.positions, np.c_[g.x_[:], g.y_[:], g.z_[:]])


def test_default_names_and_dt_and_player(run):
    _, _, mon, _ = run
    rec = Recording.from_brian(mon)
    assert rec.dt == 1e-3 and rec.n_frames == 25 and rec.groups[0].name == "line"
    p = Player(rec, colors=["xkcd:tomato"], zlim=(0, 600))
    assert p._meta["n_spikes"] == mon.num_spikes and p._meta["lights"] == []
    assert repr(p) == "Player(line: 120 neurons; 25 frames of 1 ms)"


def test_t_start_and_t_end_crop_the_spikes(run):
    _, _, mon, _ = run
    rec = Recording.from_brian(mon, 1 * b2.ms, t_start=5 * b2.ms, t_end=15 * b2.ms)
    t = np.asarray(mon.t_)
    assert rec.n_frames == 10 and rec.groups[0].n_spikes == int(np.sum((t >= 0.005) & (t < 0.015)))
    assert rec.frame_t[0] == pytest.approx(0.005)


def test_clear_errors(run):
    _, _, mon, sub = run
    flat = b2.NeuronGroup(3, "dv/dt = 1/ms : 1", threshold="v > 1", reset="v = 0", name="flat")
    flat_mon = b2.SpikeMonitor(flat)
    unitless = b2.NeuronGroup(3, "x : 1\ny : 1\nz : 1", threshold="x > 1", reset="", name="unitless")
    counts = b2.SpikeMonitor(mon.source, record=False, name="counts")
    cases = [
        (lambda: Recording.from_brian(3), TypeError, "must be a brian2 SpikeMonitor or a list"),
        (lambda: Recording.from_brian([]), ValueError, "is empty"),
        (lambda: Recording.from_brian([mon, "x"]), TypeError, r"spike_monitors\[1\] is a str"),
        (lambda: Recording.from_brian([mon, b2.StateMonitor(mon.source, "v", record=0)]), TypeError, "StateMonitor"),
        (lambda: Recording.from_brian([mon, flat_mon]), ValueError, r"'flat', which has no coordinates \(x, y, z"),
        (lambda: Recording.from_brian(b2.SpikeMonitor(unitless)), ValueError, "must be lengths .* not dimensionless"),
        (lambda: Recording.from_brian(counts), ValueError, "record=False"),
        (lambda: Recording.from_brian([mon, mon]), ValueError, "would share names"),
        (lambda: Recording.from_brian([mon, sub], names=["a"]), ValueError, "names has 1 entries for 2"),
        (lambda: Recording.from_brian(mon, 3), ValueError, "dt must be a brian2 time"),
        (lambda: Recording.from_brian(mon, 0 * b2.ms), ValueError, "must be positive"),
        (lambda: Recording.from_brian(mon, t_end=-1 * b2.ms), ValueError, "must come after t_start"),
        (lambda: Recording.from_brian(mon, t_end=5 * b2.mV), ValueError, "t_end must be a brian2 time"),
    ]
    for call, kind, message in cases:
        with pytest.raises(kind, match=message):
            call()


def test_monitors_of_different_runs_are_refused():
    b2.prefs.codegen.target = "numpy"
    fast = b2.NeuronGroup(5, EQS, threshold="v > 1", reset="v = 0", method="exact", dt=0.1 * b2.ms, name="fast")
    slow = b2.NeuronGroup(5, EQS, threshold="v > 1", reset="v = 0", method="exact", dt=0.2 * b2.ms, name="slow")
    fast.drive = slow.drive = 2
    m_fast, m_slow = b2.SpikeMonitor(fast), b2.SpikeMonitor(slow)
    b2.Network(fast, m_fast).run(10 * b2.ms)
    b2.Network(slow, m_slow).run(4 * b2.ms)
    with pytest.raises(ValueError, match=r"clocks disagree \(.*10 ms.*4 ms\): they did not run together"):
        Recording.from_brian([m_fast, m_slow])
    assert Recording.from_brian(m_fast).n_frames == 10


def test_a_clock_moved_on_by_another_network_asks_for_t_end():
    b2.prefs.codegen.target = "numpy"
    _, _, mon, _ = network(n=20)
    other = b2.NeuronGroup(2, "v : 1")
    b2.Network(other).run(5 * b2.ms)  # the same default clock, now at 5 ms
    assert float(mon.clock.t_[:]) == pytest.approx(0.005)
    with pytest.raises(ValueError, match=r"holds spikes after the time its clock shows .* pass t_end"):
        Recording.from_brian(mon)
    assert Recording.from_brian(mon, t_end=25 * b2.ms).groups[0].n_spikes == mon.num_spikes


STANDALONE = """
import json, sys
import brian2 as b2
import cleo_player
from cleo_player import Player, Recording

out_dir, npz = sys.argv[1], sys.argv[2]
b2.set_device("cpp_standalone", directory=out_dir)
b2.prefs.codegen.cpp.extra_compile_args_gcc = ["-w", "-O0"]  # a test: compile fast, run little
b2.seed(11)
exc = b2.NeuronGroup(80, '''dv/dt = (1.3 - v) / (10*ms) : 1
x : meter
y : meter
z : meter''', threshold="v > 1", reset="v = 0", method="exact", name="exc")
exc.v = "rand()"
exc.x = "(i % 10) * 20 * um"
exc.y = "(i // 10) * 20 * um"
exc.z = "100 * um"
mon = b2.SpikeMonitor(exc, name="mon_exc")
mon_sub = b2.SpikeMonitor(exc[:20], name="mon_first")
try:
    Recording.from_brian(mon)
except ValueError as err:
    not_run = str(err)
b2.run(30 * b2.ms)
rec = Recording.from_brian([mon, mon_sub], dt=1 * b2.ms, names=["exc", "first"])
player = Player(rec, colors=["tomato", "gold"])
player.save(npz)
print(json.dumps({
    "not_run": not_run,
    "n_spikes": [int(mon.num_spikes), int(mon_sub.num_spikes)],
    "t": [float(t) for t in mon.t_[:]],
    "i": [int(i) for i in mon.i[:]],
    "x": [float(x) for x in exc.x_[:]],
    "cleo": "cleo" in sys.modules,
}))
"""


@pytest.mark.skipif(shutil.which("g++") is None, reason="cpp_standalone needs g++ (apt-get install g++)")
def test_cpp_standalone_run_plays(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(STANDALONE), str(tmp_path / "build"), str(tmp_path / "run.npz")],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert "has not run on this device yet" in result["not_run"] and "after run()" in result["not_run"]
    assert not result["cleo"]
    assert (tmp_path / "build" / "main").exists()  # it really was built and run as a program
    player = Player(tmp_path / "run.npz")
    rec = player.recording
    assert [g.name for g in rec.groups] == ["exc", "first"] and rec.n_frames == 30
    assert [g.n_spikes for g in rec.groups] == result["n_spikes"] and result["n_spikes"][0] > 50
    np.testing.assert_allclose(rec.groups[0].spike_t, result["t"])
    np.testing.assert_array_equal(rec.groups[0].spike_i, result["i"])
    np.testing.assert_allclose(rec.groups[0].positions[:, 0], result["x"])
    assert player._meta["groups"][1]["color"] == pytest.approx([1.0, 0.843, 0.0], abs=1e-3)
