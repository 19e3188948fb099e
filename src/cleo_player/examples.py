"""Example simulations: the network of cleo's "Video visualization" tutorial.

Used by the demo, the tests and the benchmarks, so they all exercise the same scene our users
start from (cleo's ``docs/tutorials/video_visualization.ipynb``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

C_EXC = "xkcd:tomato"
C_INH = "xkcd:cerulean blue"


@dataclass
class SeedSim:
    """The pieces of the tutorial's simulation that callers want to reach."""

    sim: Any  # cleo.CLSimulator
    exc: Any  # brian2.NeuronGroup
    inh: Any
    fibers: Any  # cleo.light.Light
    mon_e: Any  # brian2.SpikeMonitor
    mon_i: Any
    plotargs: dict


def quiet_brian() -> None:
    """Keep brian2's INFO/WARNING chatter (method choice, namespace clashes) out of outputs."""
    import logging

    import brian2

    brian2.BrianLogger.suppress_name("brian2")
    logging.getLogger("brian2").setLevel(logging.ERROR)


def seed_tutorial(n_e: int = 400, seed: int = 17230616, codegen: str = "numpy") -> SeedSim:
    """Build the tutorial network: EIF exc/inh groups, two 473 nm fibres, open-loop opto.

    ``n_e`` scales the network (``n_i = n_e // 4``). Nothing is injected for visualisation:
    callers inject a ``Recorder`` (or cleo's ``VideoVisualizer``) themselves.
    """
    import brian2.only as b2
    import cleo
    from cleo.coords import assign_coords_uniform_cylinder
    from cleo.light import Light, fiber473nm
    from cleo.opto import chr2_4s

    quiet_brian()
    b2.prefs.codegen.target = codegen
    np.random.seed(seed)  # noqa: NPY002 brian2's numpy target draws from numpy's global generator
    cleo.utilities.set_seed(17900717)
    b2.defaultclock.dt = 0.5 * b2.ms

    n_i = n_e // 4

    def eif(n: int, name: str) -> Any:
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
            method="euler",
            name=name,
        )
        ng.v = -70 * b2.mV
        return ng

    exc = eif(n_e, "exc")
    inh = eif(n_i, "inh")
    w = 250
    p_s = 0.3
    s_ei = b2.Synapses(exc, inh, on_pre="v_post+=W*mV/n_e", namespace={"W": w, "n_e": n_e})
    s_ei.connect(p=p_s)
    s_ie = b2.Synapses(inh, exc, on_pre="v_post-=W*mV/n_i", namespace={"W": w, "n_i": n_i})
    s_ie.connect(p=p_s)
    s_ee = b2.Synapses(exc, exc, on_pre="v_post+=W*mV/n_e", namespace={"W": w, "n_e": n_e})
    s_ee.connect(condition="abs(i-j)<=20")
    mon_e = b2.SpikeMonitor(exc)
    mon_i = b2.SpikeMonitor(inh)
    net = b2.Network(exc, inh, s_ei, s_ie, s_ee, mon_e, mon_i)

    assign_coords_uniform_cylinder(exc, xyz_start=(0, 0, 0.3), xyz_end=(0, 0, 0.4), radius=1)
    assign_coords_uniform_cylinder(inh, xyz_start=(0, 0, 0.3), xyz_end=(0, 0, 0.4), radius=1)

    opsin = chr2_4s()
    fibers = Light(
        coords=[[0, 0, 0], [700, 0, 0]] * b2.um,
        light_model=fiber473nm(),
        max_value=30 * b2.mwatt / b2.mm2,
        save_history=True,
    )
    plotargs = {
        "colors": [C_EXC, C_INH],
        "zlim": (0, 600),
        "scatterargs": {"s": 20},
        "axis_scale_unit": b2.um,
    }

    sim = cleo.CLSimulator(net)
    sim.inject(opsin, exc, Iopto_var_name="I")
    sim.inject(fibers, exc)
    fibers.update([5, 0] * b2.mwatt / b2.mm2)

    class OpenLoopOpto(cleo.ioproc.LatencyIOProcessor):
        def process(self, state_dict: dict, t: Any) -> tuple[dict, Any]:  # noqa: ARG002 cleo's signature
            # random walk stimulation, from the global generator seeded above (as in cleo's tutorial)
            intensities = fibers.irradiance[-1] + np.random.randn(2) * 0.5 * b2.mwatt / b2.mm2  # noqa: NPY002
            intensities[intensities < 0] = 0
            if t > 50 * b2.ms:
                intensities = [0, 5] * b2.mwatt / b2.mm2
            return {"Light": intensities}, t

    sim.set_io_processor(OpenLoopOpto(sample_period=1 * b2.ms))
    return SeedSim(sim, exc, inh, fibers, mon_e, mon_i, plotargs)
