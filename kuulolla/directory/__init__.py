"""The service directory: organisations' services by region and topic, searchable in
the visitor's own words, referral cards in conversations, open data in and out.

``regions.py`` (municipalities and wellbeing services counties), ``hours.py`` (opening
hours on the shifts' recurrence rules), ``logic.py`` (services, filters, referral
cards) and ``opendata.py`` (the CSV and JSON formats) are pure. ``search.py`` indexes
and queries, ``service.py`` reads and writes, ``importing.py`` plans and applies an
import, ``routes.py`` (visitors and open data), ``routes_manage.py`` (coordinators)
and ``routes_admin.py`` (admins) are the pages. docs/architecture.md, "Service
directory", describes the whole.
"""
