"""The wheel, built as a release is, from a clean copy of the repository (no ``static/``, as in a
fresh clone): its build runs npm and fails without the front end; the wheel holds the bundle,
the vendored files and ``py.typed``, installs into a fresh venv and works there.

Slow (a build in an isolated environment, then a venv): marked ``wheel``, run with the rest.
The fresh venv takes its dependencies from this environment's site-packages (a ``.pth`` line,
which adds the directory but runs none of its own ``.pth`` files, so the editable install of
the repository is not seen): only the wheel's own files are under test, not the package index.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parent.parent
FRONT_END = ["static/widget.js", "static/controls.js"]
VENDORED = [
    "static/vendor/anywidget.js",
    "static/vendor/embed-amd.js",
    "static/vendor/require.js",
    "static/vendor/versions.json",
    "static/vendor/LICENSES.txt",
]
BUILD_TIMEOUT_S = 900


def _clean_copy(dest: Path) -> Path:
    """The repository's files as a clone has them (tracked or new, not ignored: no static/,
    no .venv), with node_modules linked so that the build's `npm install` has nothing to fetch.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607 git from PATH
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    assert not (dest / "src/cleo_player/static").exists()
    (dest / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    return dest


def _pip_wheel(src: Path, out: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        check=False,
        env={**os.environ, **env},
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = _clean_copy(tmp_path_factory.mktemp("clean"))
    out = tmp_path_factory.mktemp("dist")
    r = _pip_wheel(src, out)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    wheels = list(out.glob("cleo_player-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_the_build_fails_without_the_front_end(tmp_path: Path) -> None:
    src = _clean_copy(tmp_path / "clean")
    r = _pip_wheel(src, tmp_path / "dist", HATCH_JUPYTER_BUILDER_SKIP_NPM="1")  # no npm: no bundle
    assert r.returncode != 0
    assert "widget.js" in r.stdout + r.stderr  # the missing file is named
    assert not list((tmp_path / "dist").glob("*.whl"))


def test_the_wheel_holds_the_front_end_and_py_typed(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in [*FRONT_END, *VENDORED, "py.typed", "widget/player.py", "video/frames.py"]:
        assert f"cleo_player/{name}" in names, name
    assert not [n for n in names if n.startswith(("js/", "tests/", "node_modules/"))]
    assert [n for n in names if n.endswith(("dist-info/licenses/LICENSE", "dist-info/LICENSE"))], "no LICENSE"
    with zipfile.ZipFile(wheel) as z:
        bundle = z.read("cleo_player/static/widget.js")
    assert len(bundle) > 100_000 and b"sourceMappingURL" not in bundle  # the minified build


def test_the_wheel_installs_and_plays_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = subprocess.run(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = sysconfig.get_paths()["purelib"]  # this environment's: brian2, cleo, anywidget, ...
    Path(site, "_cleo_player_test_deps.pth").write_text(deps + "\n", encoding="utf-8")
    r = subprocess.run(
        [py, "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    code = textwrap.dedent(
        """
        import json
        from pathlib import Path
        import numpy as np
        import cleo_player
        from cleo_player import Player, Recording
        from cleo_player.recording import GroupData
        from cleo_player.widget.bundle import CONTROLS_BUNDLE, PLAYER_BUNDLE, bundle_source
        from cleo_player.widget.frontend import loader_source
        from cleo_player.export import vendor_sources

        frame_t = np.arange(5) * 1e-3
        pos = np.random.default_rng(0).uniform(0, 1e-4, (20, 3))
        group = GroupData.from_spikes("g", pos, np.array([1, 2, 3]), np.array([0.0, 1e-3, 3e-3]), frame_t, 1e-3)
        player = Player(Recording(1e-3, frame_t, 5e-3, (group,)))
        page = player.save_html(Path("page.html"))
        print(json.dumps({
            "package": cleo_player.__file__,
            "bundle": str(PLAYER_BUNDLE),
            "esm_is_loader": str(Player._esm) == loader_source("player"),  # the small shared loader
            "controls": CONTROLS_BUNDLE.exists(),
            "bundle_chars": len(bundle_source()),
            "n_frames": player._meta["n_frames"],
            "n_spikes": player._meta["n_spikes"],
            "page_bytes": page.stat().st_size,
            "vendor": sorted(vendor_sources()),
            "typed": (Path(cleo_player.__file__).parent / "py.typed").exists(),
        }))
        """
    )
    run = subprocess.run([py, "-c", code], capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    installed = Path(site).resolve() / "cleo_player"
    for key in ("package", "bundle"):  # the installed copy, not the repository's
        assert Path(got[key]).resolve().is_relative_to(installed), (key, got[key])
    assert got["controls"] and got["typed"]
    assert got["esm_is_loader"]
    assert got["bundle_chars"] == len((installed / "static/widget.js").read_text(encoding="utf-8"))
    assert got["n_frames"] == 5 and got["n_spikes"] == 3
    assert got["page_bytes"] > got["bundle_chars"]  # the page inlines the bundle
    assert got["vendor"] == ["anywidget", "html_manager", "require"]
