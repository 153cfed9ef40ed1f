# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the three files the audit role wrote; print what was found as JSON (verify.yml asserts on it).

    python check_report.py REPORT_DIR SCHEMA_FILE

- access-report.json: parses, and validates against the documented JSON Schema (jsonschema);
- access-report.csv: loads with the csv module (header + one row per user of the JSON);
- access-report.html: well-formed enough (every opened element closed), references nothing outside
  the page (no src/href/... attribute at all, no url() or @import in CSS, no script/link/img/iframe),
  and contains every finding's reason and every username, escaped;
- optional: renders it in a headless Chromium (chromium-headless-shell, chromium, chromium-browser or
  google-chrome on PATH, or $CHROME_BIN) to the DOM and to a PDF; skipped, with the reason, when there
  is no browser. To run it: apt-get install chromium-headless-shell (Debian).
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
REFERENCE_ATTRIBUTES = {"src", "href", "xlink:href", "action", "formaction", "srcset", "poster", "data", "background",
                        "manifest", "ping", "cite", "longdesc", "usemap", "codebase"}
FORBIDDEN_TAGS = {"script", "link", "img", "iframe", "object", "embed", "frame", "base", "audio", "video", "source",
                  "image", "use", "foreignobject"}


class PageParser(HTMLParser):
    """Collects references, forbidden tags, unclosed elements and the CSS text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.errors = []
        self.references = []
        self.forbidden = []
        self.css = []
        self.in_style = False
        self.text = []

    def _attributes(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.forbidden.append(tag)
        for name, value in attrs:
            if name in REFERENCE_ATTRIBUTES:
                self.references.append("%s %s=%r" % (tag, name, value))
            elif name == "style" and value and ("url(" in value.lower() or "@import" in value.lower()):
                self.references.append("%s style=%r" % (tag, value))

    def handle_starttag(self, tag, attrs):
        self._attributes(tag, attrs)
        if tag == "style":
            self.in_style = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self._attributes(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("unexpected </%s> (open: %s)" % (tag, "/".join(self.stack[-3:])))
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data):
        if self.in_style:
            self.css.append(data)
        else:
            self.text.append(data)


def check_json(path, schema_path):
    result = {"parses": False, "schema_errors": [], "schema_checked": False}
    with open(path, encoding="utf-8") as handle:
        report = json.load(handle)
    result["parses"] = True
    with open(schema_path, encoding="utf-8") as handle:
        schema = json.load(handle)
    try:
        import jsonschema  # pylint: disable=import-outside-toplevel
    except ImportError:
        result["schema_errors"].append("jsonschema is not installed")
        return report, result
    validator = jsonschema.Draft202012Validator(schema)
    jsonschema.Draft202012Validator.check_schema(schema)
    result["schema_checked"] = True
    result["schema_errors"] = ["%s: %s" % ("/".join(str(p) for p in error.absolute_path), error.message)
                               for error in sorted(validator.iter_errors(report), key=str)][:20]
    return report, result


def check_csv(path, report):
    with open(path, encoding="utf-8", newline="") as handle:
        text = handle.read()
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    records = [dict(zip(header, row)) for row in body]
    by_username = {record["username"]: record for record in records}
    return {
        "header": header,
        "rows": len(body),
        "widths": sorted({len(row) for row in body}),
        "usernames": [record["username"] for record in records],
        "names": {record["username"]: record["name"] for record in records},
        "same_usernames_as_json": [record["username"] for record in records] == [user["username"] for user in report["users"]],
        "crlf": text.endswith("\r\n"),
        "findings_of": {name: record["findings"] for name, record in by_username.items()},
    }


def check_html(path, report):
    with open(path, encoding="utf-8") as handle:
        page = handle.read()
    parser = PageParser()
    parser.feed(page)
    parser.close()
    css = "".join(parser.css).lower()
    expected = ["Summary", "Findings (%d)" % len(report["findings"]), "Users (%d)" % len(report["users"]),
                report["metadata"]["generated_at"], report["metadata"]["org_uuid"], report["metadata"]["api_user"],
                "Time since last login", "Users by role", "Users by status"]
    expected += [finding["reason"] for finding in report["findings"]]
    expected += [user["username"] for user in report["users"]]
    text = "".join(parser.text)
    return {
        "doctype": page.startswith("<!DOCTYPE html>"),
        "unclosed": parser.stack,
        "tag_errors": parser.errors[:10],
        "references": parser.references,
        "forbidden_tags": sorted(set(parser.forbidden)),
        "css_references": [word for word in ("url(", "@import", "http:", "https:") if word in css],
        "urls_in_markup": [word for word in ("http://", "https://", "//cdn", "file:") if word in page],
        "missing_text": [item for item in expected if item not in text],
        "escaped_names": all(html.escape(user["name"]) in page for user in report["users"]),
        "has_svg_chart": "<svg" in page,
        "bytes": len(page.encode("utf-8")),
    }


def find_browser():
    candidates = [os.environ.get("CHROME_BIN")] + [shutil.which(name) for name in
                                                   ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome")]
    return next((path for path in candidates if path and os.path.exists(path)), None)


def check_browser(path, report):
    browser = find_browser()
    if not browser:
        return {"ran": False, "reason": "no headless Chromium on PATH (apt-get install chromium-headless-shell)"}
    url = "file://" + os.path.abspath(path)
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
    with tempfile.TemporaryDirectory() as scratch:
        flags.append("--user-data-dir=%s" % scratch)
        dom = subprocess.run(flags + ["--dump-dom", url], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             timeout=120, check=False).stdout.decode("utf-8", "replace")
        pdf_path = os.path.join(scratch, "report.pdf")
        subprocess.run(flags + ["--no-pdf-header-footer", "--print-to-pdf=%s" % pdf_path, url], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120, check=False)
        pdf = b""
        if os.path.exists(pdf_path):
            with open(pdf_path, "rb") as handle:
                pdf = handle.read()
    return {
        "ran": True,
        "browser": browser,
        "dom_has_findings": ("Findings (%d)" % len(report["findings"])) in dom,
        "dom_has_every_user": all(html.escape(user["username"]) in dom for user in report["users"]),
        "pdf": pdf.startswith(b"%PDF") and len(pdf) > 1000,
    }


def main(argv):
    report_dir, schema_path = argv[1], argv[2]
    report, json_result = check_json(os.path.join(report_dir, "access-report.json"), schema_path)
    result = {
        "json": json_result,
        "csv": check_csv(os.path.join(report_dir, "access-report.csv"), report),
        "html": check_html(os.path.join(report_dir, "access-report.html"), report),
        "browser": check_browser(os.path.join(report_dir, "access-report.html"), report),
    }
    json.dump(result, sys.stdout, indent=2, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
