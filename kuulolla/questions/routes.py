"""Visitor pages of the question archive: browsing and searching it, reading a
question with its answer and voting on the answer, and what search engines read of
it (meta, structured data, the sitemap). Plain HTML forms that work without
JavaScript. Asking and following a question with its claim code are routes_ask.py;
staff pages are staff_routes.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from kuulolla.core import i18n
from kuulolla.core.clock import HELSINKI
from kuulolla.core.errors import BadRequest, RateLimited
from kuulolla.core.i18n import N_
from kuulolla.core.ids import new_token, token_key
from kuulolla.core.limits import Rule
from kuulolla.questions import logic, reading, votes
from kuulolla.web import crisis, limits, seo
from kuulolla.web.access import public
from kuulolla.web.params import query_int
from kuulolla.web.templating import render

PAGE_SIZE = 20
VOTE_RULE = Rule("questions.vote", 1, 86400.0)
MAX_PAGES = 500
SEARCH_PAGE_SIZE = 10
VOTER_COOKIE = "kuulolla_voter"


# ------------------------------------------------------------------ helpers
#
# known_category, form_fields, labels and common_context serve routes_ask.py and
# staff_routes.py too.


class VoteCounted(RateLimited):
    code = "vote_counted"
    default_message = N_("A vote from your network has been counted for this answer today.")


def _page(request: Request) -> int:
    return query_int(request, "page", default=1, lo=1, hi=MAX_PAGES) or 1


def known_category(value: str | None) -> str | None:
    """``value`` when it names one of the archive's categories, else None."""
    return value if value in logic.CATEGORIES else None


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form's text fields."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def labels(locale: str, mapping: dict[str, str]) -> dict[str, str]:
    """Each key with its label translated into ``locale``."""
    return {key: i18n.gettext(locale, value) for key, value in mapping.items()}


def common_context(request: Request) -> dict[str, Any]:
    """What every visitor page of the archive gives its template: the vocabularies'
    labels and the deadline's day in Helsinki time."""
    locale = request.state.locale
    return {
        "categories": labels(locale, logic.CATEGORIES),
        "age_groups": labels(locale, logic.AGE_GROUPS),
        "genders": labels(locale, logic.GENDERS),
        "helsinki": HELSINKI,
        "due_day": logic.due_day,
    }


# ------------------------------------------------------------------ what search engines read

ARCHIVE_DESCRIPTION = N_(
    "Professionals and trained volunteers of the organisations answer questions about relationships, parenting, growing up, loneliness, mental health and caring for someone close. Answers are published with the asker's consent, without anything that could identify them."
)
TAGGED = N_("Questions tagged “{tag}”")
ANONYMOUS_ASKER = N_("Anonymous asker")


def _archive_meta(
    request: Request, *, category: str | None, tag: str | None, page: int
) -> seo.PageMeta:
    """A list of the archive (all, a category or a tag; its pages past the first too):
    the canonical address keeps what selects the list and drops the order."""
    locale = request.state.locale
    query: list[tuple[str, str]] = []
    lead = ""
    if category:
        query.append(("category", category))
        lead = i18n.gettext(locale, logic.CATEGORIES[category]) + ". "
    if tag:
        query.append(("tag", tag))
        lead += i18n.gettext(locale, TAGGED, tag=tag) + ". "
    if page > 1:
        query.append(("page", str(page)))
    return seo.indexable(
        request, description=lead + i18n.gettext(locale, ARCHIVE_DESCRIPTION), query=query
    )


def _question_meta(request: Request, q: reading.PublishedQuestion) -> seo.PageMeta:
    """An answer page, with its schema.org QAPage: the question (its anonymised text,
    as published) and the one answer, accepted, signed as it is on the page."""
    locale = request.state.locale
    answer = q.answer
    answerer: dict[str, Any]
    if answer.answerer_name:
        answerer = {"@type": "Person", "name": answer.answerer_name}
        if answer.answerer_role:
            answerer["jobTitle"] = answer.answerer_role
        if answer.answerer_organisation:
            answerer["affiliation"] = {
                "@type": "Organization",
                "name": answer.answerer_organisation,
            }
    else:
        answerer = {"@type": "Organization", "name": answer.answerer_organisation or seo.SITE_NAME}
    page = seo.base_url(request) + request.url.path
    published = q.published_at.isoformat(timespec="seconds")
    data = {
        "@context": "https://schema.org",
        "@type": "QAPage",
        "inLanguage": q.language,
        "mainEntity": {
            "@type": "Question",
            "name": q.title,
            "text": q.body,
            "answerCount": 1,
            "datePublished": published,
            "inLanguage": q.language,
            "author": {"@type": "Person", "name": i18n.gettext(locale, ANONYMOUS_ASKER)},
            "acceptedAnswer": {
                "@type": "Answer",
                "text": answer.body,
                "url": f"{page}#answer-heading",
                "upvoteCount": q.helpful,
                "datePublished": (answer.answered_at or q.published_at).isoformat(
                    timespec="seconds"
                ),
                "author": answerer,
            },
        },
    }
    return seo.indexable(request, description=q.body, og_type="article", structured_data=data)


async def _archive_lists(db: Any) -> Sequence[seo.SitemapEntry]:
    categories, tags = await reading.list_changes_by_list(db)
    newest = max((c.changed for c in categories), default=None)
    return [
        seo.SitemapEntry("/questions", lastmod=newest),
        *(seo.SitemapEntry("/questions", (("category", c.key),), c.changed) for c in categories),
        *(seo.SitemapEntry("/questions", (("tag", t.key),), t.changed) for t in tags),
        seo.SitemapEntry("/questions/ask"),
    ]


async def _answers(db: Any, offset: int, limit: int) -> Sequence[seo.SitemapEntry]:
    changes = await reading.list_published_changes(db, offset=offset, limit=limit)
    return [seo.SitemapEntry(f"/questions/{c.key}", lastmod=c.changed) for c in changes]


SITEMAP = [
    seo.listed_section("archive", _archive_lists),
    seo.SitemapSection("answers", reading.count_published, _answers),
]


# ------------------------------------------------------------------ archive


@public
async def archive(request: Request) -> Response:
    db = request.state.db
    category = known_category(request.query_params.get("category"))
    tag = (request.query_params.get("tag") or "").strip().lower()[:32] or None
    order = request.query_params.get("order")
    order = order if order in reading.ORDERS else "newest"
    page = _page(request)
    items, more = await reading.list_published(
        db, category=category, tag=tag, order=order, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    return render(
        request,
        "questions/archive.html",
        {
            **common_context(request),
            **(await crisis.help_context(request)),
            "seo": _archive_meta(request, category=category, tag=tag, page=page) if items else None,
            "items": items,
            "more": more,
            "page": page,
            "category": category,
            "tag": tag,
            "order": order,
            "counts": await reading.count_by_category(db),
            "tags": await reading.list_tags(db, limit=24),
        },
    )


@public
async def search_page(request: Request) -> Response:
    """The search form. The words travel in a POST body (:func:`search_submit`), so the
    address and the browser's history never hold them; an old address with ``?q=`` is
    sent to the plain form, its words dropped."""
    if "q" in request.query_params:
        kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("q", "page")]
        return RedirectResponse(
            "/questions/search" + (f"?{urlencode(kept)}" if kept else ""), status_code=303
        )
    return _search_view(request, query="", category=None, page=1)


@public
async def search_submit(request: Request) -> Response:
    """Results for the words in the form's body, at the form's own address: the title
    and the address name nothing of them (search.js keeps Back from sending them again)."""
    form = await form_fields(request)
    query = " ".join(form.get("q", "").split())[: reading.MAX_QUERY_CHARS]
    page = form.get("page", "1")
    number = int(page) if page.isascii() and page.isdigit() and len(page) <= 3 else 1
    return await _search_results(
        request,
        query=query,
        category=known_category(form.get("category")),
        page=max(1, min(MAX_PAGES, number)),
    )


async def _search_results(
    request: Request, *, query: str, category: str | None, page: int
) -> Response:
    result = None
    if query:
        result = await reading.do_search(
            request.state.db,
            query=query,
            category=category,
            limit=SEARCH_PAGE_SIZE,
            offset=(page - 1) * SEARCH_PAGE_SIZE,
        )
    return _search_view(request, query=query, category=category, page=page, result=result)


def _search_view(
    request: Request,
    *,
    query: str,
    category: str | None,
    page: int,
    result: reading.SearchPage | None = None,
) -> Response:
    return render(
        request,
        "questions/search.html",
        {
            **common_context(request),
            "query": query,
            "category": category,
            "result": result,
            "page": page,
        },
    )


def _voter_key(request: Request) -> bytes | None:
    token = request.cookies.get(VOTER_COOKIE)
    return token_key(token) if token and 20 <= len(token) <= 64 else None


@public
async def question_page(request: Request) -> Response:
    db = request.state.db
    question_id = request.path_params["id"]
    question = await reading.get_published_or_raise(db, question_id=question_id)
    voter = _voter_key(request)
    voted = voter is not None and await votes.has_voted(
        db, question_id=question_id, voter_key=voter
    )
    network_voted = request.query_params.get("vote") == "counted"
    return render(
        request,
        "questions/question.html",
        {
            **common_context(request),
            "seo": _question_meta(request, question),
            "q": question,
            "voted": voted,
            "network_voted": network_voted and not voted,
            "related": await reading.related(db, question_id=question_id),
        },
    )


@public
async def vote(request: Request) -> Response:
    """One "was this helpful" vote per browser and answer. The browser keeps a random
    token in a cookie; the database keeps only its hash with the vote, no address."""
    form = await form_fields(request)
    question_id = request.path_params["id"]
    if form.get("helpful") not in ("yes", "no"):
        raise BadRequest(N_("Choose yes or no."), code="invalid_vote")
    token = request.cookies.get(VOTER_COOKIE)
    if not token or not 20 <= len(token) <= 64:
        token = new_token()
    # One vote per answer and network a day, whatever the cookies say (30 fresh
    # browsers on one network once counted 30); the network-day key changes daily.
    network = await limits.network_key(request)
    try:
        held = await limits.reserve(
            request,
            [(VOTE_RULE, network + str(question_id).encode() if network else None)],
            VoteCounted,
        )
    except VoteCounted:
        return RedirectResponse(f"/questions/{question_id}?vote=counted#vote", status_code=303)
    counted = False
    try:
        counted = await votes.do_vote(
            request.state.db,
            question_id=question_id,
            voter_key=token_key(token),
            helpful=form["helpful"] == "yes",
        )
    finally:
        if not counted:  # voted before from this browser, or refused
            await limits.release(request, held)
    response = RedirectResponse(f"/questions/{question_id}#vote", status_code=303)
    # Until the browser closes (listed in the privacy notice): the vote counts once per
    # visit of this browser, and once per network an hour (limits above).
    response.set_cookie(
        VOTER_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=not request.app.state.settings.development,
    )
    return response


ROUTES = [
    Route("/questions", archive, name="questions"),
    Route("/questions/search", search_page, methods=["GET"], name="questions_search"),
    Route("/questions/search", search_submit, methods=["POST"]),
    Route("/questions/{id:id}", question_page, name="question"),
    Route("/questions/{id:id}/vote", vote, methods=["POST"]),
]
