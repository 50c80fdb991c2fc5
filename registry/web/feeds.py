"""Followable searches: any browse or search page as an Atom feed of the
published records that match it, most recently changed first.

A feed reader polls without signing in and its answer may be cached, so a feed
reads the published records alone (`Evaluation.objects.published()`), never
what the requesting user could see: a contributor's drafts must not reach a
feed they subscribed to while signed in. The filters are the pages' own (the
browse page's `EvaluationFilter`, the search page's `search_request`), so a
feed lists what its page would, ordered by change rather than by title or rank.
Words go to the search backend for at most SEARCH_LIMIT ranked ids, as the
browse page does; the feed then keeps the FEED_SIZE most recently changed.
"""

from dataclasses import dataclass, field

from django.contrib.syndication.views import Feed
from django.http import HttpResponse, QueryDict
from django.urls import path, reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator

from registry.filters import FILTER_NAMES, EvaluationFilter
from registry.markdown import markdown_to_text
from registry.models import Evaluation
from registry.search import SearchQuery
from registry.web.search import FILTER_PARAMS, RETRY_AFTER, ask_search, search_request

FEED_SIZE = 50  # entries in one feed: a reader polls for what is new, not the archive
SEARCH_LIMIT = 1000  # the best-ranked records a feed with words considers, as on the browse page
# Parameters that change how a page shows its results, not which records match.
NOT_NARROWING = ("page", "format", "sort", "correct")


class Refused(Exception):
    """A feed that cannot be made; carries the plain-text answer to give instead."""

    def __init__(self, response):
        super().__init__(response.content)
        self.response = response


@dataclass
class FollowedSearch:
    title: str
    page_url: str
    items: list = field(default_factory=list)
    feed_url: str = ""


def _refuse(message, status):
    response = HttpResponse(message + "\n", content_type="text/plain; charset=utf-8", status=status)
    if status == 503:
        response["Retry-After"] = RETRY_AFTER
    return response


def _narrowing(params, keys):
    """The query string without the parameters that only page or sort."""
    kept = QueryDict(mutable=True)
    for key in keys:
        values = [v[:500] for v in params.getlist(key) if v.strip()]
        if values:
            kept.setlist(key, values)
    return kept


def _title(params):
    parts = [f"{FILTER_NAMES.get(key, key)}: {', '.join(values)}" for key, values in params.lists()]
    return "New and changed evaluations" + (" (" + "; ".join(parts) + ")" if parts else "")


def _search_ids(query):
    ids = ask_search(lambda backend: backend.search_ids(query, limit=SEARCH_LIMIT))
    if ids is None:
        raise Refused(_refuse("Search is not working at the moment, so this feed cannot be made. "
                              "Try again later.", 503))
    return ids


def _latest(queryset, ids=None):
    """The most recently changed published records among these, one query."""
    queryset = queryset.published().select_related("lead_department")
    if ids is not None:
        queryset = queryset.filter(id__in=ids)
    return list(queryset.order_by("-updated_at", "-id")[:FEED_SIZE])


def browse_followed(request):
    """The browse page's filters and words as a feed's records."""
    params = _narrowing(request.GET, [key for key in FILTER_NAMES if key != "kind"])
    queryset = Evaluation.objects.published()
    if any(key != "q" for key in params):
        filterset = EvaluationFilter(params, queryset=queryset)
        if not filterset.is_valid():
            messages = [str(m) for errors in filterset.errors.values() for m in errors]
            raise Refused(_refuse("This feed cannot be made: " + " ".join(messages), 400))
        queryset = filterset.qs
    text = params.get("q", "").strip()
    ids = None
    if text:
        ids = _search_ids(SearchQuery(text=text, kinds=("evaluation",), facets=False))
    query = "?" + params.urlencode() if params else ""
    return FollowedSearch(_title(params), reverse("registry:browse") + query, _latest(queryset, ids),
                          reverse("registry:browse-feed") + query)


def search_followed(request):
    """The search page's words and facet filters as a feed's records (evaluations
    only: documents are not records one follows)."""
    params = _narrowing(request.GET, ("q",) + FILTER_PARAMS)
    query, _ = search_request(params)
    ids = None
    if query.text or query.filters:
        # A code that names nothing matches nothing, as on the search page.
        ids = _search_ids(SearchQuery(text=query.text, filters=query.filters, kinds=("evaluation",),
                                      facets=False))
    query = "?" + params.urlencode() if params else ""
    return FollowedSearch(_title(params), reverse("registry:search") + query, _latest(Evaluation.objects, ids),
                          reverse("registry:search-feed") + query)


class FollowedSearchFeed(Feed):
    """The Atom feed of one followed search; `find` says which page it follows."""

    feed_type = Atom1Feed
    find = None

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except Refused as refused:
            return refused.response

    def get_object(self, request, *args, **kwargs):
        return type(self).find(request)

    def title(self, obj):
        return f"{obj.title} – Evaluation Registry"

    def link(self, obj):
        return obj.page_url

    def feed_url(self, obj):
        # The feed's own address with its filters (rel="self"), without paging or sorting.
        return obj.feed_url

    # Atom asks for an author on the feed or on every entry; a record may state no department.
    author_name = "Evaluation Registry"

    def subtitle(self, obj):
        return (f"Published evaluations matching this search, the {FEED_SIZE} most recently published "
                "or changed first. Drafts and withdrawn records are never listed.")

    def items(self, obj):
        return obj.items

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Plain words: a reader shows the summary as HTML, where Markdown marks would be noise.
        return Truncator(markdown_to_text(item.summary)).words(80)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        # The record's address: one entry per record, whose `updated` moves when it changes.
        return self._site_url + item.get_absolute_url()

    item_guid_is_permalink = True

    def item_updateddate(self, item):
        return item.updated_at

    def item_pubdate(self, item):
        return item.published_at or item.updated_at

    def item_author_name(self, item):
        return item.lead_department.name if item.lead_department else None

    def get_feed(self, obj, request):
        self._site_url = request.build_absolute_uri("/").rstrip("/")
        return super().get_feed(obj, request)


class BrowseFeed(FollowedSearchFeed):
    find = staticmethod(browse_followed)


class SearchFeed(FollowedSearchFeed):
    find = staticmethod(search_followed)


urlpatterns = [
    path("feeds/evaluations/", BrowseFeed(), name="browse-feed"),
    path("feeds/search/", SearchFeed(), name="search-feed"),
]
