"""The inspection traits of a Player: ``selected`` (neurons as (group name, index) pairs) and
``hidden`` (group names), checked against the groups shown, observable, on the wire as JSON,
kept through a refresh while they still name something, and carried by pages and player files."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from cleo_player.widget.inspection import still_valid, valid_hidden, valid_selected

GROUPS = {"exc": 400, "inh": 100}


@pytest.fixture(scope="module")
def player(seed_run: Any) -> Any:
    from cleo_player import Player

    s, rec = seed_run
    return Player(rec, **s.plotargs)


def test_selected_accepts_pairs_and_normalises_them() -> None:
    assert valid_selected([], GROUPS) == []
    assert valid_selected([("exc", 3), ["inh", np.int64(99)], ("exc", 3)], GROUPS) == [("exc", 3), ("inh", 99)]
    assert valid_selected((("exc", 0),), GROUPS) == [("exc", 0)]


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ([("exc", 400)], "index 400 is out of range for group 'exc' of 400 neurons"),
        ([("inh", -1)], "index -1 is out of range"),
        ([("nope", 0)], "no group named 'nope'"),
        ([("exc", 1.0)], "must be a whole number"),
        ([("exc", True)], "must be a whole number"),
        ([("exc",)], "is not a (group name, index) pair"),
        (("exc", 3), "is not a (group name, index) pair"),
        ("exc", "must be a list of (group name, index) pairs"),
        (None, "must be a list of (group name, index) pairs"),
        ({"exc": 1}, "must be a list of (group name, index) pairs"),
    ],
)
def test_selected_rejects_what_names_no_neuron(value: Any, says: str) -> None:
    with pytest.raises(ValueError, match="selected") as err:
        valid_selected(value, GROUPS)
    assert says in str(err.value)
    assert "'exc' (indices 0..399)" in str(err.value)  # what is allowed


def test_hidden_accepts_group_names_only() -> None:
    assert valid_hidden(["inh", "exc", "inh"], GROUPS) == ["inh", "exc"]
    assert valid_hidden((), GROUPS) == []
    for bad, says in [
        (["light"], "no group named 'light'"),
        ("exc", "must be a list of group names"),
        ([1], "no group"),
    ]:
        with pytest.raises(ValueError, match="hidden") as err:
            valid_hidden(bad, GROUPS)
        assert says in str(err.value) and "['exc', 'inh']" in str(err.value)


def test_still_valid_keeps_what_names_a_neuron() -> None:
    assert still_valid([("exc", 5), ("exc", 300), ("inh", 1)], ["inh", "exc"], {"exc": 100}) == ([("exc", 5)], ["exc"])


def test_player_traits_are_checked_and_observable(player: Any) -> None:
    assert player.selected == [] and player.hidden == []
    seen: list[Any] = []
    player.observe(lambda change: seen.append((change["name"], change["new"])), names=["selected", "hidden"])
    player.selected = [("exc", 7), ["inh", 2]]
    assert player.selected == [("exc", 7), ("inh", 2)]
    player.hidden = ["inh"]
    assert seen == [("selected", [("exc", 7), ("inh", 2)]), ("hidden", ["inh"])]
    with pytest.raises(ValueError, match=r"selected: index 100 is out of range for group 'inh' of 100 neurons"):
        player.selected = [("inh", 100)]
    with pytest.raises(ValueError, match=r"hidden: no group named 'Light'"):
        player.hidden = ["Light"]
    assert player.selected == [("exc", 7), ("inh", 2)] and player.hidden == ["inh"]  # unchanged
    # on the wire: JSON lists of [name, index] and of names
    state = player.get_state(["selected", "hidden"])
    assert json.loads(json.dumps(state)) == {"selected": [["exc", 7], ["inh", 2]], "hidden": ["inh"]}
    # from the browser (lists), the same values
    player.set_state({"selected": [["exc", 9]], "hidden": []})
    assert player.selected == [("exc", 9)] and player.hidden == []
    player.selected = []


def test_players_do_not_share_their_lists(seed_run: Any) -> None:
    from cleo_player import Player

    s, rec = seed_run
    a, b = Player(rec, **s.plotargs), Player(rec, **s.plotargs)
    a.selected.append(("exc", 1))  # not how to select, but must not leak into another player
    assert b.selected == [] and a.hidden is not b.hidden


def test_refresh_keeps_what_still_names_a_neuron(player: Any) -> None:
    player.selected = [("exc", 399), ("inh", 0)]
    player.hidden = ["exc"]
    player.refresh()
    assert player.selected == [("exc", 399), ("inh", 0)] and player.hidden == ["exc"]
    player.selected, player.hidden = [], []


def test_pages_and_player_files_carry_them(player: Any, tmp_path: Any) -> None:
    from cleo_player import Player

    player.selected = [("inh", 4)]
    player.hidden = ["exc"]
    state = player.page_state()
    assert state["selected"] == [("inh", 4)] and state["hidden"] == ["exc"]
    path = player.save(tmp_path / "run.npz")
    again = Player(path)
    assert again.selected == [("inh", 4)] and again.hidden == ["exc"]
    player.selected, player.hidden = [], []
