# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Errors as values: what a failed API call carries, and the one rule for a write whose answer was lost.

Private to this collection: not a public API, may change without notice.

A ContrastApiError travels up to one boundary (``ContrastModule.run``, or the event source) that turns
it into a redacted failure; nothing below that boundary fails a module itself.
"""

from __future__ import annotations


class ContrastApiError(Exception):
    """A failed API call: method, path, HTTP status (None when there was no answer) and the API's messages.

    ``outcome_unknown`` is true when a write may have been applied although it failed (no answer,
    or a 5xx): callers must look before they try again (see verified).
    """

    def __init__(self, method, path, status=None, messages=None, detail=None, outcome_unknown=False, attempts=1):
        self.method = method
        self.path = path
        self.status = status
        self.messages = list(messages or [])
        self.detail = detail
        self.outcome_unknown = outcome_unknown
        self.attempts = attempts
        # Set by verified when reading back after this (lost) write failed too.
        self.read_back_error = None
        super(ContrastApiError, self).__init__(self._text())

    def __str__(self):
        return self._text()  # built on demand: a caller may add detail after raising

    def _text(self):
        where = "%s %s" % (self.method, self.path)
        if self.status is None:
            text = "%s failed: %s" % (where, self.detail or "no answer from the server")
        else:
            text = "%s failed: HTTP %s" % (where, self.status)
            if self.messages:
                text += ": %s" % "; ".join(str(message) for message in self.messages)
            if self.detail:
                text += ". %s" % self.detail
        if self.attempts > 1:
            text += " (gave up after %d attempts)" % self.attempts
        return text

    def to_result(self):
        """The error's facts as module result keys (never headers)."""
        return {"method": self.method, "path": self.path, "status": self.status, "api_messages": self.messages}


class UnexpectedAnswerError(ContrastApiError):
    """An answer whose shape is not what the API documents (a list that is not one, a date that is text...).

    Raised instead of letting a TypeError or ValueError escape with the odd value (which may be an echoed
    header) in a traceback.
    """

    def __init__(self, method, path, what, status=200):
        super(UnexpectedAnswerError, self).__init__(method, path, status, detail=what)

    def _text(self):
        return "unexpected answer from %s %s: %s" % (self.method, self.path, self.detail)


class NotAppliedError(ContrastApiError):
    """A write the server answered with success, but whose read-back shows it did not take (all or part)."""

    def __init__(self, method, path, what, fields=None):
        self.fields = list(fields or [])
        super(NotAppliedError, self).__init__(method, path, 200, detail=what)

    def _text(self):
        return "%s %s answered success, but the server did not take it: %s" % (self.method, self.path, self.detail)


def shown(value, limit=80):
    """A value from an answer, for a message: repr, shortened (the caller redacts the whole message)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def verified(write, took_effect, on_lost=None):
    """`write()`'s value; when the write fails leaving its outcome unknown (a 5xx or a lost answer: the server
    may have applied it), read back with `took_effect()`: when that shows the change in place (a truthy
    value), `on_lost(the write's error)` is told and that value is returned, the write counted as done.

    Otherwise the write's own error is raised: a refused write is never read back, and a read-back that
    fails proves nothing (its error is kept on the write's as ``read_back_error``).
    """
    try:
        return write()
    except ContrastApiError as err:
        if not err.outcome_unknown:
            raise
        try:
            confirmed = took_effect()
        except ContrastApiError as read_back_err:
            err.read_back_error = read_back_err
            confirmed = None
        if not confirmed:
            raise err from None
        if on_lost is not None:
            on_lost(err)
        return confirmed
