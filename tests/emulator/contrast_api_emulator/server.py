# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The threaded HTTP(S) server, importable and runnable in-process (``EmulatorServer``)."""

from __future__ import annotations

import json
import socket
import ssl
import struct
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .answers import Answer, error_body, json_answer
from .api import ApiProcessor
from .control import ControlApi
from .dialects import make_dialect
from .faults import PASS_THROUGH_KINDS, apply_second_writer, fault_answer, reshape_answer
from .model import CONTROL_PREFIX, DEFAULT_CONTEXT_PATH, DEFAULT_MAX_PAGE_SIZE, MAX_BODY_BYTES
from .seeds import load_seed_file
from .state import EmulatorState


class _BodyError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class _RequestHandler(BaseHTTPRequestHandler):
    """One TCP connection (keep-alive: many requests). Never logs or echoes header values."""

    protocol_version = "HTTP/1.1"
    server_version = "ContrastEmulator/1.0"
    sys_version = ""
    # Buffer the answer so headers and body leave in one segment: written separately, delayed ACK
    # on the client side stalls every keep-alive request by ~40 ms.
    wbufsize = 65536

    def setup(self):
        try:
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        if isinstance(self.request, ssl.SSLSocket):
            # Handshake here, in the connection's own thread, so one slow client cannot block accept().
            self.request.settimeout(15)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()
        self.connection_id = self.server.open_connection(self.request)

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass  # the client (or a reset fault) already closed the socket
        finally:
            self.server.close_connection_record(self.request)

    def handle_expect_100(self):
        # The buffered wfile would otherwise hold "100 Continue" back until the final answer.
        result = super().handle_expect_100()
        self.wfile.flush()
        return result

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    def do_PATCH(self):
        self._handle()

    def do_HEAD(self):
        self._handle()

    def do_OPTIONS(self):
        self._handle()

    # ---- plumbing ----
    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise _BodyError(411, "Send a Content-Length; chunked bodies are not supported")
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.strip().isdigit():
            raise _BodyError(400, "Invalid Content-Length")
        size = int(length)
        if size > MAX_BODY_BYTES:
            raise _BodyError(413, "Request body too large")
        return self.rfile.read(size) if size else b""

    def _write(self, answer: Answer) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and answer.body:
            self.wfile.write(answer.body)
        self.wfile.flush()

    def _drop_connection(self) -> None:
        """Close without answering; linger 0 makes it a TCP reset, like a proxy dying mid-request."""
        self.close_connection = True
        try:
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.request.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _handle(self) -> None:
        server = self.server
        target = urlsplit(self.path)
        path = unquote(target.path) or "/"
        try:
            body = self._read_body()
        except _BodyError as exc:
            self.close_connection = True
            self._write(json_answer(exc.status, error_body([exc.message])))
            return
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            self._write(self._guarded(lambda: server.control.handle(self.command, path, body)))
            return
        state = server.state
        epoch = state.log_epoch
        fault = state.draw_fault(self.command, path, target.query)
        query = {key: values[-1] for key, values in parse_qs(target.query, keep_blank_values=True).items()}
        fault_note = None
        if fault:
            fault_note = {"kind": fault["kind"], "after": fault["after"]}
            if fault.get("random"):
                fault_note["random"] = True
        entry = {
            "method": self.command, "path": path, "query": query, "status": None,
            "connection_id": self.connection_id, "body": loggable_body(body), "fault": fault_note,
        }
        if fault and fault["delay"] and not fault["after"]:
            time.sleep(fault["delay"])
        request_headers = dict(self.headers.items())
        if fault and fault["kind"] not in PASS_THROUGH_KINDS and not fault["after"]:
            answer = fault_answer(fault, request_headers)
        else:
            answer = self._guarded(lambda: server.api.handle(self.command, path, query, self.headers, body))
            if fault and fault["kind"] in ("reflect_headers", "odd_shape"):
                answer = reshape_answer(fault, answer, request_headers)
            if fault and fault["kind"] == "second_writer":
                with state.lock:
                    apply_second_writer(state.org, fault["writer"])
            if fault and fault["after"]:
                if fault["delay"]:
                    time.sleep(fault["delay"])
                if fault["kind"] not in PASS_THROUGH_KINDS:
                    answer = fault_answer(fault, request_headers)
        entry["status"] = answer.status if answer is not None else None
        state.record_request(entry, epoch)  # before answering, so a test that got the answer sees the entry
        if answer is None:
            self._drop_connection()
        else:
            self._write(answer)

    def _guarded(self, produce) -> Answer:
        """Run a request processor; an emulator bug becomes a 500 with a traceback on stderr."""
        try:
            return produce()
        except Exception:  # pylint: disable=broad-except
            sys.stderr.write("contrast_emulator: internal error on %s %s\n%s" % (self.command, urlsplit(self.path).path, traceback.format_exc()))
            sys.stderr.flush()
            return json_answer(500, error_body(["Internal server error"]))


def loggable_body(body: bytes):
    """The request body for the log: parsed JSON when it is JSON, else (truncated) text."""
    if not body:
        return None
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return body[:2000].decode("utf-8", "replace")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, emulator_state, api, control, verbose):
        self.state = emulator_state
        self.api = api
        self.control = control
        self.verbose = verbose
        self._connection_lock = threading.Lock()
        self._connection_counter = 0
        self._open = {}
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _RequestHandler)

    def open_connection(self, sock) -> int:
        with self._connection_lock:
            self._connection_counter += 1
            self._open[id(sock)] = sock
            return self._connection_counter

    def close_connection_record(self, sock) -> None:
        with self._connection_lock:
            self._open.pop(id(sock), None)

    def close_open_connections(self) -> None:
        with self._connection_lock:
            sockets = list(self._open.values())
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        # Clients that vanish, TLS handshakes that fail, reset faults: normal here, so quiet.
        if self.verbose:
            super().handle_error(request, client_address)


class EmulatorServer:
    """The emulator, runnable in-process: ``with EmulatorServer() as emu: requests.get(emu.contrast_url + ...)``.

    ``seed`` is a seed document (dict) or a path to a JSON file; ``generate`` is
    ``{"users": N, "groups": M, "seed": S}`` and is merged into the seed.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, seed=None, generate=None,
                 max_page_size: int = DEFAULT_MAX_PAGE_SIZE, context_path: str = DEFAULT_CONTEXT_PATH,
                 dialect: str = "guide", tls_cert=None, tls_key=None, fault_rate: float = 0.0, fault_seed=None,
                 verbose: bool = False, switches=None):
        if isinstance(seed, str):
            seed = load_seed_file(seed)
        if generate:
            seed = dict(seed or {}, generate=generate)
        if isinstance(max_page_size, bool) or not isinstance(max_page_size, int) or max_page_size < 1:
            raise ValueError("max_page_size must be a positive integer")
        if bool(tls_cert) != bool(tls_key):
            raise ValueError("TLS needs both a certificate and a key")
        self.context_path = normalize_context_path(context_path)
        self.dialect = make_dialect(dialect)
        self.state = EmulatorState(seed, max_page_size, fault_rate, fault_seed, dialect=dialect, switches=switches)
        self.scheme = "https" if tls_cert else "http"
        self._httpd = _HTTPServer((host, port), self.state, ApiProcessor(self.state, self.dialect, self.context_path),
                                  ControlApi(self.state), verbose)
        if tls_cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls_cert, tls_key)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True, do_handshake_on_connect=False)
        self.host = host
        self.port = self._httpd.server_address[1]
        self._thread = None

    @property
    def url(self) -> str:
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "%s://%s:%d" % (self.scheme, host, self.port)

    @property
    def contrast_url(self) -> str:
        """What the collection's ``contrast_url`` option should be."""
        return self.url + self.context_path

    @property
    def api_url(self) -> str:
        return self.contrast_url + "/api"

    @property
    def control_url(self) -> str:
        return self.url + CONTROL_PREFIX

    def start(self) -> "EmulatorServer":
        """Serve in a background daemon thread."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="contrast-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(5)
            self._thread = None
        self._httpd.close_open_connections()
        self._httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc_info):
        self.stop()


Emulator = EmulatorServer


def normalize_context_path(value) -> str:
    value = (value or "").strip()
    if not value or value == "/":
        return ""
    return "/" + value.strip("/")
