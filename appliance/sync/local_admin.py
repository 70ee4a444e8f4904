"""How `argus sync status|now` reach the running appliance as an admin without a password.

At start the appliance writes <data dir>/local-admin.json (mode 0600, owner: the service user) with its
loopback URL and a fresh random token; the API accepts that token as a bearer token from loopback only. The
file system decides who may use it: anyone who can read the data folder can read the database anyway, so
this adds no new power, and a new token at every start means an old copy is worthless. (A unix socket
would need a second listener and the same permission reasoning; a file reuses the one server.)

With HTTPS on, plain HTTP only redirects, so the URL is the HTTPS one and `call` pins the certificate the
appliance serves (its fingerprint file in <data dir>/tls/, kept current when an admin installs the school's
certificate): 127.0.0.1 is in no school certificate, and the token must not go to whatever else listens there."""
from __future__ import annotations

import hmac
import http.client
import json
import os
import secrets
import ssl
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509

from appliance.host import tls

FILE_NAME = "local-admin.json"


class TokenNotSent(OSError):
    """The token was not sent: the server on the loopback HTTPS port does not present the certificate this
    appliance serves, or that certificate's fingerprint cannot be read."""


def loopback_url(port: int, https_port: int | None) -> str:
    return f"https://127.0.0.1:{https_port}" if https_port else f"http://127.0.0.1:{port}"


def write(data_dir: Path, url: str) -> str:
    token = secrets.token_urlsafe(32)
    path = data_dir / FILE_NAME
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, json.dumps({"url": url, "token": token}).encode())
    finally:
        os.close(fd)
    os.replace(temporary, path)
    return token


def remove(data_dir: Path) -> None:
    (data_dir / FILE_NAME).unlink(missing_ok=True)


def read(data_dir: Path) -> dict:
    """{"url", "token"}; raises OSError or ValueError with the file in the message."""
    path = data_dir / FILE_NAME
    try:
        found = json.loads(path.read_text())
    except FileNotFoundError:
        raise OSError(f"{path} does not exist: is the appliance running with this data folder?") from None
    except PermissionError:
        raise OSError(f"{path} is readable by the appliance's user only: run this as that user "
                      f"(sudo -u argus argus sync ...)") from None
    if not isinstance(found, dict) or not {"url", "token"} <= set(found):
        raise ValueError(f"{path} is not what the appliance writes")
    return found


def matches(expected: str, presented: str) -> bool:
    return hmac.compare_digest(expected.encode(), presented.encode())


def _served_fingerprint(data_dir: Path) -> str:
    path = tls.CertificateFiles(data_dir).fingerprint
    try:
        return path.read_text().strip()
    except OSError as exc:
        raise TokenNotSent(f"cannot read the appliance's certificate fingerprint {path}: {exc.strerror}") from None


def call(found: dict, data_dir: Path, method: str, path: str, timeout: float | None) -> tuple[int, bytes]:
    """One request to the running appliance with the local token: (status, body). Raises OSError when it cannot
    be reached and TokenNotSent when the HTTPS server there cannot be shown to be this appliance."""
    url = urlsplit(found["url"])
    if url.scheme == "https":
        # The name is not checked (127.0.0.1 is in no school certificate); the exact certificate is, below.
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection = http.client.HTTPSConnection(url.hostname, url.port, timeout=timeout, context=context)
    else:
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        connection.connect()
        if url.scheme == "https":
            served = tls.fingerprint(x509.load_der_x509_certificate(connection.sock.getpeercert(binary_form=True)))
            if not hmac.compare_digest(served, _served_fingerprint(data_dir)):
                raise TokenNotSent(f"the server at {found['url']} does not present the appliance's certificate "
                                       f"({tls.CertificateFiles(data_dir).fingerprint}): not sending the token")
        connection.request(method, path, headers={"Authorization": f"Bearer {found['token']}",
                                                  "Host": url.netloc})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()
