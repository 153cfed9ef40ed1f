# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading a whole list through the transport, however the server pages it.

Private to this collection: not a public API, may change without notice.

Knows nothing of users, groups or dialects: the client passes how an answer splits into sections and
a hook that sees every page (dialect detection and shape checks stay in the client).
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.contrast_security.identity.plugins.module_utils.errors import ContrastApiError

DEFAULT_PAGE_SIZE = 100


class _ListShifted(Exception):
    """A list read whose count changed or disagreed with what was read (read_pages starts over once)."""


class Paging:
    """read_pages, a base of transport.Transport (it uses the transport's request, retries and backoff)."""

    # How many of a list's pages after the first are read at once, and the threads that read them. By default one
    # page after the other, on one kept-alive connection; contrast_roster sets both (its `parallelism` and its own
    # pool, so that its reads and writes share connections). With read_parallelism above 1 and no pool, one is made
    # on first use. None of it applies to a list whose first page does not carry its count.
    read_pool = None
    read_parallelism = 1
    _read_pool_lock = threading.Lock()

    def _pages_pool(self):
        with self._read_pool_lock:
            if self.read_pool is None:
                self.read_pool = ThreadPoolExecutor(max_workers=self.read_parallelism)
            return self.read_pool

    def read_pages(self, path: str, sections, page_size: int = DEFAULT_PAGE_SIZE, params=None, paged=True, until=None,
                   on_page=None):
        """Every item of a list, however the server pages it. `sections(answer)` gives the answer's paged sections
        ``[(name, items, count)]`` (a dialect may split one answer into several, each with its own count);
        `on_page(answer)`, when given, sees each page's answer first (the client settles its dialect there and
        checks the answer's shape).

        - ``count`` is honoured: pages are read until each section holds its count, advancing by what
          the server actually returned (it may cap ``limit`` silently);
        - no ``count``: pages are read until an empty page; a page longer than asked, or the same page
          answered again for the next offset, means the server does not page: its answer is the whole list;
        - the same page for every offset while ``count`` says there is more: the list cannot be read
          completely, which raises;
        - a ``count`` that changes between pages, or that disagrees with what was read (users added or
          deleted meanwhile): the read starts over once, then raises; never a silently shorter list.

        `paged` False: one request without offset/limit (a documented unpaged list). `until` (a test of
        one raw item): stop at the first item it accepts and return ``[that item]``.

        Where the first page has one section and its ``count`` (and no `until`), the later pages are read
        `read_parallelism` at a time (read_pool), each checked for what reading them one after the other would
        find: the same count (else the read starts over), the length the first page's step promises and no page
        twice (else the read goes on one page at a time).
        """
        reason = None
        # A look-up (`until`) runs while this run's own parallel creates grow the list: it may start over
        # more often, with a pause, since an item it finds is proof enough whatever moved meanwhile.
        passes = 2 if until is None else self.retries + 2
        for attempt in range(passes):
            if attempt >= 2:
                self._sleep(self._backoff_delay(attempt - 2))
            try:
                return self._read_pages_once(path, sections, page_size, params, paged, until, on_page)
            except _ListShifted as shifted:
                reason = str(shifted)
        raise ContrastApiError("GET", path, 200, detail=(
            "The list changed while it was read (%s), and again each time it was read over: nothing was "
            "decided from a partial list. Run again when the organization is not being changed by someone else; "
            "if it persists, the server's count is wrong." % reason))

    def _read_pages_once(self, path, sections, page_size, params, paged, until, on_page):
        progress = {}
        offset = 0
        shifted = None  # a look-up reads on past a moving count: a found item settles it, absence does not
        while True:
            query = dict(params or {})
            if paged:
                query.update({"offset": offset, "limit": page_size})
            data = self.request("GET", path, params=query or None)
            if on_page is not None:
                on_page(data)
            step = 0
            for name, items, count in sections(data):
                state = progress.setdefault(name, {"items": [], "count": count, "first": None, "seen": set(), "done": False})
                if state["done"]:
                    continue
                if offset and count != state["count"]:
                    moved = "its count went from %s to %s between two pages" % (state["count"], count)
                    if until is None:
                        raise _ListShifted(moved)
                    shifted, state["count"] = shifted or moved, count
                if not paged or not items:
                    state["items"].extend(items)
                    state["done"] = True
                    continue
                fingerprint = self._fingerprint(items)
                if offset == 0:
                    state["first"] = fingerprint
                elif fingerprint == state["first"]:
                    whole = len(items) == len(state["items"]) and (
                        count == len(items) if count is not None else len(items) < page_size
                        or self._honours_no_larger_limit(path, sections, name, params, len(items)))
                    if not whole:
                        says = " while its count says %s" % count if count is not None else ""
                        raise ContrastApiError("GET", path, 200, detail=(
                            "The server returned the same page for offset %d as for offset 0%s: it ignores offset, so "
                            "the list cannot be read completely" % (offset, says)))
                    state["done"] = True  # it does not page: its first answer was the whole list
                    continue
                elif fingerprint in state["seen"]:
                    # An earlier page again, but not the first: the answers changed under us (or paging is broken);
                    # paging on would never end.
                    raise _ListShifted("the page for offset %d repeats an earlier one" % offset)
                state["seen"].add(fingerprint)
                state["items"].extend(items)
                step = max(step, len(items))
                if until is not None:
                    for item in items:
                        if until(item):
                            return [item]
                if (count is not None and len(state["items"]) >= count) or (count is None and len(items) > page_size):
                    state["done"] = True
            if not paged or step == 0 or all(state["done"] for state in progress.values()):
                break
            if offset == 0 and until is None and len(progress) == 1:
                state = next(iter(progress.values()))
                rest = self._later_pages_at_once(path, sections, page_size, params, on_page, state) \
                    if state["count"] is not None else None
                if rest is not None:
                    state["items"].extend(rest)
                    break
            offset += step
        if shifted:
            raise _ListShifted(shifted)  # the item looked for was not met, but the list moved: it may have been missed
        found = []
        for state in progress.values():
            if state["count"] is not None and len(state["items"]) != state["count"]:
                raise _ListShifted("%d item(s) read where its count says %d" % (len(state["items"]), state["count"]))
            found.extend(state["items"])
        return found

    def _later_pages_at_once(self, path, sections, page_size, params, on_page, state):
        """The items of every page after the first, read `read_parallelism` at a time, or None when a page is not
        what the first one promised (a server that pages otherwise, or answers a page twice): then the read goes on
        one page at a time, from the second page, having spent one wave. A count that moved starts the read over,
        as it does one page at a time."""
        first, count = state["items"], state["count"]
        step = len(first)
        offsets = list(range(step, count, step))
        if not offsets or self.read_parallelism < 2 or threading.current_thread() is not threading.main_thread():
            # Only the main thread hands pages to the pool: a read made by one of the pool's own threads (a write's
            # read right before it) waiting on the pool could wait for ever.
            return None

        def page(offset):
            query = dict(params or {})
            query.update({"offset": offset, "limit": page_size})
            data = self.request("GET", path, params=query)
            if on_page is not None:
                on_page(data)
            return data
        pool = self._pages_pool()
        seen = {state["first"]}
        rest = []
        for wave in range(0, len(offsets), self.read_parallelism):
            wave_offsets = offsets[wave:wave + self.read_parallelism]
            for offset, data in zip(wave_offsets, pool.map(page, wave_offsets)):  # an error fails the read
                found = sections(data)
                if len(found) != 1:
                    return None
                _name, items, page_count = found[0]
                if page_count != count:
                    raise _ListShifted("its count went from %s to %s between two pages" % (count, page_count))
                if len(items) != min(step, count - offset):
                    return None  # the server pages otherwise than its first page says
                fingerprint = self._fingerprint(items)
                if fingerprint in seen:
                    return None  # a page answered twice: one page at a time tells a server that does not page
                seen.add(fingerprint)
                rest.extend(items)
        return rest

    @staticmethod
    def _fingerprint(items):
        """A page told apart by its length and its first and last items (serialising every item costs a tenth of a
        large listing)."""
        return (len(items), json.dumps(items[0], sort_keys=True, default=str), json.dumps(items[-1], sort_keys=True, default=str))

    def _honours_no_larger_limit(self, path, sections, name, params, size) -> bool:
        """Whether a server that answered the same full page of `size` items for two offsets (and no count) gives
        no more when asked for one more: then it does not page at all and that page was the whole list; else it
        caps pages but ignores offset, and the list cannot be read completely."""
        query = dict(params or {})
        query.update({"offset": 0, "limit": size + 1})
        data = self.request("GET", path, params=query)
        items = dict((section, items) for section, items, _count in sections(data)).get(name)
        return len(items or []) <= size
