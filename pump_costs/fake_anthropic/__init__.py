"""The fake Anthropic Admin API: a real HTTP server with two synthetic organizations, for the demo and tests."""

from pump_costs.fake_anthropic.organization import (
    DEMO_ORGANIZATION,
    SECOND_ORGANIZATION,
    GroundTruth,
    SyntheticOrganization,
    ground_truth,
)
from pump_costs.fake_anthropic.server import FAKE_ADMIN_KEY, SECOND_FAKE_ADMIN_KEY, FakeAdminApi, Fault, FaultPlan

__all__ = [
    "DEMO_ORGANIZATION",
    "FAKE_ADMIN_KEY",
    "SECOND_FAKE_ADMIN_KEY",
    "SECOND_ORGANIZATION",
    "FakeAdminApi",
    "Fault",
    "FaultPlan",
    "GroundTruth",
    "SyntheticOrganization",
    "ground_truth",
]
