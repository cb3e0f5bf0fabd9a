"""Shared form pieces."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ButtonForm(FlaskForm):
    """A form with nothing but the CSRF token, for POST buttons (cancel, approve, ...)."""
