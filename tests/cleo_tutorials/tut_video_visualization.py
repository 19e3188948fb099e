"""cleo tutorial "Video visualization", shortened, with cleo-player in place of VideoVisualizer.

Source: docs/tutorials/video_visualization.ipynb of cleo v0.19.0 (commit 1662ede); runs on the
installed cleosim 0.20.0 unchanged. Shortened: 80 exc + 20 inh neurons (tutorial: 400 + 100),
no figures. The tutorial's ``VideoVisualizer(dt=1*ms, devices="all")`` injected into ``exc, inh``
is replaced by the entry point (``ENTRY``, see tutorial_harness.py). The synapses use the
module-level ``W``, ``n_e`` and ``n_i``, which brian2 resolves in the caller's namespace.
"""

import brian2.only as b2
import cleo
from brian2 import np
from tutorial_harness import ground_truth

from cleo_player import Player, Recorder

# numpy faster than cython for lightweight example
b2.prefs.codegen.target = "numpy"
# for reproducibility
np.random.seed(17230616)
cleo.utilities.set_seed(17900717)

c_exc = "xkcd:tomato"
c_inh = "xkcd:cerulean blue"

b2.defaultclock.dt = 0.5 * b2.ms
n_e = 80
n_i = n_e // 4


def eif(n, name):
    ng = b2.NeuronGroup(
        n,
        """
        dv/dt = (-(v - E_L) + Delta_T*exp((v-theta)/Delta_T) + Rm*I) / tau_m : volt
        I : amp
        """,
        threshold="v>30*mV",
        reset="v=-55*mV",
        namespace={
            "tau_m": 20 * b2.ms,
            "Rm": 500 * b2.Mohm,
            "theta": -50 * b2.mV,
            "Delta_T": 2 * b2.mV,
            "E_L": -70 * b2.mV,
        },
        name=name,
    )
    ng.v = -70 * b2.mV
    return ng


exc = eif(n_e, "exc")
inh = eif(n_i, "inh")
W = 250
p_S = 0.3
S_ei = b2.Synapses(exc, inh, on_pre="v_post+=W*mV/n_e")
S_ei.connect(p=p_S)
S_ie = b2.Synapses(inh, exc, on_pre="v_post-=W*mV/n_i")
S_ie.connect(p=p_S)
S_ee = b2.Synapses(exc, exc, on_pre="v_post+=W*mV/n_e")
S_ee.connect(condition="abs(i-j)<=20")

mon_e = b2.SpikeMonitor(exc)
mon_i = b2.SpikeMonitor(inh)

net = b2.Network(exc, inh, S_ei, S_ie, S_ee, mon_e, mon_i)

from cleo.coords import assign_coords_uniform_cylinder

r = 1
assign_coords_uniform_cylinder(exc, xyz_start=(0, 0, 0.3), xyz_end=(0, 0, 0.4), radius=r)
assign_coords_uniform_cylinder(inh, xyz_start=(0, 0, 0.3), xyz_end=(0, 0, 0.4), radius=r)

from cleo.light import Light, fiber473nm
from cleo.opto import chr2_4s

opsin = chr2_4s()
fibers = Light(
    coords=[[0, 0, 0], [700, 0, 0]] * b2.um,
    light_model=fiber473nm(),
    max_value=30 * b2.mwatt / b2.mm2,
    save_history=True,
)

plotargs = {
    "colors": [c_exc, c_inh],
    "zlim": (0, 600),
    "scatterargs": {"s": 20},  # to adjust neuron marker size
    "axis_scale_unit": b2.um,
}

sim = cleo.CLSimulator(net)
sim.inject(opsin, exc, Iopto_var_name="I")
sim.inject(fibers, exc)

fibers.update([10, 0] * b2.mwatt / b2.mm2)


class OpenLoopOpto(cleo.ioproc.LatencyIOProcessor):
    def process(self, state_dict, t):
        # random walk stimulation
        fiber_intensities = fibers.irradiance[-1] + np.random.randn(2) * 0.5 * b2.mwatt / b2.mm2
        fiber_intensities[fiber_intensities < 0] = 0
        if t > 50 * b2.ms:
            fiber_intensities = [0, 10] * b2.mwatt / b2.mm2
        return ({"Light": fiber_intensities}, t)


sim.set_io_processor(OpenLoopOpto(sample_period=1 * b2.ms))

# --- cleo-player, where the tutorial injects its VideoVisualizer ------------------------------
truth = ground_truth(sim, [exc, inh], plotargs)
if ENTRY == "recorder":
    rec = Recorder(dt=1 * b2.ms, devices="all")
    sim.inject(rec, exc, inh)
else:
    player = Player(sim, **plotargs)

T = 60 * b2.ms
if ENTRY == "recorder":
    sim.run(T)
else:
    player.run(T)

fibers.max_value_viz = np.max(fibers.irradiance)
if ENTRY == "recorder":
    player = Player(rec, **plotargs)
else:
    player.refresh()  # the brightness scale changed after the run
