"""A cleo model written the way cleo's tutorials write it, played through ``player.run``.

Module-level parameters that the equations read (no ``namespace=``), one NeuronGroup cut into
subgroups with devices injected into the subgroups, several runs, a module variable changed
between runs, and ``sim.reset()``. After each run the Player's recording is checked against a
brian2 SpikeMonitor, spike by spike. Run as a script (``runpy``) and as a notebook (cells split
at ``# %%``, executed by nbclient) by ``tests/test_tutorial_style.py``; prints ``SUMMARY {json}``.
"""

# %%
import json

import brian2.only as b2
import cleo
import numpy as np
from brian2 import ms, mV
from cleo.light import Light, fiber473nm
from cleo.opto import chr2_4s

from cleo_player import Player
from cleo_player.examples import quiet_brian

quiet_brian()
b2.prefs.codegen.target = "numpy"
b2.seed(20240611)
cleo.utilities.set_seed(20240611)

n, n_exc = 60, 45
tau_m = 12 * ms  # read by the equations at run time, from this module
E_L = -70 * mV
drive = 26 * mV
w_ei = 3 * mV

# %%
neurons = b2.NeuronGroup(
    n,
    "dv/dt = (E_L - v + drive * k + 100*Mohm*Iopto) / tau_m : volt\nk : 1\nIopto : amp",
    threshold="v > -50*mV",
    reset="v = E_L",
    method="euler",
    name="neurons",
)
neurons.v = "E_L + 10*mV*rand()"
neurons.k = "0.8 + 0.4*rand()"
cleo.coords.assign_coords_rand_rect_prism(neurons, xlim=(-0.1, 0.1), ylim=(-0.1, 0.1), zlim=(0.2, 0.4))
exc = neurons[:n_exc]  # subgroups after the coordinates, as cleo's tutorials do
inh = neurons[n_exc:]
syn = b2.Synapses(exc, inh, on_pre="v_post += w_ei")
syn.connect(p=0.2)
mon = b2.SpikeMonitor(neurons)
sim = cleo.CLSimulator(b2.Network(neurons, syn, mon))

fiber = Light(coords=(0, 0, 0.1) * b2.mm, light_model=fiber473nm(), max_value=20 * b2.mwatt / b2.mm2, name="fiber")
sim.inject(chr2_4s(), exc, Iopto_var_name="Iopto")
sim.inject(fiber, exc)
sim.inject(cleo.recorders.GroundTruthSpikeRecorder(name="inh_spikes"), inh)

player = Player(sim, colors=["xkcd:tomato", "xkcd:cerulean blue"])
assert [g.name for g in player.recorder.neuron_groups] == [exc.name, inh.name], player.recorder.neuron_groups


def check_against_monitor(label):
    """The Player's spikes are the monitor's, split by subgroup; returns (exc, inh) counts."""
    rec = player.recording
    i, t = np.asarray(mon.i), np.asarray(mon.t_)
    counts = []
    for g, lo, hi in ((rec.groups[0], 0, n_exc), (rec.groups[1], n_exc, n)):
        sel = (i >= lo) & (i < hi)
        assert g.n_spikes == int(sel.sum()), (label, g.name, g.n_spikes, int(sel.sum()))
        assert np.array_equal(g.spike_i, i[sel] - lo), label
        assert np.allclose(g.spike_t, t[sel]), label
        counts.append(g.n_spikes)
    assert player._meta["n_frames"] == rec.n_frames
    return counts


# %%
fiber.update([5] * b2.mwatt / b2.mm2)
player.run(20 * ms, progress=False)
first = check_against_monitor("first run")

# %%
fiber.update([15] * b2.mwatt / b2.mm2)
player.run(15 * ms, progress=False)
second = check_against_monitor("second run")
frames_before_reset = player.recording.n_frames

# %%
sim.reset()
drive = 32 * mV  # a module variable changed between runs: the next run reads the new value
player.run(10 * ms, progress=False)
after_reset = check_against_monitor("after sim.reset()")

# %%
summary = {
    "groups": [g.name for g in player.recording.groups],
    "sizes": [g.size for g in player.recording.groups],
    "frames_before_reset": frames_before_reset,
    "frames_after_reset": player.recording.n_frames,
    "spikes": [first, second, after_reset],
}
print("SUMMARY", json.dumps(summary))
