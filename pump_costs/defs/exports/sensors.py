"""Pick up new or re-delivered export files: when any file in the export folders changes, rebuild."""

import hashlib

import dagster as dg

from pump_costs.defs.exports.assets import EXPORT_SOURCES
from pump_costs.defs.jobs import exports_job

# The digest of export folders holding no file at all.
NO_EXPORT_FILES = hashlib.sha256().hexdigest()


def export_fingerprint() -> str:
    """A digest of every file's path, size and modification time in every export folder."""
    digest = hashlib.sha256()
    for source in EXPORT_SOURCES:
        for folder in source.folders():
            if folder.is_dir():
                for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                    stat = path.stat()
                    digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dg.sensor(job=exports_job, minimum_interval_seconds=300, default_status=dg.DefaultSensorStatus.RUNNING)
def export_files_sensor(context: dg.SensorEvaluationContext):
    fingerprint = export_fingerprint()
    if fingerprint == context.cursor:
        return dg.SkipReason("No export file changed")
    # A new install without exports has nothing to rebuild: its first run is the schedule's or the user's.
    if context.cursor is None and fingerprint == NO_EXPORT_FILES:
        context.update_cursor(fingerprint)
        return dg.SkipReason("No export files yet")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint)
