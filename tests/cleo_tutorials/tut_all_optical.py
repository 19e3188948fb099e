"""cleo tutorial "All-optical control" (2P imaging + 2P stimulation), shortened, with cleo-player.

Source: docs/tutorials/all_optical.ipynb of cleo v0.19.0 (commit 1662ede); runs on the installed
cleosim 0.20.0 unchanged (0.20 builds ``tp_light_from_scope``'s ``GaussianEllipsoid`` with the
wavelength itself; the call is the same). Changed: the numpy code generation target (the
tutorial uses cython); 100 neurons (tutorial: 200); a 40 ms run (tutorial: 1000 ms); no figures.
The scope is injected three times into the same group, then the sensor, the opsin and the laser;
the tutorial calls ``sim.reset()`` before its run.
"""

import brian2.only as b2
import cleo
from brian2 import np
from cleo import imaging, light, opto
from tutorial_harness import ground_truth

from cleo_player import Player, Recorder

b2.prefs.codegen.target = "numpy"
b2.defaultclock.dt = 0.5 * b2.ms

# for reproducibility
rng = np.random.default_rng(18010630)
cleo.utilities.set_seed(18501224)

ng = b2.NeuronGroup(
    100,
    """dv/dt = (-(v - E_L) + Rm*Iopto) / tau_m : volt
    Iopto : amp""",
    threshold="v > -50*mV",
    reset="v=E_L",
    namespace={
        "tau_m": 20 * b2.ms,
        "Rm": 500 * b2.Mohm,
        "E_L": -70 * b2.mV,
    },
)
ng.v = -70 * b2.mV
cleo.coords.assign_coords_rand_rect_prism(ng, [-0.2, 0.2], [-0.2, 0.2], [0, 0.4])
sim = cleo.CLSimulator(b2.Network(ng))

scope = imaging.Scope(
    focus_depth=100 * b2.um,
    img_width=500 * b2.um,
    sensor=imaging.gcamp6f(),
)

expr_level_gen = lambda n: rng.lognormal(0, 0.2, n)
sim.inject(scope, ng, rho_rel_generator=expr_level_gen)  # uses scope's parameters
# optional overrides (we'll use a small soma to intentionally get few targets)
sim.inject(
    scope,
    ng,
    focus_depth=200 * b2.um,
    soma_radius=5 * b2.um,
    rho_rel_generator=expr_level_gen,
)

i_targets, noise_focus_factor, focus_coords = scope.target_neurons_in_plane(
    ng, focus_depth=300 * b2.um, soma_radius=5 * b2.um
)
# scale noise std σ randomly to simulate biological variability
std_noise = scope.sensor.sigma_noise * noise_focus_factor * rng.normal(1, 0.2, len(i_targets))
sim.inject(
    scope,
    ng,
    focus_depth=None,
    i_targets=i_targets,
    sigma_noise=std_noise,
    rho_rel_generator=expr_level_gen,
)

plotargs = dict(colors=["#c500cc"])

scope.inject_sensor_for_targets()

opsin = opto.vfchrimson_4s()
sim.inject(opsin, ng)

laser = light.tp_light_from_scope(scope, wavelength=1060 * b2.nmeter, name="laser")
sim.inject(laser, ng)

from cleo.ioproc import LatencyIOProcessor

# for seeing ground-truth spikes
i_all_targets = scope.i_targets_for_neuron_group(ng)
smon = b2.SpikeMonitor(ng, record=i_all_targets)
sim.network.add(smon)

amplitude = 50 * b2.mwatt
pulse_width = 4 * b2.ms
t_interpulse = 20 * b2.ms

num_pulses = np.arange(1, scope.n + 1)
train_ends = t_interpulse * num_pulses


class IOProc(LatencyIOProcessor):
    def process(self, state_dict, t):
        t_in_cycle = t % t_interpulse
        on = (t_in_cycle >= 0) & (t_in_cycle < pulse_width) & (t < (t_interpulse * num_pulses))

        return {"laser": on * amplitude}, t


sim.set_io_processor(IOProc(sample_period=1 * b2.ms))

# --- cleo-player -------------------------------------------------------------------------------
truth = ground_truth(sim, [ng], plotargs)
if ENTRY == "recorder":
    rec = Recorder(devices="all")
    sim.inject(rec, ng)
else:
    player = Player(sim, **plotargs)

sim.reset()
tmax = 40
if ENTRY == "recorder":
    sim.run(tmax * b2.ms)
    player = Player(rec, **plotargs)
else:
    player.run(tmax * b2.ms)
