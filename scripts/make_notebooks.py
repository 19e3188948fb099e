"""Write the tutorial notebooks in notebooks/ from the cell sources below, run them and store
their outputs (which nbval then checks), without widget state.

Run: .venv/bin/python scripts/make_notebooks.py [NAME ...]. Keeping the sources here makes
tutorial edits reviewable as plain Python diffs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1] / "notebooks"

VIDEO_VISUALIZATION = [
    (
        "md",
        """# Video visualization, interactive

This is cleo's *Video visualization* tutorial, rewritten for **cleo-player**. Instead of waiting
for an mp4 you cannot rotate or pause, you get an interactive 3D player right after the run:
neurons flash when they spike, the optic fibres' light brightens with their irradiance, and you
can play, pause, scrub and orbit.

**Migrating from `VideoVisualizer` is one line:** replace
`vv = cleo.viz.VideoVisualizer(dt=1 * b2.ms, devices="all")` with
`rec = cleo_player.Recorder(dt=1 * b2.ms, devices="all")` and inject it the same way.""",
    ),
    ("md", "First some boilerplate:"),
    (
        "code",
        """import brian2.only as b2
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
c_inh = "xkcd:cerulean blue\"""",
    ),
    (
        "md",
        """## Set up the simulation
### Network
We'll use excitatory and inhibitory populations of exponential integrate-and-fire neurons.""",
    ),
    (
        "code",
        """b2.defaultclock.dt = 0.5 * b2.ms
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

net = b2.Network(exc, inh, S_ei, S_ie, S_ee, mon_e, mon_i)""",
    ),
    (
        "md",
        """### Coordinates and optogenetics
We place both populations in a cylinder and add two 473 nm optic fibres. As in cleo's tutorial, we
keep the plotting arguments in `plotargs`: the Player takes exactly the arguments of
`cleo.viz.plot`.""",
    ),
    (
        "code",
        """from cleo.coords import assign_coords_uniform_cylinder

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
}""",
    ),
    ("md", "### Simulator, optogenetics injection"),
    (
        "code",
        """sim = cleo.CLSimulator(net)
sim.inject(opsin, exc, Iopto_var_name="I")
sim.inject(fibers, exc)
sorted(device.name for device in sim.devices)""",
    ),
    (
        "md",
        (
            "### Processor\nOpen-loop optogenetic stimulation: a random walk on fibre 1, then a constant 5 mW/mm² "
            "on fibre 2 after 50 ms."
        ),
    ),
    (
        "code",
        """fibers.update([5, 0] * b2.mwatt / b2.mm2)


class OpenLoopOpto(cleo.ioproc.LatencyIOProcessor):
    def process(self, state_dict, t):
        # random walk stimulation
        fiber_intensities = fibers.irradiance[-1] + np.random.randn(2) * 0.5 * b2.mwatt / b2.mm2
        fiber_intensities[fiber_intensities < 0] = 0
        if t > 50 * b2.ms:
            fiber_intensities = [0, 5] * b2.mwatt / b2.mm2
        return ({"Light": fiber_intensities}, t)


sim.set_io_processor(OpenLoopOpto(sample_period=1 * b2.ms))
sim.io_processor""",
    ),
    (
        "md",
        """## Inject the Recorder
The `Recorder` is a cleo `InterfaceDevice`, a drop-in for `VideoVisualizer`: same arguments, injected
the same way, naming the neuron groups to show. Unlike `VideoVisualizer` it keeps exact spike
times, keeps the spikes of the last frame, and restarts cleanly after `sim.reset()`. Its `dt`
(frame length) costs nothing to lower: playback runs in your browser.""",
    ),
    (
        "code",
        """rec = Recorder(dt=1 * b2.ms, devices="all")
sim.inject(rec, exc, inh)
rec""",
    ),
    ("md", "## Run the simulation and play it back"),
    (
        "code",
        """T = 100 * b2.ms
sim.run(T)
print(f"{mon_e.num_spikes} exc and {mon_i.num_spikes} inh spikes")""",
    ),
    (
        "md",
        """As in cleo's tutorial we set the light's `max_value_viz`: the irradiance drawn at full
brightness. Then the player: orbit with the mouse, play/pause with the button or the space bar,
step with ←/→, scrub with the slider.

Under the 3D view, the **timeline** shows what cleo's tutorials plot beside their videos, linked
to the player: every spike as a raster per population (in its colour) and each fibre's
irradiance, with a playhead at the frame shown. Click it to jump to a time, drag to scrub,
shift-drag to zoom in (double-click to zoom out).""",
    ),
    (
        "code",
        """fibers.max_value_viz = np.max(fibers.irradiance)
player = Player(sim, **plotargs)
player""",
    ),
]


VIDEO_VISUALIZATION += [
    (
        "md",
        """## The matplotlib fallback: a video, like `VideoVisualizer`'s

Where widgets cannot run, or for a paper or slides, you still want a video. The Recorder keeps
cleo's API: `generate_Animation` returns a matplotlib `FuncAnimation` drawn the way
`cleo.viz.plot` draws, with the same frames and timing as `VideoVisualizer`'s, so existing code
that calls `to_html5_video()`, `to_jshtml()` or `save()` on it keeps working, only well over ten
times faster.""",
    ),
    (
        "code",
        """ani = rec.generate_Animation(plotargs, slowdown_factor=10)
plt.close(rec.fig)  # the animation draws on this figure; we don't need it shown here
print(f"{len(list(ani.new_frame_seq()))} frames, {ani._interval:g} ms apart")""",
    ),
    (
        "md",
        """The player exports the same pictures straight to a file (`.mp4`, `.gif` or `.webm`; ffmpeg
comes with `imageio-ffmpeg`, nothing to install); `timeline=True` draws the timeline under the
scene, its playhead moving with the frames. Here we write an mp4 and show it with a link to the
file, which keeps this notebook small; `HTML(ani.to_html5_video())` embeds it instead, as cleo's
tutorial does.""",
    ),
    (
        "code",
        """from IPython.display import Video

player.save("video_visualization.mp4", timeline=True)
Video("video_visualization.mp4")""",
    ),
]

SEED_SETUP = """import brian2.only as b2
from brian2 import np
from cleo_player import Player
from cleo_player.examples import seed_tutorial

# the network, fibres and open-loop processor of the video-visualization tutorial
s = seed_tutorial()
sim, exc, inh, fibers, plotargs = s.sim, s.exc, s.inh, s.fibers, s.plotargs"""

INTERACTIVE_PLAYBACK = [
    (
        "md",
        """# Interactive playback

The player's controls, and how to drive the same player from Python. We reuse the network of
the *Video visualization* tutorial (`cleo_player.examples.seed_tutorial` builds it).""",
    ),
    ("code", SEED_SETUP),
    (
        "md",
        """`Player(sim, **plotargs)` on a simulator without a Recorder injects one for every neuron
group that has coordinates; `player.run` then runs the simulation (see the *Live run*
tutorial). We hide the progress bar here.""",
    ),
    (
        "code",
        """player = Player(sim, **plotargs, speed=0.01)
player.run(100 * b2.ms, progress=False)
player""",
    ),
    (
        "md",
        """## The controls

| control | mouse | keyboard (player focused) |
| --- | --- | --- |
| play / pause | ▶ button | space |
| step one frame | ⏴ ⏵ buttons | ← → |
| first / last frame | ⏮ ⏭ buttons | Home / End |
| any frame | the scrubber, or a click on the timeline | |
| scrub | drag the scrubber, or drag on the timeline | |
| zoom the timeline | shift-drag on it, or drag along its time axis; double-click: the whole run | |
| speed | 1×, 1/10×, 1/100×, 1/1000× of real time | |
| at the end | loop, once, ping-pong | |
| camera | drag to orbit, scroll to zoom, right-drag to pan; ⟲ resets | |
| fullscreen | ⛶ button | Esc leaves |

The readout shows the simulated time of the frame and the recording's end, e.g.
`t = 42.0 / 100.0 ms`. A spiking neuron flashes (brighter, larger) and fades over `decay`
milliseconds of simulated time (`decay=0` is cleo's one-frame flash); spikes that fall in frames
skipped at high speed still flash, and seeking shows exactly what playback shows at that frame.""",
    ),
    (
        "md",
        """## The timeline

Under the 3D view, on the same clock: a spike raster (every spike, neurons grouped by
population, in their colours), one trace per device (here each fibre's irradiance, in its
wavelength's colour) and a playhead at the frame the 3D view shows. `player.timeline = False`
hides it; `player.timeline_height` sets its height in pixels (default: a third of `height`).""",
    ),
    (
        "md",
        """## Python control

`frame`, `playing`, `speed`, `loop` and `decay` are synced both ways with the browser; `time`
reads the simulated time of the frame shown.""",
    ),
    (
        "code",
        """player.frame = 30
print(player.frame, player.time)
player.seek(50 * b2.ms)
print(player.frame, player.time)""",
    ),
    (
        "code",
        """player.speed = 0.001  # 1/1000 of real time: one 1 ms frame per second
player.loop = "pingpong"
player.decay = 0 * 1.0  # cleo's exact one-frame flash (ms)
player.play()
print(player.playing, player.speed, player.loop)""",
    ),
    (
        "code",
        """player.pause()
player.decay = 4.0
player.speed = 0.1
player.loop = "loop\"""",
    ),
    (
        "md",
        """## Reacting to the frame shown

`player.observe` calls a function whenever the frame changes, in the browser (playing,
scrubbing) or from Python. Here a line of text follows the population rate of the excitatory
neurons at the current time; the plot below shows the whole run.""",
    ),
    (
        "code",
        """import ipywidgets as widgets
import matplotlib.pyplot as plt

rec = player.recording
exc_data = rec.groups[0]
rate_hz = np.diff(exc_data.frame_ptr) / (exc_data.size * rec.dt)  # spikes per neuron per second
readout = widgets.HTML()


def show_rate(change=None):
    k = player.frame
    readout.value = f"t = {player.time / b2.ms:.1f} ms: excitatory rate {rate_hz[k]:.0f} Hz"


player.observe(show_rate, "frame")
show_rate()
readout""",
    ),
    (
        "code",
        """fig, ax = plt.subplots(figsize=(6, 2))
ax.plot(rec.frame_t * 1e3, rate_hz, c="xkcd:tomato")
ax.set(xlabel="t (ms)", ylabel="exc rate (Hz)")
fig.tight_layout()""",
    ),
    (
        "md",
        """## Your own traces on the timeline

Rather than a separate plot, draw what you computed on the player's timeline, on its time
axis: `player.add_trace(name, t, values, unit=None, color=None)` takes times as a brian2
quantity (or seconds) and one value per time (a brian2 quantity is shown in its unit). The trace
is saved with the widget state and in `save_html`; `player.remove_trace(name)` takes it off and
`player.traces` lists them. Scroll up: the excitatory rate is under the raster now.""",
    ),
    (
        "code",
        """player.add_trace("exc rate", rec.frame_t * b2.second, rate_hz, unit="Hz", color="xkcd:tomato")
list(player.traces)""",
    ),
    (
        "md",
        """### A closed-loop example

A processor estimates the population rate from the spikes it samples every millisecond
(exponentially smoothed) and drives an optic fibre to hold the rate at a target. The light it
commands is recorded as the fibre's trace; its estimate is the processor's own, so we keep it
and add it as a custom trace.""",
    ),
    (
        "code",
        """import cleo
from cleo.coords import assign_coords_rand_cylinder
from cleo.light import Light, fiber473nm
from cleo.opto import chr2_4s
from cleo.recorders import GroundTruthSpikeRecorder

np.random.seed(3)
cleo.utilities.set_seed(3)
n = 200
ng = b2.NeuronGroup(
    n,
    \"\"\"dv/dt = (-(v - E_L) + Rm*I) / tau_m + sigma*sqrt(2/tau_m)*xi : volt
    I : amp\"\"\",
    threshold="v > -50*mV",
    reset="v = -70*mV",
    namespace={"tau_m": 20 * b2.ms, "Rm": 500 * b2.Mohm, "E_L": -70 * b2.mV, "sigma": 3 * b2.mV},
    method="euler",
    name="cortex",
)
ng.v = -70 * b2.mV
assign_coords_rand_cylinder(ng, xyz_start=(0, 0, 0.2), xyz_end=(0, 0, 0.6), radius=0.3)
loop_sim = cleo.CLSimulator(b2.Network(ng))
loop_sim.inject(chr2_4s(), ng, Iopto_var_name="I")
loop_sim.inject(Light(coords=(0, 0, 0.1) * b2.mm, light_model=fiber473nm(), max_value=20 * b2.mwatt / b2.mm2), ng)
loop_sim.inject(GroundTruthSpikeRecorder(name="spikes"), ng)

target_hz = 60
estimate_ms, estimate_hz = [], []


class RateClamp(cleo.ioproc.LatencyIOProcessor):
    \"\"\"Light in proportion to how far the smoothed population rate is below the target.\"\"\"

    def process(self, state_dict, t_samp):
        rate = state_dict["spikes"].sum() / (n * self.sample_period / b2.second)
        smooth = rate if not estimate_hz else estimate_hz[-1] + 0.2 * (rate - estimate_hz[-1])
        estimate_ms.append(t_samp / b2.ms)
        estimate_hz.append(smooth)
        irradiance = float(np.clip(0.25 * (target_hz - smooth), 0, 20))
        return {"Light": irradiance * b2.mwatt / b2.mm2}, t_samp + 2 * b2.ms  # 2 ms latency


loop_sim.set_io_processor(RateClamp(sample_period=1 * b2.ms))
loop = Player(loop_sim, colors=["xkcd:tomato"], zlim=(0, 700))
loop.run(100 * b2.ms, progress=False)
loop.add_trace("rate estimate", np.array(estimate_ms) * b2.ms, estimate_hz, unit="Hz", color="xkcd:goldenrod")
print(f"mean estimate over the last 50 ms: {np.mean(estimate_hz[50:]):.0f} Hz (target {target_hz} Hz)")
loop""",
    ),
    (
        "md",
        """## Inspecting neurons: hover, select, hide

In the player above, **hover** a neuron: a tooltip gives its group, its index within the group,
its position and its number of spikes, and its row lights up in the raster. **Click** it to
select it (**shift-click** adds more, a click on empty space clears): rings mark the selected
neurons and their raster rows stand out. **Click a legend entry** to hide or show that group.

`player.selected` holds the selection as `(group name, index)` pairs and `player.hidden` the
hidden groups' names; both are synced with the browser both ways. Observe `selected` to follow
the clicks; here each new selection prints its neurons' spike counts and plots their spikes
(setting it from Python does what a click does).""",
    ),
    (
        "code",
        """def spike_times_ms(name, i):
    g = next(g for g in player.recording.groups if g.name == name)
    return g.spike_t[g.spike_i == i] * 1e3


def print_selected(change):
    for name, i in change["new"]:
        k = len(spike_times_ms(name, i))
        print(f"{name} #{i}: {k} spike{'' if k == 1 else 's'}")


player.observe(print_selected, "selected")
player.selected = [("exc", 0), ("exc", 12), ("inh", 5)]  # as three clicks would""",
    ),
    (
        "code",
        """fig, ax = plt.subplots(figsize=(6, 1.5))
for row, (name, i) in enumerate(player.selected):
    t_ms = spike_times_ms(name, i)
    ax.plot(t_ms, np.full_like(t_ms, row), "|", ms=12, c="xkcd:tomato" if name == "exc" else "xkcd:cerulean")
ax.set(yticks=range(len(player.selected)), yticklabels=[f"{n} #{i}" for n, i in player.selected])
ax.set(xlim=(0, rec.t_end * 1e3), ylim=(-0.5, len(player.selected) - 0.5), xlabel="t (ms)")
fig.tight_layout()""",
    ),
    (
        "code",
        """player.hidden = ["inh"]  # as a click on the legend's "inh" would: the excitatory neurons alone
print(player.hidden)
player.hidden = []""",
    ),
    (
        "md",
        """## Controls in the JupyterLab sidebar

`player.controls` is a controls-only view of the same player: put it next to your analysis while
you scroll. Every view of a player shows the same frame.""",
    ),
    ("code", "player.controls"),
    (
        "md",
        """`player.show_controls(sidebar=True)` puts it in the JupyterLab sidebar (with the `sidecar`
package) and returns the panel, to close later with `.close()`.""",
    ),
    ("code", """sidebar = player.show_controls(sidebar=True, title="cleo-player controls")"""),
]

LIVE_RUN = [
    (
        "md",
        """# Live run: watch a closed-loop experiment as it runs

`Player(sim)` on a simulator without a Recorder injects one; `player.run(T)` runs the simulation
with a progress bar and streams each new frame into the player shown above while it runs. Only
new frames cross to the browser; afterwards the player holds the whole run, as if built from it.

Our example is closed-loop: a processor counts the excitatory spikes each millisecond and
switches an optic fibre on whenever the population is quieter than a target (bang-bang
control).""",
    ),
    (
        "code",
        """import brian2.only as b2
from brian2 import np
import cleo
from cleo.coords import assign_coords_rand_cylinder
from cleo.light import Light, fiber473nm
from cleo.opto import chr2_4s
from cleo.recorders import GroundTruthSpikeRecorder
from cleo_player import Player
from cleo_player.examples import quiet_brian

quiet_brian()
b2.prefs.codegen.target = "numpy"
np.random.seed(1)
cleo.utilities.set_seed(1)
b2.defaultclock.dt = 0.2 * b2.ms

n = 300
ng = b2.NeuronGroup(
    n,
    \"\"\"dv/dt = (-(v - E_L) + Rm*I) / tau_m + sigma*sqrt(2/tau_m)*xi : volt
    I : amp\"\"\",
    threshold="v > -50*mV",
    reset="v = -70*mV",
    namespace={"tau_m": 20 * b2.ms, "Rm": 500 * b2.Mohm, "E_L": -70 * b2.mV, "sigma": 3 * b2.mV},
    method="euler",
    name="cortex",
)
ng.v = -70 * b2.mV
assign_coords_rand_cylinder(ng, xyz_start=(0, 0, 0.2), xyz_end=(0, 0, 0.6), radius=0.3)
net = b2.Network(ng)""",
    ),
    (
        "code",
        """opsin = chr2_4s()
fiber = Light(coords=(0, 0, 0.1) * b2.mm, light_model=fiber473nm(), max_value=20 * b2.mwatt / b2.mm2)
spikes = GroundTruthSpikeRecorder(name="spikes")

sim = cleo.CLSimulator(net)
sim.inject(opsin, ng, Iopto_var_name="I")
sim.inject(fiber, ng)
sim.inject(spikes, ng)

target_hz = 30


class BangBang(cleo.ioproc.LatencyIOProcessor):
    \"\"\"Light on while the population fires below target, off above it.\"\"\"

    def process(self, state_dict, t_samp):
        rate = state_dict["spikes"].sum() / (n * self.sample_period / b2.second)
        irradiance = 15 if rate < target_hz else 0
        return {"Light": irradiance * b2.mwatt / b2.mm2}, t_samp + 3 * b2.ms  # 3 ms latency


sim.set_io_processor(BangBang(sample_period=1 * b2.ms))
sim.io_processor""",
    ),
    ("md", "The player exists before anything has run: it shows the neurons and waits."),
    (
        "code",
        """player = Player(sim, colors=["xkcd:tomato"], zlim=(0, 700), speed=0.05)
player""",
    ),
    (
        "md",
        """Now run. Scroll back up while it runs: the scrubber grows, the fibre switches on and off,
and the neurons answer; the timeline under the 3D view fills in with every spike and the
fibre's command.""",
    ),
    ("code", "player.run(150 * b2.ms)"),
    (
        "code",
        """rec = player.recording
light = rec.track("Light").values[:, 0]
print(f"{rec.n_frames} frames, {rec.n_spikes} spikes; light on in {np.mean(light > 0):.0%} of the frames")""",
    ),
    (
        "md",
        """Running again appends: `player.run(50 * b2.ms)` continues the same experiment and the
same player. `sim.reset()` starts the recording afresh.""",
    ),
]

DEVICES_GALLERY = [
    (
        "md",
        """# Devices gallery

Every cleo device that has a place in space, drawn by cleo-player as `cleo.viz.plot` draws it:
lights of several models and wavelengths, a multi-shank electrode array and a two-photon
microscope. Lights brighten with their recorded value relative to `max_value_viz` (else
`max_value`), clipped at 1.""",
    ),
    (
        "code",
        """import brian2.only as b2
from brian2 import np
import cleo
from cleo.coords import assign_coords_rand_rect_prism
from cleo.ephys import Probe, linear_shank_coords, tile_coords
from cleo.imaging import Scope, gcamp6f
from cleo.light import GaussianEllipsoid, KoehlerBeam, Light, OpticFiber, fiber473nm
from cleo.opto import chr2_4s, vfchrimson_4s
from cleo_player import Player, Recorder
from cleo_player.examples import quiet_brian

quiet_brian()
b2.prefs.codegen.target = "numpy"
np.random.seed(7)
cleo.utilities.set_seed(7)

ng = b2.NeuronGroup(
    400,
    \"\"\"dv/dt = (-(v + 70*mV) + Rm*(I_blue + I_red)) / (15*ms) + 4*mV*sqrt(2/(15*ms))*xi : volt
    I_blue : amp
    I_red : amp\"\"\",
    threshold="v > -50*mV",
    reset="v = -70*mV",
    namespace={"Rm": 400 * b2.Mohm},
    method="euler",
    name="L23",
)
ng.v = -70 * b2.mV
assign_coords_rand_rect_prism(ng, xlim=(-0.6, 0.6), ylim=(-0.6, 0.6), zlim=(0.1, 0.5))
sim = cleo.CLSimulator(b2.Network(ng))""",
    ),
    (
        "md",
        """## Lights
A blue optic fibre (473 nm, `fiber473nm`), an amber fibre (590 nm, for a red-shifted opsin), a
wide-field Köhler beam and a two-photon spot (`GaussianEllipsoid`, 1060 nm, drawn dark red as
cleo does).""",
    ),
    (
        "code",
        """sim.inject(chr2_4s(), ng, Iopto_var_name="I_blue")
sim.inject(vfchrimson_4s(), ng, Iopto_var_name="I_red")
blue = Light(name="blue fibre", coords=(-0.4, -0.4, 0) * b2.mm, light_model=fiber473nm(),
             max_value=10 * b2.mwatt / b2.mm2)
amber = Light(name="amber fibres", coords=[[0.4, -0.4, 0], [0.4, 0.4, 0]] * b2.mm,
              light_model=OpticFiber(wavelength=590 * b2.nmeter), max_value=10 * b2.mwatt / b2.mm2)
beam = Light(name="Köhler beam", coords=(-0.3, 0.35, 0) * b2.mm,
             light_model=KoehlerBeam(radius=150 * b2.um, zmax=400 * b2.um), max_value=2 * b2.mwatt / b2.mm2)
spots = Light(name="2P spots", coords=[[0.15, -0.1, 0.3], [0.25, 0.1, 0.35]] * b2.mm,
              light_model=GaussianEllipsoid(wavelength=1060 * b2.nmeter), max_value=30 * b2.mwatt)
for light in (blue, amber, beam, spots):
    sim.inject(light, ng)""",
    ),
    (
        "md",
        """## A multi-shank probe and a two-photon microscope
Four shanks of eight contacts each (`tile_coords`), and a `Scope` imaging GCaMP6f through a
1 mm field of view focused 300 µm deep; the neurons it images are marked.""",
    ),
    (
        "code",
        """shank = linear_shank_coords(0.4 * b2.mm, channel_count=8, start_location=(-0.45, 0.1, 0.1) * b2.mm)
probe = Probe(coords=tile_coords(shank, num_tiles=4, tile_vector=(0.3, 0, 0) * b2.mm), name="probe")
sim.inject(probe, ng)
scope = Scope(sensor=gcamp6f(), img_width=1 * b2.mm, focus_depth=0.3 * b2.mm, location=(0.1, 0, 0) * b2.mm)
sim.inject(scope, ng)
scope.inject_sensor_for_targets()
print(f"{scope.n} neurons imaged")""",
    ),
    (
        "md",
        """## Record, stimulate, play
A processor ramps the blue fibre up, alternates the two amber fibres and pulses the Köhler
beam.""",
    ),
    (
        "code",
        """class Protocol(cleo.ioproc.LatencyIOProcessor):
    def process(self, state_dict, t):
        ms = t / b2.ms
        return {
            "blue fibre": min(ms / 30, 1) * 10 * b2.mwatt / b2.mm2,
            "amber fibres": ([8, 0] if int(ms // 10) % 2 else [0, 8]) * b2.mwatt / b2.mm2,
            "Köhler beam": (2 if int(ms // 5) % 2 else 0) * b2.mwatt / b2.mm2,
            "2P spots": [20, 30] * b2.mwatt,
        }, t


sim.set_io_processor(Protocol(sample_period=1 * b2.ms))
rec = Recorder(dt=1 * b2.ms, devices="all")
sim.inject(rec, ng)
sim.run(40 * b2.ms)
player = Player(sim, colors=["xkcd:grey blue"], zlim=(0, 700))
player""",
    ),
    (
        "md",
        """## Your own 3D objects
Geometry you describe with [pythreejs](https://pythreejs.readthedocs.io) (a brain-region mesh,
an implant, a marker) joins the scene with `player.add(obj)`, in the player's axis units (µm
here: the numbers on the axes; +z is depth). Changing the object from Python updates every
view; `player.remove(obj)` takes it out. Here a translucent slab marks the imaged volume.""",
    ),
    (
        "code",
        """import pythreejs as p3

slab = p3.Mesh(
    p3.BoxGeometry(width=1200, height=1200, depth=400),
    p3.MeshBasicMaterial(color="#a8c8e8", transparent=True, opacity=0.12, depthWrite=False),
    position=(0, 0, 300),
)
corners = np.array([[x, y, z] for x in (-600, 600) for y in (-600, 600) for z in (100, 500)], dtype=np.float32)
edges = [(i, j) for i in range(8) for j in range(i + 1, 8) if np.sum(corners[i] != corners[j]) == 1]
outline = p3.LineSegments(
    p3.BufferGeometry(attributes={"position": p3.BufferAttribute(corners[np.ravel(edges)])}),
    p3.LineBasicMaterial(color="#a8c8e8"),
)
volume = p3.Group(children=(slab, outline), name="imaged volume")
player.add(volume)
[f"{type(obj).__name__} {obj.name!r}" for obj in player.extras]""",
    ),
    ("code", """slab.material.opacity = 0.2  # every view of the player updates"""),
]

SHARING = [
    (
        "md",
        """# Sharing: standalone HTML, videos, notebooks

Three ways to share a run: an interactive HTML file, a video, and the notebook itself with its
players still interactive.""",
    ),
    (
        "code",
        SEED_SETUP
        + """
player = Player(sim, **plotargs)
player.run(100 * b2.ms, progress=False)
fibers.max_value_viz = np.max(fibers.irradiance)
player.refresh()  # brightness follows the new max_value_viz
player""",
    ),
    (
        "md",
        """## A standalone, interactive HTML file
`save_html` writes one file with the player, its controls and the data inlined: it plays
offline from `file://`, with no Python and no Jupyter behind it. Send it, or attach it to a
paper's supplementary material.""",
    ),
    (
        "code",
        """path = player.save_html("seed_tutorial.html")""",
    ),
    (
        "md",
        """## Videos
The matplotlib fallback draws the same scene as `cleo.viz.plot`, frame by frame: `.mp4`,
`.webm` or `.gif` (ffmpeg from `imageio-ffmpeg`). `slowdown_factor` works as in cleo: 10 means
100 ms of simulation last a second; `timeline=True` adds the timeline under the scene (spike
raster, device and custom traces, and a playhead that moves with the frames).""",
    ),
    (
        "code",
        """from pathlib import Path

player.save("seed_tutorial.mp4", slowdown_factor=10, timeline=True)
player.save("seed_tutorial.gif", slowdown_factor=20, dpi=60)
for name in ("seed_tutorial.mp4", "seed_tutorial.gif"):
    print(name, f"{Path(name).stat().st_size / 1e3:.0f} kB")""",
    ),
    (
        "code",
        """from IPython.display import Image

Image(url="seed_tutorial.gif")""",
    ),
    (
        "md",
        """`player.to_html5_video()` returns an HTML `<video>` tag with the mp4 embedded, like
matplotlib's `Animation.to_html5_video()`.

## The notebook, with its players
A notebook exported to HTML keeps its players interactive when its widget state is saved: in
JupyterLab turn on *Settings › Save Widget State Automatically* (or execute it with
`jupyter nbconvert --execute`), then export it. `python -m cleo_player.export notebook.ipynb`
writes one self-contained HTML file whose players play offline.""",
    ),
]


STANDALONE_AND_FILES = [
    (
        "md",
        """# Standalone runs and player files

Big simulations often run elsewhere: brian2's `cpp_standalone` device (or brian2cuda and
brian2genn, which work the same way), a cluster, a parameter sweep. This tutorial runs a plain
brian2 network (no cleo) as a compiled C++ program, plays it, saves it to **one file** that
holds the recording and the whole scene, and replays that file in a fresh Python process that
has neither the network nor cleo.

The workflow: *run big elsewhere, save, play here.*""",
    ),
    (
        "md",
        """## A plain brian2 network, compiled
Neurons need coordinates to be drawn: `x`, `y`, `z` as lengths (`x : meter`) in the equations.
One group of 1,000 LIF neurons, split into excitatory and inhibitory subgroups, in a cylinder
of 300 µm radius; a stimulus drives the neurons near the axis from 80 to 120 ms. With
`set_device("cpp_standalone")`, `run` writes the network as C++ in `build_dir`, compiles it
with g++ and runs it.""",
    ),
    (
        "code",
        """import tempfile

import brian2 as b2
import numpy as np
from cleo_player import Player, Recording
from cleo_player.examples import quiet_brian

quiet_brian()  # keep brian2's INFO messages out of the notebook
build_dir = tempfile.mkdtemp(prefix="standalone_")
b2.set_device("cpp_standalone", directory=build_dir)
b2.seed(2024)
rng = np.random.default_rng(2024)

stim = b2.TimedArray([0, 0, 0, 0, 9, 9, 0, 0, 0, 0] * b2.mV, dt=20 * b2.ms)
lif = \"\"\"
dv/dt = (-65*mV - v + drive + near * stim(t)) / (10*ms) : volt (unless refractory)
drive : volt
near : 1
x : meter
y : meter
z : meter
\"\"\"
neurons = b2.NeuronGroup(
    1000, lif, threshold="v > -50*mV", reset="v = -65*mV", refractory=2 * b2.ms, method="exact", name="neurons"
)
exc, inh = neurons[:800], neurons[800:]
neurons.v = "-65*mV + rand() * 15*mV"
neurons.drive = "13*mV + rand() * 5*mV"
r, theta = 300e-6 * np.sqrt(rng.uniform(size=1000)), rng.uniform(0, 2 * np.pi, 1000)
neurons.x = r * np.cos(theta) * b2.meter
neurons.y = r * np.sin(theta) * b2.meter
neurons.z = rng.uniform(100e-6, 600e-6, 1000) * b2.meter
neurons.near = (r < 150e-6).astype(float)
to_all_e = b2.Synapses(exc, neurons, on_pre="v_post += 0.6*mV")
to_all_e.connect(p=0.05)
to_all_i = b2.Synapses(inh, neurons, on_pre="v_post -= 2.5*mV")
to_all_i.connect(p=0.2)
mon_exc, mon_inh = b2.SpikeMonitor(exc), b2.SpikeMonitor(inh)

b2.run(200 * b2.ms)  # generates, compiles and runs the C++ program""",
    ),
    (
        "md",
        """## Play it
`Recording.from_brian` reads the spike monitors (and their groups' coordinates) once the
device has run; subgroups keep their own neuron numbering. Then `Player` takes the usual
`cleo.viz.plot` arguments. There are no devices here: those come from cleo's Recorder.""",
    ),
    (
        "code",
        """recording = Recording.from_brian([mon_exc, mon_inh], dt=1 * b2.ms, names=["exc", "inh"])
player = Player(recording, colors=["xkcd:tomato", "xkcd:cerulean blue"], zlim=(0, 700))
player""",
    ),
    (
        "md",
        """## Save it: one file, everything the player shows
`player.save("run.npz")` writes the recording and the whole scene: groups with their colours
and sizes, limits and units, every device drawn (light clouds, probe contacts, microscopes),
their recorded values, pythreejs extras, and the player's speed, loop mode and flash decay.
(`.mp4`, `.gif`, `.webm` and `.html` still write videos and pages.)""",
    ),
    (
        "code",
        """path = player.save("run.npz")
print(f"{path}: {path.stat().st_size / 1e3:.0f} kB")""",
    ),
    (
        "md",
        """## Play it elsewhere
The file is all another Python needs: no network, no brian2 device, no cleo. Here a fresh
interpreter opens it, says what it holds and writes it as a standalone HTML page:""",
    ),
    (
        "code",
        """import subprocess
import sys

replay = \"\"\"
import sys
from cleo_player import Player

player = Player("run.npz")
print(player)
print("cleo imported:", "cleo" in sys.modules)
player.save_html("run.html")
\"\"\"
print(subprocess.run([sys.executable, "-c", replay], capture_output=True, text=True, check=True).stdout)""",
    ),
    (
        "md",
        """In another notebook (on your laptop, say, after copying `run.npz` from the cluster), this
is the whole cell:""",
    ),
    (
        "code",
        """from cleo_player import Player

Player("run.npz")""",
    ),
    (
        "md",
        """The same goes for brian2cuda (`set_device("cuda_standalone")`) and brian2genn
(`set_device("genn")`): run, then `Recording.from_brian(...)` on the monitors, then save.
A cleo simulation recorded with `cleo_player.Recorder` saves the same way, devices included:
`Player(sim).save("run.npz")`.""",
    ),
]


def write(name: str, cells: list[tuple[str, str]]) -> Path:
    """Write notebook ``name`` (no outputs) from ``cells``: ("md" or "code", source) pairs."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name.split('.', maxsplit=1)[0][:20]}-{i}"
    path = ROOT / name
    ROOT.mkdir(exist_ok=True)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", store_widget_state=False, resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    nb.metadata.pop("widgets", None)  # the widget state would embed the whole JS bundle
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    return path


NOTEBOOKS = {
    "video_visualization.ipynb": VIDEO_VISUALIZATION,
    "interactive_playback.ipynb": INTERACTIVE_PLAYBACK,
    "live_run.ipynb": LIVE_RUN,
    "devices_gallery.ipynb": DEVICES_GALLERY,
    "sharing.ipynb": SHARING,
    "standalone_and_files.ipynb": STANDALONE_AND_FILES,
}

if __name__ == "__main__":
    for name in sys.argv[1:] or NOTEBOOKS:
        print(write(name, NOTEBOOKS[name]))
