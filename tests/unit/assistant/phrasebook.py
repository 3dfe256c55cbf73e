"""The project's own phrasebook: how salespeople actually ask, and what the offline model should do.

Each entry is (family, message, expected), where `expected` is the tool the message should call
(a question for missing details still counts, as long as it is about that tool) or `reply:KIND`
for small talk the model answers itself. `understood()` is shared by the test (which holds the
floor) and `benchmarks/bench_phrases.py` (which prints the report `make bench` shows). Dates are
relative to the test catalogue's TODAY (20 Nov 2025).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from salesbot.assistant.offline import Intent
from tests.unit.assistant.helpers import ask

SEP = "create_separate_proposals"
COMB = "create_combined_proposal"
REV = "revise_proposal"
BO_LENGTH = "reply:booking_order_length"
# What the conversation holds before the message, per family (other families start fresh).
_BO_OPEN: dict[str, object] = {"last_made": "booking_order", "last_booking_order": "BL-0001"}
CONTEXTS: dict[str, dict[str, object]] = {
    "proposal_edits": {"last_made": "proposal", "has_proposal": True},
    "edits_bo_and_proposal": {**_BO_OPEN, "has_proposal": True},
    "edits_bo_only": _BO_OPEN,
}

PHRASES: list[tuple[str, str, str]] = [
    # --- proposals -----------------------------------------------------------------------
    (
        "proposals",
        "make me a landmark proposal, start Jan 1st 2026, 2 weeks, 1.5M, client Nike",
        SEP,
    ),
    ("proposals", "landmark proposal for Nike starting 1 Jan 2026 for 2 weeks at 1.5M", SEP),
    ("proposals", "proposal for the landmark, 4 weeks from Dec 1, rate 2.8M, client Adidas", SEP),
    ("proposals", "quote jawhara for Puma, 2 weeks, 900k, start next monday", SEP),
    (
        "proposals",
        "need a quotation for gateway 2 weeks 1.2M starting Dec 15 for Emirates NBD",
        SEP,
    ),
    (
        "proposals",
        "can you prepare a proposal for UAE21 from 1 Dec, 4 weeks, 350k, "
        "production fee 20k, client Nike",
        SEP,
    ),
    ("proposals", "landmark 2 and 4 weeks at 1.5M and 2.8M start Jan 1 2026 client Nike", SEP),
    (
        "proposals",
        "proposal landmark, durations 2 weeks, 4 weeks, 8 weeks, rates 1.5M, 2.8M, 4M, "
        "client Nike Middle East, start Jan 1st 2026",
        SEP,
    ),
    ("proposals", "jawhara proposal for Coca-Cola, 1 month, 1M, from 1st of next month", SEP),
    ("proposals", "make a proposal for marina north, 2 weeks, 500k, start Dec 1, client Nike", SEP),
    (
        "proposals",
        "proposal for landmark and jawhara 2 weeks start Jan 1 2026 1.5M/900K client Nike",
        SEP,
    ),
    (
        "proposals",
        "separate proposals for landmark and gateway, 2 weeks each, 1.5M and 1.2M, "
        "start Dec 1, client Pepsi",
        SEP,
    ),
    ("proposals", "landmark proposal in USD for Nike, start 1 Jan 2026, 2 weeks, 400k", SEP),
    ("proposals", "landmark proposal, $400k, 2 weeks from Jan 5 2026, client Nike", SEP),
    ("proposals", "proposal for gateway, 3 spots, 2 weeks, 1.5M, Dec 1, client Nike", SEP),
    ("proposals", "landmark proposal for 14 days from Dec 1 at 1.5M for Nike", SEP),
    (
        "proposals",
        "proposal for uae22 4 weeks 300k production 15000 start 1/12/2025 client Nike",
        SEP,
    ),
    ("proposals", "hey can u do landmark 2 wks 1.5m nike start dec 1", SEP),
    ("proposals", "LANDMARK PROPOSAL 2 WEEKS 1.5M CLIENT NIKE START DEC 1", SEP),
    ("proposals", "landmark proposal 2 weeks start jan 1 2026 1.5M clinet Nike", SEP),
    (
        "proposals",
        "proposal for the landmark tower, two weeks, one point five million... 1.5M, Dec 1, Nike",
        SEP,
    ),
    ("proposals", "I need a proposal for Nike on the landmark", SEP),
    ("proposals", "landmark proposal", SEP),
    ("proposals", "make a proposal", SEP),
    ("proposals", "proposal for Nike, landmark, start in two weeks, 4 weeks, 2.8M", SEP),
    ("proposals", "landmark from mid-March for 4 weeks at 2.8M, client Nike", SEP),
    (
        "proposals",
        "landmark proposal payment terms 50% upfront, 2 weeks, 1.5M, Dec 1, client Nike",
        SEP,
    ),
    ("proposals", "proposal for jawhara in EUR, 2 weeks, 900k, Dec 1, client Nike", SEP),
    ("proposals", "jawhara proposal, €300k, 2 weeks, Dec 1, client Nike", SEP),
    ("proposals", "proposal for landmark 2 weeks 1.5M Dec 1 to Dec 14 client Nike", SEP),
    # --- combined packages -----------------------------------------------------------------
    (
        "combined",
        "combined package landmark and jawhara, 2 weeks, package rate 2M, start Dec 1, client Nike",
        COMB,
    ),
    (
        "combined",
        "package for landmark, gateway and jawhara at 3M for 4 weeks from Jan 1 2026 for Nike",
        COMB,
    ),
    (
        "combined",
        "bundle landmark + uae21, 2 weeks, 2.2M, production fee 20k, Dec 1, client Nike",
        COMB,
    ),
    (
        "combined",
        "combined proposal for gateway and jawhara, 1 month, combined rate 1.8M, "
        "start Dec 1, client Nike",
        COMB,
    ),
    (
        "combined",
        "make it combined: landmark and jawhara at 3M for 2 weeks starting Dec 1 for Adidas",
        COMB,
    ),
    ("combined", "combined package for landmark and gateway", COMB),
    ("combined", "one package, landmark and marina south, 2 weeks, 2.5M, Dec 1, Nike", COMB),
    (
        "combined",
        "combine landmark and jawhara into one package for Nike, 2 weeks, 2M, Dec 1",
        COMB,
    ),
    # --- booking orders ----------------------------------------------------------------------
    (
        "booking_orders",
        "here is the signed BO from Emirates NBD for Backlite, upload fee is 6000",
        "parse_booking_order",
    ),
    ("booking_orders", "booking order for Viola", "parse_booking_order"),
    ("booking_orders", "please read this booking order", "parse_booking_order"),
    ("booking_orders", "new BO attached for Backlite", "parse_booking_order"),
    ("booking_orders", "submit it", "submit_booking_order"),
    ("booking_orders", "submit the booking order", "submit_booking_order"),
    ("booking_orders", "submit BO-2025-0001", "submit_booking_order"),
    ("booking_orders", "approve it", "approve_booking_order"),
    ("booking_orders", "approve BL-0001", "approve_booking_order"),
    ("booking_orders", "approve the booking order BO-2025-0003", "approve_booking_order"),
    ("booking_orders", "reject it because the dates are wrong", "reject_booking_order"),
    ("booking_orders", "reject BL-0002, client name is wrong", "reject_booking_order"),
    ("booking_orders", "reject the booking order", "reject_booking_order"),
    ("booking_orders", "cancel the booking order, the client withdrew", "cancel_booking_order"),
    ("booking_orders", "cancel BO-2025-0004 because the campaign is off", "cancel_booking_order"),
    ("booking_orders", "mark BO-2026-0001 as booked with PO 12345", "book_booking_order"),
    ("booking_orders", "mark it booked, PO-12345", "book_booking_order"),
    ("booking_orders", "book BO-2026-0002 with PO number 4500012345", "book_booking_order"),
    ("booking_orders", "confirm the booking of BO-2026-0002, PO: 4500012345", "book_booking_order"),
    ("booking_orders", "mark it invoiced", "invoice_booking_order"),
    (
        "booking_orders",
        "mark BO-2026-0001 as invoiced, invoice INV-2026-0042",
        "invoice_booking_order",
    ),
    ("booking_orders", "where is my booking order?", "booking_order_status"),
    ("booking_orders", "what is the status of BO-2025-0001", "booking_order_status"),
    ("booking_orders", "status of the booking order", "booking_order_status"),
    ("booking_orders", "find booking order DPD-112652", "find_booking_order"),
    ("booking_orders", "look up BO-2025-0007", "find_booking_order"),
    # --- edits -------------------------------------------------------------------------------
    ("edits", "change municipality fee to 8000", "edit_booking_order"),
    ("edits", "update UAE21 net amount to 150000", "edit_booking_order"),
    ("edits", "change client to Nike UAE", "edit_booking_order"),
    ("edits", "set the sla to 10%", "edit_booking_order"),
    ("edits", "change the production fee to 3000", "edit_booking_order"),
    ("edits", "update the bo number to DPD-200000", "edit_booking_order"),
    ("edits", "change the agency to OMD", "edit_booking_order"),
    ("edits", "set commission to 5%", "edit_booking_order"),
    # --- mockups -------------------------------------------------------------------------------
    ("mockups", "mockup for landmark", "generate_mockup"),
    ("mockups", "make a mockup of the landmark with a luxury watch on black", "generate_mockup"),
    ("mockups", "landmark at night with a luxury watch on black", "generate_mockup"),
    ("mockups", "show this creative on jawhara", "generate_mockup"),
    ("mockups", "mock up gateway at night", "generate_mockup"),
    ("mockups", "put the creative on the landmark", "generate_mockup"),
    ("mockups", "mockup on marina north with a red sports car", "generate_mockup"),
    ("mockups", "how would a Nike ad look on the landmark at night", "generate_mockup"),
    ("mockups", "mockup of uae21 with a coffee cup billboard", "generate_mockup"),
    ("mockups", "generate a billboard mockup for jawhara, daytime", "generate_mockup"),
    # --- questions -----------------------------------------------------------------------------
    ("questions", "what is the price of the landmark?", "location_prices"),
    ("questions", "how much is jawhara", "location_prices"),
    ("questions", "price of uae21", "location_prices"),
    ("questions", "what does the gateway cost?", "location_prices"),
    ("questions", "what did we quote Nike last month?", "proposal_history"),
    ("questions", "show my recent proposals", "proposal_history"),
    ("questions", "proposal history for Adidas", "proposal_history"),
    ("questions", "last 5 proposals", "proposal_history"),
    ("questions", "list my proposals this week", "proposal_history"),
    ("questions", "which proposals did we send to Puma?", "proposal_history"),
    ("questions", "list locations", "list_locations"),
    ("questions", "what locations do we have?", "list_locations"),
    ("questions", "show all digital screens", "list_locations"),
    ("questions", "tell me about the landmark", "find_location"),
    ("questions", "where is jawhara?", "find_location"),
    ("questions", "find location gateway", "find_location"),
    ("questions", "details of uae21", "find_location"),
    ("questions", "search my chats for Nike", "search_conversations"),
    ("questions", "find the conversation about Adidas", "search_conversations"),
    ("questions", "list my conversations", "list_conversations"),
    ("questions", "send it to nike@example.com", "share_proposal"),
    # --- small talk ----------------------------------------------------------------------------
    ("small_talk", "hi", "reply:greeting"),
    ("small_talk", "hello", "reply:greeting"),
    ("small_talk", "good morning", "reply:greeting"),
    ("small_talk", "salam", "reply:greeting"),
    ("small_talk", "hey there", "reply:greeting"),
    ("small_talk", "thanks", "reply:thanks"),
    ("small_talk", "thank you!", "reply:thanks"),
    ("small_talk", "cheers", "reply:thanks"),
    ("small_talk", "help", "reply:help"),
    ("small_talk", "what can you do?", "reply:help"),
    ("small_talk", "how does this work", "reply:help"),
    ("small_talk", "examples", "reply:help"),
    # --- more ways people ask ----------------------------------------------------------------
    ("proposals", "pls quote landmark 4wks 2.8m for adidas from jan 1 2026", SEP),
    ("proposals", "landmark for Nike: 2 weeks @ 1.5M from 1st December", SEP),
    ("proposals", "Nike wants the landmark for 2 weeks from Dec 1, rate 1.5M", SEP),
    (
        "proposals",
        "prepare proposal: location jawhara, duration 4 weeks, rate 1.8M, "
        "start 2025-12-01, client Puma",
        SEP,
    ),
    ("proposals", "proposal for marina south for a month starting tomorrow at 700k for Nike", SEP),
    ("proposals", "can I get a quote for gateway, 2 weeks, 1.2M, Dec 1? client is Pepsi", SEP),
    ("proposals", "landmark, 2 weeks, 1.5M, Dec 1, Nike - proposal please", SEP),
    ("proposals", "proposal landmark 1.5M 2 weeks", SEP),
    (
        "proposals",
        "quote for uae21 and uae22, 2 weeks, 300k each, production fee 15k, Dec 1, Nike",
        SEP,
    ),
    (
        "proposals",
        "draft a proposal for the gateway for Emirates, 8 weeks from Jan 1 2026 at 4M",
        SEP,
    ),
    (
        "combined",
        "package deal: landmark, jawhara, gateway – 4 weeks – 5M – Jan 1 2026 – client Nike",
        COMB,
    ),
    ("combined", "combined rate 2M for landmark and jawhara, 2 weeks from Dec 1, Nike", COMB),
    ("booking_orders", "read the attached booking order", "parse_booking_order"),
    ("booking_orders", "signed BO attached, Viola", "parse_booking_order"),
    ("booking_orders", "go ahead and submit the BO", "submit_booking_order"),
    ("booking_orders", "please approve BO-2025-0010", "approve_booking_order"),
    ("booking_orders", "send BL-0005 back, the rates are wrong", "reject_booking_order"),
    ("booking_orders", "what stage is BO-2025-0002 at?", "booking_order_status"),
    ("edits", "change the currency to USD", "edit_booking_order"),
    ("edits", "update the client name to Adidas Middle East", "edit_booking_order"),
    ("edits", "change the start date of UAE21 to 15 Dec 2025", "edit_booking_order"),
    ("mockups", "visualise the landmark with our new perfume ad", "generate_mockup"),
    ("mockups", "same mockup on gateway", "generate_mockup"),
    ("mockups", "now show it on jawhara", "generate_mockup"),
    ("mockups", "try it on marina south at night", "generate_mockup"),
    ("mockups", "mockup for landmark, matte finish", "generate_mockup"),
    ("questions", "how much did we charge for jawhara?", "location_prices"),
    ("questions", "what's the rate for the landmark?", "location_prices"),
    ("questions", "proposals for Nike last week", "proposal_history"),
    ("questions", "show me the static sites", "list_locations"),
    ("questions", "which screens are in marina?", "find_location"),
    ("questions", "search conversations for landmark", "search_conversations"),
    ("small_talk", "thx", "reply:thanks"),
    ("small_talk", "hiya", "reply:greeting"),
    ("small_talk", "commands", "reply:help"),
    # --- follow-up edits of the proposal just made (#15 item 5; asked after a proposal) -----
    ("proposal_edits", "make it 4 weeks instead", REV),
    ("proposal_edits", "change the rate to 2.5M", REV),
    ("proposal_edits", "same but in USD", REV),
    ("proposal_edits", "add jawhara", REV),
    ("proposal_edits", "remove UAE21", REV),
    ("proposal_edits", "change the client to Etisalat", REV),
    ("proposal_edits", "make it combined at 3M", REV),
    ("proposal_edits", "actually make it 2 weeks", REV),
    ("proposal_edits", "can you make it 8 weeks instead?", REV),
    ("proposal_edits", "change the duration to 1 month", REV),
    ("proposal_edits", "make it 2 weeks at 1.5M and 4 weeks at 2.8M instead", REV),
    ("proposal_edits", "set the rate to 1.8M", REV),
    ("proposal_edits", "change the landmark rate to 2.2M", REV),
    ("proposal_edits", "make it $400k instead", REV),
    ("proposal_edits", "same but in euros", REV),
    ("proposal_edits", "switch it to USD", REV),
    ("proposal_edits", "show it in GBP", REV),
    ("proposal_edits", "add jawhara at 900k", REV),
    ("proposal_edits", "add the gateway too", REV),
    ("proposal_edits", "drop the gateway", REV),
    ("proposal_edits", "take out UAE21", REV),
    ("proposal_edits", "remove uae21 and add jawhara", REV),
    ("proposal_edits", "change client to Etisalat UAE", REV),
    ("proposal_edits", "the client should be Adidas", REV),
    ("proposal_edits", "move the start to 1 Feb 2026", REV),
    ("proposal_edits", "change the start date to Jan 15 2026", REV),
    ("proposal_edits", "change the package rate to 3.5M", REV),
    ("proposal_edits", "make it a package at 2.5M", REV),
    ("proposal_edits", "make it separate, 1.5M and 900k", REV),
    ("proposal_edits", "change the production fee for uae21 to 20k", REV),
    ("proposal_edits", "change the payment terms to 50% upfront", REV),
    ("proposal_edits", "same but for Puma", REV),
    ("proposal_edits", "add jawhra", REV),
    ("proposal_edits", "remove the gatway", REV),
    # --- the same edits with a booking order open too (asked after a proposal, then a BO) ---
    ("edits_bo_and_proposal", "make it 4 weeks instead", REV),
    ("edits_bo_and_proposal", "actually make it 2 weeks", REV),
    ("edits_bo_and_proposal", "can you make it 8 weeks instead?", REV),
    ("edits_bo_and_proposal", "make it combined at 3M", REV),
    # --- with only a booking order open: how its length is changed, not "didn't understand" --
    ("edits_bo_only", "make it 4 weeks instead", BO_LENGTH),
    ("edits_bo_only", "actually make it 2 weeks", BO_LENGTH),
    ("edits_bo_only", "can you make it 8 weeks instead?", BO_LENGTH),
    ("edits_bo_only", "make it 1 month", BO_LENGTH),
    # --- Arabic and mixed ------------------------------------------------------------------------
    ("arabic", "عرض سعر للعميل Nike landmark اسبوعين 1.5M start Jan 1 2026", SEP),
    ("arabic", "عرض سعر landmark اسبوعين 1.5M للعميل Adidas", SEP),
    ("arabic", "عرض jawhara شهر 900k للعميل Puma", SEP),
    ("arabic", "مرحبا", "reply:greeting"),
]


@dataclass(frozen=True)
class Outcome:
    family: str
    message: str
    expected: str
    got: str

    @property
    def ok(self) -> bool:
        return self.got == self.expected


def _got(intent: Intent) -> str:
    if intent.tool is not None:
        return intent.tool
    reply = intent.reply or ""
    if reply.startswith("Sorry, I didn't understand"):
        return "not understood"
    if reply.startswith("Here is what you can ask me"):
        return "reply:help"
    if reply.startswith("A booking order's campaign length comes from its dates"):
        return BO_LENGTH
    if reply.startswith(("You're welcome", "Glad")):
        return "reply:thanks"
    return "reply:greeting" if reply.startswith(("Hello", "Hi")) else f"reply:{reply[:30]}"


def understood() -> list[Outcome]:
    out = []
    for family, message, expected in PHRASES:
        attached = family in ("booking_orders", "mockups") and "attached" in message
        # Edits follow a proposal (or a booking order) made in the same conversation.
        context = CONTEXTS.get(family, {})
        intent = ask(message, has_attachments=attached, attachment_count=int(attached), **context)
        out.append(Outcome(family, message, expected, _got(intent)))
    return out


def by_family(outcomes: list[Outcome]) -> dict[str, tuple[int, int]]:
    total: Counter[str] = Counter(o.family for o in outcomes)
    good: Counter[str] = Counter(o.family for o in outcomes if o.ok)
    return {family: (good[family], total[family]) for family in total}
