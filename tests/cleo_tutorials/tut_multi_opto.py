"""cleo tutorial "Multi-channel, multi-wavelength, multi-opsin optogenetics", shortened.

Source: docs/tutorials/multi_opto.ipynb of cleo v0.19.0 (commit 1662ede). Adapted to cleosim
0.20.0: ``Light(..., wavelength=590*nmeter)`` no longer takes ``wavelength`` (0.20 moved it to
the light model), so the amber fibres' ``OpticFiber`` gets it. Shortened: 100 neurons on a
10 x 5 x 2 grid (tutorial: 500 on 20 x 5 x 5), a 70 ms run (tutorial: 200 ms), no figures.
The recurrent synapses use the module-level ``W`` and ``n_neighbors``, which brian2 resolves in
the caller's namespace; the tutorial calls ``sim.reset()`` before its run.
"""

import brian2.only as b2
import cleo
import numpy as np
from brian2 import mm, mm2, ms, mV, mwatt, nmeter, pA
from cleo import *
from tutorial_harness import ground_truth

from cleo_player import Player, Recorder

# numpy faster than cython for lightweight example
b2.prefs.codegen.target = "numpy"
# for reproducibility
np.random.seed(1866)

# colors
c = {
    "main": "#C500CC",
    "473nm": "#72b5f2",
    "590nm": (1, 0.875, 0),
}

n = 100
ng = b2.NeuronGroup(
    n,
    """
    dv/dt = (
        -(v - E_L)
        + Delta_T*exp((v-theta)/Delta_T)
        + Rm*(I_exc + I_inh + I_bg + I_enphr)
    ) / tau_m + sigma*sqrt(2/tau_m)*xi: volt
    I_exc : amp
    I_inh : amp
    I_enphr : amp
    """,
    threshold="v > -10*mV",
    reset="v=E_L",
    namespace={
        "tau_m": 20 * ms,
        "Rm": 500 * b2.Mohm,
        "theta": -50 * mV,
        "Delta_T": 2 * mV,
        "E_L": -70 * mV,
        "sigma": 5 * mV,
        "I_bg": 60 * pA,
    },
)
ng.v = np.random.uniform(-70, -50, n) * mV

W = 1 * mV
p_S = 0.3
n_neighbors = 40
S_ee = b2.Synapses(ng, model="w: 1", on_pre="v_post+=W*w/sqrt(N)")
S_ee.connect(condition="abs(i-j)<=n_neighbors and i!=j")
S_ee.w = np.exp(np.random.randn(int(S_ee.N - 0))) * np.random.choice([-1, 1], int(S_ee.N - 0))

spike_mon = b2.SpikeMonitor(ng)
# for visualizing currents
Imon = b2.StateMonitor(ng, ("I_exc", "I_inh", "I_enphr"), record=range(50))
net = b2.Network(ng, S_ee, spike_mon, Imon)
sim = cleo.CLSimulator(net)

xmax_mm = 2
cleo.coords.assign_coords_grid_rect_prism(ng, xlim=(0, xmax_mm), ylim=(-0.15, 0.15), zlim=(0, 0.3), shape=(10, 5, 2))
plotargs = dict(colors=[c["main"]])

n_fibers = 4
coords = np.zeros((n_fibers, 3))
end_space = 1 / (2 * n_fibers)
coords[:, 0] = np.linspace(end_space, 1 - end_space, n_fibers) * xmax_mm
coords[:, 1] = -0.025
amber_fibers = cleo.light.Light(
    name="amber fibers",
    coords=coords * mm,
    light_model=cleo.light.OpticFiber(K=0.125 * 0.8 / mm, S=7.37 * 0.8 / mm, wavelength=590 * nmeter),
)
sim.inject(amber_fibers, ng)
vfc = cleo.opto.vfchrimson_4s()
enphr3 = cleo.opto.enphr3_3s()
sim.inject(vfc, ng, Iopto_var_name="I_exc")

gtacr2 = cleo.opto.gtacr2_4s()

coords[:, 1] = 0.025
blue_fibers = cleo.light.Light(
    name="blue fibers",
    coords=coords * mm,
    light_model=cleo.light.fiber473nm(),
)
sim.inject(blue_fibers, ng)
sim.inject(gtacr2, ng, Iopto_var_name="I_inh")

from cleo.ioproc import LatencyIOProcessor


class OpenLoopOpto(LatencyIOProcessor):
    def __init__(self):
        super().__init__(sample_period=1 * ms)

    # since this is open-loop, we don't use state_dict
    def process(self, state_dict, t_samp):
        amplitude = 8 * mwatt / mm2
        time_offsets = np.array([0, -20, -40, -60])
        t = t_samp / ms + time_offsets
        amber = ((t >= 20) & (t < 40)) * amplitude
        blue = ((t >= 60) & (t < 63)) * amplitude

        # return output dict and time
        return ({"amber fibers": amber, "blue fibers": blue}, t_samp)


sim.set_io_processor(OpenLoopOpto())

# --- cleo-player -------------------------------------------------------------------------------
truth = ground_truth(sim, [ng], plotargs)
if ENTRY == "recorder":
    rec = Recorder(devices="all")
    sim.inject(rec, ng)
else:
    player = Player(sim, **plotargs)

sim.reset()
if ENTRY == "recorder":
    sim.run(70 * ms)
    player = Player(rec, **plotargs)
else:
    player.run(70 * ms)
