"""Visitor pages for asking a question and following it: the ask form (with the
masking shown once and similar published answers, which questions/similar.js also
lists while typing) and the claim code's pages, where the asker reads the status and
answer and withdraws consent. The archive's own pages are routes.py.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kuulolla.core import i18n
from kuulolla.core.errors import AppError, BadRequest, NotFound, RateLimited
from kuulolla.core.i18n import N_
from kuulolla.core.limits import Rule
from kuulolla.privacy.service import get_periods
from kuulolla.privacy.words import privacy_link, question_note
from kuulolla.questions import asking, asking_rules, claim_codes, logic, reading
from kuulolla.questions.routes import common_context, form_fields, known_category, labels
from kuulolla.queue import helpnow
from kuulolla.web import limits, seo
from kuulolla.web.access import public
from kuulolla.web.templating import render

SIMILAR_CANDIDATES = 10  # similar answers looked at, of which SIMILAR_SHOWN are sent
SIMILAR_SHOWN = 5

SIMILAR_SCRIPT_STRINGS = {
    "heading": N_("Answers to similar questions"),
    "none": N_("No similar answers yet."),
    "hint": N_("Read these first: your question may have been answered already."),
    "new_tab": N_("(opens in a new tab)"),
}


class TooManyQuestions(RateLimited):
    code = "too_many_questions"
    default_message = N_(
        "Many questions have been sent from your network within the hour. Your text is kept here: send it again in {minutes} min."
    )


ASK_DESCRIPTION = N_(
    "Write your question in your own words. You stay anonymous: we ask for no name, e-mail address or phone number. An answer usually comes within two weeks."
)


# ------------------------------------------------------------------ asking


def _ask_context(
    request: Request, values: dict[str, str], errors: dict[str, str]
) -> dict[str, Any]:
    locale = request.state.locale
    strings = labels(locale, SIMILAR_SCRIPT_STRINGS)
    return {
        **common_context(request),
        "values": values,
        "errors": {field: i18n.gettext(locale, message) for field, message in errors.items()},
        "similar": None,
        "masked": False,
        "strings_json": json.dumps(strings, ensure_ascii=False).replace("<", "\\u003c"),
        "max_body": logic.MAX_BODY_CHARS,
        "max_title": logic.MAX_TITLE_CHARS,
    }


@public
async def ask_form(request: Request) -> Response:

    values = {"category": known_category(request.query_params.get("category")) or ""}
    context = _ask_context(request, values, {})
    locale = request.state.locale
    # Not yet routed to an organisation: the platform's period applies.
    periods = await get_periods(request.state.db, organisation_id=None)
    context["retention_note"] = question_note(locale, periods["unpublished_questions"])
    context["privacy_link"] = privacy_link(locale)
    # A topic chosen beforehand (?category=) selects nothing else: one canonical address.
    context["seo"] = seo.indexable(request, description=i18n.gettext(locale, ASK_DESCRIPTION))
    return render(request, "questions/ask.html", context)


@public
async def ask_submit(request: Request) -> Response:
    form = await form_fields(request)
    values = {
        key: form.get(key, "")
        for key in ("title", "body", "category", "age_group", "gender", "visibility", "consent")
    }
    try:
        checked = asking_rules.check_ask(
            title=values["title"],
            body=values["body"],
            category=values["category"],
            language=request.state.locale,
            age_group=values["age_group"],
            gender=values["gender"],
            visibility=values["visibility"],
            consent=values["consent"] == "yes",
        )
    except asking_rules.AskInvalid as exc:
        context = _ask_context(request, values, exc.errors)
        return render(request, "questions/ask.html", context, status_code=400)
    db = request.state.db
    # Before sending, the visitor sees once (a) that e-mail addresses and phone numbers
    # were hidden, with the text as it will be sent, and (b) without JavaScript, similar
    # published answers (the script shows those while typing).
    masked = bool(checked.masked) and form.get("seen_masking") != "1"
    similar = []
    if form.get("seen_similar") != "1":
        similar = await reading.similar(db, text=f"{values['title']} {values['body']}")
    if masked or similar:
        if masked:
            values["title"] = checked.title or ""
            values["body"] = checked.body
        context = _ask_context(request, values, {})
        context["similar"] = similar
        context["masked"] = masked
        return render(request, "questions/ask.html", context)
    settings = request.app.state.settings
    try:
        # Counted only when it is really sent (after the similar answers were shown).
        held = await limits.reserve(
            request,
            [
                (
                    Rule("questions.network", settings.questions_per_network, 3600.0),
                    await limits.network_key(request),
                )
            ],
            TooManyQuestions,
        )
    except TooManyQuestions as exc:
        context = _ask_context(request, values, {"body": exc.translated(request.state.locale)})
        return render(request, "questions/ask.html", context, status_code=exc.status)
    try:
        receipt = await asking.do_ask(
            db,
            ask=checked,
            deadline_days=settings.question_deadline_days,
            now=request.state.clock.now(),
        )
    except AppError:
        await limits.release(request, held)
        raise
    return render(
        request,
        "questions/asked.html",
        {
            **common_context(request),
            "code": receipt.claim_code,
            "masked": receipt.masked,
            "public": checked.wants_public,
        },
    )


@public
async def similar_json(request: Request) -> Response:
    """Similar published answers for the text being typed (POST, so the text never
    appears in an address)."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise BadRequest(code="bad_json")
    try:
        payload = json.loads(await request.body() or b"{}")
        text = str(payload.get("text", ""))[:2000] if isinstance(payload, dict) else ""
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(code="bad_json") from None
    found = (
        await reading.similar(request.state.db, text=text, limit=SIMILAR_CANDIDATES)
        if text.strip()
        else []
    )
    # Answers in the page's language first (a Swedish page, Swedish answers first).
    results = helpnow.in_language_first(found, request.state.locale, lambda r: (r.language,))
    results = results[:SIMILAR_SHOWN]
    response = JSONResponse(
        {
            "results": [
                {
                    "id": r.id,
                    "url": f"/questions/{r.id}",
                    "title": r.title.striptags(),
                    "snippet": r.snippet.striptags(),
                    "language": r.language,
                }
                for r in results
            ]
        }
    )
    response.headers["cache-control"] = "no-store"
    return response


# ------------------------------------------------------------------ following a question


# The claim code travels only in POST bodies: the question opens as the answer to the
# form, so its address holds no code, Back does not reopen it (the page is no-store),
# and the code is in no history, log or Referer.


@public
async def claim_form(request: Request) -> Response:
    return render(request, "questions/claim_form.html", {"error": None, "code": ""})


async def claim_view(request: Request, code: str, *, status_code: int = 200) -> Response:
    """The asker's question, answer and choices for ``code`` (already normalised and
    grouped), or the form with the not-found error."""
    try:
        view = await asking.get_claim_or_raise(request.state.db, code=code)
    except NotFound as exc:
        error = exc.translated(request.state.locale)
        return render(
            request, "questions/claim_form.html", {"error": error, "code": ""}, status_code=404
        )
    locale = request.state.locale
    return render(
        request,
        "questions/claim.html",
        {
            **common_context(request),
            "v": view,
            "code": code,
            "refusal_text": i18n.gettext(locale, logic.REFUSAL_REASONS[view.refusal])
            if view.refusal in logic.REFUSAL_REASONS
            else None,
        },
        status_code=status_code,
    )


def _grouped(code: str) -> str | None:
    normalised = claim_codes.normalise_claim_code(code)
    if normalised is None:
        return None
    return "-".join(normalised[i : i + 4] for i in range(0, len(normalised), 4))


@public
async def claim_submit(request: Request) -> Response:
    form = await form_fields(request)
    code = form.get("code", "")
    grouped = _grouped(code)
    if grouped is None:
        error = i18n.gettext(request.state.locale, asking.CLAIM_NOT_FOUND)
        return render(
            request,
            "questions/claim_form.html",
            {"error": error, "code": code[:60]},
            status_code=400,
        )
    return await claim_view(request, grouped)


@public
async def claim_page(request: Request) -> Response:
    """A link with the code in it (given out before codes stayed out of addresses): the
    form, filled in, so the question itself opens only as the answer to a POST."""
    grouped = _grouped(request.path_params["code"])
    if grouped is None:
        error = i18n.gettext(request.state.locale, asking.CLAIM_NOT_FOUND)
        return render(
            request, "questions/claim_form.html", {"error": error, "code": ""}, status_code=404
        )
    return render(request, "questions/claim_form.html", {"error": None, "code": grouped})


@public
async def withdraw(request: Request) -> Response:
    form = await form_fields(request)
    code = _grouped(form.get("code", "")) or ""
    await asking.do_withdraw_consent(request.state.db, code=code, now=request.state.clock.now())
    return await claim_view(request, code)


ROUTES = [
    Route("/questions/ask", ask_form, methods=["GET"], name="questions_ask"),
    Route("/questions/ask", ask_submit, methods=["POST"]),
    Route("/questions/similar", similar_json, methods=["POST"], name="questions_similar"),
    Route("/questions/claim", claim_form, methods=["GET"], name="questions_claim"),
    Route("/questions/claim", claim_submit, methods=["POST"]),
    Route("/questions/claim/{code}", claim_page, methods=["GET"], name="questions_claim_page"),
    Route("/questions/claim/withdraw", withdraw, methods=["POST"]),
]
