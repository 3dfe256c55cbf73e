"""Booking orders' offline phrases: reading a booking order from an attachment, field edits
("change municipality fee to 8000"), submit / approve / reject / cancel, finance's "mark
BO-2026-0001 as booked with PO 12345" / "mark it invoiced, invoice INV-2026-0042", status and
look-ups.
"""

from __future__ import annotations

from datetime import date

from salesbot.kit.phrases.env import (
    LOCATION_REF,
    QUERY_LEAD,
    VALUE_LEAD,
    Env,
    Family,
    FieldTable,
    Intent,
    company_after,
    read_value,
    span,
    trim,
    value_idxs,
    words,
)
from salesbot.kit.phrases.tokens import Kind

# Canonical keyword -> the phrases that say it.
KEYWORDS = {
    "booking_order": "booking order|booking orders|bo|bos|b.o|b.o.|booking form",
    "submit": "submit|send for approval|send it for approval",
    "approve": "approve|sign off|signoff",
    "reject": "reject|decline|send back",
    "status": "status|progress|stage",
    "municipality_fee": "municipality fee|municipality fees|municipality|dm fee|dm",
    "production_upload_fee": (
        "production/upload fee|production upload fee|production and upload fee|"
        "production or upload fee"
    ),
    "upload_fee": "upload fee|upload fees",
    "net_amount": "net amount|amount",
    "net_pre_vat": "net pre vat|net pre-vat|net before vat|net total|net value",
    "vat": "vat",
    "gross": "gross|gross total|gross amount|total",
    "sla": "sla|sla %|sla pct|sla percentage",
    "commission": "commission|commission %|commission pct|agency commission",
    "agency": "agency",
    "brand_campaign": "brand|campaign|brand campaign|brand/campaign|brand name",
    "category": "category",
    "sales_person": "sales person|salesperson|sales rep|sales executive",
    "notes": "notes|note|remarks",
    "bo_number": "bo number|booking order number|bo no|bo #|po number",
    "date": "date|bo date|booking order date",
    "asset": "asset|assets",
    "reason": "reason|because|due to|since",
}

_BO_OBJECT = words("it this that the my our please booking order form one for with as since and")


def _bo_ref(env: Env) -> str | None:
    """A booking order number in the message: DPD-112652, BO-2026-0001, "BO 4411"."""
    for i, tok in enumerate(env.tokens):
        if tok.kind is Kind.CODE:
            return tok.text.upper()
        if env.kw(i, "booking_order", "bo_number") and i + 1 < len(env.tokens):
            nxt = env.tokens[i + 1]
            if nxt.word == "#" and i + 2 < len(env.tokens):
                nxt = env.tokens[i + 2]
            if nxt.kind is Kind.NUMBER and len(nxt.text) >= 3:
                return nxt.text
    return None


def _bo_args(env: Env) -> dict[str, object]:
    ref = _bo_ref(env) or env.context.last_booking_order
    return {"booking_order": ref} if ref else {}


# Words between "PO" / "invoice" and the number itself: "PO number: 12345", "invoice no. 7".
_NUMBER_LEAD = frozenset({"number", "no", "nr", "num", "#", ":", ".", "is", "="})


def _number_after(env: Env, *lead: str) -> int | None:
    """The token holding a PO or invoice number: after one of `lead` (a word, or the
    bo_number keyword "po number"), or a code that starts with it ("PO-12345")."""
    for i, tok in enumerate(env.tokens):
        if tok.kind is Kind.CODE and tok.word.startswith(tuple(f"{w}-" for w in lead)):
            return i
        if not (env.word(i, *lead) or ("po" in lead and env.kw(i, "bo_number"))):
            continue
        j = i + 1
        while j < len(env.tokens) and env.tokens[j].word in _NUMBER_LEAD:
            j += 1
        if j < len(env.tokens) and env.tokens[j].kind in (Kind.NUMBER, Kind.CODE):
            return j
    return None


def _finance(env: Env) -> Intent | None:
    """ "mark BO-2026-0001 as booked with PO 12345", "book it, PO-12345", "mark it invoiced"."""
    po_at = _number_after(env, "po", "lpo", "purchase")
    inv_at = _number_after(env, "invoice", "inv")
    marked = env.has_word("mark", "confirm", "set")
    if env.has_word("invoiced") and (marked or inv_at is not None):
        return _finance_intent(env, "invoice_booking_order", "invoice_number", inv_at)
    booking = env.has_word("booked") and (marked or po_at is not None)
    if booking or (env.has_word("book", "booking") and po_at is not None):
        return _finance_intent(env, "book_booking_order", "po_number", po_at)
    return None


def _finance_intent(env: Env, tool: str, field: str, number_at: int | None) -> Intent:
    refs = [
        env.tokens[i].text.upper()
        for i in env.of_kind(Kind.CODE)
        if i != number_at and not env.tokens[i].word.startswith(("po-", "inv-"))
    ]
    ref = refs[0] if refs else env.context.last_booking_order
    args: dict[str, object] = {"booking_order": ref} if ref else {}
    if number_at is None:
        return Intent(tool, args, (field,), ask_finance_number(field))
    return Intent(tool, {**args, field: env.tokens[number_at].text})


def _booking_orders(env: Env) -> Intent | None:
    finance = _finance(env)
    if finance is not None:
        return finance
    ref = _bo_ref(env)
    mentioned = env.has_kw("booking_order") or ref is not None
    known = mentioned or env.context.last_booking_order is not None
    args = _bo_args(env)
    if env.has_kw("submit"):
        return Intent("submit_booking_order", args)
    if env.has_kw("approve"):
        return Intent("approve_booking_order", args)
    reject = env.find_kw("reject")
    if reject is None:
        reject = _sent_back(env)
    if reject is not None:
        return _with_reason(env, "reject_booking_order", reject, args, "rejected")
    cancel = env.find_kw("cancel")
    if cancel is not None and known:
        return _with_reason(env, "cancel_booking_order", cancel, args, "cancelled")
    if env.has_kw("status") and (known or env.has_word("where", "what", "what's")):
        return Intent("booking_order_status", args)
    if mentioned and env.has_word("where", "stage") and not env.attachments:
        return Intent("booking_order_status", args)
    edit = _edit(env)
    if edit is not None:
        return edit
    if known and not mentioned:
        length = _length_change(env)
        if length is not None:
            return Intent(None, {}, reply=how_to_change_length(env, length))
    if not mentioned:
        return None
    if env.attachments:
        return _intake(env)
    if ref is not None or env.has_kw("find", "list"):
        return _find_booking_order(env, ref)
    return _intake(env)


_LENGTH_CUES = words("make instead extend shorten change actually switch")


def _length_change(env: Env) -> int | None:
    """ "make it 4 weeks instead" with a booking order open: the campaign length asked for."""
    if not env.has_word(*_LENGTH_CUES) or env.of_kind(Kind.LOCATION, Kind.AMOUNT):
        return None
    for i, tok in enumerate(env.tokens):
        if tok.duration is not None and tok.duration.unit != "second":
            return i
    return None


def how_to_change_length(env: Env, at: int) -> str:
    """A booking order's length is its dates: say how to change them, and what else can be."""
    duration = env.tokens[at].duration
    assert duration is not None
    start = env.today
    end = duration.end_date(start)
    return (
        f"A booking order's campaign length comes from its dates, so to make it "
        f"{duration.text}, change the end date (or a location's), e.g. for {duration.text} "
        f"from {_day(start)}: 'change the end date to {_day(end)}'. On a booking order you "
        "can also change the client, the municipality fee, the production/upload fee, a "
        "location's net amount, the SLA or the commission, e.g. 'change municipality fee to "
        "8000' or 'update UAE21 net amount to 150000'."
    )


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _sent_back(env: Env) -> int | None:
    """ "send BL-0005 back", "send it back": the index of "back" (the reason follows it) when
    only the booking order, or words that point at it, stand between "send" and "back"."""
    send = env.find_word("send", "sending")
    back = env.find_word("back", start=send + 1) if send is not None else None
    if send is None or back is None or back - send > 4:
        return None
    between = range(send + 1, back)
    named = [i for i in between if env.tokens[i].kind is Kind.CODE or env.kw(i, "booking_order")]
    pointing = all(i in named or env.tokens[i].word in _BO_OBJECT for i in between)
    if pointing and (named or env.context.last_booking_order is not None):
        return back
    return None


def _with_reason(env: Env, tool: str, verb: int, args: dict[str, object], action: str) -> Intent:
    reason = _reason(env, verb)
    if reason is None:
        return Intent(tool, args, missing=("reason",), reply=ask_reason(action))
    return Intent(tool, {**args, "reason": reason})


def _reason(env: Env, verb: int) -> str | None:
    marker = env.find_kw("reason", start=verb + 1)
    if marker is not None:
        idxs = list(range(marker + 1, len(env.tokens)))
    else:
        i = verb + 1
        while i < len(env.tokens) and (
            env.tokens[i].word in _BO_OBJECT
            or env.tokens[i].kind in (Kind.CODE, Kind.PUNCT)
            or env.kw(i, "booking_order")
            or (env.tokens[i].kind is Kind.NUMBER and i > 0 and env.kw(i - 1, "booking_order"))
        ):
            i += 1
        idxs = list(range(i, len(env.tokens)))
    return span(env, trim(env, idxs, frozenset({"is", "was", "that", "of"}), frozenset()))


def _intake(env: Env) -> Intent:
    args: dict[str, object] = {"notes": env.message}
    company = company_after(env, ("company", "for", "from"))
    if company is not None:
        args["company"] = company
    if not env.attachments:
        return Intent("parse_booking_order", args, ("attachment",), ask_attachment())
    return Intent("parse_booking_order", args)


def _find_booking_order(env: Env, ref: str | None) -> Intent:
    if ref is not None:
        return Intent("find_booking_order", {"query": ref})
    at = env.find_kw("booking_order") or 0
    idxs = trim(env, list(range(at + 1, len(env.tokens))), QUERY_LEAD, frozenset())
    if idxs and env.kw(idxs[0], "client"):
        idxs = idxs[1:]
    query = span(env, idxs)
    if query is None:
        return Intent("find_booking_order", {}, ("query",), ask_booking_order_query())
    return Intent("find_booking_order", {"query": query})


# --- field edits (booking orders and the location catalogue) ---------------------------------

# canonical keyword -> (booking order field, value kind)
_BO_FIELDS: FieldTable = {
    "client": ("client", "text"),
    "agency": ("agency", "text"),
    "brand_campaign": ("brand_campaign", "text"),
    "category": ("category", "text"),
    "asset": ("asset", "text"),
    "currency": ("currency", "currency"),
    "payment_terms": ("payment_terms", "text"),
    "sales_person": ("sales_person", "text"),
    "commission": ("commission_pct", "percent"),
    "sla": ("sla_pct", "percent"),
    "municipality_fee": ("municipality_fee", "amount"),
    "production_fee": ("production_upload_fee", "amount"),
    "upload_fee": ("production_upload_fee", "amount"),
    "production_upload_fee": ("production_upload_fee", "amount"),
    "net_pre_vat": ("net_pre_vat", "amount"),
    "vat": ("vat", "amount"),
    "gross": ("gross", "amount"),
    "notes": ("notes", "text"),
    "bo_number": ("bo_number", "text"),
    "date": ("bo_date", "date"),
    "net_amount": ("net_pre_vat", "amount"),
    "net": ("net_pre_vat", "amount"),
    "start": ("start_date", "date"),
    "end": ("end_date", "date"),
    "duration": ("campaign_duration", "duration"),
}
# Fields that belong to one of the booking order's locations when a location is named.
_BO_LOCATION_FIELDS: FieldTable = {
    "net_amount": ("net_amount", "amount"),
    "net": ("net_amount", "amount"),
    "rate": ("net_amount", "amount"),
    "start": ("start_date", "date"),
    "end": ("end_date", "date"),
    "duration": ("campaign_duration", "duration"),
    "display_name": ("name", "text"),
    "asset": ("asset", "text"),
}
_LABELS = {
    "sla_pct": "SLA",
    "commission_pct": "commission",
    "net_pre_vat": "net (pre-VAT) amount",
    "vat": "VAT",
    "bo_number": "BO number",
    "bo_date": "BO date",
    "production_upload_fee": "production/upload fee",
    "brand_campaign": "brand/campaign",
}


def _catalogue_only(env: Env) -> frozenset[str]:
    """Fields only a catalogue location has: an edit naming one goes to the catalogue."""
    return frozenset(env.field_table("catalogue")) - {"display_name", "upload_fee"}


def _label(name: str) -> str:
    return _LABELS.get(name, name.replace("_", " "))


def _edit(env: Env) -> Intent | None:
    """`change municipality fee to 8000`, `update UAE21 net amount to 150000`, `set sla to 10%`."""
    if env.has_kw("proposal", "combined", "package_rate", "mockup"):
        return None
    verb = env.find_kw("update", "rename")
    if verb is None:
        return _stated_edit(env)
    field_at = _first_field(env, verb + 1)
    renaming = env.kw(verb, "rename")
    if field_at is None and not renaming:
        return None
    locs = [i for i in env.of_kind(Kind.LOCATION) if i > verb]
    bo_context = env.context.last_booking_order is not None or _bo_ref(env) is not None
    field_word = env.tokens[field_at].word if field_at is not None else ""
    to_catalogue = (
        renaming
        or env.has_kw("location")
        or field_word in _catalogue_only(env)
        or (field_word == "upload_fee" and not bo_context)
    )
    update_location = env.shared.actions.get("update_location")
    if to_catalogue and locs and update_location is not None:
        return update_location(env, verb, locs[0])
    if field_at is None:
        return None
    return _edit_booking_order(env, verb, field_at)


def _stated_edit(env: Env) -> Intent | None:
    """`municipality fee should be 8000` / `the sla is 10%` while a booking order is open."""
    bo_context = env.context.last_booking_order is not None or _bo_ref(env) is not None
    field_at = _first_field(env, 0)
    if field_at is None or not bo_context:
        return None
    leading = [
        i
        for i in range(field_at)
        if env.tokens[i].kind is not Kind.PUNCT and env.tokens[i].word not in ("the", "'", "s")
    ]
    after = env.tokens[field_at + 1] if field_at + 1 < len(env.tokens) else None
    stated = after is not None and after.word in ("should", "is", "=", ":")
    if len(leading) > 2 or not stated:
        return None
    return _edit_booking_order(env, -1, field_at)


def _first_field(env: Env, start: int) -> int | None:
    names = set(_BO_FIELDS) | set(_BO_LOCATION_FIELDS) | set(env.field_table("catalogue"))
    for i in range(max(start, 0), len(env.tokens)):
        if env.kw(i, *names):
            if env.tokens[i].word == "client" and i > 0 and env.word(i - 1, "for"):
                continue
            return i
    return None


def _edit_booking_order(env: Env, verb: int, field_at: int) -> Intent | None:
    canonical = env.tokens[field_at].word
    # The booking order location named between the verb and the field, or after "for".
    label_idxs = [
        i
        for i in range(verb + 1, field_at)
        if env.tokens[i].kind is not Kind.CODE
        and env.tokens[i].word not in ("the", "'", "s", "bo")
        and not env.kw(i, "booking_order")
        and env.tokens[i].kind is not Kind.PUNCT
    ]
    value_start = field_at + 1
    if (
        not label_idxs
        and value_start < len(env.tokens)
        and env.tokens[value_start].word in (LOCATION_REF)
    ):
        k = value_start + 1
        run: list[int] = []
        while k < len(env.tokens) and env.tokens[k].word not in VALUE_LEAD:
            if env.tokens[k].kind not in (Kind.WORD, Kind.LOCATION, Kind.CODE):
                break
            run.append(k)
            k += 1
        if run and k < len(env.tokens) and env.tokens[k].word in VALUE_LEAD:
            label_idxs, value_start = run, k
    location = span(env, label_idxs)
    if location is not None and canonical in _BO_LOCATION_FIELDS:
        name, kind = _BO_LOCATION_FIELDS[canonical]
    elif canonical in _BO_FIELDS:
        name, kind = _BO_FIELDS[canonical]
        location = None if canonical not in _BO_LOCATION_FIELDS else location
    else:
        return None
    args: dict[str, object] = {**_bo_args(env), "field": name}
    if location is not None:
        args["location"] = location
    value = read_value(env, kind, value_idxs(env, value_start))
    if value is None:
        return Intent("edit_booking_order", args, ("value",), ask_edit_value(_label(name)))
    args["value"] = value
    return Intent("edit_booking_order", args)


def _answer(env: Env, pending: Intent) -> Intent | None:
    """The value a pending edit asked for ("8000", "10%"), or finance's number ("PO-12345")."""
    if pending.missing and pending.missing[0] in ("po_number", "invoice_number"):
        found = [t.text for t in env.tokens if t.kind in (Kind.NUMBER, Kind.CODE)]
        if not found:
            return None
        return Intent(pending.tool, {**pending.args, pending.missing[0]: found[-1]})
    if not pending.missing or pending.missing[0] != "value":
        return None
    args = dict(pending.args)
    name = str(args.get("field", ""))
    kinds = {**{v[0]: v[1] for v in _BO_FIELDS.values()}}
    kinds.update({v[0]: v[1] for v in _BO_LOCATION_FIELDS.values()})
    value = read_value(env, kinds.get(name, "text"), list(range(len(env.tokens))))
    if value is None:
        return None
    args["value"] = value
    return Intent(pending.tool, args)


# --- questions -------------------------------------------------------------------------------


def ask_attachment() -> str:
    return "Please attach the booking order (PDF, Excel or a photo) and I'll read it."


def ask_reason(action: str) -> str:
    return f"Why should it be {action}? The reason is recorded and sent to the sales person."


def ask_edit_value(label: str) -> str:
    return f"What should the {label} be?"


def ask_finance_number(field: str) -> str:
    if field == "po_number":
        return "What is the client's PO number (e.g. PO-12345)?"
    return "What is the invoice number (e.g. INV-2026-0042)?"


def ask_booking_order_query() -> str:
    return "Which booking order? Give me its number (e.g. DPD-112652) or the client."


_TOOLS = {
    "parse_booking_order": "read booking orders",
    "edit_booking_order": "edit booking orders",
    "submit_booking_order": "submit booking orders",
    "approve_booking_order": "approve booking orders",
    "reject_booking_order": "reject booking orders",
    "cancel_booking_order": "cancel booking orders",
    "book_booking_order": "book booking orders (finance)",
    "invoice_booking_order": "mark booking orders invoiced (finance)",
    "booking_order_status": "check booking orders",
    "find_booking_order": "find booking orders",
}

FAMILIES = [
    Family(
        name="booking_order",
        rank=20,
        tools=tuple(_TOOLS),
        keywords=KEYWORDS,
        read=_booking_orders,
        answer=_answer,
        starters=frozenset({"booking_order", "upload_fee"}),
        labels=_TOOLS,
    )
]
