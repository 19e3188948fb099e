"""cleo tutorial "Advanced LFP", shortened, shown with cleo-player.

Source: docs/tutorials/advanced_lfp.ipynb of cleo v0.19.0 (commit 1662ede); runs on the installed
cleosim 0.20.0 unchanged. Shortened: 80 exc + 20 inh neurons (tutorial: 800 + 200), a 30 ms run (tutorial: 500 ms), no figures. ``exc`` and ``inh`` are
subgroups that are *not* in the network (only their source is); the probe is injected into
each. The model uses module-level parameters (``v_rest``, ``Rm``, ``J_excit``...) that brian2
resolves in the caller's namespace; the tutorial calls ``sim.reset()`` before its run.
"""

import brian2.only as b2
import cleo
from brian2 import np
from cleo import ephys
from tutorial_harness import ground_truth

from cleo_player import Player, Recorder

# the default cython compilation target isn't worth it for
# this trivial example
b2.prefs.codegen.target = "numpy"
b2.seed(18010601)
np.random.seed(18010601)
cleo.utilities.set_seed(18770829)

# colors
c = {
    "light": "#df87e1",
    "main": "#C500CC",
    "dark": "#8000B4",
    "exc": "#d6755e",
    "inh": "#056eee",
    "accent": "#36827F",
}

n_exc = 80
n_inh = None  # None = N_excit / 4
n_ext = 100
connection_probability = 0.2
w0 = 0.07 * b2.nA
g = 4
synaptic_delay = 1 * b2.ms
poisson_input_rate = 220 * b2.Hz
w_ext = 0.091 * b2.nA
v_rest = -70 * b2.mV
v_reset = -60 * b2.mV
firing_threshold = -50 * b2.mV
membrane_time_scale = 20 * b2.ms
Rm = 100 * b2.Mohm
abs_refractory_period = 2 * b2.ms

if n_inh is None:
    n_inh = int(n_exc / 4)
N_tot = n_exc + n_inh
if n_ext is None:
    n_ext = int(n_exc * connection_probability)
if w_ext is None:
    w_ext = w0

J_excit = w0
J_inhib = -g * w0

lif_dynamics = """
    dv/dt = (-(v-v_rest) + Rm*(I_exc + I_ext + I_gaba)) / membrane_time_scale : volt (unless refractory)
    I_gaba : amp
    I_exc : amp
    I_ext : amp
"""

neurons = b2.NeuronGroup(
    N_tot,
    model=lif_dynamics,
    threshold="v>firing_threshold",
    reset="v=v_reset",
    refractory=abs_refractory_period,
    method="linear",
)
neurons.v = np.random.uniform(v_rest / b2.mV, high=firing_threshold / b2.mV, size=(n_exc + n_inh)) * b2.mV
cleo.coords.assign_coords_rand_cylinder(neurons, (0, 0, 700), (0, 0, 900), 250, unit=b2.um)

exc = neurons[:n_exc]
inh = neurons[n_exc:]

syn_eqs = """
    dI_syn_syn/dt = (s - I_syn_syn)/tau_dsyn : amp (clock-driven)
    I_TYPE_post = I_syn_syn : amp (summed)
    ds/dt = -s/tau_rsyn : amp (clock-driven)
"""

exc_synapses = b2.Synapses(
    exc,
    target=neurons,
    model=syn_eqs.replace("TYPE", "exc"),
    on_pre="s += J_excit",
    delay=synaptic_delay,
    namespace={"tau_rsyn": 0.4 * b2.ms, "tau_dsyn": 2 * b2.ms},
)
exc_synapses.connect(p=connection_probability)

inh_synapses = b2.Synapses(
    inh,
    target=neurons,
    model=syn_eqs.replace("TYPE", "gaba"),
    on_pre="s += J_inhib",
    delay=synaptic_delay,
    namespace={"tau_rsyn": 0.25 * b2.ms, "tau_dsyn": 5 * b2.ms},
)
inh_synapses.connect(p=connection_probability)

ext_input = b2.PoissonGroup(n_ext, poisson_input_rate, name="ext_input")
ext_synapses = b2.Synapses(
    ext_input,
    target=neurons,
    model=syn_eqs.replace("TYPE", "ext"),
    on_pre="s += w_ext",
    delay=synaptic_delay,
    namespace={"tau_rsyn": 0.4 * b2.ms, "tau_dsyn": 2 * b2.ms},
)
ext_synapses.connect(p=connection_probability)

# we'll monitor all spikes to compare with what we get on the electrode
spike_mon = b2.SpikeMonitor(neurons)

net = b2.Network(
    neurons,
    exc_synapses,
    inh_synapses,
    ext_input,
    ext_synapses,
    spike_mon,
)
sim = cleo.CLSimulator(net)

elec_coords = cleo.ephys.linear_shank_coords(1 * b2.mm, channel_count=10)
elec_coords = cleo.ephys.tile_coords(elec_coords, num_tiles=3, tile_vector=(500, 0, 0) * b2.um)
probe = cleo.ephys.Probe(elec_coords)

plotargs = dict(colors=[c["exc"], c["inh"]], zlim=(0, 1200), scatterargs={"alpha": 0.3})

mua = ephys.MultiUnitActivity()
ss = ephys.SortedSpiking()
tklfp = ephys.TKLFPSignal()

import wslfp

rwslfp_spk_nrn = ephys.RWSLFPSignalFromSpikes(
    tau1_ampa=exc_synapses.namespace["tau_dsyn"],
    tau2_ampa=exc_synapses.namespace["tau_rsyn"],
    tau1_gaba=inh_synapses.namespace["tau_dsyn"],
    tau2_gaba=inh_synapses.namespace["tau_rsyn"],
    syn_delay=synaptic_delay,
    name="per-neuron RWSLFP from spikes",
)

rwslfp_spk_pop = ephys.RWSLFPSignalFromSpikes(
    pop_aggregate=True,
    amp_func=wslfp.mazzoni15_pop,
    name="population-aggregated RWSLFP from spikes",
)
rwslfp_psc_nrn = ephys.RWSLFPSignalFromPSCs(name="per-neuron RWSLFP from PSCs")
rwslfp_psc_pop = ephys.RWSLFPSignalFromPSCs(
    pop_aggregate=True,
    amp_func=wslfp.mazzoni15_pop,
    name="population-aggregated RWSLFP from PSCs",
)

probe.add_signals(
    mua,
    ss,
    tklfp,
    rwslfp_spk_nrn,
    rwslfp_spk_pop,
    rwslfp_psc_nrn,
    rwslfp_psc_pop,
)

sim.set_io_processor(cleo.ioproc.RecordOnlyProcessor(sample_period=1 * b2.ms))
sim.inject(
    probe,
    exc,
    # for TKLFPSignal:
    tklfp_type="exc",
    # for RWSLFPSignalFromSpikes:
    synaptic_delay=synaptic_delay,  # can override for all synapses
    ampa_syns=[  # or per synapse by with (syn, kwargs) tuples:
        # want only synapses onto pyramidal cells
        (exc_synapses[f"j < {n_exc}"], {"weight": J_excit}),
        (ext_synapses[f"j < {n_exc}"], {"weight": w_ext}),
    ],
    gaba_syns=[(inh_synapses[f"j < {n_exc}"], {"weight": J_inhib})],
    # for RWSLFPSignalFromPSCs:
    Iampa_var_names=["I_exc", "I_ext"],
    Igaba_var_names=["I_gaba"],
)
# we don't include ampa_syns, gaba_syns, Iampa_var_name, or Igaba_var_name since RWSLFP
# is only recorded from pyramidal cells
sim.inject(probe, inh, tklfp_type="inh")

# --- cleo-player -------------------------------------------------------------------------------
truth = ground_truth(sim, [exc, inh], plotargs)
if ENTRY == "recorder":
    rec = Recorder(devices="all")
    sim.inject(rec, exc, inh)
else:
    player = Player(sim, **plotargs)

sim.reset()
if ENTRY == "recorder":
    sim.run(60 * b2.ms)
    player = Player(rec, **plotargs)
else:
    player.run(60 * b2.ms)
