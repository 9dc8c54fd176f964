"""Which request carried the form to Meta, whether Meta answered it, and what the page
said after that answer.

"Sent" means a request left the browser, not that Send was clicked: a click on a
button that does nothing, or a form that stops at its own check, sends nothing. The
submission is the POST after the click (a navigation, ``fetch`` or XHR to one of the
flow's hosts) that carries what was typed into the form; after an emailed-code step,
the POST that carries the code. Text counts as Meta's answer only when it appeared on
the page after that request was answered (an in-page observer stamps every change
with the browser's clock) and was not already on the page before Send.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus

from widerspruch.page.labels import normalise
from widerspruch.page.verdict import sentences
from widerspruch.text import without_query

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request, Response

    from widerspruch.page.flow import Flow

# Failures that prove a request never reached any server. Any other failure after the
# request left (a reset, a timeout) may mean Meta has it.
NEVER_LEFT = frozenset(
    {
        "net::ERR_CONNECTION_REFUSED",
        "net::ERR_NAME_NOT_RESOLVED",
        "net::ERR_ADDRESS_UNREACHABLE",
        "net::ERR_INTERNET_DISCONNECTED",
        "net::ERR_BLOCKED_BY_CLIENT",
    }
)
# Only when the page's own timing of the answer is missing: text stamped this long
# before the network's time of the answer still counts (two processes' clocks).
CLOCK_SLACK_MS = 20.0

# Installed before any page script runs: stamps every node added or changed, and every
# element whose visibility attributes change, with the time it happened.
STAMP_CHANGES_JS = """(() => {
  if (window.__widerspruchStamps) return;
  const stamps = new WeakMap();
  Object.defineProperty(window, '__widerspruchStamps', {value: stamps});
  const origin = performance.timeOrigin, clock = performance.now.bind(performance);
  new MutationObserver(records => {
    const at = origin + clock();
    for (const r of records) {
      if (r.type === 'childList') r.addedNodes.forEach(n => stamps.set(n, at));
      else stamps.set(r.target, at);
    }
  }).observe(document, {subtree: true, childList: true, characterData: true,
                        attributes: true,
                        attributeFilter: ['style', 'class', 'hidden', 'aria-hidden', 'open']});
})();"""

# Every text on the page, hidden or not, one line per block: text that a script could
# reveal later was on the page before Send all the same.
ALL_LINES_JS = """() => {
  if (!document.body) return [];
  const lines = [];
  let line = [], lastBlock = null;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (!parent || parent.closest('script, style, noscript') || !n.textContent.trim()) continue;
    let block = parent;
    while (block && block.parentElement && getComputedStyle(block).display.startsWith('inline'))
      block = block.parentElement;
    if (block !== lastBlock && line.length) { lines.push(line.join('')); line = []; }
    lastBlock = block;
    line.push(n.textContent);
  }
  if (line.length) lines.push(line.join(''));
  return lines;
}"""

# Set on the page right before Send (and before the code step): a document without it
# is a new one, which came with or after Meta's answer.
MARK_BEFORE_SEND_JS = "() => { window.__widerspruchBeforeSend = true; }"

# The visible text that appeared or changed after Meta's answer, in the page's own
# clock: a new document came with the answer whole; on the same document, only what
# changed after the submission's fetch or XHR had arrived (its Resource Timing entry)
# counts. `since` (the network's clock) is the fallback when no entry is found.
TEXT_SINCE_JS = """({since, url, kind}) => {
  // The browser's own page for a load that failed is not Meta's answer.
  if (location.protocol === 'chrome-error:') return '';
  let cutoff = since;
  if (kind === 'document') {
    cutoff = window.__widerspruchBeforeSend ? Infinity : -Infinity;
  } else {
    const fetched = performance.getEntriesByType('resource').filter(e =>
      e.name.split('?')[0].split('#')[0] === url &&
      (e.initiatorType === 'fetch' || e.initiatorType === 'xmlhttprequest'));
    const last = fetched[fetched.length - 1];
    if (last && last.responseEnd > 0) cutoff = performance.timeOrigin + last.responseEnd;
  }
  const stamps = window.__widerspruchStamps;
  const nav = performance.getEntriesByType('navigation')[0];
  const loaded = performance.timeOrigin + (nav ? nav.responseEnd : 0);
  const stampOf = node => {
    let at = loaded;
    for (let n = node; n; n = n.parentNode) {
      const s = stamps && stamps.get(n);
      if (s !== undefined && s > at) at = s;
    }
    return at;
  };
  const blockOf = node => {
    for (let e = node.parentElement; e; e = e.parentElement)
      if (!getComputedStyle(e).display.startsWith('inline')) return e;
    return null;
  };
  if (!document.body) return '';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  let lastBlock = null;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (!parent || !n.textContent.trim()) continue;
    if (parent.closest('script, style, noscript, template')) continue;
    if (!parent.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    if (stampOf(n) < cutoff) continue;
    const block = blockOf(n);
    if (out.length && block !== lastBlock) out.push('\\n');
    lastBlock = block;
    out.push(n.textContent);
  }
  return out.join('');
}"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class Submission:
    """One request that carried the form (or its code) to Meta. No body, no headers."""

    phase: str  # "sent", then "answered" or "lost"
    step: str  # "form" or "code"
    url: str
    method: str
    kind: str  # document, fetch or xhr
    recognised_by: str  # "its content", "navigation" or "timing"
    sent_at: str
    status: int | None = None
    answered_at: str | None = None
    answered_ms: float | None = None  # the browser's clock, for TEXT_SINCE_JS
    answer_sha256: str | None = None
    failure: str | None = None

    def record(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("answered_ms")
        return data

    @property
    def answered_ok(self) -> bool:
        return self.phase == "answered" and self.status is not None and self.status < 400


class SubmissionWatch:
    """Listens to a page's requests; arm it right before Send is clicked."""

    def __init__(self, page: Page, flow: Flow) -> None:
        self.page = page
        self.flow = flow
        self.armed = False
        self.step = "form"
        self._code_after = 0
        self._markers: list[str] = []
        self._by_request: dict[int, tuple[Request, Submission]] = {}
        self.submissions: list[Submission] = []  # in the order they left
        self._timing_only: list[tuple[Request, Submission]] = []
        page.on("request", self._on_request)
        page.on("response", self._on_response)
        page.on("requestfinished", self._on_finished)
        page.on("requestfailed", self._on_failed)

    def arm(self, filled_values: list[str]) -> None:
        """From now on, a POST carrying one of `filled_values` is the submission."""
        self.armed = True
        markers: set[str] = set()
        for value in filled_values:
            value = value.strip()
            if len(value) < 4:
                continue
            piece = value[:40]
            markers |= {piece, quote(piece, safe=""), quote_plus(piece)}
        self._markers = sorted(markers)

    def expect_code(self) -> None:
        """The next POST after an emailed-code step carries the code, not the form."""
        self.step = "code"
        self._code_after = len(self.submissions)

    @property
    def code_awaited(self) -> bool:
        """A code step was handed to the person, and its POST has not left yet."""
        return self.step == "code" and len(self.submissions) <= self._code_after

    @property
    def latest(self) -> Submission | None:
        """The submission the outcome rests on: the last one recognised, or, when none
        carried the form's content, the first POST after the click."""
        if self.submissions:
            return self.submissions[-1]
        return self._timing_only[0][1] if self._timing_only else None

    @property
    def left_browser(self) -> bool:
        return self.latest is not None

    def _on_request(self, request: Request) -> None:
        if not self.armed or request.method != "POST":
            return
        if request.resource_type not in ("document", "fetch", "xhr"):
            return
        if not self.flow.allows_url(request.url):
            return
        body = request.post_data or ""
        if self.step == "code":
            how = "code step"
        elif any(marker in body for marker in self._markers):
            how = "its content"
        elif request.resource_type == "document":
            how = "navigation"
        else:
            how = "timing"
        submission = Submission(
            phase="sent",
            step=self.step,
            url=without_query(request.url),
            method=request.method,
            kind=request.resource_type,
            recognised_by=how,
            sent_at=_now(),
        )
        if how == "timing":
            self._timing_only.append((request, submission))
        else:
            self.submissions.append(submission)
        self._by_request[id(request)] = (request, submission)

    def _on_response(self, response: Response) -> None:
        found = self._by_request.get(id(response.request))
        if found is not None:
            found[1].status = response.status

    def _on_finished(self, request: Request) -> None:
        found = self._by_request.get(id(request))
        if found is None:
            return
        submission = found[1]
        submission.phase = "answered"
        submission.answered_at = _now()
        timing = request.timing
        # A page's answer counts from when it began to arrive (its nodes are parsed as
        # it streams in); a fetch's from when it had arrived whole (the page's script can
        # only show it after that). Anything on the page earlier was not Meta's answer.
        if submission.kind == "document" and timing.get("responseStart", -1) >= 0:
            submission.answered_ms = timing["startTime"] + timing["responseStart"]
        elif timing.get("responseEnd", -1) >= 0:
            submission.answered_ms = timing["startTime"] + timing["responseEnd"]

    def _on_failed(self, request: Request) -> None:
        found = self._by_request.pop(id(request), None)
        if found is None:
            return
        submission = found[1]
        if request.failure in NEVER_LEFT:
            # It never reached a server: nothing was sent.
            for group in (self.submissions, [s for _, s in self._timing_only]):
                if submission in group:
                    group.remove(submission)
            self._timing_only = [(r, s) for r, s in self._timing_only if s is not submission]
            return
        submission.phase = "lost"
        submission.failure = request.failure

    def request_of(self, submission: Submission) -> Request | None:
        for request, candidate in self._by_request.values():
            if candidate is submission:
                return request
        return None

    def digest_answer(self, submission: Submission) -> None:
        """The SHA-256 of Meta's answer body, for the record (the body itself is not kept)."""
        from playwright.sync_api import Error as PlaywrightError

        request = self.request_of(submission)
        if request is None or submission.answer_sha256 is not None:
            return
        try:
            response = request.response()
            body = response.body() if response is not None else b""
        except PlaywrightError:
            return  # a redirect or a navigated-away document keeps no body
        submission.answer_sha256 = hashlib.sha256(body).hexdigest()
        if submission.answered_ms is None:
            # No timing from the network: the answer came no later than now.
            clock = "performance.timeOrigin + performance.now()"
            submission.answered_ms = float(self.page.evaluate(clock))


def page_sentences(page: Page) -> set[str]:
    """Every sentence on the page now, shown or hidden, normalised."""
    lines = page.evaluate(ALL_LINES_JS)
    return {normalise(s) for line in lines for s in sentences(str(line))}


def answer_text(page: Page, submission: Submission, before: set[str]) -> str:
    """The text that appeared after Meta's answer and was not on the page before Send."""
    since = (submission.answered_ms or float("inf")) - CLOCK_SLACK_MS
    found = page.evaluate(
        TEXT_SINCE_JS, {"since": since, "url": submission.url, "kind": submission.kind}
    )
    kept = [s for s in sentences(str(found)) if normalise(s) not in before]
    return "\n".join(kept)
