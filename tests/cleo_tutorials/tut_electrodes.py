"""cleo tutorial "Electrode recording", shortened, shown with cleo-player.

Source: docs/tutorials/electrodes.ipynb of cleo v0.19.0 (commit 1662ede); runs on the installed
cleosim 0.20.0 unchanged. Shortened: a 50 ms run (tutorial: 250 ms; a smaller network stays
silent that long), no figures (the array-configuration gallery is left out). ``exc`` and ``inh`` are
subgroups of one NeuronGroup, in the network, and the probe is injected into each; the player
shows them in the tutorial's colours, as its ``cleo.viz.plot(exc, inh, ...)`` does.
``ENTRY == "retry"`` is a user whose ``Player(sim)`` raised and who tries again naming the groups.
"""

import brian2.only as b2
import cleo
import cleo.utilities
from brian2 import np
from tutorial_harness import ground_truth

from cleo_player import Player, Recorder

# the default cython compilation target isn't worth it for
# this trivial example
b2.prefs.codegen.target = "numpy"
seed = 18810929
b2.seed(seed)
np.random.seed(seed)
cleo.utilities.set_seed(seed)

# colors
c = {
    "light": "#df87e1",
    "main": "#C500CC",
    "dark": "#8000B4",
    "exc": "#d6755e",
    "inh": "#056eee",
    "accent": "#36827F",
}

N = 1000
n_e = int(N * 0.8)
n_i = int(N * 0.2)
n_ext = 500

neurons = b2.NeuronGroup(
    N,
    "dv/dt = -v / (10*ms) : 1",
    threshold="v > 1",
    reset="v = 0",
    refractory=2 * b2.ms,
)
ext_input = b2.PoissonGroup(n_ext, 24 * b2.Hz, name="ext_input")
cleo.coords.assign_coords_rand_rect_prism(neurons, xlim=(-0.2, 0.2), ylim=(-0.2, 0.2), zlim=(0.55, 0.9))
# need to create subgroups after assigning coordinates
exc = neurons[:n_e]
inh = neurons[n_e:]

w0 = 0.06
syn_exc = b2.Synapses(
    exc,
    neurons,
    f"w = {w0} : 1",
    on_pre="v_post += w",
    name="syn_exc",
    delay=1.5 * b2.ms,
)
syn_exc.connect(p=0.1)
syn_inh = b2.Synapses(
    inh,
    neurons,
    f"w = -4*{w0} : 1",
    on_pre="v_post += w",
    name="syn_inh",
    delay=1.5 * b2.ms,
)
syn_inh.connect(p=0.1)
syn_ext = b2.Synapses(ext_input, neurons, "w = .05 : 1", on_pre="v_post += w", name="syn_ext")
syn_ext.connect(p=0.1)

# we'll monitor all spikes to compare with what we get on the electrode
spike_mon = b2.SpikeMonitor(neurons)

net = b2.Network([neurons, exc, inh, syn_exc, syn_inh, ext_input, syn_ext, spike_mon])
sim = cleo.CLSimulator(net)

from cleo import ephys

coords = ephys.linear_shank_coords(1 * b2.mm, 32, start_location=(0, 0, 0.2) * b2.mm)
probe = ephys.Probe(coords, save_history=True)
plotargs = dict(colors=[c["exc"], c["inh"]], zlim=(0, 1200), scatterargs={"alpha": 0.3})

mua = ephys.MultiUnitActivity()
ss = ephys.SortedSpiking()

tklfp = ephys.TKLFPSignal()
rwslfp = ephys.RWSLFPSignalFromSpikes()

probe.add_signals(mua, ss, tklfp, rwslfp)

sim.set_io_processor(cleo.ioproc.RecordOnlyProcessor(sample_period=1 * b2.ms))
sim.inject(
    probe,
    exc,
    tklfp_type="exc",
    ampa_syns=[syn_exc[f"j < {n_e}"], syn_ext[f"j < {n_e}"]],
    gaba_syns=[syn_inh[f"j < {n_e}"]],
)
sim.inject(probe, inh, tklfp_type="inh")

# --- cleo-player -------------------------------------------------------------------------------
truth = ground_truth(sim, [exc, inh], plotargs)
if ENTRY == "recorder":
    rec = Recorder(devices="all")
    sim.inject(rec, exc, inh)
elif ENTRY == "player":
    player = Player(sim, **plotargs)
else:  # "retry": what a user does when Player(sim) cannot tell which groups to show
    try:
        player = Player(sim, **plotargs)
    except ValueError as err:
        print(f"Player(sim) raised: {err}")
        player = Player(sim, neuron_groups=[exc, inh], **plotargs)

if ENTRY == "recorder":
    sim.run(50 * b2.ms)
    player = Player(rec, **plotargs)
else:
    player.run(50 * b2.ms)
