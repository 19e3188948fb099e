"""Write the tutorial notebooks in notebooks/ from the cell sources below (no outputs).

Run: .venv/bin/python scripts/make_notebooks.py. Keeping the sources here makes tutorial
edits reviewable as plain Python diffs.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1] / "notebooks"

VIDEO_VISUALIZATION = [
    ("md", """# Video visualization, interactive

This is cleo's *Video visualization* tutorial, rewritten for **cleo-player**. Instead of waiting
for an mp4 you cannot rotate or pause, you get an interactive 3D player right after the run:
neurons flash when they spike, the optic fibres' light brightens with their irradiance, and you
can play, pause, scrub and orbit.

**Migrating from `VideoVisualizer` is one line:** replace
`vv = cleo.viz.VideoVisualizer(dt=1 * b2.ms, devices="all")` with
`rec = cleo_player.Recorder(dt=1 * b2.ms, devices="all")` and inject it the same way."""),
    ("md", "First some boilerplate:"),
    ("code", """import brian2.only as b2
from brian2 import np
import matplotlib.pyplot as plt
import cleo
from cleo_player import Recorder, Player
from cleo_player.examples import quiet_brian

quiet_brian()  # keep brian2's INFO messages out of the notebook
# numpy faster than cython for lightweight example
b2.prefs.codegen.target = "numpy"
# for reproducibility
np.random.seed(17230616)
cleo.utilities.set_seed(17900717)
c_exc = "xkcd:tomato"
c_inh = "xkcd:cerulean blue\""""),
    ("md", """## Set up the simulation
### Network
We'll use excitatory and inhibitory populations of exponential integrate-and-fire neurons."""),
    ("code", """b2.defaultclock.dt = 0.5 * b2.ms
n_e = 400
n_i = n_e // 4


def eif(n, name):
    ng = b2.NeuronGroup(
        n,
        \"\"\"
        dv/dt = (-(v - E_L) + Delta_T*exp((v-theta)/Delta_T) + Rm*I) / tau_m : volt
        I : amp
        \"\"\",
        threshold="v>30*mV",
        reset="v=-55*mV",
        namespace={
            "tau_m": 20 * b2.ms,
            "Rm": 500 * b2.Mohm,
            "theta": -50 * b2.mV,
            "Delta_T": 2 * b2.mV,
            "E_L": -70 * b2.mV,
        },
        method="euler",
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

net = b2.Network(exc, inh, S_ei, S_ie, S_ee, mon_e, mon_i)"""),
    ("md", """### Coordinates and optogenetics
We place both populations in a cylinder and add two 473 nm optic fibres. As in cleo's tutorial, we
keep the plotting arguments in `plotargs`: the Player takes exactly the arguments of
`cleo.viz.plot`."""),
    ("code", """from cleo.coords import assign_coords_uniform_cylinder

r = 1
assign_coords_uniform_cylinder(exc, xyz_start=(0, 0, 0.3), xyz_end=(0, 0, 0.4), radius=r)
assign_coords_uniform_cylinder(inh, xyz_start=(0, 0, 0.3), xyz_end=(0, 0, 0.4), radius=r)

from cleo.opto import chr2_4s
from cleo.light import fiber473nm, Light

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
}"""),
    ("md", "### Simulator, optogenetics injection"),
    ("code", """sim = cleo.CLSimulator(net)
sim.inject(opsin, exc, Iopto_var_name="I")
sim.inject(fibers, exc)"""),
    ("md", "### Processor\nOpen-loop optogenetic stimulation: a random walk on fibre 1, then a constant 5 mW/mm² on fibre 2 after 50 ms."),
    ("code", """fibers.update([5, 0] * b2.mwatt / b2.mm2)


class OpenLoopOpto(cleo.ioproc.LatencyIOProcessor):
    def process(self, state_dict, t):
        # random walk stimulation
        fiber_intensities = fibers.irradiance[-1] + np.random.randn(2) * 0.5 * b2.mwatt / b2.mm2
        fiber_intensities[fiber_intensities < 0] = 0
        if t > 50 * b2.ms:
            fiber_intensities = [0, 5] * b2.mwatt / b2.mm2
        return ({"Light": fiber_intensities}, t)


sim.set_io_processor(OpenLoopOpto(sample_period=1 * b2.ms))"""),
    ("md", """## Inject the Recorder
The `Recorder` is a cleo `InterfaceDevice`, a drop-in for `VideoVisualizer`: same arguments, injected
the same way, naming the neuron groups to show. Unlike `VideoVisualizer` it keeps exact spike
times, keeps the spikes of the last frame, and restarts cleanly after `sim.reset()`. Its `dt`
(frame length) costs nothing to lower: playback runs in your browser."""),
    ("code", """rec = Recorder(dt=1 * b2.ms, devices="all")
sim.inject(rec, exc, inh)"""),
    ("md", "## Run the simulation and play it back"),
    ("code", """T = 100 * b2.ms
sim.run(T)
print(f"{mon_e.num_spikes} exc and {mon_i.num_spikes} inh spikes")"""),
    ("md", """As in cleo's tutorial we set the light's `max_value_viz`: the irradiance drawn at full
brightness. Then the player: orbit with the mouse, play/pause with the button or the space bar,
step with ←/→, scrub with the slider."""),
    ("code", """fibers.max_value_viz = np.max(fibers.irradiance)
player = Player(sim, **plotargs)
player"""),
]


def write(name: str, cells: list[tuple[str, str]]) -> Path:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name.split('.')[0][:20]}-{i}"
    path = ROOT / name
    ROOT.mkdir(exist_ok=True)
    nbformat.write(nb, path)
    return path


if __name__ == "__main__":
    print(write("video_visualization.ipynb", VIDEO_VISUALIZATION))
