"""cleo tutorial "On-off control", shortened, shown with cleo-player.

Source: docs/tutorials/on_off_ctrl.ipynb of cleo v0.19.0 (commit 1662ede); runs on the installed
cleosim 0.20.0 unchanged. The tutorial gives its neurons no coordinates (it draws no 3D view):
for the player they get them, one line right after the group is made. Shortened: a 20 ms
network run before the simulator and a 30 ms closed-loop run (tutorial: 200 ms each), no
figures. The recorder and the stimulator are injected into subgroups ``population[i_rec]`` and
``population[i_ctrl]``.
"""

import brian2.only as b2
import cleo
from brian2 import Hz, Mohm, mA, ms, mV, nA, np
from tutorial_harness import ground_truth

from cleo_player import Player, Recorder

# the default cython compilation target isn't worth it for
# this trivial example
b2.prefs.codegen.target = "numpy"
b2.seed(16320829)
cleo.utilities.set_seed(17041028)

n = 10
population = b2.NeuronGroup(
    n,
    """
            dv/dt = (-v - 70*mV + Rm*I) / tau : volt
            tau: second
            Rm: ohm
            I: amp""",
    threshold="v>-50*mV",
    reset="v=-70*mV",
)
cleo.coords.assign_coords_rand_rect_prism(population, (-0.1, 0.1), (-0.1, 0.1), (0.2, 0.4))  # for the player
population.tau = 10 * ms
population.Rm = 100 * Mohm
population.I = 0 * mA
population.v = -70 * mV

input_group = b2.PoissonGroup(n, np.linspace(0, 100, n) * Hz + 10 * Hz)

S = b2.Synapses(input_group, population, on_pre="v+=5*mV")
S.connect(condition="abs(i-j)<=3")

pop_mon = b2.SpikeMonitor(population)

net = b2.Network([population, input_group, S, pop_mon])

net.run(20 * ms)

i_rec = int(n / 2)
i_ctrl = 0
sim = cleo.CLSimulator(net)
v_rec = cleo.recorders.VoltageRecorder(name="rec")
sim.inject(v_rec, population[i_rec])
sim.inject(
    cleo.stimulators.StateVariableSetter(name="stim", variable_to_ctrl="I", unit=nA),
    population[i_ctrl],
)


class ReactivePulseIOProcessor(cleo.ioproc.LatencyIOProcessor):
    def __init__(self, pulse_current=1):
        super().__init__(sample_period=1 * ms)
        self.pulse_current = pulse_current
        self.trigger_threshold = -60 * mV
        self.out = {}

    def process(self, state_dict, time_ms):
        v = state_dict["rec"]
        if v is not None and v < self.trigger_threshold:
            self.out["stim"] = self.pulse_current
        else:
            self.out["stim"] = 0

        return (self.out, time_ms)


sim.set_io_processor(ReactivePulseIOProcessor(pulse_current=1))

# --- cleo-player -------------------------------------------------------------------------------
plotargs = dict(colors=["#C500CC"])
truth = ground_truth(sim, [population], plotargs)
if ENTRY == "recorder":
    rec = Recorder(devices="all")
    sim.inject(rec, population)
    sim.run(30 * ms)
    player = Player(rec, **plotargs)
else:
    player = Player(sim, **plotargs)
    player.run(30 * ms)
