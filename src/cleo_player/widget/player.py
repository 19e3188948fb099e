"""The Player: an anywidget that plays a Scene back in three.js, in the notebook.

The recording crosses to the browser once (``_meta`` JSON + ``_data`` binary buffers, see
:mod:`cleo_player.payload`); playback then runs in JavaScript. Every public trait (``frame``,
``playing``, ``speed``, ``loop``, ``decay``, ``height``) is synced both ways, so Python can drive
the player and observe it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import traitlets
from brian2 import NeuronGroup, Quantity, ms, second
from ipywidgets import widget_serialization

from cleo_player import scene_file
from cleo_player.defaults import (
    DECAY_FRAMES,
    HEIGHT,
    LIVE_INTERVAL,
    LOOP,
    LOOP_MODES,
    SLOWDOWN_FACTOR,
    SPEED,
    WINDOW_BUDGET,
    WINDOW_CHUNK,
    WINDOW_THRESHOLD,
)
from cleo_player.extras import Extras, wire
from cleo_player.payload import SpikeStore, append_message, scene_payload, windowed_payload
from cleo_player.recording import Recording
from cleo_player.scene import validate_plotargs
from cleo_player.widget.bundle import CONTROLS_BUNDLE, PLAYER_BUNDLE, bundle_source, check_built
from cleo_player.widget.live import LiveStream
from cleo_player.widget.source import SavedSceneSource, device_names, recorder_for, scene_for

NOT_RECORDED = "Nothing recorded yet: run the simulation with player.run(T) (or sim.run(T), then player.refresh())."


class Player(anywidget.AnyWidget):
    """Interactive 3D playback of a cleo simulation.

    ``Player(sim, **plotargs)`` plays the Recorder injected in ``sim`` (injecting one if there
    is none); ``Player(rec, **plotargs)`` plays a Recorder, or a Recording (without device
    geometry). ``plotargs`` are those of ``cleo.viz.plot``: ``colors``, ``xlim``/``ylim``/``zlim``,
    ``axis_scale_unit``, ``invert_z``, ``scatterargs``.

    ``Player("run.npz")`` plays a file written by ``player.save("run.npz")`` as it was shown
    (its scene, devices, extras, speed, loop, decay and height; keyword arguments override the
    last four), without cleo.
    """

    _esm = check_built(PLAYER_BUNDLE)

    frame = traitlets.Int(0).tag(sync=True)
    """Index of the frame shown (synced both ways; set it to seek)."""
    playing = traitlets.Bool(False).tag(sync=True)
    """Whether the player is playing (synced both ways)."""
    speed = traitlets.Float(SPEED).tag(sync=True)
    """Playback rate relative to real time (0.1 = ten times slower than real time)."""
    loop = traitlets.Unicode(LOOP).tag(sync=True)
    """What happens at the end: "loop", "once" or "pingpong"."""
    decay = traitlets.Float(0.0).tag(sync=True)
    """How long (ms of simulated time) a spike's flash takes to fade; 0 = one-frame flash."""
    height = traitlets.Int(HEIGHT).tag(sync=True)
    """Height of the 3D view in pixels."""
    _meta = traitlets.Dict().tag(sync=True)
    _uid = traitlets.Unicode().tag(sync=True)
    """Identifies the player to every view of it (each view may get its own model proxy)."""
    _data = traitlets.Dict().tag(sync=True)
    _extras = traitlets.List().tag(sync=True)
    """Scene extras (pythreejs objects, see :meth:`add`) as JSON; arrays in ``_extras_data``."""
    _extras_data = traitlets.Dict().tag(sync=True)

    window_threshold: int = WINDOW_THRESHOLD
    """Bytes of spike data above which the browser holds only a window of frames around the
    playhead, fetched from the kernel as it plays (the standalone page still holds them all)."""
    window_chunk_bytes: int = WINDOW_CHUNK
    """Bytes of spike data per chunk of frames fetched."""
    window_budget_bytes: int = WINDOW_BUDGET
    """Bytes of spike data the browser holds at most (at least four of the largest chunks)."""

    def __init__(
        self,
        source: Any,
        *,
        speed: float | None = None,
        loop: str | None = None,
        decay: Quantity | None = None,
        height: int | None = None,
        neuron_groups: list[NeuronGroup] | None = None,
        **plotargs: Any,
    ) -> None:
        self._plotargs = validate_plotargs(dict(plotargs))
        self._n_frames_live = 0
        self._controls: PlayerControls | None = None
        self._extra_objects = Extras(self._send_extras)
        self._spike_store: SpikeStore | None = None
        self._live_bytes = 0
        self.recorder = recorder_for(source, neuron_groups)
        saved = self.recorder.view if isinstance(self.recorder, SavedSceneSource) else {}
        if saved and self._plotargs:
            raise TypeError(
                f"{self.recorder.name} holds its scene as it was drawn: plot arguments "
                f"({', '.join(self._plotargs)}) do not apply. Play its recording with new ones: "
                f"Player(Recording.load(path), {', '.join(self._plotargs)}=...)."
            )
        self._saved_extras = list(self.recorder.scene.extras) if isinstance(self.recorder, SavedSceneSource) else []
        super().__init__(
            speed=saved.get("speed", SPEED) if speed is None else speed,
            loop=saved.get("loop", LOOP) if loop is None else loop,
            height=saved.get("height", HEIGHT) if height is None else height,
        )
        self._uid = self.model_id
        self.on_msg(self._on_front_message)
        self.refresh()
        if self._saved_extras:
            self._send_extras([], [], {})
        if decay is not None:
            self.decay = _to_ms(decay, "decay")
        else:
            self.decay = saved.get("decay", DECAY_FRAMES * self.recording.dt * 1e3)

    # --- data -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Rebuild the scene from everything the Recorder holds now and send it once."""
        self.scene = scene_for(self.recorder, self._plotargs)
        self.scene.extras = [*self._saved_extras, *self._extra_objects.descriptions]
        rec = self.scene.recording
        message = "" if rec.n_frames else NOT_RECORDED
        meta, buffers = scene_payload(self.scene, message=message)
        meta, buffers, self._spike_store = windowed_payload(
            meta,
            buffers,
            threshold=self.window_threshold,
            chunk_bytes=self.window_chunk_bytes,
            budget_bytes=self.window_budget_bytes,
        )
        self._n_frames_live = 0
        with self.hold_sync():
            self._meta = meta
            self._data = buffers
            if self.frame >= max(rec.n_frames, 1):
                self.frame = max(rec.n_frames - 1, 0)

    @property
    def recording(self) -> Recording:
        return self.scene.recording

    @property
    def n_frames(self) -> int:
        return self.recording.n_frames

    def run(
        self, duration: Quantity, progress: bool = True, *, update_interval: float = LIVE_INTERVAL, **run_kwargs: Any
    ) -> None:
        """Run the simulation for ``duration`` as ``sim.run(duration, **run_kwargs)`` would where
        this is called (names in the model's equations resolve in the caller's namespace),
        streaming new frames into the displayed scene every ``update_interval`` seconds.

        A progress bar follows the simulated time. Only new frames cross to the browser while
        it runs; afterwards the player holds the full recording, as if built from the run.
        """
        sim = self.recorder.sim
        if sim is None:
            raise ValueError(f"Recorder {self.recorder.name!r} is not injected into a simulator: sim.inject(rec, ng).")
        total_ms = _to_ms(duration, "duration")
        if not total_ms > 0:
            raise ValueError(f"duration must be positive, got {duration!r}.")
        # sim.run resolves names `level` frames above itself (1: its caller); this call adds one
        run_kwargs["level"] = int(run_kwargs.get("level", 1)) + 1
        if self.recording.n_frames == 0:
            self._meta = {**self._meta, "message": ""}
        layout = self._meta["tracks"]
        # the browser gets the new frames while they fit in it; a bigger recording is shown
        # (windowed) when the run ends
        store = self._spike_store
        self._live_bytes = len(store.spike_idx) if store is not None else len(self._data["spike_idx"])
        stream = LiveStream(
            self.recorder.frames_since,
            lambda span: append_message(span, layout),
            self._send_frames,
            first=self.recording.n_frames,
            interval=update_interval,
        )
        bar = _progress_bar(total_ms, progress)
        t_start_ms = float(sim.network.t / ms)

        def on_frame(_: Any) -> None:
            if self._live_bytes <= self.window_threshold:
                stream()
            if bar is not None:
                bar.n = round(min(float(sim.network.t / ms) - t_start_ms, total_ms), 3)
                bar.refresh()

        self.recorder.add_listener(on_frame)
        try:
            sim.run(duration, **run_kwargs)
        finally:
            self.recorder.remove_listener(on_frame)
            if bar is not None:
                bar.n = total_ms
                bar.close()
            self.refresh()

    def _on_front_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """Requests from the browser: chunks of a windowed recording's spikes."""
        store = self._spike_store
        if not isinstance(content, dict) or content.get("type") != "spike_chunks" or store is None:
            return
        if content.get("key") != store.key:  # asked for by a view of data since replaced
            return
        for chunk in content.get("chunks", []):
            if isinstance(chunk, int) and 0 <= chunk < store.n_chunks:
                self.send(*store.chunk_message(chunk))

    def _send_frames(self, msg: dict[str, Any], buffers: list[bytes]) -> None:
        self._live_bytes += len(buffers[msg["buffers"].index("spike_idx")])
        self.send(msg, buffers)
        self._n_frames_live = msg["n_frames"]

    # --- Python control -------------------------------------------------------------------
    @traitlets.validate("frame")
    def _valid_frame(self, proposal: dict) -> int:
        value = int(proposal["value"])
        n = max(self.recording.n_frames, self._n_frames_live) if hasattr(self, "scene") else 0
        if n and not 0 <= value < n:
            raise traitlets.TraitError(f"frame must be in 0..{n - 1}, got {value}.")
        return value

    @traitlets.validate("speed")
    def _valid_speed(self, proposal: dict) -> float:
        value = float(proposal["value"])
        if not (np.isfinite(value) and value > 0):
            raise traitlets.TraitError(
                f"speed must be a positive number (1 = real time, 0.1 = 10x slower), got {value}."
            )
        return value

    @traitlets.validate("loop")
    def _valid_loop(self, proposal: dict) -> str:
        if proposal["value"] not in LOOP_MODES:
            raise traitlets.TraitError(f"loop must be one of {LOOP_MODES}, got {proposal['value']!r}.")
        return str(proposal["value"])

    @traitlets.validate("decay")
    def _valid_decay(self, proposal: dict) -> float:
        value = float(proposal["value"])
        if not (np.isfinite(value) and value >= 0):
            raise traitlets.TraitError(f"decay must be a number of ms >= 0, got {value}.")
        return value

    @traitlets.validate("height")
    def _valid_height(self, proposal: dict) -> int:
        value = proposal["value"]
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
            raise traitlets.TraitError(f"height must be a positive number of pixels, got {value!r}.")
        return int(value)

    @property
    def time(self) -> Quantity:
        """Simulated time of the frame shown (the start of its window)."""
        rec = self.recording
        if not rec.n_frames:
            return rec.t_end * second
        return float(rec.frame_t[self.frame]) * second

    def play(self) -> None:
        """Start playback in the browser."""
        self.playing = True

    def pause(self) -> None:
        """Pause playback."""
        self.playing = False

    def seek(self, t: Quantity) -> None:
        """Show the frame at simulated time ``t`` (e.g. ``player.seek(50*ms)``)."""
        rec = self.recording
        t_s = _to_ms(t, "t") / 1e3
        if not rec.n_frames:
            raise ValueError("Nothing recorded yet: run the simulation first.")
        if not rec.t_start - 1e-12 <= t_s <= rec.t_end + 1e-12:
            raise ValueError(
                f"t = {t_s * 1e3:g} ms is outside the recording ({rec.t_start * 1e3:g} to {rec.t_end * 1e3:g} ms)."
            )
        self.frame = rec.frame_at(t_s)

    # --- scene extras (pythreejs objects) --------------------------------------------------
    def add(self, *objects: Any) -> None:
        """Draw pythreejs objects in the scene: ``Mesh``, ``Points``, ``Line``, ``LineSegments``,
        ``LineLoop`` or ``Group`` (see :mod:`cleo_player.extras` for the geometries and materials).

        Coordinates are in the scene's axis units (``axis_scale_unit``, µm by default), the
        neurons' coordinates on the axes; +z is depth. Changing an added object's traits from
        Python (``mesh.position = ...``, ``mesh.material.opacity = ...``) updates the player.
        Needs pythreejs (``pip install "cleo-player[pythreejs]"``).
        """
        self._extra_objects.add(objects)

    def remove(self, *objects: Any) -> None:
        """Take objects added with :meth:`add` out of the scene."""
        self._extra_objects.remove(objects)

    @property
    def extras(self) -> tuple[Any, ...]:
        """The pythreejs objects in the scene, in the order they were added."""
        return self._extra_objects.objects

    def _send_extras(self, descriptions: list, objects: list, data: dict) -> None:
        if self._saved_extras:  # a file's extras (descriptions, no pythreejs objects) come first
            descriptions = [*self._saved_extras, *descriptions]
            objects, data = wire(descriptions)
        with self.hold_sync():
            self._extras = objects
            self._extras_data = data
        self.scene.extras = descriptions

    # --- views ----------------------------------------------------------------------------
    @property
    def controls(self) -> PlayerControls:
        """A controls-only view of this player (e.g. for the JupyterLab sidebar)."""
        if self._controls is None:
            self._controls = PlayerControls(player=self)
        return self._controls

    def show_controls(self, sidebar: bool = True, title: str = "cleo-player") -> Any:
        """Show the controls; in the JupyterLab sidebar (``sidecar``) when ``sidebar``.

        Returns the Sidecar (close it with ``.close()``) or None.
        """
        from IPython.display import display

        if not sidebar:
            display(self.controls)
            return None
        from sidecar import Sidecar

        sc = Sidecar(title=title)
        with sc:
            display(self.controls)
        return sc

    # --- export ---------------------------------------------------------------------------
    def save_html(self, path: str | Path, title: str | None = None) -> Path:
        """Write one self-contained HTML file (bundle and data inlined) that plays offline."""
        from cleo_player.widget.html import standalone_html

        path = Path(path)
        if title is None:
            rec = self.recording
            title = f"cleo-player: {', '.join(g.name for g in rec.groups)} ({rec.t_end * 1e3:g} ms)"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(standalone_html(self.page_state(), bundle_source(), title), encoding="utf-8")
        return path

    def page_state(self) -> dict[str, Any]:
        """The Player's own synced traits as a page without Python starts from (paused)."""
        state = {name: getattr(self, name) for name in Player.class_own_traits(sync=True)}
        state["playing"] = False
        if self._spike_store is not None:  # no kernel behind the page: every spike in it
            state["_data"] = {**state["_data"], "spike_idx": self._spike_store.spike_idx}
            state["_meta"] = {**state["_meta"], "window": None}
        if not self.recording.n_frames:  # no Python behind the page: no hint to run anything
            state["_meta"] = {**state["_meta"], "message": "Nothing was recorded when this file was saved."}
        return state

    def to_animation(self, slowdown_factor: float = SLOWDOWN_FACTOR, **figargs: Any) -> Any:
        """The matplotlib fallback: a cleo-compatible ``FuncAnimation`` of this scene."""
        from cleo_player import video

        return video.to_animation(self.scene, slowdown_factor=slowdown_factor, **figargs)

    def to_html5_video(self, slowdown_factor: float = SLOWDOWN_FACTOR, **figargs: Any) -> str:
        """An HTML5 ``<video>`` tag (base64 mp4) of the matplotlib fallback."""
        from cleo_player import video

        return video.to_html5_video(self.scene, slowdown_factor=slowdown_factor, **figargs)

    def save(self, path: str | Path, slowdown_factor: float = SLOWDOWN_FACTOR, **kwargs: Any) -> Path:
        """Export to ``.npz`` (a player file: the recording and the whole scene, replayed by
        ``Player(path)`` without cleo), to ``.mp4``, ``.gif`` or ``.webm`` (matplotlib fallback,
        ffmpeg from imageio-ffmpeg), or to ``.html`` (the interactive player, see :meth:`save_html`).
        """
        path = Path(path)
        if path.suffix.lower() == ".npz":
            if kwargs:
                raise TypeError(f"A player file takes no export options, got {', '.join(kwargs)}.")
            view = {"speed": self.speed, "loop": self.loop, "decay": self.decay, "height": self.height}
            return scene_file.save(path, self.scene, view=view)
        if path.suffix.lower() in (".html", ".htm"):
            return self.save_html(path)
        from cleo_player import video

        return video.save(self.scene, path, slowdown_factor=slowdown_factor, **kwargs)

    def __repr__(self) -> str:
        rec = self.recording
        groups = ", ".join(f"{g.name}: {g.size} neurons" for g in rec.groups)
        devices = device_names(self.recorder)
        dev = f"; devices: {', '.join(devices)}" if devices else ""
        return f"Player({groups}; {rec.n_frames} frames of {rec.dt * 1e3:g} ms{dev})"


def _progress_bar(total_ms: float, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(
        total=total_ms,
        unit="ms",
        desc="Simulating",
        bar_format="{l_bar}{bar}| {n:.1f}/{total:.1f} ms [{elapsed}<{remaining}]",
    )


def _to_ms(t: Any, name: str) -> float:
    if isinstance(t, Quantity):
        if t.dim != second.dim:
            raise ValueError(f"{name} must be a time, e.g. 5*ms; got {t!r}.")
        return float(t / ms)
    if isinstance(t, (int, float, np.floating, np.integer)) and t == 0:
        return 0.0
    raise ValueError(f"{name} must be a brian2 time quantity, e.g. 5*ms; got {t!r}.")


class PlayerControls(anywidget.AnyWidget):
    """The control bar of a Player, on its own: same clock, same state, in sync."""

    _esm = check_built(CONTROLS_BUNDLE)
    player = traitlets.Instance(Player).tag(sync=True, **widget_serialization)

    def __init__(self, player: Player) -> None:
        super().__init__(player=player)

    def __repr__(self) -> str:
        return f"PlayerControls(of {self.player!r})"
