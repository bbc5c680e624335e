"""The `events` blueprint: public pages (`views.py`) and staff pages (`staff_views.py`)
attach their routes to it, so endpoint names stay `events.*` and neither imports the other."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/evenements")
