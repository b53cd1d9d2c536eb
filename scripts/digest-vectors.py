#!/usr/bin/env python3
"""Independent expected values for the SIP digest tests in src/auth/digest.rs.

The Rust tests must not check the digest code against itself, so this script
recomputes every case with Python's hashlib (or the openssl command line for
SHA-512/256 where hashlib lacks it) straight from the RFC 2617 / RFC 7616 /
RFC 8760 formulas, and prints Rust tuples to paste into the test.

Run:  python3 scripts/digest-vectors.py
"""

import hashlib
import shutil
import subprocess

# The fixed inputs; they must match the constants in the Rust test.
USER = "alice"
REALM = "sipreg.test"
# Non-ASCII on purpose: the password is hashed as its UTF-8 bytes.
PASSWORD = "s\u00ebcret pass"
NONCE = "5f2b8c0e-sipreg-nonce"
CNONCE = "0123456789abcdef0123456789abcdef"
# 42 shows that nc is printed as lowercase hex ("0000002a").
NC = 42
METHOD = "REGISTER"
URI = "sip:sipreg.test"
BODY = b""


def sha512_256(data: bytes) -> str:
    try:
        return hashlib.new("sha512_256", data).hexdigest()
    except ValueError:
        # Some hashlib builds do not expose SHA-512/256; openssl always has it.
        if shutil.which("openssl") is None:
            raise SystemExit("neither hashlib nor openssl provides SHA-512/256")
        out = subprocess.run(
            ["openssl", "dgst", "-sha512-256", "-r"],
            input=data,
            capture_output=True,
            check=True,
        ).stdout.decode()
        return out.split()[0]


HASHES = {
    "MD5": lambda d: hashlib.md5(d).hexdigest(),
    "SHA-256": lambda d: hashlib.sha256(d).hexdigest(),
    "SHA-512-256": sha512_256,
}


def h(name: str, text) -> str:
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    return HASHES[name](data)


def response(algorithm: str, qop: str) -> str:
    sess = algorithm.endswith("-sess")
    base = algorithm[: -len("-sess")] if sess else algorithm
    ha1 = h(base, f"{USER}:{REALM}:{PASSWORD}")
    if sess:
        ha1 = h(base, f"{ha1}:{NONCE}:{CNONCE}")
    if qop == "auth-int":
        ha2 = h(base, f"{METHOD}:{URI}:{h(base, BODY)}")
    else:
        ha2 = h(base, f"{METHOD}:{URI}")
    if qop:
        return h(base, f"{ha1}:{NONCE}:{NC:08x}:{CNONCE}:{qop}:{ha2}")
    return h(base, f"{ha1}:{NONCE}:{ha2}")


def main() -> None:
    print("// HA1 = H(user:realm:password) per hash")
    for name in HASHES:
        print(f'("{name}", "{h(name, f"{USER}:{REALM}:{PASSWORD}")}"),')
    print("// (algorithm, qop, response); qop \"\" = RFC 2069 form")
    for base in HASHES:
        for algorithm in (base, base + "-sess"):
            for qop in ("", "auth", "auth-int"):
                print(f'("{algorithm}", "{qop}", "{response(algorithm, qop)}"),')


if __name__ == "__main__":
    main()
