"""Small scenes shaped like cleo's documentation tutorials (cleosim 0.20, docs/tutorials/),
for the look tests: each a Player over a short recording (numpy target, seeded).

* electrodes: tall (electrodes.ipynb: 1000 neurons in x, y in ±0.2 mm, z 0.55-0.9 mm, split
  into exc / inh subgroups; a 32-contact linear probe from z = 0.2 mm over 1 mm; zlim 0-1200 µm)
* optogenetics: a 473 nm fibre at z = 0.2 mm above 100 neurons (optogenetics.ipynb), in mm
* all_optical: a 2P scope imaging a plane at 300 µm and its 1060 nm laser (all_optical.ipynb)
* scope_only: the same scope without a laser (its ROI markers in plain sight)
* two_fibres: two fibres of one wavelength, at different powers
"""

from __future__ import annotations

from typing import Any

import brian2.only as b2
import numpy as np

SEED = 18810929  # electrodes.ipynb's


def _setup() -> None:
    import cleo

    from cleo_player.examples import quiet_brian

    quiet_brian()
    b2.prefs.codegen.target = "numpy"
    b2.seed(SEED)
    np.random.seed(SEED)  # noqa: NPY002 (cleo draws coordinates from numpy's global generator)
    cleo.utilities.set_seed(SEED)


def _group(n: int, name: str) -> Any:
    ng = b2.NeuronGroup(
        n, "dv/dt = (1.2 - v) / (10*ms) : 1", threshold="v > 1", reset="v = rand() * 0.5", method="euler", name=name
    )
    ng.v = "rand()"
    return ng


def _record(sim: Any, groups: list, duration_ms: float, **plotargs: Any) -> Any:
    from cleo_player import Player, Recorder

    rec = Recorder(dt=1 * b2.ms)
    sim.inject(rec, *groups)
    sim.run(duration_ms * b2.ms)
    return Player(rec, **plotargs)


def electrodes(duration_ms: float = 20) -> Any:
    import cleo
    from cleo import ephys

    _setup()
    neurons = _group(1000, "neurons")
    cleo.coords.assign_coords_rand_rect_prism(neurons, xlim=(-0.2, 0.2), ylim=(-0.2, 0.2), zlim=(0.55, 0.9))
    exc, inh = neurons[:800], neurons[800:]
    sim = cleo.CLSimulator(b2.Network(neurons))
    coords = ephys.linear_shank_coords(1 * b2.mm, 32, start_location=(0, 0, 0.2) * b2.mm)
    probe = ephys.Probe(coords, save_history=True)
    probe.add_signals(ephys.MultiUnitActivity())
    sim.set_io_processor(cleo.ioproc.RecordOnlyProcessor(sample_period=1 * b2.ms))
    sim.inject(probe, exc)
    return _record(
        sim, [exc, inh], duration_ms, colors=["#d6755e", "#056eee"], zlim=(0, 1200), scatterargs={"alpha": 0.3}
    )


def optogenetics(irradiance: float = 2.0) -> Any:
    """The fibre at ``irradiance`` mW/mm², which is also its max_value: full brightness."""
    import cleo

    _setup()
    ng = _group(100, "neurons")
    cleo.coords.assign_coords_rand_rect_prism(ng, xlim=(-0.1, 0.1), ylim=(-0.1, 0.1), zlim=(0.4, 0.6))
    fiber = cleo.light.Light(
        coords=(0, 0, 0.2) * b2.mm,
        light_model=cleo.light.fiber473nm(),
        name="fiber",
        max_value=irradiance * b2.mwatt / b2.mm2,
    )
    sim = cleo.CLSimulator(b2.Network(ng))
    sim.inject(fiber, ng)
    fiber.update(irradiance * b2.mwatt / b2.mm2)
    plotargs = {"colors": ["xkcd:fuchsia"], "xlim": (-0.2, 0.2), "ylim": (-0.2, 0.2), "zlim": (0, 0.8)}
    return _record(sim, [ng], 3, axis_scale_unit=b2.mm, **plotargs)


def _scope_sim(with_laser: bool, soma_radius_um: float = 5) -> Any:
    import cleo
    from cleo import imaging, light

    _setup()
    ng = _group(200, "neurons")
    cleo.coords.assign_coords_rand_rect_prism(ng, [-0.2, 0.2], [-0.2, 0.2], [0, 0.4])
    sim = cleo.CLSimulator(b2.Network(ng))
    scope = imaging.Scope(focus_depth=100 * b2.um, img_width=500 * b2.um, sensor=imaging.gcamp6f())
    i_targets, _, _ = scope.target_neurons_in_plane(ng, focus_depth=300 * b2.um, soma_radius=soma_radius_um * b2.um)
    sim.inject(scope, ng, focus_depth=None, i_targets=i_targets, sigma_noise=0.01)
    if with_laser:
        laser = light.tp_light_from_scope(scope, wavelength=1060 * b2.nmeter, name="laser", max_value=1 * b2.mwatt)
        sim.inject(laser, ng)
        laser.update(np.full(laser.n, 1.0) * b2.mwatt)  # every spot at full brightness
    return _record(sim, [ng], 3, colors=["#c500cc"])


def all_optical() -> Any:
    return _scope_sim(with_laser=True)


def scope_only() -> Any:
    return _scope_sim(with_laser=False, soma_radius_um=20)  # more imaged neurons


def two_fibres() -> Any:
    import cleo

    _setup()
    ng = _group(300, "neurons")
    cleo.coords.assign_coords_rand_rect_prism(ng, xlim=(-0.4, 0.4), ylim=(-0.2, 0.2), zlim=(0.2, 0.5))
    sim = cleo.CLSimulator(b2.Network(ng))
    lights = []
    for name, x in (("fiber A", -0.2), ("fiber B", 0.2)):
        f = cleo.light.Light(
            coords=(x, 0, 0.25) * b2.mm, light_model=cleo.light.fiber473nm(), name=name, max_value=5 * b2.mwatt / b2.mm2
        )
        sim.inject(f, ng)
        f.update(5 * b2.mwatt / b2.mm2)
        lights.append(f)
    return _record(sim, [ng], 3, colors=["#c500cc"])
