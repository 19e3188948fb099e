"""cleo tutorial "Optogenetic stimulation", shortened, shown with cleo-player.

Source: docs/tutorials/optogenetics.ipynb of cleo v0.19.0 (commit 1662ede). Adapted to cleosim
0.20.0: ``Light(..., wavelength=473*nmeter)`` no longer takes ``wavelength`` (0.20 moved it to
the light model; ``fiber473nm()`` is 473 nm already). Shortened: 30 ms open-loop run (tutorial:
100 ms); in the second part 2 irradiances x (30 ms on + 10 ms off) (tutorial: 5 x (60 + 60 ms));
no figures. Two simulators, so two players. The second part's Hodgkin-Huxley group uses the
module-level ``gl``, ``El``, ``ENa``... that brian2 resolves in the caller's namespace; its five
one-neuron groups all sit at the origin.
"""

import brian2.only as b2
import cleo
from brian2 import Hz, Mohm, cm, mm, mm2, ms, msiemens, mV, mwatt, np, ufarad
from tutorial_harness import ground_truth

from cleo_player import Player, Recorder

# numpy faster than cython for lightweight example
b2.prefs.codegen.target = "numpy"
# long dt for faster sim
b2.defaultclock.dt = 0.5 * ms
# for reproducibility
b2.seed(18300406)
cleo.utilities.set_seed(18360406)

n = 10
ng = b2.NeuronGroup(
    n,
    """
    dv/dt = (-(v - E_L) + Delta_T*exp((v-theta)/Delta_T) + Rm*I) / tau_m : volt
    I : amp
    """,
    threshold="v>30*mV",
    reset="v=-55*mV",
    namespace={
        "tau_m": 20 * ms,
        "Rm": 500 * Mohm,
        "theta": -50 * mV,
        "Delta_T": 2 * mV,
        "E_L": -70 * mV,
    },
)
ng.v = -70 * mV

input_group = b2.PoissonInput(ng, "v", 1, 100 * Hz, 10 * mV)

mon = b2.SpikeMonitor(ng)

net = b2.Network(ng, input_group, mon)

from cleo.coords import assign_coords_rand_rect_prism

assign_coords_rand_rect_prism(ng, xlim=(-0.1, 0.1), ylim=(-0.1, 0.1), zlim=(0.4, 0.6))

opsin = cleo.opto.chr2_4s()
fiber = cleo.light.Light(
    coords=(0, 0, 0.2) * mm,
    light_model=cleo.light.fiber473nm(),
    name="fiber",
)

plotargs = dict(
    colors=["xkcd:fuchsia"],
    xlim=(-0.2, 0.2),
    ylim=(-0.2, 0.2),
    zlim=(0, 0.8),
    axis_scale_unit=mm,
)

sim = cleo.CLSimulator(net)
sim.inject(opsin, ng, Iopto_var_name="I")
sim.inject(fiber, ng)


def stimulus(t):
    f = 30 * Hz
    unrectified = 2 * np.sin(2 * np.pi * f * t)
    rectified = unrectified * (unrectified > 0)
    return rectified


class OpenLoopOpto(cleo.ioproc.LatencyIOProcessor):
    def __init__(self):
        super().__init__(sample_period=1 * b2.ms)

    # since this is open-loop, we don't use state_dict
    def process(self, state_dict, t):
        opto_intensity = stimulus(t)
        # return output dict and time
        return ({"fiber": opto_intensity * mwatt / mm2}, t)


sim.set_io_processor(OpenLoopOpto())

# --- cleo-player for the first simulator ------------------------------------------------------
truth = ground_truth(sim, [ng], plotargs)
if ENTRY == "recorder":
    rec = Recorder(devices="all")
    sim.inject(rec, ng)
else:
    player = Player(sim, **plotargs)

T = 30 * ms
if ENTRY == "recorder":
    sim.run(T)
    player = Player(rec, **plotargs)
else:
    player.run(T)

# --- second part: one neuron per model, one light, several runs -------------------------------
neuron_params = {
    "tau_m": 20 * b2.ms,
    "Rm": 500 * b2.Mohm,
    "theta": -50 * b2.mV,
    "Delta_T": 2 * b2.mV,
    "E_L": -70 * b2.mV,
}


def prep_ng(ng, neuron_type, markov_opsin):
    ng.v = neuron_params["E_L"]
    assign_coords_rand_rect_prism(ng, xlim=(0, 0), ylim=(0, 0), zlim=(0, 0))
    state_mon = b2.StateMonitor(ng, ("Iopto", "v"), record=True)
    spike_mon = b2.SpikeMonitor(ng)
    return neuron_type, ng, state_mon, spike_mon, markov_opsin


experiments = []

eif = b2.NeuronGroup(
    1,
    """
    dv/dt = (-(v - E_L) + Delta_T*exp((v-theta)/Delta_T) + Rm*Iopto) / tau_m : volt
    Iopto : amp
    """,
    threshold="v > -10*mV",
    reset="v = E_L - 0*mV",
    namespace=neuron_params,
)

experiments.append(prep_ng(eif, "EIF", True))


def prep_lif(markov_opsin):
    ng = b2.NeuronGroup(
        1,
        """dv/dt = (-(v - E_L) + Rm*Iopto) / tau_m : volt
        Iopto : amp""",
        threshold="v > theta + 4*mV",
        reset="v = E_L - 0*mV",
        namespace=neuron_params,
    )
    return prep_ng(ng, "LIF", markov_opsin)


experiments.append(prep_lif(True))
experiments.append(prep_lif(False))

adex = b2.NeuronGroup(
    1,
    """dv/dt = (-(v - E_L) + 2*mV*exp((v-theta)/Delta_T) + Rm*(Iopto-w)) / tau_m : volt
    dw/dt = (0*nsiemens*(v-E_L) - w) / (100*ms) : amp
    Iopto : amp""",
    threshold="v>=-10*mV",
    reset="v=-55*mV; w+=5*pamp",
    namespace=neuron_params,
)
experiments.append(prep_ng(adex, "AdEx", True))

# Parameters
Cm = neuron_params["tau_m"] / neuron_params["Rm"]
area = Cm / (1 * ufarad * cm**-2)
gl = 0.3 * msiemens * cm**-2 * area
El = -65 * mV
EK = -90 * mV
ENa = 50 * mV
g_na = 40 * msiemens * cm**-2 * area
g_kd = 35 * msiemens * cm**-2 * area
VT = -63 * mV

# The model
eqs = b2.Equations(
    """
dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + Iopto)/Cm : volt
dm/dt = 0.32*(mV**-1)*4*mV/exprel((13.*mV-v+VT)/(4*mV))/ms*(1-m)-0.28*(mV**-1)*5*mV/exprel((v-VT-40.*mV)/(5*mV))/ms*m : 1
dn/dt = 0.032*(mV**-1)*5*mV/exprel((15.*mV-v+VT)/(5*mV))/ms*(1.-n)-.5*exp((10.*mV-v+VT)/(40.*mV))/ms*n : 1
dh/dt = 0.128*exp((17.*mV-v+VT)/(18.*mV))/ms*(1.-h)-4./(1+exp((40.*mV-v+VT)/(5.*mV)))/ms*h : 1
Iopto : amp
"""
)
# Threshold and refractoriness are only used for spike counting
hh = b2.NeuronGroup(1, eqs, threshold="v > -40*mV", reset="", method="exponential_euler")

experiments.append(prep_ng(hh, "HH", True))

light = cleo.light.Light(light_model=cleo.light.fiber473nm())
simple_opsin = cleo.opto.ProportionalCurrentOpsin(
    name="simple_opsin",
    # handpicked gain to make firing rate roughly comparable to EIF
    I_per_Irr=140 / neuron_params["Rm"] * 20 * mV / (mwatt / mm2),
)
markov_opsin = cleo.opto.chr2_4s()
markov_opsin.name = "markov_opsin"

net = b2.Network()
sim2 = cleo.CLSimulator(net)
for ng_type, ng, state_mon, spike_mon, use_markov_opsin in experiments:
    net.add(ng, state_mon, spike_mon)
    sim2.inject(light, ng)
    if use_markov_opsin:
        sim2.inject(markov_opsin, ng)
    else:
        sim2.inject(simple_opsin, ng)

# --- cleo-player for the second simulator -----------------------------------------------------
groups2 = [ng for _, ng, _, _, _ in experiments]
truth2 = ground_truth(sim2, groups2)
if ENTRY == "recorder":
    rec2 = Recorder(devices="all")
    sim2.inject(rec2, *groups2)
else:
    player2 = Player(sim2)


def run(duration):
    """The tutorial's sim.run, or the player's when it was made before running."""
    if ENTRY == "recorder":
        sim2.run(duration)
    else:
        player2.run(duration)


# hand-picked range of amplitudes to show 0 to moderate firing rates (tutorial: 5 of them)
for irradiance in np.linspace(0.015, 0.05, 2) * mwatt / mm2:
    light.update(irradiance)
    run(30 * ms)
    light.update(0)
    run(10 * ms)

if ENTRY == "recorder":
    player2 = Player(rec2)
