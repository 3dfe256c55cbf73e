"""What one salesperson does, for locust (started by `benchmarks/load/run.py`, not alone).

Each virtual user signs in as its own account (`load-<n>@load.salesbot.dev`, made by the runner),
then, with a pause of 1-3 s between actions: lists its conversations, chats with the offline
model (a few kinds of question), makes a proposal through the form API and downloads its PDF,
searches its messages, reads a conversation's messages. Requests go to the instances in turn
(`LOAD_HOSTS`), so a session signed in on one is used on the other.

Written at the end to `LOAD_TALLY` (JSON), once every user has stopped: each endpoint's requests,
failures, requests/s and p50/p95/p99, the errors, and the chat tally — messages the server
accepted (HTTP 200 with a `message_start`), refused (any other status: nothing stored), streams
that ended with `message_end`, and chats interrupted — by an exception in the task, or by locust
killing a request still running when its stop timeout ran out (users finish their task first) —
each with its exception and how long it had run. The runner compares the accepted count with
the user messages stored in PostgreSQL.

This file is run by locust's own interpreter (gevent); it imports nothing from the product.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import time
from datetime import date, timedelta
from typing import Any

import gevent
from locust import HttpUser, between, events, task

HOSTS = [h for h in os.environ.get("LOAD_HOSTS", "").split(",") if h]
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
TALLY = os.environ.get("LOAD_TALLY", "")
_numbers = itertools.count(1)
_tally = {"chat_accepted": 0, "chat_refused": 0, "chat_completed": 0, "chat_interrupted": 0}
_interruptions: list[dict[str, Any]] = []  # why each interrupted chat stopped, for the report
_lock = threading.Lock()

QUESTIONS = (
    "hello",
    "which locations do you have?",
    "what is the price of the landmark for 4 weeks?",
    "is jawhara available next month?",
    "thanks",
)
SEARCHES = ("landmark", "price", "weeks", "hello", "locations")


def _count(key: str) -> None:
    with _lock:
        _tally[key] += 1


def _entry(entry: Any) -> dict[str, Any]:
    return {
        "name": entry.name,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": entry.total_rps,
        **{
            f"p{int(q * 100)}": entry.get_response_time_percentile(q) if entry.num_requests else 0
            for q in (0.5, 0.95, 0.99)
        },
    }


@events.test_stop.add_listener
def _write_tally(environment: Any, **_: Any) -> None:
    """Fired after every user has stopped (locust's own CSV may be written before that)."""
    if not TALLY:
        return
    stats = environment.stats
    errors = [
        {"name": e.name, "method": e.method, "error": str(e.error), "count": e.occurrences}
        for e in stats.errors.values()
    ]
    entries = [_entry(e) for e in sorted(stats.entries.values(), key=lambda e: e.name)]
    with open(TALLY, "w", encoding="utf-8") as fh:
        json.dump(
            {
                "tally": _tally,
                "interruptions": _interruptions,
                "endpoints": [*entries, _entry(stats.total)],
                "errors": errors,
            },
            fh,
        )


class Salesperson(HttpUser):
    wait_time = between(1, 3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.number = next(_numbers)
        self.turn = self.number  # which instance the next request goes to
        self.conversation: str | None = None

    def _url(self, path: str) -> str:
        self.turn += 1
        return HOSTS[self.turn % len(HOSTS)] + path if HOSTS else path

    def on_start(self) -> None:
        email = f"load-{self.number}@load.salesbot.dev"
        with self.client.post(
            self._url("/api/auth/login"),
            json={"email": email, "password": PASSWORD},
            name="POST /api/auth/login",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"login {response.status_code}: {response.text[:200]}")
                self.stop()
                return
            token = response.json()["access_token"]
        self.client.headers["Authorization"] = f"Bearer {token}"

    @task(3)
    def list_conversations(self) -> None:
        self.client.get(self._url("/api/conversations"), name="GET /api/conversations")

    @task(4)
    def chat(self) -> None:
        # Locust kills a user it finds waiting between tasks; when the wait ended in the same
        # loop iteration, the kill lands at the user's next switch, inside the next task. This
        # yield takes it here, before anything is sent, where it interrupts nothing.
        gevent.sleep(0)
        started = time.monotonic()
        try:
            self._chat()
        except (
            BaseException
        ) as exc:  # killed mid-request, or the task raised: the outcome is unknown
            _count("chat_interrupted")
            with _lock:
                _interruptions.append(
                    {
                        "user": self.number,
                        "exception": type(exc).__name__,
                        "message": str(exc)[:300],
                        "after_s": round(time.monotonic() - started, 1),
                    }
                )
            raise

    def _chat(self) -> None:
        body: dict[str, Any] = {"message": random.choice(QUESTIONS)}
        if self.conversation:
            body["conversation_id"] = self.conversation
        with self.client.post(
            self._url("/api/chat"), json=body, name="POST /api/chat", catch_response=True
        ) as response:
            if response.status_code != 200 or "event: message_start" not in response.text:
                _count("chat_refused")
                response.failure(f"chat {response.status_code}: {response.text[:200]}")
                return
            _count("chat_accepted")
            for line in response.text.splitlines():
                if line.startswith("data:") and self.conversation is None:
                    started = json.loads(line[5:])
                    self.conversation = started.get("conversation_id")
            if "event: message_end" not in response.text:
                response.failure("the answer's stream ended without message_end")
                return
            _count("chat_completed")

    @task(2)
    def read_messages(self) -> None:
        if self.conversation:
            self.client.get(
                self._url(f"/api/conversations/{self.conversation}/messages?limit=50"),
                name="GET /api/conversations/[id]/messages",
            )

    @task(2)
    def search(self) -> None:
        self.client.get(
            self._url(f"/api/conversations/search?q={random.choice(SEARCHES)}"),
            name="GET /api/conversations/search",
        )

    @task(1)
    def proposal_and_download(self) -> None:
        start = date.today() + timedelta(days=random.randint(30, 300))
        body = {
            "kind": "separate",
            "client_name": f"Load Client {self.number}",
            "proposals": [
                {
                    "location": random.choice(("the_landmark", "dubai_gateway", "jawhara")),
                    "start_date": start.isoformat(),
                    "durations": ["4 weeks"],
                    "net_rates": ["1.5M"],
                }
            ],
        }
        with self.client.post(
            self._url("/api/proposals"),
            json=body,
            name="POST /api/proposals",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"proposal {response.status_code}: {response.text[:200]}")
                return
            files = response.json()["files"]
        for card in files:
            if card["name"].endswith(".pdf"):
                self.client.get(self._url(card["download_url"]), name="GET /api/files/[id]/content")
