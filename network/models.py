"""Every domain's models, imported so that Alembic and create_all() see all tables."""

from __future__ import annotations

from network.accounts import models as accounts  # noqa: F401
from network.admin import models as admin  # noqa: F401
from network.directory import models as directory  # noqa: F401
from network.esspresso import models as esspresso  # noqa: F401
from network.events import door_models as door  # noqa: F401
from network.events import models as events  # noqa: F401
from network.meetings import models as meetings  # noqa: F401
from network.offers import models as offers  # noqa: F401
from network.outbox import models as outbox  # noqa: F401
