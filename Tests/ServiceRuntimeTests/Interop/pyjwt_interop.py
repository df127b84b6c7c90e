"""PyJWT on the other side of AfterSale's tokens (run by PyJWTInteropTests.swift).

  mint-hs256 SECRET_B64 KID AUD SUB ROLE JTI     print an HS256 token PyJWT minted with the shared key
  mint-rs256 JWKS_OUT AUD SUB ROLE JTI           make an RSA key, write its public JWKS, print an RS256 token
  mint-es256 JWKS_OUT AUD SUB ROLE JTI           the same with a P-256 key and ES256
  verify SECRET_B64 KID AUD TOKEN                verify an AfterSale token; print its header and claims as JSON
"""
import base64
import json
import sys
import time

import jwt
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa


def claims(aud, sub, role, jti):
    now = int(time.time())
    return {"iss": "aftersale", "aud": aud, "sub": sub, "role": role, "iat": now, "exp": now + 600, "jti": jti}


def write_jwks(path, public_key, algorithm, alg, kid):
    jwk = json.loads(algorithm.to_jwk(public_key))
    jwk.update({"alg": alg, "kid": kid})
    with open(path, "w") as out:
        json.dump({"keys": [jwk]}, out)


def main(command, *args):
    if command == "mint-hs256":
        secret, kid, aud, sub, role, jti = args
        print(jwt.encode(claims(aud, sub, role, jti), base64.b64decode(secret), algorithm="HS256", headers={"kid": kid}))
    elif command == "mint-rs256":
        path, aud, sub, role, jti = args
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        write_jwks(path, key.public_key(), RSAAlgorithm, "RS256", "py-rsa")
        print(jwt.encode(claims(aud, sub, role, jti), key, algorithm="RS256", headers={"kid": "py-rsa"}))
    elif command == "mint-es256":
        path, aud, sub, role, jti = args
        key = ec.generate_private_key(ec.SECP256R1())
        write_jwks(path, key.public_key(), ECAlgorithm, "ES256", "py-ec")
        print(jwt.encode(claims(aud, sub, role, jti), key, algorithm="ES256", headers={"kid": "py-ec"}))
    elif command == "verify":
        secret, kid, aud, token = args
        header = jwt.get_unverified_header(token)
        if header.get("kid") != kid:
            raise SystemExit(f"kid {header.get('kid')!r} is not {kid!r}")
        decoded = jwt.decode(token, base64.b64decode(secret), algorithms=["HS256"], audience=aud, issuer="aftersale",
                             options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]})
        print(json.dumps({"header": header, "claims": decoded}, sort_keys=True))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(*sys.argv[1:])
