"""The appliance's TLS certificate: its own, made on first start for <hostname>.local and its addresses, or
the school's, installed by an admin after checking that it is usable.

Both live in <data_dir>/tls as one PEM file each (private key, then the certificate chain), so replacing one
is a single atomic rename: a refused or half-written upload never leaves the appliance without a certificate.
"""
from __future__ import annotations

import datetime
import ipaddress
import logging
import os
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

log = logging.getLogger(__name__)

DIRECTORY = "tls"
SELF_MADE = "appliance.pem"
INSTALLED = "installed.pem"
# The served certificate's fingerprint as text, for checking out of band: argus-setup-code.sh copies it next to
# the setup code on the SD card's boot partition.
FINGERPRINT = "fingerprint.txt"
SELF_MADE_DAYS = 5 * 365
RENEW_DAYS = 30  # a self-made certificate this close to its end is replaced at start-up
MAX_PEM_BYTES = 64 * 1024


class InvalidCertificate(ValueError):
    """The certificate or key cannot be used; the message says what is wrong, for the admin."""


@dataclass(frozen=True)
class CertificateInfo:
    fingerprint_sha256: str  # as browsers show it: "AB:CD:…"
    subject: str
    issuer: str
    names: tuple[str, ...]
    not_before: float
    not_after: float
    self_made: bool

    def as_json(self) -> dict:
        return {"fingerprint_sha256": self.fingerprint_sha256, "subject": self.subject, "issuer": self.issuer,
                "names": list(self.names), "not_before": self.not_before, "not_after": self.not_after,
                "self_made": self.self_made}


def fingerprint(certificate: x509.Certificate) -> str:
    return ":".join(f"{b:02X}" for b in certificate.fingerprint(hashes.SHA256()))


def _names(certificate: x509.Certificate) -> tuple[str, ...]:
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    return tuple([*san.get_values_for_type(x509.DNSName), *map(str, san.get_values_for_type(x509.IPAddress))])


def describe(certificate: x509.Certificate, self_made: bool) -> CertificateInfo:
    return CertificateInfo(fingerprint(certificate), certificate.subject.rfc4514_string(),
                           certificate.issuer.rfc4514_string(), _names(certificate),
                           certificate.not_valid_before_utc.timestamp(), certificate.not_valid_after_utc.timestamp(),
                           self_made)


def _utc(timestamp: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC)


def make_self_signed(hostname: str, addresses: list[str], now: float) -> bytes:
    """A new key and a certificate for `hostname` (e.g. "argus.local"), localhost and `addresses`; PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Argus appliance (self-made)")])
    ips = sorted({ipaddress.ip_address(a) for a in [*addresses, "127.0.0.1", "::1"]
                  if not ipaddress.ip_address(a).is_link_local}, key=lambda ip: (ip.version, int(ip)))
    san = [x509.DNSName(hostname), x509.DNSName("localhost"), *map(x509.IPAddress, ips)]
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(_utc(now) - datetime.timedelta(days=1))  # tolerate a phone's clock a little behind
        .not_valid_after(_utc(now) + datetime.timedelta(days=SELF_MADE_DAYS))
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False, content_commitment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _pem(key, [certificate])


def _pem(key, chain: list[x509.Certificate]) -> bytes:
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return key_pem + b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temporary, 0o600)  # it holds the private key
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _load_chain(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


def validate_pair(certificate_pem: bytes, key_pem: bytes, now: float) -> tuple[bytes, x509.Certificate]:
    """Check an uploaded certificate chain and key; returns (the PEM file to keep, the leaf) or raises
    InvalidCertificate saying what is wrong."""
    if len(certificate_pem) > MAX_PEM_BYTES or len(key_pem) > MAX_PEM_BYTES:
        raise InvalidCertificate(f"the certificate and the key must each be at most {MAX_PEM_BYTES // 1024} KB")
    try:
        chain = x509.load_pem_x509_certificates(certificate_pem)
    except ValueError:
        raise InvalidCertificate("the certificate is not a PEM certificate chain (-----BEGIN CERTIFICATE-----, "
                                 "the server's certificate first, then the ones that issued it)") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except TypeError:
        raise InvalidCertificate("the key is protected by a passphrase; export it without one") from None
    except (ValueError, UnsupportedAlgorithm):
        raise InvalidCertificate("the key is not a PEM private key (-----BEGIN PRIVATE KEY-----)") from None
    leaf = chain[0]
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if (key.public_key().public_bytes(serialization.Encoding.DER, public)
            != leaf.public_key().public_bytes(serialization.Encoding.DER, public)):
        raise InvalidCertificate("the key does not belong to the certificate (the first certificate in the "
                                 "chain must be the one issued for this key)")
    moment = _utc(now)
    for number, certificate in enumerate(chain, 1):
        which = "the certificate" if number == 1 else f"certificate {number} of the chain"
        if certificate.not_valid_before_utc > moment:
            raise InvalidCertificate(f"{which} is not valid before {certificate.not_valid_before_utc:%Y-%m-%d %H:%M} "
                                     "UTC (is the appliance's clock right?)")
        if certificate.not_valid_after_utc < moment:
            raise InvalidCertificate(f"{which} expired on {certificate.not_valid_after_utc:%Y-%m-%d}")
    for number, (issued, issuer) in enumerate(zip(chain, chain[1:]), 1):
        try:
            issued.verify_directly_issued_by(issuer)
        except (InvalidSignature, ValueError, TypeError) as exc:
            raise InvalidCertificate(f"certificate {number + 1} of the chain did not issue certificate {number} "
                                     f"(put the chain in order, server certificate first): {exc or 'bad signature'}"
                                     ) from None
    kept = _pem(key, chain)
    # Last, the TLS library itself must accept it, exactly as the server will load it.
    with tempfile.TemporaryDirectory() as folder:
        trial = Path(folder) / "trial.pem"
        trial.write_bytes(kept)
        try:
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(trial)
        except ssl.SSLError as exc:
            raise InvalidCertificate(f"the TLS library refuses the pair: {exc.reason or exc}") from None
    return kept, leaf


@dataclass(frozen=True)
class CertificateFiles:
    data_dir: Path

    @property
    def self_made(self) -> Path:
        return self.data_dir / DIRECTORY / SELF_MADE

    @property
    def installed(self) -> Path:
        return self.data_dir / DIRECTORY / INSTALLED

    @property
    def fingerprint(self) -> Path:
        return self.data_dir / DIRECTORY / FINGERPRINT


def _usable(path: Path, now: float, margin_days: float = 0) -> x509.Certificate | None:
    try:
        leaf = _load_chain(path)[0]
        serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None
    if leaf.not_valid_after_utc.timestamp() - margin_days * 86400 < now:
        return None
    return leaf


def ensure_self_made(files: CertificateFiles, hostname: str, addresses: list[str], now: float) -> x509.Certificate:
    """The appliance's own certificate, made now if missing, unreadable, nearly expired or for another name.
    A new address alone does not replace it: its fingerprint is what admins were told to check."""
    leaf = _usable(files.self_made, now, RENEW_DAYS)
    if leaf is not None and hostname in _names(leaf):
        return leaf
    log.warning("making a new TLS certificate for %s (%s)", hostname, ", ".join(addresses) or "no addresses")
    _write_atomically(files.self_made, make_self_signed(hostname, addresses, now))
    return _load_chain(files.self_made)[0]


class TlsState:
    """The server's SSL context and which certificate it serves; `reload` switches new connections over."""

    def __init__(self, files: CertificateFiles, hostname: str, addresses: list[str], now: float):
        self.files = files
        ensure_self_made(files, hostname, addresses, now)
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.info = self.reload(now)

    def current_path(self, now: float) -> tuple[Path, bool]:
        if self.files.installed.exists():
            if _usable(self.files.installed, now) is not None:
                return self.files.installed, False
            log.error("the installed TLS certificate %s is expired or unreadable; serving the appliance's own "
                      "certificate instead", self.files.installed)
        return self.files.self_made, True

    def reload(self, now: float) -> CertificateInfo:
        path, self_made = self.current_path(now)
        self.context.load_cert_chain(path)  # affects connections made from now on
        self.info = describe(_load_chain(path)[0], self_made)
        shown = self.info.fingerprint_sha256 + "\n"
        if not self.files.fingerprint.exists() or self.files.fingerprint.read_text() != shown:
            _write_atomically(self.files.fingerprint, shown.encode())
        return self.info

    def install(self, certificate_pem: bytes, key_pem: bytes, now: float) -> CertificateInfo:
        kept, _ = validate_pair(certificate_pem, key_pem, now)
        _write_atomically(self.files.installed, kept)
        return self.reload(now)

    def remove_installed(self, now: float) -> CertificateInfo:
        self.files.installed.unlink(missing_ok=True)
        return self.reload(now)
