"""What a page of results tells the pagination macro, written once for every list."""

from __future__ import annotations

import math


class Paged:
    """Mixed into a result dataclass that has `total`, `page` and `per_page`."""

    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1
