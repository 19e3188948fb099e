"""cleo tutorial "Exporting to Neo", shortened, shown with cleo-player.

Source: docs/tutorials/neo.ipynb of cleo v0.19.0 (commit 1662ede); runs on the installed cleosim
0.20.0 unchanged. Shortened: 100 neurons (tutorial: 1000), two 20 ms trials (tutorial: 50 ms),
and the closing analysis with ``elephant`` (not a dependency of cleo or of cleo-player) is left
out. The tutorial exports trial 1, calls ``sim.reset()``, runs trial 2 and exports it: the player
shows trial 2.
"""

import brian2 as b2
import cleo
import cleo.utilities
import neo
from brian2 import np
from cleo import ephys, light, opto
from tutorial_harness import ground_truth

from cleo_player import Player, Recorder

# numpy faster than cython for lightweight example
b2.prefs.codegen.target = "numpy"
# for reproducibility
np.random.seed(18060520)
cleo.utilities.set_seed(18060520)
b2.seed(18730508)

ng = b2.NeuronGroup(
    100,
    """dv/dt = ((-70*mV - v) + (500*Mohm)*Iopto) / (20*ms) : volt
    Iopto : amp""",
    threshold="v > -50*mV",
    reset="v = -70*mV",
)
ng.v = -70 * b2.mV
syn = b2.Synapses(ng, on_pre="v += 3*mV")
cleo.coords.assign_coords_rand_rect_prism(ng, (-0.2, 0.2), (-0.2, 0.2), (0, 0.4))

light = light.Light(coords=[[-0.1, 0, 0], [0.1, 0, 0]] * b2.mm, light_model=light.fiber473nm())
probe = ephys.Probe(
    coords=[[0, 0, 50], [0, 0, 150], [0, 0, 250]] * b2.um,
    signals=[
        ephys.TKLFPSignal(),
        ephys.MultiUnitActivity(),
        ephys.SortedSpiking(),
    ],
)
sim = cleo.CLSimulator(b2.Network(ng))


class IOProc(cleo.ioproc.LatencyIOProcessor):
    def process(self, state_dict, t_samp_ms):
        return {"Light": 0.5 * np.random.rand(light.n) * b2.mwatt / b2.mm2}, t_samp_ms


sim.set_io_processor(IOProc(sample_period=1 * b2.ms))
sim.inject(light, ng).inject(probe, ng, tklfp_type="exc")
sim.inject(opto.chr2_4s(), ng)

plotargs = dict(colors=["orange"])

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


run(20 * b2.ms)

light.to_neo()
probe_neo = probe.to_neo()

block1 = sim.to_neo()
block1.segments[0].name = "trial 1"
sim.reset()
run(20 * b2.ms)
block2 = sim.to_neo()
block2.segments[0].name = "trial 2"

block = neo.Block()
block.segments.extend(block1.segments)
block.segments.extend(block2.segments)
block.groups.extend(block1.groups)
block.groups.extend(block2.groups)

if ENTRY == "recorder":
    player = Player(rec, **plotargs)
