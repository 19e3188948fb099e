"""Shared fixtures: the seed tutorial's simulation, recorded with a Recorder (numpy target)."""

from __future__ import annotations

import matplotlib as mpl
import pytest

mpl.use("Agg")

# notebooks the browser tests open (no stored outputs): not nbval's business
collect_ignore_glob = ["browser/notebooks/*.ipynb"]


@pytest.fixture(scope="session")
def seed_run():
    """The tutorial network run for 100 ms with a Recorder(dt=1 ms, devices="all")."""
    import brian2 as b2
    import numpy as np

    from cleo_player import Recorder
    from cleo_player.examples import seed_tutorial

    s = seed_tutorial()
    rec = Recorder(dt=1 * b2.ms, devices="all")
    s.sim.inject(rec, s.exc, s.inh)
    s.sim.run(100 * b2.ms)
    s.fibers.max_value_viz = np.max(s.fibers.irradiance)
    return s, rec
