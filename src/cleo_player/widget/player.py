"""The Player: an anywidget that plays a Scene back in three.js, in the notebook.

The recording crosses to the browser once (``_meta`` JSON + ``_data`` binary buffers, see
:mod:`cleo_player.payload`); playback then runs in JavaScript. Every public trait (``frame``,
``playing``, ``speed``, ``loop``, ``decay``, ``height``, ``timeline``, ``timeline_height``) is
synced both ways, so Python can drive the player and observe it. Custom traces for the timeline
(:meth:`Player.add_trace`) travel apart from the recording (``_traces`` + ``_trace_data``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import traitlets
from brian2 import NeuronGroup, Quantity, ms, second
from ipywidgets import widget_serialization

from cleo_player.defaults import DECAY_FRAMES, HEIGHT, LIVE_INTERVAL, LOOP, LOOP_MODES, SLOWDOWN_FACTOR, SPEED
from cleo_player.extras import Extras
from cleo_player.payload import append_message, scene_payload, trace_payload
from cleo_player.recording import Recording
from cleo_player.scene import Scene, validate_plotargs
from cleo_player.traces import Trace, make_trace, trace_color
from cleo_player.widget.bundle import CONTROLS_BUNDLE, PLAYER_BUNDLE, bundle_source, check_built
from cleo_player.widget.live import LiveStream
from cleo_player.widget.source import recorder_for

MIN_TIMELINE_HEIGHT = 40  # px: room for the time axis and a few rows of raster
NOT_RECORDED = "Nothing recorded yet: run the simulation with player.run(T) (or sim.run(T), then player.refresh())."


class Player(anywidget.AnyWidget):
    """Interactive 3D playback of a cleo simulation.

    ``Player(sim, **plotargs)`` plays the Recorder injected in ``sim`` (injecting one if there
    is none); ``Player(rec, **plotargs)`` plays a Recorder. ``plotargs`` are those of
    ``cleo.viz.plot``: ``colors``, ``xlim``/``ylim``/``zlim``, ``axis_scale_unit``,
    ``invert_z``, ``scatterargs``.
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
    timeline = traitlets.Bool(default_value=True).tag(sync=True)
    """Show the timeline under the 3D view: spike raster, device and custom traces, playhead."""
    timeline_height = traitlets.Int(None, allow_none=True).tag(sync=True)
    """Height of the timeline in pixels; None: a third of ``height``."""
    _traces = traitlets.List().tag(sync=True)
    """Custom traces (:meth:`add_trace`): meta per trace; samples in ``_trace_data``."""
    _trace_data = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        source: Any,
        *,
        speed: float = SPEED,
        loop: str = LOOP,
        decay: Quantity | None = None,
        height: int = HEIGHT,
        timeline: bool = True,
        timeline_height: int | None = None,
        neuron_groups: list[NeuronGroup] | None = None,
        **plotargs: Any,
    ) -> None:
        self._plotargs = validate_plotargs(dict(plotargs))
        self._n_frames_live = 0
        self._controls: PlayerControls | None = None
        self._extra_objects = Extras(self._send_extras)
        self._custom_traces: dict[str, Trace] = {}
        self.recorder = recorder_for(source, neuron_groups)
        super().__init__(speed=speed, loop=loop, height=height, timeline=timeline, timeline_height=timeline_height)
        self._uid = self.model_id
        self.refresh()
        self.decay = DECAY_FRAMES * self.recording.dt * 1e3 if decay is None else _to_ms(decay, "decay")

    # --- data -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Rebuild the scene from everything the Recorder holds now and send it once."""
        self.scene = Scene.from_recorder(self.recorder, **self._plotargs)
        self.scene.extras = self._extra_objects.descriptions
        rec = self.scene.recording
        message = "" if rec.n_frames else NOT_RECORDED
        meta, buffers = scene_payload(self.scene, message=message)
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

    def _send_frames(self, msg: dict[str, Any], buffers: list[bytes]) -> None:
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

    @traitlets.validate("timeline_height")
    def _valid_timeline_height(self, proposal: dict) -> int | None:
        value = proposal["value"]
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < MIN_TIMELINE_HEIGHT:
            raise traitlets.TraitError(
                f"timeline_height must be a number of pixels >= {MIN_TIMELINE_HEIGHT}, or None (a third of "
                f"height), got {value!r}."
            )
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
        with self.hold_sync():
            self._extras = objects
            self._extras_data = data
        self.scene.extras = descriptions

    # --- timeline: custom traces ----------------------------------------------------------
    def add_trace(self, name: str, t: Any, values: Any, unit: Any = None, color: Any = None) -> None:
        """Draw a signal you computed on the timeline, on the recording's time axis: e.g. a
        closed-loop processor's estimate, or a population rate.

        ``t``: sample times, a brian2 time array (``t_ms * b2.ms``) or seconds; ``values``: one
        number per time (a brian2 quantity is shown in ``unit``, else in its best unit);
        ``unit``: a label (``"Hz"``) or a brian2 unit; ``color``: any matplotlib colour. A trace
        of the same name is replaced. Saved with the widget state and in :meth:`save_html`;
        the videos draw it with ``timeline=True``.
        """
        old = self._custom_traces.get(name) if isinstance(name, str) else None
        k = list(self._custom_traces).index(name) if old is not None else len(self._custom_traces)
        trace = make_trace(name, t, values, unit, color, default_color=trace_color(k))
        self._custom_traces[trace.name] = trace
        self._send_traces()

    def remove_trace(self, name: str) -> None:
        """Take the custom trace ``name`` off the timeline."""
        if name not in self._custom_traces:
            raise ValueError(f"No trace named {name!r}; traces: {list(self._custom_traces)}.")
        del self._custom_traces[name]
        self._send_traces()

    @property
    def traces(self) -> dict[str, Trace]:
        """The custom traces by name, in the order they were added (a copy)."""
        return dict(self._custom_traces)

    def _send_traces(self) -> None:
        meta, buffers = trace_payload(list(self._custom_traces.values()))
        with self.hold_sync():
            self._traces = meta
            self._trace_data = buffers

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
        if not self.recording.n_frames:  # no Python behind the page: no hint to run anything
            state["_meta"] = {**state["_meta"], "message": "Nothing was recorded when this file was saved."}
        return state

    def to_animation(self, slowdown_factor: float = SLOWDOWN_FACTOR, *, timeline: bool = False, **figargs: Any) -> Any:
        """The matplotlib fallback: a cleo-compatible ``FuncAnimation`` of this scene; with
        ``timeline=True`` the timeline (raster, device and custom traces, playhead) under it.
        """
        from cleo_player import video

        return video.to_animation(
            self.scene,
            slowdown_factor=slowdown_factor,
            timeline=timeline,
            traces=self._video_traces(timeline),
            **figargs,
        )

    def to_html5_video(
        self, slowdown_factor: float = SLOWDOWN_FACTOR, *, timeline: bool = False, **figargs: Any
    ) -> str:
        """An HTML5 ``<video>`` tag (base64 mp4) of the matplotlib fallback (``timeline=True``:
        with the timeline under the scene).
        """
        from cleo_player import video

        return video.to_html5_video(
            self.scene,
            slowdown_factor=slowdown_factor,
            timeline=timeline,
            traces=self._video_traces(timeline),
            **figargs,
        )

    def save(
        self, path: str | Path, slowdown_factor: float = SLOWDOWN_FACTOR, *, timeline: bool = False, **kwargs: Any
    ) -> Path:
        """Export to ``.mp4``, ``.gif`` or ``.webm`` (matplotlib fallback, ffmpeg from
        imageio-ffmpeg; ``timeline=True`` draws the timeline under the scene), or to ``.html``
        (the interactive player, see :meth:`save_html`).
        """
        path = Path(path)
        if path.suffix.lower() in (".html", ".htm"):
            return self.save_html(path)
        from cleo_player import video

        return video.save(
            self.scene,
            path,
            slowdown_factor=slowdown_factor,
            timeline=timeline,
            traces=self._video_traces(timeline),
            **kwargs,
        )

    def _video_traces(self, timeline: bool) -> tuple[Trace, ...]:
        if not isinstance(timeline, bool):
            raise TypeError(f"timeline must be True or False, got {timeline!r}.")
        return tuple(self._custom_traces.values())

    def __repr__(self) -> str:
        rec = self.recording
        groups = ", ".join(f"{g.name}: {g.size} neurons" for g in rec.groups)
        devices = [d.name for d, _ in self.recorder.device_entries]
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
