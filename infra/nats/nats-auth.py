#!/usr/bin/env python3
"""NATS users of a local Pulse instance, from helm/pulse/files/nats-permissions.json.

  nats-auth.py passwords PERMISSIONS DIR   create DIR/<user>.password (mode 600) for every user
                                           that has none: 32 random bytes, base64url; kept after
  nats-auth.py render PERMISSIONS DIR      print the nats.conf `authorization { users = [...] }`
                                           block: each user's password bcrypt-hashed (plain text
                                           where this Python has no bcrypt; the caller keeps the
                                           rendered file at mode 600 either way) and its
                                           publish/subscribe allow lists

scripts/infra.sh runs both (see its start_nats); the Helm chart renders the same file with its own
template (helm/pulse/templates/nats-auth-configmap.yaml). Standard library only.
"""

import json
import os
import secrets
import sys
import warnings


def load_users(path):
    with open(path, encoding="utf-8") as f:
        users = json.load(f)["users"]
    for name, spec in users.items():
        for key in ("publish", "subscribe"):
            if not isinstance(spec.get(key), list) or not all(isinstance(s, str) and s for s in spec[key]):
                sys.exit(f"nats-auth: {path}: users.{name}.{key} must be a list of subjects")
    return users


def password_file(directory, user):
    return os.path.join(directory, f"{user}.password")


def ensure_passwords(users, directory):
    os.makedirs(directory, mode=0o700, exist_ok=True)
    os.chmod(directory, 0o700)
    created = []
    for user in users:
        path = password_file(directory, user)
        if os.path.exists(path) and os.path.getsize(path) > 0:
            continue
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(32))
        created.append(user)
    return created


def bcrypt_hash(password):
    """`$2b$` hash via the C library's crypt(3) (libxcrypt), or None where that is unavailable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import crypt  # removed in Python 3.13
        hashed = crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10))
    except (ImportError, AttributeError, ValueError, OSError):
        return None
    return hashed if hashed and hashed.startswith("$2") else None


def render(users, directory):
    lines = ["authorization {", "  users = ["]
    plain = []
    for user, spec in users.items():
        path = password_file(directory, user)
        try:
            with open(path, encoding="utf-8") as f:
                password = f.read().strip()
        except OSError as error:
            sys.exit(f"nats-auth: cannot read {path}: {error.strerror} (run 'nats-auth.py passwords' first)")
        if not password:
            sys.exit(f"nats-auth: {path} is empty")
        hashed = bcrypt_hash(password)
        if hashed is None:
            plain.append(user)
        permissions = {
            "publish": {"allow": spec["publish"]},
            "subscribe": {"allow": spec["subscribe"]},
        }
        # JSON strings are valid nats.conf strings; quoted, `$JS...` and `$2b$...` are literal.
        lines.append(
            "    {user: %s, password: %s, permissions: %s}"
            % (json.dumps(user), json.dumps(hashed or password), json.dumps(permissions))
        )
    lines += ["  ]", "}"]
    if plain:
        print(
            "nats-auth: warning: no bcrypt in this Python (crypt module); passwords of %s are in the "
            "rendered config in plain text (keep it at mode 600)" % ", ".join(plain),
            file=sys.stderr,
        )
    return "\n".join(lines)


def main(argv):
    if len(argv) != 4 or argv[1] not in ("passwords", "render"):
        sys.exit("usage: nats-auth.py passwords|render PERMISSIONS DIR")
    users = load_users(argv[2])
    if argv[1] == "passwords":
        created = ensure_passwords(users, argv[3])
        if created:
            print("nats-auth: new passwords for %s in %s" % (", ".join(created), argv[3]))
    else:
        print(render(users, argv[3]))


if __name__ == "__main__":
    main(sys.argv)
