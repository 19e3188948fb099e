"""cleo tutorial "PI control of a neuron's firing rate", shortened, shown with cleo-player.

Source: docs/tutorials/PI_ctrl.ipynb of cleo v0.19.0 (commit 1662ede); runs on the installed
cleosim 0.20.0 unchanged. The tutorial gives its neurons no coordinates (it draws no 3D view):
for the player they get them, one line right after the group is made. Shortened: a 20 ms
network run before the simulator (tutorial: 100 ms), 30 ms control runs (tutorial: 300 ms),
no figures. The devices are injected into the subgroup ``population[i]``; the tutorial runs,
calls ``sim.reset()``, changes the delay and runs again.
"""

import brian2.only as b2
import cleo
from brian2 import ms, np
from tutorial_harness import ground_truth

from cleo_player import Player, Recorder

np.random.seed(18990508)
b2.seed(19920323)

# the default cython compilation target isn't worth it for this trivial example
b2.prefs.codegen.target = "numpy"

# colors
c = {
    "light": "#df87e1",
    "main": "#C500CC",
    "dark": "#8000B4",
    "accent": "#36827F",
    "accent_light": "#69fff8",
}

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
population.Rm = 100 * b2.Mohm
population.I = 0 * b2.mA
population.v = -70 * b2.mV

input_group = b2.PoissonGroup(n, np.linspace(20, 200, n) * b2.Hz)

S = b2.Synapses(input_group, population, on_pre="v+=5*mV")
S.connect(condition=f"abs(i-j)<={3}")
S2 = b2.Synapses(population, population, on_pre="v+=2*mV")
S2.connect(p=0.2)

pop_mon = b2.SpikeMonitor(population)

net = b2.Network(population, input_group, S, S2, pop_mon)

net.run(20 * b2.ms)

sim = cleo.CLSimulator(net)

i = 0  # neuron to control
rec = cleo.recorders.GroundTruthSpikeRecorder(name="spike_rec")
sim.inject(rec, population[i])


# the target firing rate trajectory, as a function of time
def target(t):
    a = 200
    sinusoid = a + a * np.sin(2 * np.pi * 20 * b2.Hz * t)
    out_Hz = 400 * (t < 250 * ms) + sinusoid * (t >= 250 * ms)
    return np.squeeze(out_Hz) * b2.Hz


from cleo.ioproc import LatencyIOProcessor, exp_firing_rate_estimate, pi_ctrl


class PIRateIOProcessor(LatencyIOProcessor):
    def __init__(self):
        super().__init__(sample_period=1 * ms)
        # for firing rate estimation
        self.fr_est_tau = 15 * ms

        # error will be in frequency units (firing rate)
        self.Kp = 0.005 / b2.Hz
        # integral error will have no unit (frequency times time)
        self.Ki = 0.04 / (b2.Hz * b2.second)

        self.delay = 7 * ms

        # initializes variables
        self.reset()

    def process(self, state_dict, t_samp):
        spikes = state_dict["spike_rec"]
        prev_rate = self.fr_estimates[-1] if len(self.fr_estimates) > 0 else 0
        fr = exp_firing_rate_estimate(spikes, self.sample_period, prev_rate, self.fr_est_tau)
        self.fr_estimates.append(fr)

        ctrl_signal, self.int_error = pi_ctrl(
            measurement=fr,
            reference=target(t_samp),
            integ_error=self.int_error,
            dt=self.sample_period,
            Kp=self.Kp,
            Ki=self.Ki,
        )

        # limit to positive current; StateVariableSetter only takes a scalar
        ctrl_signal = ctrl_signal * (ctrl_signal > 0)
        ctrl_signal = ctrl_signal[0]
        out_dict = {"I_stim": ctrl_signal}

        # simulate delayed control by adding to the output time
        out_time = t_samp + self.delay
        return out_dict, out_time

    def reset(self):
        self.fr_estimates = []
        self.int_error = 0


io_processor = PIRateIOProcessor()
sim.set_io_processor(io_processor)

stim = cleo.stimulators.StateVariableSetter(name="I_stim", variable_to_ctrl="I", unit=b2.nA)
sim.inject(stim, population[i])

# --- cleo-player -------------------------------------------------------------------------------
plotargs = dict(colors=[c["main"]])
truth = ground_truth(sim, [population], plotargs)
if ENTRY == "recorder":
    player_rec = Recorder(devices="all")
    sim.inject(player_rec, population)
else:
    player = Player(sim, **plotargs)


def run(duration):
    """The tutorial's sim.run, or the player's when it was made before running."""
    if ENTRY == "recorder":
        sim.run(duration)
    else:
        player.run(duration)


run(30 * ms)

sim.reset()
io_processor.delay = 0.1 * ms
run(30 * ms)

if ENTRY == "recorder":
    player = Player(player_rec, **plotargs)
