# Copyright: Contributors to the contrast_security.identity collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render HTML access reports in headless Chromium and fail on what a reader would see go wrong.

Usage (what ``make browser`` runs)::

    python tests/utils/check_html_reports.py --out .tmp/browser REPORT.html [REPORT.html ...]
    python tests/utils/check_html_reports.py --self-test --out .tmp/browser

Each page is opened from disk through the DevTools protocol (over ``--remote-debugging-pipe``: no port,
no network), at desktop width (1280 px, screen media) and in print mode (print media, the width of the
report's A4 landscape page inside its margins), and a full-page screenshot of each is saved under
``--out`` (plus the PDF of the print mode; a page taller than FULL_PAGE_LIMIT gets its first TALL_SHOT px and no PDF). A page fails on:

* any console error, uncaught exception, or log entry of level error (a Content-Security-Policy
  violation is one), and any issue the browser raises about CSP, mixed content or a blocked load;
* any network request other than the page itself (the report must reference nothing outside itself), and
  any load that failed or was blocked;
* an empty section (a ``<section>`` with nothing but its heading);
* a table wider than the page (or the page scrolling sideways).

``--self-test`` renders a page made to break each rule and fails unless every rule catches it: the
check cannot silently pass. Chromium is found as ``$CHROME_BIN``, ``chromium``, ``chromium-headless-shell``,
``chromium-browser`` or ``google-chrome``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

DESKTOP = {"name": "desktop", "media": "screen", "width": 1280, "height": 900}
# A4 landscape (297 mm) minus the report's 12 mm margins on each side, at 96 px per inch.
PRINT = {"name": "print", "media": "print", "width": int(round((297 - 2 * 12) / 25.4 * 96)), "height": 700}
# A page taller than this (the 10,000-user report is about 950,000 px) gets a screenshot of its first
# TALL_SHOT px and no PDF: a full capture or print of it takes minutes. It is still measured in both modes.
FULL_PAGE_LIMIT = 12000
TALL_SHOT = 3000
TIMEOUT = 300.0

MEASURE = r"""
(() => {
  const page = document.documentElement;
  const width = window.innerWidth;
  const sections = Array.from(document.querySelectorAll('section')).map((section) => {
    const clone = section.cloneNode(true);
    clone.querySelectorAll('h1, h2, h3, h4').forEach((heading) => heading.remove());
    return {id: section.id || section.className || '(no id)', text: clone.textContent.trim().length,
            children: clone.querySelectorAll('table, svg, ul, ol, p, div, dl').length};
  });
  const tables = Array.from(document.querySelectorAll('table')).map((table, index) => {
    const box = table.getBoundingClientRect();
    const section = table.closest('section');
    return {table: (section && section.id ? section.id : 'table') + '#' + (index + 1),
            right: Math.ceil(box.right), width: Math.ceil(table.scrollWidth)};
  });
  return {viewport: width, scroll_width: page.scrollWidth, sections: sections, tables: tables,
          height: Math.ceil(page.scrollHeight), title: document.title};
})()
"""


class BrowserError(Exception):
    """Chromium did not start, or did not answer in time."""


def find_chromium():
    for candidate in (os.environ.get("CHROME_BIN"), "chromium", "chromium-headless-shell", "chromium-browser",
                      "google-chrome"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


class Chromium:
    """Headless Chromium driven through the DevTools protocol on a pipe (fd 3 in, fd 4 out)."""

    def __init__(self, binary, profile):
        to_browser_read, self._write = os.pipe()
        self._read, from_browser_write = os.pipe()

        def plug_pipes():
            os.dup2(to_browser_read, 3)
            os.dup2(from_browser_write, 4)

        args = [binary, "--headless", "--disable-gpu", "--remote-debugging-pipe", "--user-data-dir=" + profile,
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                "--enable-logging=stderr", "--v=0", "about:blank"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        self._log = open(os.path.join(profile, "chromium.log"), "w", encoding="utf-8")  # pylint: disable=consider-using-with
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,  # pylint: disable=consider-using-with
                                     preexec_fn=plug_pipes, pass_fds=(3, 4, to_browser_read, from_browser_write))
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self.events = []

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except (BrowserError, OSError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._read, self._write):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()

    def _message(self, deadline):
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise BrowserError("no answer from Chromium within %.0f s" % TIMEOUT)
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium closed the DevTools pipe (exit code %s)" % self.proc.poll())
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw.decode("utf-8"))

    def send(self, method, params=None, session=None, timeout=TIMEOUT):
        """Send a command; return its result (events that arrive meanwhile are kept in self.events)."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode("utf-8") + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._message(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserError("%s: %s" % (method, answer["error"].get("message")))
                return answer.get("result", {})
            self.events.append(answer)

    def wait_for(self, method, session, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for event in self.events[seen:]:
                if event.get("method") == method and event.get("sessionId") == session:
                    return event
            seen = len(self.events)
            self.events.append(self._message(deadline))


def problems_in(events, page_url):
    """What the DevTools events show went wrong: console errors, exceptions, CSP issues, outside requests."""
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", []))
            found.append("console %s: %s" % (params["type"], text))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            found.append("uncaught exception: %s" % (details.get("exception", {}).get("description") or details.get("text")))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            found.append("log error (%s): %s" % (entry.get("source"), entry.get("text")))
        elif method == "Audits.issueAdded":
            issue = params.get("issue", {})
            found.append("browser issue %s: %s" % (issue.get("code"), json.dumps(issue.get("details", {}))[:300]))
        elif method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            if url != page_url and not url.startswith("data:"):
                found.append("request outside the page: %s" % url[:200])
        elif method == "Network.loadingFailed":
            found.append("load failed: %s%s" % (params.get("errorText"), " (blocked: %s)" % params["blockedReason"]
                                                if params.get("blockedReason") else ""))
    return found


def layout_problems(measured, mode):
    found = []
    if measured["scroll_width"] > measured["viewport"]:
        found.append("%s: the page is %d px wide in a %d px window (it scrolls sideways)"
                     % (mode, measured["scroll_width"], measured["viewport"]))
    for table in measured["tables"]:
        if table["right"] > measured["viewport"] or table["width"] > measured["viewport"]:
            found.append("%s: table %s is %d px wide (right edge at %d px), wider than the %d px page"
                         % (mode, table["table"], table["width"], table["right"], measured["viewport"]))
    for section in measured["sections"]:
        if not section["text"] and not section["children"]:
            found.append("%s: section %s is empty (nothing under its heading)" % (mode, section["id"]))
    if not measured["sections"]:
        found.append("%s: the page has no section at all" % mode)
    return found


def check_page(browser, path, out_dir):
    """Render `path` in both modes; save screenshots (and the PDF); return the problems found."""
    page_url = "file://" + os.path.abspath(path)
    stem = os.path.join(out_dir, os.path.splitext(os.path.basename(path))[0])
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    problems = []
    try:
        for domain in ("Runtime", "Log", "Network", "Page", "Audits"):
            browser.send(domain + ".enable", session=session)
        for mode in (DESKTOP, PRINT):
            browser.send("Emulation.setEmulatedMedia", {"media": mode["media"]}, session=session)
            browser.send("Emulation.setDeviceMetricsOverride", {"width": mode["width"], "height": mode["height"],
                                                                "deviceScaleFactor": 1, "mobile": False}, session=session)
            if mode is DESKTOP:
                start = len(browser.events)
                browser.send("Page.navigate", {"url": page_url}, session=session)
                browser.wait_for("Page.loadEventFired", session)
                time.sleep(0.3)  # late console messages
                browser.send("Runtime.evaluate", {"expression": "1"}, session=session)  # drains what arrived
                problems += problems_in([event for event in browser.events[start:]
                                         if event.get("sessionId") == session], page_url)
            measured = browser.send("Runtime.evaluate", {"expression": MEASURE, "returnByValue": True},
                                    session=session)["result"]["value"]
            problems += layout_problems(measured, mode["name"])
            tall = measured["height"] > FULL_PAGE_LIMIT
            height = TALL_SHOT if tall else max(measured["height"], mode["height"])
            shot = browser.send("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": not tall,
                "clip": {"x": 0, "y": 0, "width": mode["width"], "height": height, "scale": 1}}, session=session)
            with open("%s-%s.png" % (stem, mode["name"]), "wb") as handle:
                handle.write(base64.b64decode(shot["data"]))
        if not tall:
            pdf = browser.send("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}, session=session)
            with open(stem + ".pdf", "wb") as handle:
                handle.write(base64.b64decode(pdf["data"]))
        # Anything reported while measuring and printing counts too.
        problems += [problem for problem in problems_in([event for event in browser.events
                                                         if event.get("sessionId") == session], page_url)
                     if problem not in problems]
    finally:
        browser.send("Target.closeTarget", {"targetId": target})
    return problems


SELF_TEST_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>broken on purpose</title></head>
<body>
<section id="fine"><h2>Fine</h2><p>text</p></section>
<section id="hollow"><h2>Nothing below</h2></section>
<section id="wide"><h2>Too wide</h2><table><tr><td style="min-width:3000px">x</td></tr></table></section>
<img src="https://example.com/tracker.png" alt="">
<script>console.error("inline script ran")</script>
</body></html>
"""
# What the self-test page must be caught for: each rule of the check.
SELF_TEST_EXPECTED = ("is empty", "table wide#1", "scrolls sideways", "Content Security Policy", "blocked",
                      "request outside the page", "console error: logged on purpose", "uncaught exception")


# Without a CSP, its script runs: a console error and an uncaught exception.
SELF_TEST_SCRIPT_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>script errors on purpose</title></head>
<body><section id="s"><h2>S</h2><p>text</p></section>
<script>console.error("logged on purpose"); undefinedFunction();</script>
</body></html>
"""


def self_test(browser, out_dir):
    problems = []
    for name, content in (("self-test-broken.html", SELF_TEST_PAGE), ("self-test-script.html", SELF_TEST_SCRIPT_PAGE)):
        page = os.path.join(out_dir, name)
        with open(page, "w", encoding="utf-8") as handle:
            handle.write(content)
        problems += check_page(browser, page, out_dir)
    text = "\n".join(problems)
    missed = [rule for rule in SELF_TEST_EXPECTED if rule.lower() not in text.lower()]
    for problem in problems:
        print("check_html_reports: self-test caught: %s" % problem)
    if missed:
        print("check_html_reports: SELF-TEST FAILED: the check did not catch %s" % ", ".join(missed))
        return 1
    print("check_html_reports: self-test: every rule caught the page broken on purpose")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", required=True, help="folder for the screenshots and PDFs")
    parser.add_argument("--self-test", action="store_true", help="check that every rule catches a broken page first")
    parser.add_argument("reports", nargs="*")
    options = parser.parse_args()
    binary = find_chromium()
    if not binary:
        print("check_html_reports: no Chromium (apt-get install -y chromium, or set CHROME_BIN)", file=sys.stderr)
        return 2
    os.makedirs(options.out, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    browser = Chromium(binary, profile)
    status = 0
    try:
        browser.send("Browser.getVersion")
        if options.self_test:
            status = self_test(browser, options.out)
        for number, report in enumerate(options.reports, start=1):
            started = time.monotonic()
            # .tmp/audit-html/<dialect>/<name>.html -> OUT/NN-<dialect>
            out = os.path.join(options.out, "%02d-%s" % (number, os.path.basename(os.path.dirname(os.path.abspath(report)))))
            os.makedirs(out, exist_ok=True)
            problems = check_page(browser, report, out)
            print("check_html_reports: %s: %s (%.1f s; screenshots and PDF in %s)" % (
                report, "%d problem(s)" % len(problems) if problems else "ok", time.monotonic() - started, out))
            for problem in problems:
                print("    %s" % problem)
            status = status or (1 if problems else 0)
    except BrowserError as err:
        print("check_html_reports: %s; Chromium's log: %s" % (err, os.path.join(profile, "chromium.log")), file=sys.stderr)
        return 2
    finally:
        browser.close()
    shutil.rmtree(profile, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
