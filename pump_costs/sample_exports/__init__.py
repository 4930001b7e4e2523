"""Billing export samples: the real licensed files shipped here, and generators for the rest."""
