"""TLS test servers: a CA and server certificates made with `cryptography`, PostgreSQL and MariaDB using them.

The server certificate names only ``localhost`` (not 127.0.0.1), so connecting to 127.0.0.1 with full
verification fails on the name while CA-only verification passes.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.servers import MariaDBServer, PostgresServer, start_mariadb, start_postgres


@dataclass
class TLSFiles:
    """PEM files of a test PKI."""

    dir: Path
    ca_pem: str
    other_ca_pem: str
    cert: Path
    key: Path
    ca: Path


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _ca(cn: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_tls(owner: str | None = None) -> TLSFiles:
    """A CA, a server certificate for ``localhost`` signed by it, and an unrelated second CA."""
    d = Path(tempfile.mkdtemp(prefix="hubtls-"))
    d.chmod(0o755)
    ca_key, ca_cert = _ca("Hub Test CA")
    _, other_ca = _ca("Some Other CA")
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    files = TLSFiles(
        dir=d,
        ca_pem=ca_cert.public_bytes(pem).decode(),
        other_ca_pem=other_ca.public_bytes(pem).decode(),
        cert=d / "server.crt",
        key=d / "server.key",
        ca=d / "ca.crt",
    )
    files.cert.write_bytes(cert.public_bytes(pem))
    files.ca.write_text(files.ca_pem)
    files.key.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())
    )
    files.key.chmod(0o600)
    if owner:
        for p in (d, files.cert, files.key, files.ca):
            shutil.chown(p, owner, owner)
    return files


PG_HBA = """\
local all all trust
hostssl all tls_only 127.0.0.1/32 scram-sha-256
hostnossl all plain_only 127.0.0.1/32 scram-sha-256
host all postgres,anyone 127.0.0.1/32 scram-sha-256
"""


def start_postgres_tls(tls: TLSFiles) -> PostgresServer:
    """PostgreSQL with ssl=on; user ``tls_only`` may only use TLS, ``plain_only`` never."""
    return start_postgres(
        extra_conf=["ssl=on", f"ssl_cert_file={tls.cert}", f"ssl_key_file={tls.key}"],
        hba=PG_HBA,
    )


def start_mariadb_tls(tls: TLSFiles) -> MariaDBServer:
    """MariaDB with TLS (users are made by the test)."""
    return start_mariadb(extra_args=[f"--ssl-cert={tls.cert}", f"--ssl-key={tls.key}", f"--ssl-ca={tls.ca}"])
