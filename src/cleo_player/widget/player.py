"""The Player: an anywidget that plays a Scene back in three.js, in the notebook.

The recording crosses to the browser once (``_meta`` JSON + ``_data`` binary buffers, see
:mod:`cleo_player.payload`); playback then runs in JavaScript. Every public trait (``frame``,
``playing``, ``speed``, ``loop``, ``decay``, ``height``, ``timeline``, ``timeline_height``,
``selected``, ``hidden``) is synced both ways, so Python can drive the player and observe it.
Custom traces for the timeline (:meth:`Player.add_trace`) travel apart from the recording
(``_traces`` + ``_trace_data``).
"""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
import warnings
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
from cleo_player.payload import SpikeStore, append_message, scene_payload, trace_payload, windowed_payload
from cleo_player.recording import Recording
from cleo_player.scene import Scene, validate_plotargs
from cleo_player.traces import Trace, make_trace, trace_color
from cleo_player.widget.bundle import CONTROLS_BUNDLE, PLAYER_BUNDLE, bundle_source
from cleo_player.widget.frontend import FrontEnd, class_esm, in_marimo, instance_traits
from cleo_player.widget.inspection import selection_json, still_valid, valid_hidden, valid_selected
from cleo_player.widget.live import LiveStream
from cleo_player.widget.source import (
    PendingRecorder,
    SavedSceneSource,
    device_names,
    recorder_for,
    scene_for,
)

MIN_TIMELINE_HEIGHT = 40  # px: room for the time axis and a few rows of raster
NOT_RECORDED = "Nothing recorded yet: run the simulation with player.run(T) (or sim.run(T), then player.refresh())."
PREVIEW_SIZE = (480, 360)
"""Pixels of the static PNG preview in the Player's output (where widgets are not shown)."""
PREVIEW_MAX_NEURONS = 20_000
"""Neurons above which the output carries no PNG preview: matplotlib draws one in about 0.4 s
per 10,000 neurons, before the player itself reaches the page."""
SCREENSHOT_TIMEOUT = 10.0
"""Seconds ``screenshot()`` waits for the browser's answer."""
SCREENSHOT_RESEND = 1.0
"""Seconds between two sends of a screenshot request (a view that appears late hears it)."""
MAX_SCREENSHOT_SCALE = 8.0
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class InvalidSettingError(traitlets.TraitError, ValueError):
    """A bad value for a Player setting: a ValueError to callers, a TraitError to traitlets."""


def _number(value: Any, name: str, allowed: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidSettingError(f"{name} must be {allowed}; got {value!r}.")
    return float(value)


def valid_speed(value: Any) -> float:
    """The playback rate: a positive finite number (1 = real time)."""
    allowed = "a positive finite number (1 = real time, 0.1 = 10x slower)"
    v = _number(value, "speed", allowed)
    if not (np.isfinite(v) and v > 0):
        raise InvalidSettingError(f"speed must be {allowed}; got {value!r}.")
    return v


def valid_loop(value: Any) -> str:
    """What playback does at the end: one of LOOP_MODES."""
    if value not in LOOP_MODES:
        raise InvalidSettingError(f"loop must be one of {LOOP_MODES}; got {value!r}.")
    return str(value)


def valid_decay(value: Any) -> float:
    """A flash's fade time in ms: a finite number >= 0."""
    allowed = "a finite time >= 0 (e.g. decay=4*ms; a number of ms for the trait)"
    v = _number(value, "decay", allowed)
    if not (np.isfinite(v) and v >= 0):
        raise InvalidSettingError(f"decay must be {allowed}; got {value!r}.")
    return v


def valid_height(value: Any) -> int:
    """The view's height: a positive whole number of pixels."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise InvalidSettingError(f"height must be a positive whole number of pixels; got {value!r}.")
    return int(value)


class Checked(traitlets.TraitType):
    """A trait whose every value goes through ``check`` (which returns it, or raises a ValueError
    naming the setting and what it allows), whatever its type.
    """

    def __init__(self, default: Any, check: Any) -> None:
        self.check = check
        super().__init__(default)

    def validate(self, obj: Any, value: Any) -> Any:  # noqa: ARG002 (traitlets' signature)
        """The value, checked (a clear ValueError otherwise)."""
        return self.check(value)


class Player(anywidget.AnyWidget):
    """Interactive 3D playback of a cleo simulation.

    ``Player(sim, **plotargs)`` plays the Recorder injected in ``sim`` (injecting one if there
    is none, for ``neuron_groups`` or the groups found as :mod:`cleo_player.widget.source`
    describes, in a documented order); ``Player(rec, **plotargs)`` plays a Recorder.
    ``plotargs`` are those of ``cleo.viz.plot``: ``colors`` (a list, one per group, or a dict
    ``{group name: colour}``), ``xlim``/``ylim``/``zlim``, ``axis_scale_unit``, ``invert_z``,
    ``scatterargs``. Everything is checked before anything is injected: a ``Player(...)``
    that raises leaves ``sim`` as it was.

    ``Player("run.npz")`` plays a file written by ``player.save("run.npz")`` as it was shown
    (its scene, devices, extras, speed, loop, decay, height, selected neurons and hidden groups;
    keyword arguments override speed, loop, decay and height), without cleo.
    ``Player(recording, **plotargs)`` plays a Recording (without device geometry).
    """

    _esm = class_esm("player", PLAYER_BUNDLE)
    _frontend = traitlets.Instance(FrontEnd, allow_none=True).tag(sync=True, **widget_serialization)
    """The kernel's shared front end, which ``_esm`` (a small loader) imports once per page."""

    frame = traitlets.Int(0).tag(sync=True)
    """Index of the frame shown (synced both ways; set it to seek)."""
    playing = traitlets.Bool(default_value=False).tag(sync=True)
    """Whether the player is playing (synced both ways)."""
    speed = Checked(SPEED, valid_speed).tag(sync=True)
    """Playback rate relative to real time (0.1 = ten times slower than real time)."""
    loop = Checked(LOOP, valid_loop).tag(sync=True)
    """What happens at the end: "loop", "once" or "pingpong"."""
    decay = Checked(0.0, valid_decay).tag(sync=True)
    """How long (ms of simulated time) a spike's flash takes to fade; 0 = one-frame flash."""
    height = Checked(HEIGHT, valid_height).tag(sync=True)
    """Height of the 3D view in pixels."""
    _epoch = traitlets.Int(0).tag(sync=True)
    """Counts Python's seeks and pauses; the views answer each in ``_ack`` (see set_state)."""
    _ack = traitlets.Int(0).tag(sync=True)
    _meta = traitlets.Dict().tag(sync=True)
    _uid = traitlets.Unicode().tag(sync=True)
    """Identifies the player to every view of it (each view may get its own model proxy)."""
    _data = traitlets.Dict().tag(sync=True)
    _extras: traitlets.List[Any] = traitlets.List().tag(sync=True)
    """Scene extras (pythreejs objects, see :meth:`add`) as JSON; arrays in ``_extras_data``."""
    _extras_data = traitlets.Dict().tag(sync=True)
    timeline = traitlets.Bool(default_value=True).tag(sync=True)
    """Show the timeline under the 3D view: spike raster, device and custom traces, playhead."""
    timeline_height = traitlets.Int(None, allow_none=True).tag(sync=True)
    """Height of the timeline in pixels; None: a third of ``height``."""
    selected = traitlets.Any([]).tag(sync=True, to_json=selection_json)
    """The selected neurons, ``[(group name, index), ...]`` (index within its group): a click on
    a neuron selects it, shift-click adds or removes it, a click on empty space clears. Set it to
    select from Python; observe it (``player.observe(fn, "selected")``) to follow the clicks."""
    hidden = traitlets.Any([]).tag(sync=True)
    """Names of the neuron groups hidden (in 3D and in the timeline): a click on a legend entry
    hides or shows its group; settable from Python."""
    _traces: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)
    """Custom traces (:meth:`add_trace`): meta per trace; samples in ``_trace_data``."""
    _trace_data = traitlets.Dict().tag(sync=True)

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
        timeline: bool = True,
        timeline_height: int | None = None,
        neuron_groups: list[NeuronGroup] | None = None,
        **plotargs: Any,
    ) -> None:
        self._from_view = False
        # everything is checked before a Recorder is injected: a failed Player leaves sim as it was
        self._plotargs = validate_plotargs(dict(plotargs))
        speed = None if speed is None else valid_speed(speed)
        loop = None if loop is None else valid_loop(loop)
        height = None if height is None else valid_height(height)
        decay_ms = None if decay is None else valid_decay(_to_ms(decay, "decay"))
        self._n_frames_live = 0
        self._controls: PlayerControls | None = None
        self._extra_objects = Extras(self._send_extras)
        self._screenshots: dict[str, tuple[bytes | None, str]] = {}
        self._awaited: set[str] = set()
        self._preview: tuple[tuple, bytes] | None = None
        self._spike_store: SpikeStore | None = None
        self._custom_traces: dict[str, Trace] = {}
        self._live_bytes = 0
        recorder = recorder_for(source, neuron_groups, self._plotargs.get("colors"))
        saved = recorder.view if isinstance(recorder, SavedSceneSource) else {}
        if saved and self._plotargs:
            raise TypeError(
                f"{recorder.name} holds its scene as it was drawn: plot arguments "
                f"({', '.join(self._plotargs)}) do not apply. Play its recording with new ones: "
                f"Player(Recording.load(path), {', '.join(self._plotargs)}=...)."
            )
        if isinstance(recorder, PendingRecorder):
            with warnings.catch_warnings():  # they come again when the scene is built for real
                warnings.simplefilter("ignore")
                scene_payload(Scene.from_recorder(recorder, **self._plotargs))
            recorder = recorder.inject()
        self.recorder = recorder
        self._saved_extras = list(recorder.scene.extras) if isinstance(recorder, SavedSceneSource) else []
        super().__init__(
            speed=saved.get("speed", SPEED) if speed is None else speed,
            loop=saved.get("loop", LOOP) if loop is None else loop,
            height=saved.get("height", HEIGHT) if height is None else height,
            timeline=timeline,
            timeline_height=timeline_height,
            selected=[],  # lists of their own (the class default is shared)
            hidden=[],
            **instance_traits(PLAYER_BUNDLE),
        )
        self.on_msg(self._on_front_end_msg)
        self.on_msg(self._on_front_message)
        # marimo's widget manager does not hand a model its own model by id (it waits, then logs an
        # error): there each view keeps its own model proxy, with no id to share state under
        self._uid = "" if in_marimo() else self.model_id
        self.refresh()
        if self._saved_extras:
            self._send_extras([], [], {})
        self.hidden = saved.get("hidden", [])
        self.selected = saved.get("selected", [])
        if decay_ms is not None:
            self.decay = decay_ms
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
        selected, hidden = still_valid(self.selected, self.hidden, self._group_sizes())
        with self.hold_sync():
            self._meta = meta
            self._data = buffers
            self.selected = selected
            self.hidden = hidden
            if self.frame >= max(rec.n_frames, 1):
                self.frame = max(rec.n_frames - 1, 0)

    @property
    def recording(self) -> Recording:
        """The recording shown (as of the last :meth:`refresh`)."""
        return self.scene.recording

    @property
    def n_frames(self) -> int:
        """Number of frames of the recording shown."""
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
        if not (np.isfinite(total_ms) and total_ms > 0):
            raise ValueError(f"duration must be a positive finite time, got {duration!r}.")
        # sim.run resolves names `level` frames above itself (1: its caller); this call adds one
        level = run_kwargs.get("level", 1)
        if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or level < 0:
            raise ValueError(f"level must be a whole number of stack frames >= 0, as for sim.run; got {level!r}.")
        run_kwargs["level"] = int(level) + 1
        if self.recorder.n_frames != self.recording.n_frames:
            # the Recorder changed since the view was last told (sim.reset(), or sim.run called
            # directly): show what it holds now, so that the new frames follow on from there
            self.refresh()
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
    # While playing, the browser tells Python the frame at most every 100 ms; a message of it
    # may still be on its way when Python pauses or seeks. Each seek or pause from Python counts
    # in ``_epoch``; the views answer with ``_ack`` once they have applied it, and a frame that
    # arrives before that answer is stale: Python's own frame stands (and its echo tells the
    # views). Setting ``frame`` to the value Python already holds is sent all the same: the
    # view may show another frame (it ran ahead while playing).
    def set_state(self, sync_data: dict) -> None:
        """State from the browser (see above for stale frames)."""
        if "frame" in sync_data and self._ack < self._epoch:
            sync_data = {**sync_data, "frame": self.frame}
        self._from_view = True
        try:
            super().set_state(sync_data)
        finally:
            self._from_view = False

    @traitlets.observe("frame", "playing")
    def _python_took_control(self, change: dict) -> None:
        if not self._from_view and change["old"] != change["new"]:
            self._epoch += 1

    @traitlets.validate("frame")
    def _valid_frame(self, proposal: dict) -> int:
        value = int(proposal["value"])
        n = max(self.recording.n_frames, self._n_frames_live) if hasattr(self, "scene") else 0
        if n and not 0 <= value < n:
            raise traitlets.TraitError(f"frame must be in 0..{n - 1}, got {value}.")
        if not self._from_view and value == self.frame and self.comm is not None:
            self.send_state("frame")  # no change to traitlets, maybe one to the view
            self._epoch += 1
        return value

    @traitlets.validate("timeline_height")
    def _valid_timeline_height(self, proposal: dict) -> int | None:
        value = proposal["value"]
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < MIN_TIMELINE_HEIGHT:
            raise InvalidSettingError(
                f"timeline_height must be a number of pixels >= {MIN_TIMELINE_HEIGHT}, or None (a third of "
                f"height), got {value!r}."
            )
        return int(value)

    def _group_sizes(self) -> dict[str, int]:
        """Each shown group's name and number of neurons."""
        return {g.name: len(g.positions) for g in self.scene.groups} if hasattr(self, "scene") else {}

    @traitlets.validate("selected")
    def _valid_selected(self, proposal: dict) -> list[tuple[str, int]]:
        return valid_selected(proposal["value"], self._group_sizes())

    @traitlets.validate("hidden")
    def _valid_hidden(self, proposal: dict) -> list[str]:
        return valid_hidden(proposal["value"], self._group_sizes())

    @property
    def time(self) -> Quantity:
        """Simulated time of the frame shown: the start of its window.

        The player's readout shows the window, e.g. "t = 99.0–100.0 / 100.0 ms" for the last
        frame of a 100 ms run.
        """
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

    # --- pictures -------------------------------------------------------------------------
    async def screenshot(self, scale: float = 1, *, timeout: float = SCREENSHOT_TIMEOUT) -> bytes:
        """PNG bytes of the 3D view exactly as shown in the browser, from the browser.

        The picture is the canvas with its legend (camera and frame as shown), rendered at
        ``scale`` times the screen's pixel ratio (e.g. 2 or 3 for print)::

            png = await player.screenshot(scale=2)
            Path("figure.png").write_bytes(png)

        The browser draws the picture, so the player must be on screen in a running notebook
        (JupyterLab, Notebook 7, VS Code, ...); it may be displayed in the same cell. Python
        asks the view for the picture and waits for its answer. A notebook cell that is busy
        cannot receive messages, so the wait is ``await``-ed: while the cell awaits, the kernel
        (ipykernel 7.4 or later) receives the browser's answer. Without a browser view (a
        script, nbconvert, nbval) nobody answers: it raises a ``TimeoutError``; use
        ``cleo_player.video.render_frame(player.scene, player.frame)`` for matplotlib's
        picture instead. The camera button in the control bar saves the same PNG as a file.
        """
        if isinstance(scale, bool) or not isinstance(scale, (int, float, np.integer, np.floating)):
            raise TypeError(f"scale must be a number, got {scale!r}.")
        if not (np.isfinite(scale) and 0 < scale <= MAX_SCREENSHOT_SCALE):
            raise ValueError(
                f"scale must be in (0, {MAX_SCREENSHOT_SCALE:g}] (times the screen's pixel ratio), got {scale!r}."
            )
        if not (isinstance(timeout, (int, float)) and np.isfinite(timeout) and timeout > 0):
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}.")
        _check_kernel_receives_while_awaiting()
        request = uuid.uuid4().hex
        message = {"type": "screenshot", "id": request, "scale": float(scale)}
        self._awaited.add(request)
        try:
            deadline = time.monotonic() + timeout
            next_send = 0.0
            while request not in self._screenshots and time.monotonic() < deadline:
                if time.monotonic() >= next_send:  # again every second: a view may start listening late
                    self.send(message)
                    next_send = time.monotonic() + SCREENSHOT_RESEND
                await asyncio.sleep(0.02)
        finally:
            self._awaited.discard(request)
        if request not in self._screenshots:
            raise TimeoutError(
                f"No view of this player answered within {timeout:g} s. screenshot() asks the browser for the "
                "picture: display the player in a running notebook first (it must be on the page). Without a "
                "browser, use cleo_player.video.render_frame(player.scene, player.frame)."
            )
        png, error = self._screenshots.pop(request)
        if png is None:
            raise RuntimeError(f"The browser could not take the screenshot: {error}")
        return png

    def _on_front_end_msg(self, _: Any, content: Any, buffers: list) -> None:
        """Answers from the browser: screenshots (PNG in the first buffer)."""
        if not isinstance(content, dict) or content.get("type") != "screenshot":
            return
        request = str(content.get("id", ""))
        if request not in self._awaited or request in self._screenshots:
            return  # not asked for (any more), or another view answered first
        png = bytes(buffers[0]) if content.get("ok") and buffers else None
        if png is not None and not png.startswith(PNG_SIGNATURE):
            png, content = None, {"error": "the answer is not a PNG"}
        self._screenshots[request] = (png, str(content.get("error", "")))

    def _preview_png(self) -> bytes:
        """The static preview of the frame shown (cached while the frame and data stay)."""
        rec = self.recording
        key = (id(self.scene), rec.n_frames, self.frame)
        if self._preview is not None and self._preview[0] == key:
            return self._preview[1]
        from cleo_player.video import still_png

        width, height = PREVIEW_SIZE
        png = still_png(self.scene, self.frame, width=width, height=height)
        self._preview = (key, png)
        return png

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget view for live front ends, plus a PNG preview (matplotlib's picture of
        the frame shown) for every place widgets are not drawn: GitHub, nbviewer, a notebook
        opened before its kernel runs.
        """
        bundle = super()._repr_mimebundle_(**kwargs)
        if not bundle or self._meta.get("n_neurons", 0) > PREVIEW_MAX_NEURONS:
            return bundle  # (drawing the preview would delay the player itself by seconds)
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        try:
            png = self._preview_png()
        except Exception as err:  # noqa: BLE001 (a preview must never keep the player from showing)
            warnings.warn(f"cleo-player: no static preview for this output ({err}).", stacklevel=2)
            return data, metadata
        width, height = PREVIEW_SIZE
        data = {**data, "image/png": base64.b64encode(png).decode("ascii")}
        metadata = {**metadata, "image/png": {"width": width, "height": height}}
        return data, metadata

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

    def show_controls(self, sidebar: bool = True, title: str | None = None) -> Any:
        """Show the controls: in the JupyterLab sidebar (``sidecar``) when ``sidebar``, else in
        the cell's output.

        Calling it again for this player, or re-running the cell, reuses the sidebar tab. Where
        there is no sidebar (Notebook 7, VS Code, Colab) the controls show in the cell's output
        with a one-line notice. ``title`` names the tab (default: the player's groups and
        duration). Returns the Sidecar (close it with ``.close()``) or None.
        """
        from IPython.display import display

        from cleo_player.widget.sidebar import default_title, show_in_sidebar

        if not sidebar:
            display(self.controls)
            return None
        if title is None:
            title = default_title(self.recording)
        return show_in_sidebar(self.model_id, title, lambda role: PlayerControls(self, role=role))

    # --- export ---------------------------------------------------------------------------
    def save_html(self, path: str | Path, title: str | None = None) -> Path:
        """Write one self-contained HTML file (bundle and data inlined) that plays offline, and
        print its size.

        Raises :class:`~cleo_player.widget.html.PageTooLargeError` (a ValueError), before
        writing anything, when the data is more than a browser can open in one page
        (:data:`~cleo_player.widget.html.MAX_DATA_BYTES`, 2 GB).
        """
        from cleo_player.widget.html import file_size, write_page
        from cleo_player.widget.sidebar import default_title

        path = Path(path)
        if title is None:
            title = default_title(self.recording)
        size = write_page(path, self.page_state(), bundle_source(), title)
        print(f"Wrote {path} ({file_size(size)}); it plays offline, from file:// too.")  # noqa: T201
        return path

    def page_state(self) -> dict[str, Any]:
        """The Player's own synced traits as a page without Python starts from (paused)."""
        # the page carries the front end itself, not a reference to the kernel's
        state = {name: getattr(self, name) for name in Player.class_own_traits(sync=True) if name != "_frontend"}
        state["playing"] = False
        if self._spike_store is not None:  # no kernel behind the page: every spike in it
            state["_data"] = {**state["_data"], "spike_idx": self._spike_store.spike_idx}
            state["_meta"] = {**state["_meta"], "window": None}
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
        """Export to ``.npz`` (a player file: the recording and the whole scene, replayed by
        ``Player(path)`` without cleo), to ``.mp4``, ``.gif`` or ``.webm`` (matplotlib fallback,
        ffmpeg from imageio-ffmpeg; ``timeline=True`` draws the timeline under the scene), or to
        ``.html`` (the interactive player, see :meth:`save_html`).
        """
        path = Path(path)
        if path.suffix.lower() == ".npz":
            if kwargs or timeline:
                options = [*kwargs, *(["timeline"] if timeline else [])]
                raise TypeError(f"A player file takes no export options, got {', '.join(options)}.")
            view = {
                "speed": self.speed,
                "loop": self.loop,
                "decay": self.decay,
                "height": self.height,
                "selected": selection_json(self.selected),
                "hidden": list(self.hidden),
            }
            return scene_file.save(path, self.scene, view=view)
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
        devices = device_names(self.recorder)
        dev = f"; devices: {', '.join(devices)}" if devices else ""
        return f"Player({groups}; {rec.n_frames} frames of {rec.dt * 1e3:g} ms{dev})"


RECEIVES_WHILE_AWAITING = (7, 4)
"""ipykernel from which a cell that awaits receives widget messages (ipykernel#1565)."""


def _check_kernel_receives_while_awaiting() -> None:
    """In an older Jupyter kernel the browser's answer would only arrive after the cell: say so."""
    if _kernel_shell() is None:
        return
    import ipykernel

    kernel_version = str(getattr(ipykernel, "__version__", "0"))
    version = tuple(int(p) for p in kernel_version.split(".")[:2] if p.isdigit())
    if version < RECEIVES_WHILE_AWAITING:
        raise RuntimeError(
            f"player.screenshot() needs ipykernel >= {'.'.join(map(str, RECEIVES_WHILE_AWAITING))} (this kernel "
            f"runs {kernel_version}): older kernels receive the browser's answer only after the cell "
            "ends. Upgrade with `pip install -U ipykernel`, or save the picture with the camera button."
        )


def _kernel_shell() -> Any:
    """The IPython shell of a running Jupyter kernel, or None."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return shell if getattr(shell, "kernel", None) is not None else None


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
        value = np.asarray(t / ms) if t.dim == second.dim else None
        if value is None or value.shape != ():
            raise ValueError(f"{name} must be a time, e.g. 5*ms; got {t!r}.")
        return float(value)
    if isinstance(t, (int, float, np.floating, np.integer)) and t == 0:
        return 0.0
    raise ValueError(f"{name} must be a brian2 time quantity, e.g. 5*ms; got {t!r}.")


ROLES = ("", "sidebar", "sidebar-fallback")


class PlayerControls(anywidget.AnyWidget):
    """The control bar of a Player, on its own: same clock, same state, in sync."""

    _esm = class_esm("controls", CONTROLS_BUNDLE)
    _frontend = traitlets.Instance(FrontEnd, allow_none=True).tag(sync=True, **widget_serialization)
    player = traitlets.Instance(Player).tag(sync=True, **widget_serialization)
    _role = traitlets.Unicode("").tag(sync=True)
    """"" (a plain view), "sidebar" (in the sidebar), or "sidebar-fallback" (shown in the cell's
    output only while no sidebar view of the player is on the page)."""

    def __init__(self, player: Player, role: str = "") -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, got {role!r}.")
        super().__init__(player=player, _role=role, **instance_traits(CONTROLS_BUNDLE))

    def __repr__(self) -> str:
        return f"PlayerControls(of {self.player!r})"
