"""HTTPS against the real server over real TLS: the appliance's own certificate (checked as a CA and by its
pinned fingerprint), plain HTTP redirecting, Secure cookies, and installing the school's certificate."""
from __future__ import annotations

import asyncio
import datetime
import hashlib
import ipaddress
import json
import re
import ssl
import subprocess
import sys

import aiohttp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from appliance.host import tls
from appliance.http.auth import COOKIE
from appliance.keys import SETTINGS as SETTINGS_KEY
from appliance.server import start_server


def _https_settings(settings_factory, **server):
    return settings_factory(demo=False, server={"https": True, "https_port": 0, **server})


@pytest.fixture
async def secure(settings_factory):
    server = await start_server(_https_settings(settings_factory))
    yield server
    await server.stop()


def _ca_context(pem_path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(pem_path))


def _own_certificate(server) -> x509.Certificate:
    return x509.load_pem_x509_certificates(
        (server.app[SETTINGS_KEY].data_dir / "tls" / "appliance.pem").read_bytes())[0]


def _pin(certificate: x509.Certificate) -> aiohttp.Fingerprint:
    return aiohttp.Fingerprint(certificate.fingerprint(hashes.SHA256()))


async def _claim(client, server) -> None:
    code = (server.app[SETTINGS_KEY].data_dir / "setup-code.txt").read_text().strip()
    response = await client.post("/api/v1/setup", json={"code": code, "username": "admin",
                                                        "password": "a long password"})
    assert response.status == 201, await response.text()
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def _unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def _served_fingerprint(server, context: ssl.SSLContext | None = None) -> str:
    """SHA-256 of the certificate a new TLS connection to the server gets (verified by `context`, if given)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.https_port, ssl=context or _unverified(),
                                                   server_hostname="127.0.0.1")
    try:
        der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    finally:
        writer.close()
        await writer.wait_closed()
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


async def test_the_appliance_serves_https_with_its_own_certificate(secure):
    assert secure.url.startswith("https://127.0.0.1:")
    own = _own_certificate(secure)
    names = own.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "argus.local" in names.get_values_for_type(x509.DNSName)
    assert "127.0.0.1" in map(str, names.get_values_for_type(x509.IPAddress))
    ca = _ca_context(secure.app[SETTINGS_KEY].data_dir / "tls" / "appliance.pem")
    async with aiohttp.ClientSession(secure.url, cookie_jar=aiohttp.CookieJar(unsafe=True),
                                     connector=aiohttp.TCPConnector(ssl=ca)) as client:
        page = await client.get("/setup")
        assert page.status == 200 and page.url.scheme == "https"
        # The setup page shows what to check, in groups that never wrap mid-byte (as read, without the tags).
        assert tls.fingerprint(own) in re.sub(r"<[^>]+>", "", await page.text())
        await _claim(client, secure)
        status = await (await client.get("/api/v1/tls")).json()
        assert status["https"] is True and status["https_port"] == secure.https_port
        assert status["certificate"]["fingerprint_sha256"] == tls.fingerprint(own)
        assert status["certificate"]["self_made"] is True
    # The same fingerprint is kept as text for the SD card's boot partition (argus-setup-code.sh).
    assert (secure.app[SETTINGS_KEY].data_dir / "tls" / "fingerprint.txt").read_text() == tls.fingerprint(own) + "\n"
    # Pinning the fingerprint works as well as trusting the certificate.
    async with aiohttp.ClientSession(secure.url, connector=aiohttp.TCPConnector(ssl=_pin(own))) as pinned:
        assert (await pinned.get("/api/v1/public/state")).status == 200
    # And an ordinary client that trusts only public CAs refuses it, as it should.
    with pytest.raises(aiohttp.ClientConnectorCertificateError):
        async with aiohttp.ClientSession(secure.url) as naive:
            await naive.get("/api/v1/public/state")


async def test_plain_http_only_redirects_to_https(secure):
    async with aiohttp.ClientSession(secure.http_url) as plain:
        page = await plain.get("/session/3?x=1", allow_redirects=False)
        assert page.status == 302
        assert page.headers["Location"] == f"https://127.0.0.1:{secure.https_port}/session/3?x=1"
        assert "X-Frame-Options" in page.headers
        login = await plain.post("/api/v1/login", json={"username": "a", "password": "b"}, allow_redirects=False)
        assert login.status == 308 and login.headers["Location"].startswith("https://")
        assert "Set-Cookie" not in login.headers
        named = await plain.get("/", headers={"Host": "argus.local"}, allow_redirects=False)
        assert named.headers["Location"] == f"https://argus.local:{secure.https_port}/"
        foreign = await plain.get("/", headers={"Host": "evil.example"}, allow_redirects=False)
        assert foreign.status == 421  # never redirected to a name that is not ours


async def test_the_student_qr_points_at_plain_http_for_phones(secure):
    """server.public_http (on by default): phones open the student page without a certificate warning."""
    async with aiohttp.ClientSession(secure.url, connector=aiohttp.TCPConnector(ssl=_pin(_own_certificate(secure)))
                                     ) as client:
        url = (await (await client.get("/api/v1/public/student-url")).json())["url"]
        assert url == f"http://argus.local:{secure.port}/student"  # from the appliance's own screen
        qr = await client.get("/api/v1/public/qr.svg", headers={"Host": f"127.0.0.1:{secure.https_port}"})
        assert qr.headers["X-Student-URL"] == url


async def test_with_public_http_off_the_student_qr_points_at_https(settings_factory):
    server = await start_server(_https_settings(settings_factory, public_http=False))
    try:
        async with aiohttp.ClientSession(server.url, connector=aiohttp.TCPConnector(
                ssl=_pin(_own_certificate(server)))) as client:
            url = (await (await client.get("/api/v1/public/student-url")).json())["url"]
            assert url == f"https://argus.local:{server.https_port}/student"
        async with aiohttp.ClientSession(server.http_url) as plain:
            page = await plain.get("/student", allow_redirects=False)
            assert page.status == 302 and page.headers["Location"] == f"https://127.0.0.1:{server.https_port}/student"
    finally:
        await server.stop()


ANONYMOUS = ("/student", "/projector", "/static/js/student.js", "/static/argus.css", "/api/v1/public/state",
             "/api/v1/public/student-url", "/api/v1/public/qr.svg", "/api/v1/public/check?card=3")
LOGGED_IN = ("/", "/login", "/setup", "/admin", "/session/1", "/results/1", "/classes", "/api/v1/classes",
             "/api/v1/sessions", "/api/v1/me", "/api/v1/tls", "/healthz")


async def test_anonymous_pages_over_plain_http_and_nothing_else(secure):
    """Both ports of the real server: the phones' pages and socket answer on plain HTTP, anonymously even when
    a login cookie is sent there by hand; logins, teacher pages and the API only redirect to HTTPS."""
    pin = _pin(_own_certificate(secure))
    async with aiohttp.ClientSession(secure.url, cookie_jar=aiohttp.CookieJar(unsafe=True),
                                     connector=aiohttp.TCPConnector(ssl=pin)) as teacher:
        await _claim(teacher, secure)
        token = next(c.value for c in teacher.cookie_jar)
        async with teacher.ws_connect("/api/v1/live") as ws:  # over HTTPS the login counts: the camera follows
            kinds = {(await ws.receive_json(timeout=5))["type"] for _ in range(2)}
            assert kinds == {"state", "camera"}
    async with aiohttp.ClientSession(secure.http_url) as plain:
        for path in ANONYMOUS:
            response = await plain.get(path, allow_redirects=False)
            assert response.status == 200, f"{path} over plain HTTP: {response.status}"
            assert "Set-Cookie" not in response.headers
        for path in LOGGED_IN:
            response = await plain.get(path, allow_redirects=False)
            assert response.status == 302, f"{path} over plain HTTP answered {response.status}, not a redirect"
            assert response.headers["Location"].startswith(f"https://127.0.0.1:{secure.https_port}/")
        posted = await plain.post("/api/v1/public/check?card=3", allow_redirects=False)
        assert posted.status == 308  # only reading is anonymous
        # The student page's socket over plain HTTP, with the teacher's cookie sent by hand: still anonymous.
        async with plain.ws_connect("/api/v1/live", headers={"Cookie": f"{COOKIE}={token}"}) as ws:
            assert (await ws.receive_json(timeout=5))["type"] == "state"
            with pytest.raises(asyncio.TimeoutError):
                await ws.receive_json(timeout=1.0)  # no camera event: that is for logged-in screens
        cookied = await plain.get("/api/v1/me", headers={"Cookie": f"{COOKIE}={token}"}, allow_redirects=False)
        assert cookied.status == 302


async def test_the_certificate_survives_a_restart(settings_factory):
    settings = _https_settings(settings_factory)
    first = await start_server(settings)
    before = tls.fingerprint(_own_certificate(first))
    await first.stop()
    second = await start_server(settings)
    try:
        assert tls.fingerprint(_own_certificate(second)) == before
        assert await _served_fingerprint(second) == before
    finally:
        await second.stop()


# ---------------------------------------------------------------- the school's own certificate

def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _school_ca():
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(_name("School CA")).issuer_name(_name("School CA"))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         key_encipherment=False, content_commitment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False),
                           critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def _issued(ca_key, ca_cert, *, days=(-1, 30), key=None):
    key = key or ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(_name("argus.school.example")).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now + datetime.timedelta(days=days[0]))
            .not_valid_after(now + datetime.timedelta(days=days[1]))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("argus.school.example"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def _pem(thing) -> str:
    if isinstance(thing, x509.Certificate):
        return thing.public_bytes(serialization.Encoding.PEM).decode()
    return thing.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption()).decode()


async def test_an_admin_installs_the_schools_certificate_and_bad_pairs_are_refused(secure, tmp_path):
    own = _own_certificate(secure)
    ca_key, ca = _school_ca()
    key, leaf = _issued(ca_key, ca)
    other_key, _ = _issued(ca_key, ca)
    _, expired = _issued(ca_key, ca, days=(-10, -1), key=key)
    _, future = _issued(ca_key, ca, days=(5, 30), key=key)
    _, stranger_ca = _school_ca()
    async with aiohttp.ClientSession(secure.url, cookie_jar=aiohttp.CookieJar(unsafe=True),
                                     connector=aiohttp.TCPConnector(ssl=False)) as admin:
        await _claim(admin, secure)
        refusals = {
            "the key does not belong": (_pem(leaf) + _pem(ca), _pem(other_key)),
            "expired on": (_pem(expired) + _pem(ca), _pem(key)),
            "not valid before": (_pem(future) + _pem(ca), _pem(key)),
            "not a PEM certificate": ("hello", _pem(key)),
            "not a PEM private key": (_pem(leaf), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
            "did not issue certificate 1": (_pem(leaf) + _pem(stranger_ca), _pem(key)),
            "did not issue": (_pem(ca) + _pem(leaf), _pem(ca_key)),  # chain upside down
        }
        for reason, (certificate, private) in refusals.items():
            response = await admin.put("/api/v1/tls/certificate", json={"certificate": certificate, "key": private})
            assert response.status == 400, (reason, await response.text())
            message = (await response.json())["error"]
            assert reason in message and "the current one stays" in message, (reason, message)
            assert await _served_fingerprint(secure) == tls.fingerprint(own)
        assert not (secure.app[SETTINGS_KEY].data_dir / "tls" / "installed.pem").exists()

        installed = await admin.put("/api/v1/tls/certificate", json={"certificate": _pem(leaf) + _pem(ca),
                                                                     "key": _pem(key)})
        assert installed.status == 200, await installed.text()
        body = await installed.json()
        assert body["certificate"]["fingerprint_sha256"] == tls.fingerprint(leaf)
        assert body["certificate"]["self_made"] is False
        # New connections get the school's certificate, which a client trusting the school's CA accepts.
        ca_file = tmp_path / "school-ca.pem"
        ca_file.write_text(_pem(ca))
        assert await _served_fingerprint(secure, _ca_context(ca_file)) == tls.fingerprint(leaf)
        log = await (await admin.get("/api/v1/audit")).json()
        assert log[0]["action"] == "tls.install" and tls.fingerprint(leaf) in log[0]["detail"]
        assert (secure.app[SETTINGS_KEY].data_dir / "tls" / "fingerprint.txt").read_text().strip() == \
            tls.fingerprint(leaf)

        back = await admin.delete("/api/v1/tls/certificate")
        assert (await back.json())["certificate"]["fingerprint_sha256"] == tls.fingerprint(own)
        assert await _served_fingerprint(secure) == tls.fingerprint(own)


async def test_a_teacher_cannot_change_the_certificate(secure):
    async with aiohttp.ClientSession(secure.url, connector=aiohttp.TCPConnector(ssl=False)) as anonymous:
        assert (await anonymous.put("/api/v1/tls/certificate", json={"certificate": "", "key": ""})).status == 401
        assert (await anonymous.get("/api/v1/tls")).status == 401


def test_a_self_made_certificate_is_renewed_when_its_end_nears(tmp_path):
    files = tls.CertificateFiles(tmp_path)
    now = datetime.datetime.now(datetime.UTC).timestamp()
    first = tls.ensure_self_made(files, "argus.local", ["192.0.2.7"], now)
    assert tls.ensure_self_made(files, "argus.local", ["192.0.2.8"], now).serial_number == first.serial_number
    later = now + (tls.SELF_MADE_DAYS - tls.RENEW_DAYS + 1) * 86400
    assert tls.ensure_self_made(files, "argus.local", ["192.0.2.7"], later).serial_number != first.serial_number
    renamed = tls.ensure_self_made(files, "room12.local", ["192.0.2.7"], now)
    assert "room12.local" in tls.describe(renamed, True).names
    assert oct(files.self_made.stat().st_mode & 0o777) == "0o600"


def _argus_sync(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "appliance", "sync", *args], capture_output=True, text=True,
                          timeout=60)


async def test_argus_sync_reaches_the_appliance_over_https_and_only_with_its_certificate(secure):
    """`argus sync` on an installed appliance (HTTPS on): the plain port only redirects, so the command must use
    HTTPS to 127.0.0.1, which no certificate names; it pins the certificate the appliance serves instead."""
    data_dir = secure.app[SETTINGS_KEY].data_dir
    loop = asyncio.get_running_loop()
    done = await loop.run_in_executor(None, _argus_sync, "status", "--json", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["state"] == "off"
    # Something else on that port (here: the fingerprint no longer matches what is served) gets no token.
    tls.CertificateFiles(data_dir).fingerprint.write_text("AB:" * 31 + "AB\n")
    refused = await loop.run_in_executor(None, _argus_sync, "status", "--data-dir", str(data_dir))
    assert refused.returncode == 1
    assert "does not present the appliance's certificate" in refused.stderr and "not sending the token" in refused.stderr
