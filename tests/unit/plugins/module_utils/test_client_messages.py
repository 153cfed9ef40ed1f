# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The client's error texts say what to do: against real local servers (plain HTTP, TLS with a certificate
for another name) through the real requests session, and for a 404 that the API already called "not found"."""

from __future__ import annotations

import datetime
import http.server
import json
import ssl
import threading

import pytest

from ansible_collections.contrast_security.identity.plugins.module_utils import client as C

x509 = pytest.importorskip("cryptography.x509")
# pylint: disable=wrong-import-position,wrong-import-order
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

ORG = "0e5a1c2d-7b3f-4c11-9a8e-5d6f7a8b9c0d"


class NotFoundHandler(http.server.BaseHTTPRequestHandler):
    """Answers every request as the guide's API answers an unknown path: 404 with its message."""

    def do_GET(self):  # pylint: disable=invalid-name
        body = json.dumps({"success": False, "messages": ["Not found"]}).encode()
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


@pytest.fixture
def plain_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), NotFoundHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def self_signed(tmp_path, dns_name):
    """A self-signed certificate (its own CA) for `dns_name` only; returns (cert path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


@pytest.fixture
def tls_server_for_another_name(tmp_path):
    cert, key = self_signed(tmp_path, "contrast.other.example")
    server = http.server.HTTPServer(("127.0.0.1", 0), NotFoundHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], cert
    server.shutdown()
    server.server_close()


def client_for(url, **kwargs):
    return C.ContrastClient(contrast_url=url, username="api.admin@example.com", service_key="SVC-KEY-1",
                            api_key="API-KEY-1", org_uuid=ORG, retries=0, timeout=5, **kwargs)


def test_https_against_a_plain_http_port_says_the_server_does_not_speak_tls(plain_server):
    url = "https://127.0.0.1:%d/Contrast" % plain_server
    with pytest.raises(C.ContrastApiError) as caught:
        client_for(url).get_profile()
    message = str(caught.value)
    assert "%s does not speak TLS" % url in message
    assert "http:// contrast_url" in message
    assert "ca_path" not in message  # a CA bundle would not help here


def test_a_certificate_for_another_host_name_says_hostname_mismatch(tls_server_for_another_name):
    port, cert = tls_server_for_another_name
    url = "https://127.0.0.1:%d/Contrast" % port
    with pytest.raises(C.ContrastApiError) as caught:
        client_for(url, ca_path=cert).get_profile()
    message = str(caught.value)
    assert "hostname mismatch" in message
    assert "not issued for the host name in contrast_url" in message
    assert "set ca_path" not in message  # the CA is trusted already


def test_404_with_the_apis_not_found_says_it_once(plain_server):
    with pytest.raises(C.ContrastApiError) as caught:
        client_for("http://127.0.0.1:%d/Contrast" % plain_server).get_profile()
    message = str(caught.value)
    assert message.lower().count("not found") == 1, message
    assert "HTTP 404: Not found. Check contrast_url, including its context path" in message
