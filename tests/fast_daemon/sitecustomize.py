"""Put on PYTHONPATH of `dagster dev` by tests/dagster_dev.py only: the asset backfill daemon then evaluates
a backfill every 5 seconds instead of Dagster's fixed 30, so a backfill whose runs come in waves (the
reports, then the models by day, then the rest) finishes in seconds rather than minutes. (Every 2 seconds it
launched a run for each small set of assets that had just become ready: 6 runs for the UI backfill test's 5,
and more time in all.) The daemon's code is otherwise unchanged; Dagster offers no setting for this interval."""

import importlib.abc
import importlib.util
import sys

CONTROLLER = "dagster._daemon.controller"
INTERVAL_SECONDS = 5


class _ShortDaemonInterval(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != CONTROLLER:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            module.DEFAULT_DAEMON_INTERVAL_SECONDS = INTERVAL_SECONDS

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _ShortDaemonInterval())
