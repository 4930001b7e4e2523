"""The fake Anthropic Admin API: a real HTTP server with a synthetic organization, for the demo and tests."""

from pump_costs.fake_anthropic.organization import GroundTruth, ground_truth
from pump_costs.fake_anthropic.server import FAKE_ADMIN_KEY, FakeAdminApi, Fault, FaultPlan

__all__ = ["FAKE_ADMIN_KEY", "FakeAdminApi", "Fault", "FaultPlan", "GroundTruth", "ground_truth"]
