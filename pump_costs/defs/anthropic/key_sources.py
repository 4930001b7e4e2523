"""Where the Admin key comes from, first found wins: the environment variable, a secret file, the keyring.

A service (systemd, Docker, Kubernetes) reads a secret file only its user can read; a workstation keeps the
key in the operating system's keyring, put there by `pump-costs connect`. The key is read when a run or a
command needs it and passed on as a value, so it never reaches run config, logs or storage; each message
here names where the key came from, never the key.
"""

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from pump_costs import settings
from pump_costs.defs.anthropic.client import AdminKeyError

KEYRING_SERVICE = "pump-costs"
KEYRING_USERNAME = "anthropic-admin-api-key"


@dataclass(frozen=True)
class AdminKey:
    value: str | None
    source: str  # e.g. "ANTHROPIC_ADMIN_API_KEY", for messages about the key


def find_admin_key(env_var: str = settings.ADMIN_API_KEY.name) -> AdminKey:
    """The key from `env_var`, else from the file ANTHROPIC_ADMIN_API_KEY_FILE names, else from the keyring;
    AdminKey(None, env_var) when none holds one (the client then says how to provide it)."""
    if value := os.environ.get(env_var):
        return AdminKey(value, env_var)
    if file := settings.ADMIN_API_KEY_FILE.value():
        path = Path(file).expanduser()
        return AdminKey(read_key_file(path), f"{settings.ADMIN_API_KEY_FILE.name} ({path})")
    if (stored := keyring_key()) is not None:
        return AdminKey(stored, f"the keyring ({keyring_backend_name()})")
    return AdminKey(None, env_var)


def read_key_file(path: Path, label: str | None = None) -> str:
    """The file's key, refused (before it is read) when other users of the machine could read or change it.
    `label` names the file in messages (default: ANTHROPIC_ADMIN_API_KEY_FILE=<path>)."""
    label = label or f"{settings.ADMIN_API_KEY_FILE.name}={path}"
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise AdminKeyError(
            f"{label} cannot be read ({error.strerror}). Point it at the file holding your Admin key, "
            "or unset it. Nothing was sent and nothing stored was changed."
        ) from None
    if not stat.S_ISREG(mode):
        raise AdminKeyError(f"{label} is not a file. Point it at the file holding your Admin key.")
    if mode & (stat.S_IRWXO | stat.S_IWGRP):
        raise AdminKeyError(
            f"{label} can be read or changed by other users of this machine (mode "
            f"{stat.S_IMODE(mode):04o}), so the key was not used. Run `chmod 600 {path}` (or mount the secret "
            "with mode 0400, as Kubernetes' defaultMode does). Nothing was sent and nothing stored was changed."
        )
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        # The error's text could quote the file's bytes: say what to do instead.
        raise AdminKeyError(
            f"{label} could not be read as text. It should hold only the Admin key (sk-ant-admin...)."
        ) from None


def keyring_key(username: str = KEYRING_USERNAME) -> str | None:
    """The key `pump-costs connect` stored; None when nothing is stored or the machine has no keyring."""
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, username)
    except KeyringError:
        return None


def store_in_keyring(key: str, username: str = KEYRING_USERNAME) -> str:
    """Store the key for this user; returns the keyring's name. Raises AdminKeyError when there is none."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, username, key)
    except KeyringError as error:
        raise AdminKeyError(
            f"This machine has no keyring to keep the key in ({type(error).__name__}); nothing was stored. On a "
            f"server, put the key in a file only the service's user can read and set "
            f"{settings.ADMIN_API_KEY_FILE.name} to its path."
        ) from None
    return keyring_backend_name()


def keyring_backend_name() -> str:
    import keyring

    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"
