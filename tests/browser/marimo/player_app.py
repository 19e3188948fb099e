"""marimo app of the host matrix (tests/browser/test_hosts.py): the grid player of hosts.ipynb
(100 neurons on a 10 x 10 grid, neuron k spikes in frame k), shown as a cell's output."""

import marimo

app = marimo.App()


@app.cell
def _():
    import numpy as np

    from cleo_player import Player
    from cleo_player.recording import GroupData, Recording

    dt = 1e-3
    frame_t = np.arange(100) * dt
    ij = np.stack(np.meshgrid(np.arange(10), np.arange(10), indexing="ij"), -1).reshape(-1, 2)
    positions = np.column_stack([ij * 100e-6, np.full(100, 300e-6)])
    group = GroupData.from_spikes("grid", positions, np.arange(100), frame_t + 0.3 * dt, frame_t, dt)
    grid = Player(
        Recording(dt, frame_t, 100 * dt, (group,)),
        colors=["xkcd:tomato"],
        xlim=(-50, 950),
        ylim=(-50, 950),
        zlim=(0, 600),
        scatterargs={"s": 40},
    )
    return (grid,)


@app.cell
def _(grid):
    grid  # noqa: B018 - a marimo cell shows its last expression


if __name__ == "__main__":
    app.run()
