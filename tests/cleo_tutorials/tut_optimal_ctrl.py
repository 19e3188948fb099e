"""cleo tutorial "Optimal feedback control" up to its training runs, shortened, with cleo-player.

Source: docs/tutorials/optimal_ctrl.ipynb of cleo v0.19.0 (commit 1662ede); runs on the installed
cleosim 0.20.0 unchanged. Only the part before the model fit is here: the fit and the
controllers need ``ldsctrlest`` and ``lqmpc``, which are not on PyPI, so the closed-loop runs
(LQR, steady-state optimal and MPC control) are not written. Shortened: 2 training trials of
6 samples of 5 ms (tutorial: 5 trials of 500 samples), a 20 ms network run before the
simulator (tutorial: 1 s), no figures. The tutorial resets after each trial; here the reset
comes before each trial but the first, so the player has the last trial to show. The model uses
module-level parameters (``v_rest``, ``tau_m``, ``bias_current``...) that brian2 resolves in the
caller's namespace; ``bias_ng`` has neither a threshold nor coordinates.
"""

import brian2.only as b2
import cleo
from brian2 import mm, ms, np, um
from tutorial_harness import ground_truth

from cleo_player import Player, Recorder

# numpy faster than cython for lightweight example
b2.prefs.codegen.target = "numpy"
np.random.seed(17320222)
b2.seed(17870917)
cleo.utilities.set_seed(17991214)

b2.defaultclock.dt = 0.5 * b2.ms

n_exc = 80
n_inh = int(n_exc / 4)
connection_probability = 0.1
n_ext = int(n_exc * connection_probability)
w0 = 0.1 * b2.mV  # 0.2
g = 4
w_inh = -g * w0
synaptic_delay = 1.5 * b2.ms
w_external = w0
v_rest = -70 * b2.mV
v_reset = -60 * b2.mV
firing_threshold = -50 * b2.mV
tau_m = 20 * b2.ms
Rm = 100 * b2.Mohm
abs_refractory_period = 2 * b2.ms
thresh_rate = (firing_threshold - v_rest) / (w_external * n_ext * tau_m)
poisson_input_rate = 1 * thresh_rate
bias_current = 11 * b2.pA

bias_ng = b2.NeuronGroup(1, "dI_bias/dt = -I_bias / second + bias_current*xi/sqrt(tau_m) : amp")

lif_dynamics = """
dv/dt = (-(v-v_rest) + Rm * (I + I_bias)) / tau_m : volt (unless refractory)
I : amp
I_bias : amp (linked)
"""

ng = b2.NeuronGroup(
    n_exc + n_inh,
    model=lif_dynamics,
    threshold="v>firing_threshold",
    reset="v=v_reset",
    refractory=abs_refractory_period,
    method="linear",
)
ng.I_bias = b2.linked_var(bias_ng, "I_bias")

# random v init
ng.v = np.random.uniform(v_rest / b2.mV, high=firing_threshold / b2.mV, size=(n_exc + n_inh)) * b2.mV
ng_exc = ng[:n_exc]
ng_inh = ng[n_exc:]

syn = b2.Synapses(
    ng,
    model="w : volt",
    on_pre="v += w",
    delay=synaptic_delay,
)
syn.connect(p=connection_probability)
syn[f"i < {n_exc}"].w = w0
syn[f"i >= {n_exc}"].w = w_inh

external_poisson_input = b2.PoissonInput(
    target=ng,
    target_var="v",
    N=n_ext,
    rate=poisson_input_rate,
    weight=w_external,
)

rate_monitor = b2.PopulationRateMonitor(ng)
spike_monitor = b2.SpikeMonitor(ng, record=True)

net = b2.Network(
    ng,
    bias_ng,
    syn,
    external_poisson_input,
    rate_monitor,
    spike_monitor,
)

runtime = 20 * b2.ms
net.store()
net.run(runtime)
net.restore()

hor_lim = 0.1
cleo.coords.assign_coords_rand_rect_prism(ng, xlim=(-hor_lim, hor_lim), ylim=(-hor_lim, hor_lim), zlim=(0.4, 0.6))

fibers = cleo.light.Light(
    name="fiber",
    light_model=cleo.light.fiber473nm(R0=50 * um),
    coords=[(-0.1, 0, 0.3), (0.1, 0, 0.3)] * mm,
)

opsin = cleo.opto.chr2_4s()

spikes = cleo.ephys.SortedSpiking(name="spikes")
probe = cleo.ephys.Probe(
    coords=[[0, 0, 0.4], [0, 0, 0.6]] * mm,
    signals=[spikes],
    save_history=True,
)

plotargs = dict(
    colors=["xkcd:fuchsia"],
    xlim=(-0.2, 0.2),
    ylim=(-0.2, 0.2),
    zlim=(0.3, 0.8),
    scatterargs={"alpha": 1},
    axis_scale_unit=mm,
)

sim = cleo.CLSimulator(net)
sim.inject(fibers, ng)
sim.inject(opsin, ng, Iopto_var_name="I")
sim.inject(probe, ng)
assert spikes.n_sorted >= 2

n_trials = 2
n_samp = 6
u = []
z = []
n_u = 2  # 1-dimensional input (just one optogenetic actuator)
n_z = 2  # we'll be controlling two neurons
for trial in range(n_trials):
    u_trial = 10 * np.cumsum(np.random.randn(n_u, n_samp), axis=1) % 75
    u.append(u_trial)
    z.append(np.zeros((n_z, n_samp)))
# add some zeros to get right baseline
u[-1][:, (n_samp // 2) :] = 0


class TrainingStimIOP(cleo.LatencyIOProcessor):
    i_samp = 0
    i_trial = 0

    # here we just feed in the training inputs and record the outputs
    def process(self, state_dict, t_samp):
        i, t, z_t = state_dict["Probe"]["spikes"]
        z[self.i_trial][:, self.i_samp] = z_t[:n_z]  # just first two neurons
        out = {"fiber": u[self.i_trial][:, self.i_samp] * b2.mwatt / b2.mm2}
        self.i_samp += 1
        return out, t_samp

    # gets called with sim.reset()
    def reset(self):
        self.i_samp = 0


dt = 5 * ms
training_stim_iop = TrainingStimIOP(sample_period=dt)
sim.set_io_processor(training_stim_iop)

# --- cleo-player -------------------------------------------------------------------------------
truth = ground_truth(sim, [ng], plotargs)
if ENTRY == "recorder":
    rec = Recorder(devices="all")
    sim.inject(rec, ng)
else:
    player = Player(sim, **plotargs)


def run(duration):
    """The tutorial's sim.run, or the player's when it was made before running."""
    if ENTRY == "recorder":
        sim.run(duration)
    else:
        player.run(duration)


for i_trial in range(n_trials):
    if i_trial > 0:
        sim.reset()
    training_stim_iop.i_trial = i_trial
    run(n_samp * dt)

if ENTRY == "recorder":
    player = Player(rec, **plotargs)
