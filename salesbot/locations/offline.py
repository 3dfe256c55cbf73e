"""The location catalogue's offline phrases: look-ups ("what digital screens do we have?",
"tell me about the Landmark") and administration (add, update, rename, (de)activate, delete).
"""

from __future__ import annotations

from salesbot.kit.phrases.env import (
    QUERY_LEAD,
    TEXT_LEAD,
    VALUE_KINDS,
    VALUE_LEAD,
    Env,
    Family,
    FieldTable,
    Intent,
    amount_str,
    company_after,
    read_value,
    span,
    trim,
    value_idxs,
    value_run,
    with_location,
)
from salesbot.kit.phrases.tokens import Kind

# Canonical keyword -> the phrases that say it.
KEYWORDS = {
    "location": (
        "location|locations|site|sites|screen|screens|billboard|billboards|inventory|"
        "catalogue|catalog"
    ),
    "digital": "digital|led|dooh",
    "static": "static|printed|classic",
    "activate": "activate|reactivate|enable|unhide",
    "deactivate": "deactivate|disable|hide",
    "upload_fee": "upload fee|upload fees",
    "display_name": "display name|name",
    "series": "series",
    "company": "company|brand company",
    "faces": "faces|face|number of faces",
    "spot_duration": "spot duration|spot length|spot time",
    "loop_duration": "loop duration|loop length|loop",
    "sov": "sov|share of voice",
    "size": "size|dimensions",
    "width": "width",
    "height": "height",
    "aliases": "alias|aliases|also called|also known as|aka",
    "key": "key|slug",
    "display_type": "display type|type",
}

# canonical keyword -> (location catalogue field, value kind)
_LOCATION_FIELDS: FieldTable = {
    "display_name": ("display_name", "text"),
    "series": ("series", "text"),
    "company": ("company", "text"),
    "display_type": ("display_type", "type"),
    "digital": ("display_type", "type"),
    "static": ("display_type", "type"),
    "size": ("size", "size"),
    "width": ("width_m", "metres"),
    "height": ("height_m", "metres"),
    "faces": ("number_of_faces", "int"),
    "spot_duration": ("spot_duration_s", "seconds"),
    "loop_duration": ("loop_duration_s", "seconds"),
    "sov": ("sov_pct", "decimal"),
    "upload_fee": ("upload_fee", "amount"),
    "aliases": ("aliases", "list"),
    "key": ("key", "text"),
}


# --- administration -------------------------------------------------------------------------


def _location_admin(env: Env) -> Intent | None:
    if env.has_kw("proposal", "combined", "mockup"):
        return None
    add = env.find_kw("add")
    at = env.find_kw("location")
    if add is not None and at is not None and add < at:
        return _add_location(env, at)
    delete = env.find_kw("delete")
    locs = env.of_kind(Kind.LOCATION)
    if delete is not None and (locs or at is not None):
        return _delete_location(env, locs, at)
    switch = env.find_kw("activate", "deactivate")
    if switch is not None and locs:
        fields: dict[str, object] = {"is_active": env.kw(switch, "activate")}
        return with_location(env, locs[0], "update_location", {"fields": fields})
    update = env.find_kw("update")
    if update is not None and locs and at is not None:
        return _update_location(env, update, locs[0])
    make = env.find_word("make", "turn", "convert")
    if make is not None and locs and env.has_kw("digital", "static"):
        return _update_location(env, make, locs[0])
    return None


def _add_location(env: Env, at: int) -> Intent:
    args: dict[str, object] = {}
    name_start = at + 1
    named = env.find_word("called", "named")
    if named is not None:
        name_start = named + 1
    name_idxs = value_run(env, name_start, commas_end=True, allow=frozenset({Kind.LOCATION}))
    name_idxs = [i for i in name_idxs if not env.kw(i, *_LOCATION_FIELDS)]
    name = span(env, name_idxs)
    if name is not None:
        args["display_name"] = name
    kind = next(
        (env.tokens[i].word for i in range(len(env.tokens)) if env.kw(i, "digital", "static")),
        None,
    )
    if kind is not None:
        args["display_type"] = kind
    fields = _location_fields(env, (name_idxs[-1] + 1) if name_idxs else at + 1)
    fields.pop("display_type", None)
    args.update(fields)
    if "display_name" not in args:
        return Intent("add_location", args, ("display_name",), ask_new_location_name())
    if "display_type" not in args:
        return Intent("add_location", args, ("display_type",), ask_display_type())
    return Intent("add_location", args)


def _location_fields(env: Env, start: int) -> dict[str, object]:
    """Catalogue fields written as `upload fee 2500, spot duration 12 seconds, 4 faces`."""
    fields: dict[str, object] = {}
    consumed: set[int] = set()
    i = max(start, 0)
    while i < len(env.tokens):
        if not env.kw(i, *_LOCATION_FIELDS) or env.kw(i, "digital", "static"):
            i += 1
            continue
        name, kind = _LOCATION_FIELDS[env.tokens[i].word]
        end = _field_end(env, i, text=kind in ("text", "list"))
        idxs = [k for k in value_idxs(env, i + 1) if k < end]
        if kind in ("int", "seconds") and not idxs and i > 0:
            idxs = [i - 1]  # "4 faces"
        value = read_value(env, kind, idxs)
        if kind == "size" and isinstance(value, tuple):
            width, height = value
            fields["width_m"], fields["height_m"] = amount_str(width), amount_str(height)
        elif value is not None:
            fields[name] = value
        consumed.update(range(i, end))
        i = max(end, i + 1)
    for k in env.of_kind(Kind.SIZE):
        size = env.tokens[k].size
        if k >= start and size is not None and "width_m" not in fields:
            fields["width_m"], fields["height_m"] = amount_str(size[0]), amount_str(size[1])
    for k in range(max(start, 0), len(env.tokens)):
        if env.kw(k, "digital", "static") and k not in consumed:
            fields["display_type"] = env.tokens[k].word
    return fields


def _field_end(env: Env, i: int, *, text: bool) -> int:
    """Where the value of the field keyword at `i` stops: a comma or the next field.

    Free text may contain field words ("The Landmark Series"), so there the next field only
    counts when a value follows it.
    """
    for k in range(i + 1, len(env.tokens)):
        if env.tokens[k].word in (",", ";"):
            return k
        if not env.kw(k, *_LOCATION_FIELDS):
            continue
        nxt = env.tokens[k + 1] if k + 1 < len(env.tokens) else None
        if not text or (nxt is not None and (nxt.kind in VALUE_KINDS or nxt.word in VALUE_LEAD)):
            return k
    return len(env.tokens)


def _update_location(env: Env, verb: int, loc_at: int) -> Intent:
    fields: dict[str, object]
    if verb >= 0 and env.kw(verb, "rename"):
        new_name = span(env, trim(env, value_idxs(env, loc_at + 1), frozenset(), frozenset()))
        fields = {"display_name": new_name} if new_name else {}
    else:
        start = min(verb + 1, loc_at) if verb >= 0 else loc_at
        fields = _location_fields(env, start)
        display = env.find_kw("display_name", start=start)
        if display is not None:
            value = read_value(env, "text", value_idxs(env, display + 1))
            if value is not None:
                fields["display_name"] = value
    return with_location(env, loc_at, "update_location", {"fields": fields})


def _delete_location(env: Env, locs: list[int], at: int | None) -> Intent:
    if not locs:
        idxs = trim(env, list(range((at or 0) + 1, len(env.tokens))), QUERY_LEAD, frozenset())
        name = span(env, idxs)
        if name is None:
            return Intent(
                "delete_location", {"confirm": False}, ("location",), ask_location_to_find()
            )
        return Intent("find_location", {"query": name})  # unknown name: show what matches
    return with_location(env, locs[0], "delete_location", {"confirm": False})


# --- mockups ---------------------------------------------------------------------------------


def _locate_update(env: Env, key: str, args: dict[str, object]) -> Intent:
    fields = args.get("fields")
    if not fields:
        question = ask_location_changes(env.name(key))
        return Intent("update_location", {"location": key, "fields": {}}, ("fields",), question)
    return Intent("update_location", {"location": key, "fields": fields})


def _locate_delete(env: Env, key: str, args: dict[str, object]) -> Intent:
    question = confirm_delete(env.name(key))
    return Intent("delete_location", {"location": key, "confirm": False}, ("confirm",), question)


def _answer_admin(env: Env, pending: Intent) -> Intent | None:
    """A new location's name or type, or the changes asked for."""
    need = pending.missing[0] if pending.missing else ""
    args = dict(pending.args)
    if pending.tool == "add_location":
        return _merge_new_location(env, args, need)
    if pending.tool == "update_location" and need == "fields":
        fields = _location_fields(env, 0)
        if not fields:
            return None
        return Intent("update_location", {**args, "fields": fields})
    return None


def _merge_new_location(env: Env, args: dict[str, object], need: str) -> Intent | None:
    kind = env.find_kw("digital", "static")
    if kind is not None:
        args["display_type"] = env.tokens[kind].word
    elif need == "display_name":
        name = span(env, trim(env, list(range(len(env.tokens))), TEXT_LEAD, frozenset()))
        if name is None:
            return None
        args["display_name"] = name
    else:
        return None
    if "display_name" not in args:
        return Intent("add_location", args, ("display_name",), ask_new_location_name())
    if "display_type" not in args:
        return Intent("add_location", args, ("display_type",), ask_display_type())
    return Intent("add_location", args)


# --- look-ups -------------------------------------------------------------------------------

_LIST_WORDS = frozenset({"what", "which", "all", "available", "have", "our", "any", "how"})


def _locations(env: Env) -> Intent | None:
    locs = env.of_kind(Kind.LOCATION)
    listing = env.has_kw("location", "digital", "static")
    if locs:
        find_words = env.has_kw("find", "list", "location") or env.has_word(
            "about", "info", "details", "where", "what", "tell", "describe", "is"
        )
        only_location = all(
            t.kind in (Kind.LOCATION, Kind.PUNCT) or t.word in ("the",) for t in env.tokens
        )
        if find_words or only_location:
            return with_location(env, locs[0], "find_location", {})
        return None
    if not listing:
        return None
    find = env.find_kw("find")
    at = env.find_kw("location")
    if find is not None and at is not None and find < at and not env.has_word(*_LIST_WORDS):
        idxs = trim(env, list(range(at + 1, len(env.tokens))), QUERY_LEAD, frozenset())
        query = span(env, idxs)
        if query is not None:
            return Intent("find_location", {"query": query})
    args: dict[str, object] = {}
    kind = env.find_kw("digital", "static")
    if kind is not None:
        args["display_type"] = env.tokens[kind].word
    company = company_after(env, ("company", "for", "from", "by", "of"))
    if company is None:
        # "Viola's locations"
        for i, tok in enumerate(env.tokens[:-2]):
            apostrophe_s = env.tokens[i + 1].text == "'" and env.tokens[i + 2].word == "s"
            if tok.kind is Kind.WORD and apostrophe_s and tok.text[:1].isupper():
                company = tok.text
    if company is not None:
        args["company"] = company
    return Intent("list_locations", args)


# --- answers to a pending question -----------------------------------------------------------


# --- questions -------------------------------------------------------------------------------


def ask_location_to_find() -> str:
    return "Which location are you looking for?"


def ask_new_location_name() -> str:
    return "What is the new location called?"


def ask_display_type() -> str:
    return "Is it a digital or a static location?"


def ask_location_changes(location: str) -> str:
    return f"What should I change on {location} (for example 'upload fee 2500')?"


def confirm_delete(location: str) -> str:
    return f"Deleting {location} can't be undone. Reply 'yes' to confirm."


FAMILIES = [
    Family(
        name="location_admin",
        rank=30,
        tools=("add_location", "update_location", "delete_location"),
        keywords=KEYWORDS,
        read=_location_admin,
        answer=_answer_admin,
        locate={"update_location": _locate_update, "delete_location": _locate_delete},
        starters=frozenset({"upload_fee"}),
        value_stops=frozenset(_LOCATION_FIELDS),
        labels={
            "add_location": "add locations",
            "update_location": "change locations",
            "delete_location": "delete locations",
        },
        field_tables={"catalogue": _LOCATION_FIELDS},
        actions={"update_location": _update_location},
    ),
    Family(
        name="locations",
        rank=70,
        tools=("find_location", "list_locations"),
        read=_locations,
        locate={"find_location": lambda env, key, args: Intent("find_location", {"query": key})},
        labels={"find_location": "look up locations", "list_locations": "list locations"},
    ),
]
