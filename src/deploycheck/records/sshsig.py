"""OpenSSH's SSHSIG signature format, in pure Python.

The wire format follows OpenSSH's ``PROTOCOL.sshsig``: an armored base64 blob holding
``"SSHSIG" || uint32 version || string publickey || string namespace || string reserved ||
string hash_algorithm || string signature``, where the signature is made over
``"SSHSIG" || string namespace || string reserved || string hash_algorithm || string H(message)``.

Parsing is bounded: every length is checked against the bytes that remain, sizes are capped
before anything is decoded, and any malformed input becomes a :class:`SigningError` (never a
``struct.error``, ``ValueError`` or an exception from ``cryptography``). The ``cryptography``
package supplies the primitives and is imported only inside the functions that need it, so
importing this module stays cheap.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass, field

from deploycheck.errors import SigningError

TYPE_CHECKING = False  # typing is for type checkers only: its import costs start-up time
if TYPE_CHECKING:
    from typing import Callable

SSHSIG_MAGIC = b"SSHSIG"
SSHSIG_VERSION = 1
ARMOR_BEGIN = "-----BEGIN SSH SIGNATURE-----"
ARMOR_END = "-----END SSH SIGNATURE-----"
ARMOR_LINE_WIDTH = 70  # what ssh-keygen writes
HASH_ALGORITHMS = {"sha256": hashlib.sha256, "sha512": hashlib.sha512}
SIGNING_HASH = "sha512"

MAX_ARMORED_CHARS = 64 * 1024
MAX_KEY_FILE_BYTES = 64 * 1024
MIN_RSA_BITS = 2048
MAX_RSA_BITS = 16384  # OpenSSH's SSHBUF_MAX_BIGNUM

ED25519 = "ssh-ed25519"
RSA = "ssh-rsa"
SK_ED25519 = "sk-ssh-ed25519@openssh.com"
SK_ECDSA = "sk-ecdsa-sha2-nistp256@openssh.com"
RSA_SIGNATURE_HASHES = {"rsa-sha2-256": "sha256", "rsa-sha2-512": "sha512"}


@dataclass(frozen=True)
class _Curve:
    name: str  # the curve identifier inside the key blob
    cryptography_name: str
    hash_name: str
    coordinate_bytes: int


ECDSA_CURVES = {
    "ecdsa-sha2-nistp256": _Curve("nistp256", "secp256r1", "sha256", 32),
    "ecdsa-sha2-nistp384": _Curve("nistp384", "secp384r1", "sha384", 48),
    "ecdsa-sha2-nistp521": _Curve("nistp521", "secp521r1", "sha512", 66),
}
KEY_TYPES = frozenset({ED25519, RSA, SK_ED25519, SK_ECDSA, *ECDSA_CURVES})

_REGENERATE_HINT = "generate a new key with `ssh-keygen -t ed25519`"


class _Malformed(Exception):
    """Internal: the bytes do not follow the wire format (turned into a SigningError)."""


class _Reader:
    """A cursor over SSH wire-format bytes; every read is checked against what remains."""

    def __init__(self, data: bytes, what: str) -> None:
        self._data = data
        self._pos = 0
        self._what = what

    @property
    def remaining(self) -> int:
        return len(self._data) - self._pos

    def take(self, size: int) -> bytes:
        if size < 0 or size > len(self._data) - self._pos:  # (self.remaining, without a call)
            raise _Malformed(f"{self._what} is truncated")
        chunk = self._data[self._pos : self._pos + size]
        self._pos += size
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u32(self) -> int:
        value: int = struct.unpack(">I", self.take(4))[0]
        return value

    def string(self) -> bytes:
        return self.take(self.u32())

    def text(self) -> str:
        raw = self.string()
        if b"\0" in raw:
            raise _Malformed(f"{self._what} contains a NUL byte in a text field")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _Malformed(f"{self._what} contains a text field that is not UTF-8") from None

    def mpint(self, *, canonical: bool) -> int:
        raw = self.string()
        if not raw:
            return 0
        if raw[0] & 0x80:
            raise _Malformed(f"{self._what} contains a negative integer")
        if canonical and raw[0] == 0 and (len(raw) == 1 or not raw[1] & 0x80):
            raise _Malformed(f"{self._what} contains an integer with a redundant leading zero")
        return int.from_bytes(raw, "big")

    def end(self) -> None:
        if self.remaining:
            raise _Malformed(f"{self._what} has {self.remaining} bytes of trailing data")


def _u32(value: int) -> bytes:
    return struct.pack(">I", value)


def _string(value: bytes | str) -> bytes:
    raw = value.encode("utf-8") if isinstance(value, str) else value
    return _u32(len(raw)) + raw


def _mpint(value: int) -> bytes:
    if value == 0:
        return _string(b"")
    raw = value.to_bytes((value.bit_length() + 8) // 8, "big")  # keeps a 0x00 when the top bit is set
    return _string(raw)


@dataclass(frozen=True)
class PublicKey:
    """An SSH public key: its type name and its wire-format blob (equality is on both)."""

    key_type: str
    blob: bytes
    comment: str = field(default="", compare=False)

    def fingerprint(self) -> str:
        """``SHA256:…`` exactly as ``ssh-keygen -l`` prints it."""
        digest = hashlib.sha256(self.blob).digest()
        return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")

    def openssh(self) -> str:
        """The one-line form used in ``.pub`` files and allowed_signers: ``type base64``."""
        return f"{self.key_type} {base64.b64encode(self.blob).decode('ascii')}"

    @property
    def bits(self) -> int:
        """Key size in bits, as ``ssh-keygen -l`` reports it."""
        fields = _decode_key(self.blob)
        if self.key_type == RSA:
            return fields.n.bit_length()
        if fields.curve:
            return {"nistp256": 256, "nistp384": 384, "nistp521": 521}[fields.curve]
        return 256

    def __str__(self) -> str:
        return f"{self.key_type} {self.fingerprint()}"


@dataclass(frozen=True)
class _KeyFields:
    key_type: str
    pk: bytes = b""  # ed25519 public bytes
    curve: str = ""  # ECDSA curve name in the blob
    point: bytes = b""  # ECDSA uncompressed point
    e: int = 0  # RSA
    n: int = 0
    application: bytes = b""  # FIDO keys


def _unsupported_key_type(key_type: str, blob: bytes = b"") -> SigningError:
    if key_type.endswith("-cert-v01@openssh.com"):
        return SigningError(
            f"SSH certificates ({key_type}) are not supported: deploycheck trusts individual "
            "public keys listed in allowed_signers. Sign with the plain key the certificate "
            "was issued for."
        )
    if key_type == "ssh-dss":
        return SigningError(
            f"DSA keys are not supported (OpenSSH disabled them as too weak); {_REGENERATE_HINT}."
        )
    return SigningError(
        f"Unsupported SSH key type {_preview(key_type)!r}: deploycheck accepts ssh-ed25519, "
        "ecdsa-sha2-nistp256/384/521, ssh-rsa (2048 bits or more) and the FIDO variants "
        f"sk-ssh-ed25519 and sk-ecdsa-sha2-nistp256. Use one of those ({_REGENERATE_HINT})."
    )


# Decoded key blobs: `log` checks thousands of signatures made by a few keys, and each check
# decodes the key twice. Only successful decodes are kept (an invalid blob raises every time);
# _KeyFields is frozen, so sharing one is safe.
_DECODED_KEYS: dict[bytes, _KeyFields] = {}


def _decode_key(blob: bytes) -> _KeyFields:
    """Parse and validate a public key blob; raises _Malformed or SigningError."""
    blob = bytes(blob)
    fields = _DECODED_KEYS.get(blob)
    if fields is None:
        fields = _decode_key_uncached(blob)
        if len(_DECODED_KEYS) >= 64:
            _DECODED_KEYS.clear()
        _DECODED_KEYS[blob] = fields
    return fields


def _decode_key_uncached(blob: bytes) -> _KeyFields:
    reader = _Reader(blob, "public key")
    key_type = reader.text()
    if key_type not in KEY_TYPES:
        raise _unsupported_key_type(key_type)
    pk = point = application = b""
    curve_name = ""
    e = n = 0
    if key_type in (ED25519, SK_ED25519):
        pk = reader.string()
        if len(pk) != 32:
            raise _Malformed("ed25519 public key is not 32 bytes")
    elif key_type == RSA:
        e = reader.mpint(canonical=True)
        n = reader.mpint(canonical=True)
        bits = n.bit_length()
        if bits > MAX_RSA_BITS:
            raise _Malformed(f"RSA modulus of {bits} bits is larger than OpenSSH accepts")
        if bits < MIN_RSA_BITS:
            raise SigningError(
                f"The RSA key {_fingerprint(blob)} has only {bits} bits, which is too weak to "
                f"trust: deploycheck requires RSA keys of at least {MIN_RSA_BITS} bits. "
                f"Use an ed25519 key instead ({_REGENERATE_HINT})."
            )
    else:
        curve = _curve_of(key_type)
        curve_name = reader.text()
        if curve_name != curve.name:
            raise _Malformed(f"{key_type} key names curve {_preview(curve_name)!r}")
        point = reader.string()
        if len(point) != 1 + 2 * curve.coordinate_bytes or point[0] != 4:
            raise _Malformed(f"{key_type} key point is not an uncompressed {curve.name} point")
    if key_type in (SK_ED25519, SK_ECDSA):
        application = reader.string()
    reader.end()
    return _KeyFields(key_type, pk, curve_name, point, e, n, application)


def _curve_of(key_type: str) -> _Curve:
    return ECDSA_CURVES["ecdsa-sha2-nistp256" if key_type == SK_ECDSA else key_type]


def _fingerprint(blob: bytes) -> str:
    return PublicKey("", blob).fingerprint()


def parse_public_key_blob(blob: bytes, comment: str = "") -> PublicKey:
    """A validated :class:`PublicKey` from its wire-format blob."""
    try:
        fields = _decode_key(blob)
    except _Malformed as exc:
        raise SigningError(
            f"The SSH public key is malformed ({exc}). Copy the key again from its `.pub` file "
            "(one line: `ssh-ed25519 AAAA… comment`)."
        ) from None
    return PublicKey(fields.key_type, bytes(blob), comment)


_BASE64_TOKEN = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def public_key_from_openssh(line: str) -> PublicKey:
    """Parse ``ssh-ed25519 AAAA… [comment]`` (a ``.pub`` line; a ``key::`` prefix is accepted)."""
    text = line.strip()
    if text.startswith("key::"):
        text = text[len("key::") :].strip()
    parts = text.split(None, 2)
    if len(parts) < 2 or len(text) > MAX_KEY_FILE_BYTES:
        raise SigningError(
            f"{_preview(line)!r} is not an SSH public key. Expected one line of the form "
            "`ssh-ed25519 AAAA… comment`, as in a `.pub` file."
        )
    key_type, encoded = parts[0], parts[1]
    comment = parts[2] if len(parts) > 2 else ""
    if key_type not in KEY_TYPES:
        raise _unsupported_key_type(key_type)
    if not _BASE64_TOKEN.fullmatch(encoded):
        raise SigningError(
            f"The {key_type} public key {_preview(encoded)!r} is not valid base64. Copy the key "
            "again from its `.pub` file."
        )
    try:
        blob = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise SigningError(
            f"The {key_type} public key {_preview(encoded)!r} is not valid base64. Copy the key "
            "again from its `.pub` file."
        ) from None
    key = parse_public_key_blob(blob, comment)
    if key.key_type != key_type:
        raise SigningError(
            f"The public key line says {key_type!r} but its data is a {key.key_type!r} key. "
            "Copy the key again from its `.pub` file."
        )
    return key


def _preview(text: str, limit: int = 40) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"


# --------------------------------------------------------------------------------------------
# Signatures


@dataclass(frozen=True)
class SshSignature:
    """The fields of a parsed SSHSIG blob (not yet verified)."""

    public_key: PublicKey
    namespace: str
    reserved: bytes
    hash_algorithm: str
    signature: bytes  # the inner SSH signature blob: string type, string bytes[, sk fields]


def _malformed_signature(detail: str) -> SigningError:
    return SigningError(
        f"The SSH signature is malformed ({detail}). It was damaged or edited after signing; "
        "sign the content again (run `deploycheck`) and commit the new signature."
    )


def dearmor(armored: str) -> bytes:
    """The blob inside ``-----BEGIN SSH SIGNATURE-----`` armor (line wrapping and CRLF tolerated)."""
    if not isinstance(armored, str):
        raise _malformed_signature("the signature is not text")
    if len(armored) > MAX_ARMORED_CHARS:
        raise _malformed_signature(f"it is longer than {MAX_ARMORED_CHARS} characters")
    text = armored.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text.startswith(ARMOR_BEGIN):
        raise _malformed_signature(f"it does not start with {ARMOR_BEGIN}")
    if not text.endswith(ARMOR_END):
        raise _malformed_signature(f"it does not end with {ARMOR_END}")
    body = text[len(ARMOR_BEGIN) : len(text) - len(ARMOR_END)]
    if "-----" in body:
        raise _malformed_signature("the armor holds more than one signature or stray text")
    encoded = "".join(body.split())
    if not encoded:
        raise _malformed_signature("the armor is empty")
    try:
        return base64.b64decode(encoded.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise _malformed_signature("the armored text is not valid base64") from None


def armor(blob: bytes) -> str:
    """Armor a blob the way ssh-keygen does (70-character lines, trailing newline)."""
    encoded = base64.b64encode(blob).decode("ascii")
    lines = [encoded[i : i + ARMOR_LINE_WIDTH] for i in range(0, len(encoded), ARMOR_LINE_WIDTH)]
    return "\n".join([ARMOR_BEGIN, *lines, ARMOR_END]) + "\n"


def parse_sshsig_blob(blob: bytes) -> SshSignature:
    """Parse (without verifying) a de-armored SSHSIG blob."""
    try:
        reader = _Reader(blob, "signature blob")
        if reader.take(len(SSHSIG_MAGIC)) != SSHSIG_MAGIC:
            raise _Malformed("it does not start with the SSHSIG magic bytes")
        version = reader.u32()
        if version != SSHSIG_VERSION:
            raise SigningError(
                f"The SSH signature uses SSHSIG version {version}; deploycheck understands "
                f"version {SSHSIG_VERSION} only. Sign again with OpenSSH's `ssh-keygen -Y sign` "
                "(run `deploycheck`)."
            )
        key_blob = reader.string()
        namespace = reader.text()
        reserved = reader.string()
        hash_algorithm = reader.text()
        signature = reader.string()
        reader.end()
    except _Malformed as exc:
        raise _malformed_signature(str(exc)) from None
    try:
        public_key = PublicKey(_decode_key(key_blob).key_type, bytes(key_blob))
    except _Malformed as exc:
        raise _malformed_signature(str(exc)) from None
    return SshSignature(public_key, namespace, bytes(reserved), hash_algorithm, bytes(signature))


def parse_sshsig(armored: str) -> SshSignature:
    """Parse (without verifying) an armored SSH signature, e.g. to show its key fingerprint."""
    return parse_sshsig_blob(dearmor(armored))


def signed_data(namespace: str, hash_algorithm: str, message: bytes) -> bytes:
    """The bytes the SSH key actually signs, per PROTOCOL.sshsig section 3."""
    digest = HASH_ALGORITHMS[hash_algorithm](message).digest()
    return (
        SSHSIG_MAGIC
        + _string(namespace)
        + _string(b"")  # reserved
        + _string(hash_algorithm)
        + _string(digest)
    )


def verify_sshsig(message: bytes, armored: str, namespace: str) -> PublicKey:
    """Verify an armored SSHSIG over ``message`` in ``namespace``; return the signer's key.

    Raises SigningError when the signature is malformed, made for another namespace, uses an
    unsupported algorithm, or does not match the message. Whether the key is *trusted* is a
    separate question (see ``deploycheck.records.signing.find_trusted_signer``).
    """
    if not namespace:
        raise ValueError("namespace must not be empty")
    sig = parse_sshsig(armored)
    if sig.namespace != namespace:
        raise SigningError(
            f"The SSH signature was made for namespace {_preview(sig.namespace)!r}, not "
            f"{namespace!r}: it was created for another purpose (e.g. `git` commit signing) and "
            f"cannot vouch for this content. Sign again with `deploycheck` (namespace {namespace!r})."
        )
    if sig.reserved:
        raise _malformed_signature("its reserved field is not empty")
    if sig.hash_algorithm not in HASH_ALGORITHMS:
        raise SigningError(
            f"The SSH signature uses hash algorithm {_preview(sig.hash_algorithm)!r}; SSHSIG "
            "allows only sha256 and sha512. Sign again with `deploycheck` (it uses sha512)."
        )
    data = signed_data(namespace, sig.hash_algorithm, message)
    _verify_raw(sig.public_key, sig.signature, data)
    return sig.public_key


def _bad_signature() -> SigningError:
    return SigningError(
        "The SSH signature does not match the signed content: the content was changed after "
        "it was signed, or the signature was altered. Sign it again (run `deploycheck`) and "
        "commit the result."
    )


def _verify_raw(key: PublicKey, sig_blob: bytes, data: bytes) -> None:
    """Check an SSH signature blob (``string type || string sig [|| sk fields]``) over data."""
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

    try:
        fields = _decode_key(key.blob)
        reader = _Reader(sig_blob, "signature")
        sig_type = reader.text()
        raw = reader.string()
        sk_suffix = b""
        if key.key_type in (SK_ED25519, SK_ECDSA):
            flags = reader.u8()
            counter = reader.u32()
            sk_suffix = hashlib.sha256(fields.application).digest() + bytes([flags]) + _u32(counter)
        reader.end()
    except _Malformed as exc:
        raise _malformed_signature(str(exc)) from None

    if key.key_type == RSA:
        if sig_type == "ssh-rsa":
            raise SigningError(
                "The SSH signature is an `ssh-rsa` signature, which uses SHA-1 and is not "
                "accepted (SSHSIG requires rsa-sha2-256 or rsa-sha2-512). Sign again with "
                "`deploycheck` using OpenSSH 8.1 or later, or switch to an ed25519 key "
                f"({_REGENERATE_HINT})."
            )
        if sig_type not in RSA_SIGNATURE_HASHES:
            raise _malformed_signature(f"unexpected RSA signature type {_preview(sig_type)!r}")
    elif sig_type != key.key_type:
        raise _malformed_signature(
            f"a {_preview(sig_type)!r} signature does not belong to a {key.key_type} key"
        )

    try:
        _verify_primitive(key.key_type, fields, sig_type, raw, data, sk_suffix)
    except InvalidSignature:
        raise _bad_signature() from None
    except _Malformed as exc:
        raise _malformed_signature(str(exc)) from None
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise _malformed_signature(f"the key or signature values are invalid: {exc}") from None


def _verify_primitive(
    key_type: str,
    fields: _KeyFields,
    sig_type: str,
    raw: bytes,
    data: bytes,
    sk_suffix: bytes,
) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

    if key_type in (ED25519, SK_ED25519):
        if len(raw) != 64:
            raise _Malformed("ed25519 signature is not 64 bytes")
        public = ed25519.Ed25519PublicKey.from_public_bytes(fields.pk)
        if key_type == SK_ED25519:
            data = sk_suffix + hashlib.sha256(data).digest()
        public.verify(raw, data)
        return

    if key_type in ECDSA_CURVES or key_type == SK_ECDSA:
        curve = _curve_of(key_type)
        curve_obj = getattr(ec, curve.cryptography_name.upper())()
        public_ec = ec.EllipticCurvePublicKey.from_encoded_point(curve_obj, fields.point)
        inner = _Reader(raw, "ECDSA signature")
        r = inner.mpint(canonical=False)
        s = inner.mpint(canonical=False)
        inner.end()
        if key_type == SK_ECDSA:
            data = sk_suffix + hashlib.sha256(data).digest()
        hash_algorithm: dict[str, Callable[[], hashes.HashAlgorithm]] = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
        public_ec.verify(
            utils.encode_dss_signature(r, s), data, ec.ECDSA(hash_algorithm[curve.hash_name]())
        )
        return

    if key_type == RSA:
        modulus = fields.n
        size = (modulus.bit_length() + 7) // 8
        if len(raw) > size:
            raise _Malformed("RSA signature is longer than the key's modulus")
        raw = raw.rjust(size, b"\0")  # OpenSSH accepts signatures with leading zeros stripped
        public_rsa = rsa.RSAPublicNumbers(fields.e, modulus).public_key()
        digest = hashes.SHA256() if RSA_SIGNATURE_HASHES[sig_type] == "sha256" else hashes.SHA512()
        public_rsa.verify(raw, data, padding.PKCS1v15(), digest)
        return

    raise _Malformed(f"cannot verify {key_type} signatures")  # pragma: no cover


# --------------------------------------------------------------------------------------------
# Private key files


_OPENSSH_PRIVATE_BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----"
_OPENSSH_PRIVATE_END = "-----END OPENSSH PRIVATE KEY-----"
_OPENSSH_KEY_MAGIC = b"openssh-key-v1\0"


def public_key_from_private_key_file(data: bytes) -> PublicKey | None:
    """The public key stored in the clear in an OpenSSH-format private key file.

    The ``openssh-key-v1`` format keeps the public key unencrypted, so this needs no passphrase.
    Returns None for other formats (PEM) or anything that cannot be parsed.
    """
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return None
    text = text.replace("\r\n", "\n").strip()
    if not (text.startswith(_OPENSSH_PRIVATE_BEGIN) and text.endswith(_OPENSSH_PRIVATE_END)):
        return None
    encoded = "".join(text[len(_OPENSSH_PRIVATE_BEGIN) : -len(_OPENSSH_PRIVATE_END)].split())
    try:
        blob = base64.b64decode(encoded, validate=True)
        reader = _Reader(blob, "private key file")
        if reader.take(len(_OPENSSH_KEY_MAGIC)) != _OPENSSH_KEY_MAGIC:
            return None
        reader.string()  # cipher name
        reader.string()  # kdf name
        reader.string()  # kdf options
        if reader.u32() < 1:
            return None
        key_blob = reader.string()
        fields = _decode_key(key_blob)  # a weak or unsupported key raises SigningError
    except (_Malformed, binascii.Error, ValueError):
        return None
    return PublicKey(fields.key_type, bytes(key_blob))


def sign_with_private_key(
    message: bytes, key_data: bytes, namespace: str, *, key_name: str = "the key"
) -> str:
    """Make an armored SSHSIG (sha512) with an unencrypted private key file, using ``cryptography``.

    This is the fallback when OpenSSH's ``ssh-keygen -Y sign`` is not available. It cannot
    prompt for passphrases, talk to ssh-agent or use FIDO keys.
    """
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

    try:
        if _OPENSSH_PRIVATE_BEGIN.encode() in key_data:
            # `object`: the loaders' declared key types differ between cryptography releases
            # (51 added ML-DSA keys to one union and not the other); the types below narrow it.
            loaded: object = serialization.load_ssh_private_key(key_data, password=None)
        else:
            loaded = serialization.load_pem_private_key(key_data, password=None)
    except TypeError:
        raise SigningError(
            f"{key_name} is protected by a passphrase, and the built-in signer (used when "
            "OpenSSH 8.1 or later is not available) cannot ask for it. Install OpenSSH 8.1+ so "
            "deploycheck can sign with `ssh-keygen -Y sign`, or use a key without a passphrase."
        ) from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise SigningError(
            f"{key_name} is not a private key the built-in signer can read ({exc}). It handles "
            "unencrypted OpenSSH or PEM ed25519, ECDSA and RSA keys; for FIDO or agent keys "
            "install OpenSSH 8.1 or later, or pass another key with `--key`."
        ) from None

    if not isinstance(loaded, (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
        raise SigningError(
            f"{key_name} is a {type(loaded).__name__}, which SSHSIG signing does not support. "
            "Use an ed25519, ECDSA or RSA key."
        )
    private = loaded
    public_line = (
        private.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode("ascii")
    )
    public = public_key_from_openssh(public_line)
    data = signed_data(namespace, SIGNING_HASH, message)
    if isinstance(private, ed25519.Ed25519PrivateKey):
        sig_blob = _string(ED25519) + _string(private.sign(data))
    elif isinstance(private, ec.EllipticCurvePrivateKey):
        curve = ECDSA_CURVES[public.key_type]
        hash_algorithm: dict[str, Callable[[], hashes.HashAlgorithm]] = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
        der = private.sign(data, ec.ECDSA(hash_algorithm[curve.hash_name]()))
        r, s = utils.decode_dss_signature(der)
        sig_blob = _string(public.key_type) + _string(_mpint(r) + _mpint(s))
    else:
        signature = private.sign(data, padding.PKCS1v15(), hashes.SHA512())
        sig_blob = _string("rsa-sha2-512") + _string(signature)
    blob = (
        SSHSIG_MAGIC
        + _u32(SSHSIG_VERSION)
        + _string(public.blob)
        + _string(namespace)
        + _string(b"")
        + _string(SIGNING_HASH)
        + _string(sig_blob)
    )
    return armor(blob)
