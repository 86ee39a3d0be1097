"""Extracting translatable strings and checking the catalogs.

Catalogs are split by domain so that work on one part of the service touches only its
own files::

    kuulolla/web/translations/<locale>/LC_MESSAGES/<domain>.po

A domain's strings come from ``kuulolla/<domain>/**.py`` and the templates under
``kuulolla/web/templates/<domain>/``; the domain ``web`` also takes ``core/``,
``web/*.py`` and the top-level templates. At run time every domain's catalog of a
locale is merged into one (core/i18n.py). English is the source language, so the
English catalogs hold each string as its own translation.

``scripts/i18n`` runs :func:`update` and :func:`report`; a test fails when any string
in the code lacks a Finnish, Swedish or English translation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATES = PACKAGE / "web" / "templates"
TRANSLATIONS = PACKAGE / "web" / "translations"
LOCALES = ("fi", "sv", "en")
KEYWORDS = {"_": None, "N_": None, "gettext": (2,), "ngettext": (2, 3)}
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n"}
# Folders of the package that are not domains of their own.
NOT_DOMAINS = {"core", "web", "migrations", "__pycache__"}


def domains() -> list[str]:
    found = {"web"}
    for child in PACKAGE.iterdir():
        if child.is_dir() and child.name not in NOT_DOMAINS and (child / "__init__.py").exists():
            found.add(child.name)
    for child in TEMPLATES.iterdir():
        if child.is_dir():
            found.add(child.name)
    return sorted(found)


def _sources(domain: str) -> Iterator[tuple[Path, str]]:
    if domain == "web":
        for folder in (PACKAGE / "core", PACKAGE / "web"):
            for path in sorted(folder.rglob("*.py")):
                yield path, "python"
        for path in sorted(TEMPLATES.glob("*.html")):
            yield path, "jinja2"
        for path in sorted(PACKAGE.glob("*.py")):
            yield path, "python"
        return
    folder = PACKAGE / domain
    if folder.is_dir():
        for path in sorted(folder.rglob("*.py")):
            yield path, "python"
    template_folder = TEMPLATES / domain
    if template_folder.is_dir():
        for path in sorted(template_folder.rglob("*.html")):
            yield path, "jinja2"


def extract(domain: str) -> Catalog:
    """Every translatable string of ``domain`` in the code now."""
    catalog = Catalog(domain=domain)
    for path, method in _sources(domain):
        options = JINJA_OPTIONS if method == "jinja2" else {}
        for lineno, message, comments, context in extract_from_file(
            method, str(path), keywords=KEYWORDS, options=options, strip_comment_tags=True
        ):
            relative = path.relative_to(PACKAGE.parent).as_posix()
            catalog.add(
                message, None, [(relative, lineno)], auto_comments=comments, context=context
            )
    return catalog


def po_path(locale: str, domain: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / f"{domain}.po"


def load(locale: str, domain: str) -> Catalog:
    path = po_path(locale, domain)
    if not path.exists():
        return Catalog(locale=locale, domain=domain)
    with path.open("rb") as f:
        return read_po(f, locale=locale, domain=domain)


def update() -> None:
    """Bring every catalog in line with the code: add new strings (untranslated, or as
    themselves in English), drop strings no longer used."""
    for domain in domains():
        template = extract(domain)
        for locale in LOCALES:
            catalog = load(locale, domain)
            created, revised = catalog.creation_date, catalog.revision_date
            catalog.update(template, no_fuzzy_matching=True)
            # Keep the header's dates: rewriting them on every run makes every branch
            # that runs this conflict with every other.
            catalog.creation_date, catalog.revision_date = created, revised
            catalog.obsolete.clear()
            if locale == "en":
                for message in catalog:
                    if not message.id:
                        continue
                    if isinstance(message.id, tuple):  # a plural: its forms are its ids
                        if not isinstance(message.string, tuple) or not all(message.string):
                            message.string = tuple(message.id)
                    elif not message.string:
                        message.string = message.id
            if not len(catalog) and not po_path(locale, domain).exists():
                continue
            path = po_path(locale, domain)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as f:
                write_po(
                    f, catalog, omit_header=False, sort_output=True, include_lineno=False, width=100
                )


def missing() -> dict[tuple[str, str], list[str]]:
    """Strings in the code without a translation, by (locale, domain)."""
    out: dict[tuple[str, str], list[str]] = {}
    for domain in domains():
        template = extract(domain)
        for locale in LOCALES:
            catalog = load(locale, domain)
            gaps = []
            for message in template:
                if not message.id:
                    continue
                found = catalog.get(message.id, context=message.context)
                strings = found.string if found is not None else None
                if isinstance(strings, tuple):
                    empty = not all(strings)
                else:
                    empty = not strings
                if found is None or empty or found.fuzzy:
                    gaps.append(message.id if isinstance(message.id, str) else message.id[0])
            if gaps:
                out[(locale, domain)] = gaps
    return out


def translate(locale: str, mapping: dict[str, str | list[str]]) -> int:
    """Set translations of ``locale`` for the msgids in ``mapping`` in whichever domain
    catalogs hold them; returns how many entries were set. (A helper for translators:
    ``scripts/i18n set sv strings.json``.)"""
    count = 0
    for domain in domains():
        path = po_path(locale, domain)
        if not path.exists():
            continue
        catalog = load(locale, domain)
        changed = False
        for message in catalog:
            key = message.id if isinstance(message.id, str) else message.id[0] if message.id else ""
            if key and key in mapping:
                value = mapping[key]
                if isinstance(message.id, tuple):
                    # A plural entry takes a list of forms; a single string serves all.
                    message.string = tuple(value) if isinstance(value, list) else (value, value)
                else:
                    message.string = value
                message.flags.discard("fuzzy")
                changed = True
                count += 1
        if changed:
            with path.open("wb") as f:
                write_po(
                    f, catalog, omit_header=False, sort_output=True, include_lineno=False, width=100
                )
    return count
