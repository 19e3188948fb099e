"""The inspection settings of a Player: which neurons are selected (``selected``) and which
neuron groups are hidden (``hidden``), checked against the groups the player shows.

Both are synced with the browser: a click on a neuron selects it, a click on a legend entry
hides or shows its group; Python sets them as well and observes them (``player.observe``).
On the wire ``selected`` is a JSON list of ``[group name, index]`` pairs, ``hidden`` a list of
group names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import traitlets

Selection = list[tuple[str, int]]


class InvalidInspectionError(traitlets.TraitError, ValueError):
    """A bad value for ``selected`` or ``hidden``: a ValueError to callers, a TraitError to traitlets."""


def _groups_text(groups: Mapping[str, int]) -> str:
    return ", ".join(
        f"{name!r} (indices 0..{size - 1})" if size else f"{name!r} (no neurons)" for name, size in groups.items()
    )


def valid_selected(value: Any, groups: Mapping[str, int]) -> Selection:
    """The selection as ``[(group name, index), ...]``, without repeats, in the order given.

    ``groups`` maps each shown group's name to its number of neurons. Raises a ValueError naming
    ``selected`` and what it allows for anything else (unknown group, index out of range, not a
    pair, a bool for an index).
    """
    allowed = f"a list of (group name, index) pairs, with groups {_groups_text(groups) or '(none)'}"
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
        raise InvalidInspectionError(f"selected must be {allowed}; got {value!r}.")
    out: Selection = []
    seen: set[tuple[str, int]] = set()
    for item in value:
        if not isinstance(item, (list, tuple)) or len(item) != len(("name", "index")):
            raise InvalidInspectionError(f"selected must be {allowed}; {item!r} is not a (group name, index) pair.")
        name, index = item
        if not isinstance(name, str) or name not in groups:
            raise InvalidInspectionError(f"selected: no group named {name!r}; it must be {allowed}.")
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            raise InvalidInspectionError(
                f"selected: the index of {item!r} must be a whole number; it must be {allowed}."
            )
        if not 0 <= int(index) < groups[name]:
            raise InvalidInspectionError(
                f"selected: index {int(index)} is out of range for group {name!r} of {groups[name]} neurons; "
                f"it must be {allowed}."
            )
        pair = (name, int(index))
        if pair not in seen:
            seen.add(pair)
            out.append(pair)
    return out


def valid_hidden(value: Any, groups: Mapping[str, int]) -> list[str]:
    """The hidden groups' names, without repeats, in the order given; a ValueError naming
    ``hidden`` and the groups allowed for anything else.
    """
    allowed = f"a list of group names, of {list(groups)}"
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple, set, frozenset)):
        raise InvalidInspectionError(f"hidden must be {allowed}; got {value!r}.")
    out: list[str] = []
    for name in value:
        if not isinstance(name, str) or name not in groups:
            raise InvalidInspectionError(f"hidden: no group named {name!r}; it must be {allowed}.")
        if name not in out:
            out.append(name)
    return out


def selection_json(value: Selection, _widget: Any = None) -> list[list[Any]]:
    """``selected`` on the wire: a list of ``[name, index]`` lists."""
    return [[name, int(index)] for name, index in value]


def still_valid(selected: Selection, hidden: list[str], groups: Mapping[str, int]) -> tuple[Selection, list[str]]:
    """What remains of a selection and of the hidden groups when the groups change (a new
    recording): the entries that still name a group and a neuron in it.
    """
    kept = [(n, i) for n, i in selected if n in groups and 0 <= i < groups[n]]
    return kept, [n for n in hidden if n in groups]
