"""A keyring backend kept in a JSON file, so tests use `keyring` as a real user's machine would, with no
desktop keyring: select it with PYTHON_KEYRING_BACKEND=tests.file_keyring.FileKeyring."""

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend

KEYRING_FILE_ENV_VAR = "PUMP_COSTS_TEST_KEYRING_FILE"


class FileKeyring(KeyringBackend):
    priority = 1

    @property
    def path(self) -> Path:
        return Path(os.environ[KEYRING_FILE_ENV_VAR])

    def _entries(self) -> dict[str, str]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._entries().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        self.path.write_text(json.dumps({**self._entries(), f"{service}/{username}": password}))

    def delete_password(self, service: str, username: str) -> None:
        entries = self._entries()
        entries.pop(f"{service}/{username}")
        self.path.write_text(json.dumps(entries))
