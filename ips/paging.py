"""Lists shown a page at a time: the first page, then more on demand ("Load more" appends the
next page's rows with htmx; without JavaScript it is a plain link to the next page).

A page's rows and the total are read in SQL (a window count in the same query where it can be),
so a list costs the same whether it holds thirty rows or thirty thousand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Count, QuerySet, Window
from django.http import HttpRequest

T = TypeVar("T")

PAGE_SIZE = 50
# Further than anyone pages by hand: a larger number is a typing mistake or a probe, and would
# only make the database skip rows for nothing.
MAX_PAGE = 10_000


@dataclass(frozen=True)
class Page(Generic[T]):
    """Rows `first` to `last` (counted from 1) of `total`: page `number`, pages of `size`."""

    rows: list[T]
    number: int
    size: int
    total: int

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)

    @property
    def has_next(self) -> bool:
        return self.number * self.size < self.total

    @property
    def next_number(self) -> int:
        return self.number + 1


def page_number(data: Mapping[str, Any], name: str = "page") -> int:
    """The page asked for in `data` (a query string or form): 1 unless a whole number from 1 to
    `MAX_PAGE`."""
    value = str(data.get(name, ""))
    return int(value) if value.isdigit() and 1 <= int(value) <= MAX_PAGE else 1


def paginate(queryset: QuerySet[Any], number: int, size: int = PAGE_SIZE) -> Page[Any]:
    """Page `number` of `queryset` (ordered), with the total from a window count in the same
    query; a second query counts only when the page is past the end."""
    rows = list(
        queryset.annotate(page_total=Window(Count("*")))[(number - 1) * size : number * size]
    )
    if rows:
        total = rows[0]["page_total"] if isinstance(rows[0], dict) else rows[0].page_total
    else:
        total = queryset.count() if number > 1 else 0
    return Page(rows, number=number, size=size, total=total)


def appending(request: HttpRequest) -> bool:
    """Whether htmx asks for a page past the first to append to the rows already shown (the
    view then answers only the rows and a new footer)."""
    return bool(getattr(request, "htmx", False)) and page_number(request.GET) > 1


def footer(request: HttpRequest, page: Page[Any]) -> dict[str, Any]:
    """What `ips/_load_more.html` needs for a list paged by `?page=N`: the rows shown so far
    (when appending, from the page named by `from` on; else the page's own) and the next page's
    address, keeping the other query parameters."""
    shown_from = (
        min(page_number(request.GET, "from"), page.number) if appending(request) else page.number
    )
    query = request.GET.copy()
    query.pop("from", None)
    query["page"] = str(page.next_number)
    return {
        "page": page,
        "shown_from": shown_from,
        "shown_first": (shown_from - 1) * page.size + 1,
        "more_url": f"{request.path}?{query.urlencode()}",
    }
